"""Arguments are checked against botocore's service model before sending."""

from __future__ import annotations

import copy

import botocore.session
import pytest
from botocore.model import ServiceModel

from entityresolution_jobs import EntityResolutionJobs, InvalidInputError
from entityresolution_jobs._validation import RequestChecker

from .support import JOB_ID, WORKFLOW, Wire


def _service_model() -> ServiceModel:
    return botocore.session.get_session().get_service_model("entityresolution")


def _model_with_job_id_pattern(pattern: str) -> ServiceModel:
    loader = botocore.session.get_session().get_component("data_loader")
    description = copy.deepcopy(loader.load_service_model("entityresolution", "service-2"))
    description["shapes"]["JobId"]["pattern"] = pattern
    return ServiceModel(description, service_name="entityresolution")


@pytest.mark.parametrize(
    ("workflow_name", "job_id", "parameter", "reason"),
    [
        ("", JOB_ID, "workflow_name", "1 to 255 characters long; got 0"),
        ("w" * 256, JOB_ID, "workflow_name", "1 to 255 characters long; got 256"),
        ("team/customers", JOB_ID, "workflow_name", "must match the pattern"),
        ("customers?x=1", JOB_ID, "workflow_name", "must match the pattern"),
        ("kund\u00e9n", JOB_ID, "workflow_name", "must match the pattern"),
        (WORKFLOW, "", "job_id", "must not be empty"),
        (WORKFLOW, JOB_ID[:-1], "job_id", "must match the pattern"),
        (WORKFLOW, JOB_ID + "0", "job_id", "must match the pattern"),
        (WORKFLOW, JOB_ID.upper(), "job_id", "must match the pattern"),
        (WORKFLOW, "x" + JOB_ID, "job_id", "must match the pattern"),
        (WORKFLOW, f"../{JOB_ID}", "job_id", "must match the pattern"),
        (123, JOB_ID, "workflow_name", "must be a str, not int"),
        (WORKFLOW, None, "job_id", "is required"),
        (WORKFLOW, b"0123456789abcdef0123456789abcdef", "job_id", "must be a str, not bytes"),
    ],
)
def test_bad_arguments_raise_invalid_input_and_send_nothing(
    er: EntityResolutionJobs,
    wire: Wire,
    workflow_name: object,
    job_id: object,
    parameter: str,
    reason: str,
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        er.get_matching_job(workflow_name, job_id)  # type: ignore[arg-type]

    assert caught.value.parameter == parameter
    assert str(caught.value).startswith(parameter)
    assert reason in str(caught.value)
    assert wire.requests == []


def test_a_long_bad_value_is_shortened_in_the_message(er: EntityResolutionJobs) -> None:
    with pytest.raises(InvalidInputError) as caught:
        er.get_matching_job("a/" * 100, JOB_ID)

    assert len(str(caught.value)) < 200


def test_rules_follow_the_loaded_service_model() -> None:
    checker = RequestChecker(_model_with_job_id_pattern("[a-f0-9]{8}"))

    checker.check("GetMatchingJob", {"workflowName": WORKFLOW, "jobId": "0123abcd"})
    with pytest.raises(InvalidInputError, match=r"\[a-f0-9\]\{8\}"):
        checker.check("GetMatchingJob", {"workflowName": WORKFLOW, "jobId": JOB_ID})


def test_integer_members_are_checked_for_type_and_range() -> None:
    checker = RequestChecker(_service_model())
    ok = {"workflowName": WORKFLOW}

    checker.check("ListMatchingJobs", {**ok, "maxResults": 25})
    with pytest.raises(InvalidInputError, match="max_results must be 1 to 25; got 26"):
        checker.check("ListMatchingJobs", {**ok, "maxResults": 26})
    with pytest.raises(InvalidInputError, match="max_results must be an int, not bool"):
        checker.check("ListMatchingJobs", {**ok, "maxResults": True})


def test_a_value_that_failed_is_checked_again_every_time() -> None:
    checker = RequestChecker(_service_model())

    for _ in range(2):
        with pytest.raises(InvalidInputError):
            checker.check("GetMatchingJob", {"workflowName": "a/b", "jobId": JOB_ID})


def test_the_memory_of_passed_values_is_bounded() -> None:
    checker = RequestChecker(_service_model())

    for number in range(3000):
        checker.check("GetMatchingJob", {"workflowName": f"w{number}", "jobId": JOB_ID})

    assert len(checker._passed) <= 1024


def test_a_pattern_python_cannot_compile_is_left_to_the_service() -> None:
    checker = RequestChecker(_model_with_job_id_pattern("[a-f0-9"))  # not a Python regex

    checker.check("GetMatchingJob", {"workflowName": WORKFLOW, "jobId": "anything"})
