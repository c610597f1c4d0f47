"""get_matching_job end to end through boto3, with botocore's Stubber or raw replies."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from botocore.stub import Stubber
from pydantic import ValidationError

from entityresolution_jobs import (
    AccessDeniedError,
    EntityResolutionError,
    EntityResolutionJobs,
    InternalServerError,
    JobMetrics,
    JobStatus,
    MatchingJob,
    OutputSource,
    ResourceNotFoundError,
    ResponseError,
    ServiceError,
    ServiceValidationError,
    ThrottlingError,
)

from .support import JOB_ID, WORKFLOW, Wire, if_modelled, job_reply

EXPECTED = {"workflowName": WORKFLOW, "jobId": JOB_ID}


def test_every_field_of_the_reply_reaches_the_model(
    er: EntityResolutionJobs, stubber: Stubber
) -> None:
    stubber.add_response("get_matching_job", job_reply(), EXPECTED)

    job = er.get_matching_job(WORKFLOW, JOB_ID)

    assert job == MatchingJob(
        job_id=JOB_ID,
        status=JobStatus.SUCCEEDED,
        raw_status="SUCCEEDED",
        start_time=datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc),
        end_time=datetime(2024, 5, 1, 12, 30, tzinfo=timezone.utc),
        metrics=JobMetrics(
            input_records=1000,
            total_records_processed=990,
            records_not_processed=10,
            delete_records_processed=if_modelled(5, "JobMetrics", "deleteRecordsProcessed"),
            match_ids=420,
        ),
        error_message="10 records had no matching key",
        output_sources=(
            OutputSource(
                role_arn="arn:aws:iam::123456789012:role/er-output",
                output_s3_path="s3://example-bucket/output/",
                kms_arn="arn:aws:kms:us-east-1:123456789012:key/abc",
            ),
        ),
    )


def test_arguments_may_be_given_by_keyword(er: EntityResolutionJobs, stubber: Stubber) -> None:
    stubber.add_response("get_matching_job", job_reply(), EXPECTED)

    assert er.get_matching_job(job_id=JOB_ID, workflow_name=WORKFLOW).job_id == JOB_ID


@pytest.mark.parametrize("status", ["QUEUED", "RUNNING"])
def test_a_job_still_in_progress_has_no_end_time(
    er: EntityResolutionJobs, stubber: Stubber, status: str
) -> None:
    reply = {"jobId": JOB_ID, "status": status, "startTime": datetime(2024, 5, 1)}
    stubber.add_response("get_matching_job", reply, EXPECTED)

    job = er.get_matching_job(WORKFLOW, JOB_ID)

    assert job.status is JobStatus(status)
    assert job.end_time is None
    assert job.metrics == JobMetrics()


def test_a_failed_job_carries_its_error_message(er: EntityResolutionJobs, stubber: Stubber) -> None:
    reply = job_reply(status="FAILED", errorDetails={"errorMessage": "input table missing"})
    stubber.add_response("get_matching_job", reply, EXPECTED)

    job = er.get_matching_job(WORKFLOW, JOB_ID)

    assert job.status is JobStatus.FAILED
    assert job.error_message == "input table missing"


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("ThrottlingException", 429, ThrottlingError),
        ("InternalServerException", 500, InternalServerError),
        ("ResourceNotFoundException", 404, ResourceNotFoundError),
        ("AccessDeniedException", 403, AccessDeniedError),
        ("ValidationException", 400, ServiceValidationError),
    ],
)
def test_each_modeled_error_is_raised_as_its_class(
    er: EntityResolutionJobs,
    stubber: Stubber,
    code: str,
    status: int,
    expected: type[ServiceError],
) -> None:
    stubber.add_client_error(
        "get_matching_job",
        code,
        "the service said no",
        status,
        expected_params=EXPECTED,
        response_meta={"RequestId": "req-42"},
    )

    with pytest.raises(expected) as caught:
        er.get_matching_job(WORKFLOW, JOB_ID)

    error = caught.value
    assert (error.code, error.message, error.http_status, error.request_id) == (
        code,
        "the service said no",
        status,
        "req-42",
    )
    assert type(error.__cause__).__name__ == code


def test_an_error_reply_on_the_wire_carries_the_request_id_header(
    er: EntityResolutionJobs, wire: Wire
) -> None:
    wire.error(404, "ResourceNotFoundException", "Job not found")

    with pytest.raises(ResourceNotFoundError) as caught:
        er.get_matching_job(WORKFLOW, JOB_ID)

    assert caught.value.request_id == "req-1"
    assert caught.value.http_status == 404
    assert caught.value.message == "Job not found"
    assert wire.requests == [
        f"https://entityresolution.us-east-1.amazonaws.com/matchingworkflows/{WORKFLOW}/jobs/{JOB_ID}"
    ]


def test_an_unmodeled_error_code_is_a_service_error_with_that_code(
    er: EntityResolutionJobs, wire: Wire
) -> None:
    wire.error(409, "SomethingNewException")

    with pytest.raises(ServiceError) as caught:
        er.get_matching_job(WORKFLOW, JOB_ID)

    assert type(caught.value) is ServiceError
    assert caught.value.code == "SomethingNewException"


def test_throttling_is_retried_in_standard_mode_then_succeeds(wire: Wire) -> None:
    er = EntityResolutionJobs()
    wire.attach(er.client)
    wire.error(429, "ThrottlingException")
    wire.error(429, "ThrottlingException")
    wire.reply(200, {"jobId": JOB_ID, "status": "RUNNING", "startTime": 1714564800})

    job = er.get_matching_job(WORKFLOW, JOB_ID)

    assert job.status is JobStatus.RUNNING
    assert len(wire.requests) == 3


def test_throttling_beyond_three_attempts_raises_throttling_error(wire: Wire) -> None:
    er = EntityResolutionJobs()
    wire.attach(er.client)
    for _ in range(3):
        wire.error(429, "ThrottlingException", "Rate exceeded")

    with pytest.raises(ThrottlingError, match="Rate exceeded"):
        er.get_matching_job(WORKFLOW, JOB_ID)
    assert len(wire.requests) == 3


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        ({"status": "RUNNING", "startTime": 1714564800}, "jobId: Field required"),
        ({"jobId": JOB_ID, "startTime": 1714564800}, "status: Field required"),
        ({"jobId": JOB_ID, "status": "RUNNING"}, "startTime: Field required"),
        ({}, "jobId: Field required"),
    ],
)
def test_a_reply_missing_required_fields_is_a_response_error(
    er: EntityResolutionJobs, wire: Wire, body: dict[str, object], complaint: str
) -> None:
    wire.reply(200, body)

    with pytest.raises(ResponseError) as caught:
        er.get_matching_job(WORKFLOW, JOB_ID)

    assert complaint in str(caught.value)
    assert caught.value.request_id == "req-1"
    assert caught.value.http_status == 200
    assert isinstance(caught.value.__cause__, ValidationError)


@pytest.mark.parametrize(
    "raw",
    [
        b"<html><body>502 Bad Gateway</body></html>",
        b"",
        b"[1, 2, 3]",
    ],
)
def test_a_body_that_is_not_a_json_object_is_a_response_error(
    er: EntityResolutionJobs, wire: Wire, raw: bytes
) -> None:
    wire.reply(200, raw=raw)

    with pytest.raises(ResponseError, match="GetMatchingJob returned a reply"):
        er.get_matching_job(WORKFLOW, JOB_ID)


@pytest.mark.parametrize(
    "body",
    [
        {"jobId": JOB_ID, "status": "RUNNING", "startTime": "not a time"},
        {"jobId": JOB_ID, "status": "RUNNING", "startTime": 1e400},
        {"jobId": JOB_ID, "status": "RUNNING", "startTime": 99999999999999999},
        {"jobId": JOB_ID, "status": "RUNNING", "startTime": 1, "metrics": {"inputRecords": "x"}},
    ],
)
def test_a_field_botocore_cannot_parse_is_a_response_error(
    er: EntityResolutionJobs, wire: Wire, body: dict[str, object]
) -> None:
    wire.reply(200, raw=json.dumps(body).encode())

    with pytest.raises(ResponseError, match="could not be parsed") as caught:
        er.get_matching_job(WORKFLOW, JOB_ID)

    assert isinstance(caught.value.__cause__, ValueError | RuntimeError)


def test_a_wrongly_typed_field_is_a_response_error(er: EntityResolutionJobs, wire: Wire) -> None:
    wire.reply(200, {"jobId": 12, "status": "RUNNING", "startTime": 1})

    with pytest.raises(ResponseError, match="jobId"):
        er.get_matching_job(WORKFLOW, JOB_ID)


def test_errors_never_leak_as_anything_but_entity_resolution_errors(
    er: EntityResolutionJobs, wire: Wire
) -> None:
    for raw in (b"{", b"null", b'{"jobId": null}', b'{"startTime": "x"}'):
        wire.reply(200, raw=raw)
        with pytest.raises(EntityResolutionError):
            er.get_matching_job(WORKFLOW, JOB_ID)
