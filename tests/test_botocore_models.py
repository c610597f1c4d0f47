"""Older botocores: the members their Entity Resolution model lacks read as None and cannot be sent.

`MEMBERS_ADDED_IN` says from which botocore each member newer than the
floor is modelled; these tests hold it to the botocore they run on (``make
test`` the newest, ``make test-lowest`` the floor, 1.35.7).
"""

from __future__ import annotations

import copy
import re
from importlib.metadata import requires

import botocore
import botocore.session
import pytest
from botocore.model import ServiceModel

from entityresolution_jobs import EntityResolutionJobs, IdMappingJobMetrics, InvalidInputError
from entityresolution_jobs._botocore_models import BOTOCORE_FLOOR, MEMBERS_ADDED_IN
from entityresolution_jobs._validation import RequestChecker

from .support import (
    ID_MAPPING_METRICS,
    JOB_ID,
    WORKFLOW,
    Wire,
    full_job_reply,
    modelled,
)

RUNNING = tuple(int(part) for part in botocore.__version__.split(".")[:3])


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


@pytest.mark.parametrize(("shape", "member"), sorted(MEMBERS_ADDED_IN))
def test_a_member_is_modelled_from_the_botocore_the_table_names(shape: str, member: str) -> None:
    added = _version(MEMBERS_ADDED_IN[shape, member])

    assert modelled(shape, member) is (added <= RUNNING)
    assert added > _version(BOTOCORE_FLOOR)


def test_the_floor_is_the_one_the_package_declares() -> None:
    runtime = [r for r in requires("entityresolution-jobs") or [] if ";" not in r]
    declared = [r for r in runtime if r.startswith("botocore")]

    assert declared == [f"botocore>={BOTOCORE_FLOOR}"]


def test_counts_this_botocore_does_not_model_read_as_none(
    er: EntityResolutionJobs, wire: Wire
) -> None:
    # The whole reply the service sends, through botocore's real parser.
    reply = full_job_reply(metrics=dict(ID_MAPPING_METRICS), startTime=1, endTime=2)
    wire.reply(body=reply)

    job = er.get_id_mapping_job(WORKFLOW, JOB_ID)

    counts = job.metrics.model_dump()
    for wire_name, sent in ID_MAPPING_METRICS.items():
        field = re.sub(r"(?<=[a-z])([A-Z])", r"_\1", wire_name).lower()
        expected = sent if modelled("IdMappingJobMetrics", wire_name) else None
        assert counts[field] == expected, wire_name
    assert len(counts) == len(IdMappingJobMetrics.model_fields) == 15


def _model_without(shape: str, member: str) -> ServiceModel:
    loader = botocore.session.get_session().get_component("data_loader")
    data = copy.deepcopy(loader.load_service_model("entityresolution", "service-2"))
    data["shapes"][shape]["members"].pop(member, None)
    return ServiceModel(data, service_name="entityresolution")


def test_a_parameter_an_older_botocore_lacks_names_the_botocore_that_has_it() -> None:
    checker = RequestChecker(_model_without("StartIdMappingJobInput", "jobType"))

    with pytest.raises(InvalidInputError) as caught:
        checker.check("StartIdMappingJob", {"workflowName": WORKFLOW, "jobType": "BATCH"})

    assert caught.value.parameter == "job_type"
    assert str(caught.value) == (
        f"job_type needs botocore >= 1.40.37 (botocore {botocore.__version__}, whose Entity "
        "Resolution model has no jobType in StartIdMappingJobInput); upgrade botocore to send it"
    )


def test_a_parameter_no_botocore_models_is_refused_without_a_version() -> None:
    checker = RequestChecker(_model_without("StartMatchingJobInput", "nothing"))

    with pytest.raises(InvalidInputError) as caught:
        checker.check("StartMatchingJob", {"workflowName": WORKFLOW, "outputSourceConfig": []})

    assert caught.value.parameter == "output_source"
    assert str(caught.value) == (
        f"output_source cannot be sent with botocore {botocore.__version__}, whose Entity "
        "Resolution model has no outputSourceConfig in StartMatchingJobInput"
    )


def test_start_with_a_job_type_on_this_botocore_sends_it_or_names_the_botocore_needed(
    er: EntityResolutionJobs, wire: Wire
) -> None:
    if modelled("StartIdMappingJobInput", "jobType"):
        wire.reply(body={"jobId": JOB_ID})
        assert er.start_id_mapping_job(WORKFLOW, job_type="BATCH") == JOB_ID  # type: ignore[arg-type]
        assert len(wire.requests) == 1
        return
    with pytest.raises(InvalidInputError, match=r"job_type needs botocore >= 1\.40\.37"):
        er.start_id_mapping_job(WORKFLOW, job_type="BATCH")  # type: ignore[arg-type]
    assert wire.requests == []
