"""EntityResolutionJobTrigger: the library's wait in the triggerer, one event at the end."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from airflow_support import JOB_TYPE_SENDABLE, run_trigger, stored_trigger
from conftest import ID_MAPPING_WORKFLOW, WORKFLOW
from entityresolution_jobs import EntityResolutionJobs, IdMappingJob, IdMappingJobType, MatchingJob
from entityresolution_jobs.airflow import EntityResolutionHook, EntityResolutionJobTrigger
from entityresolution_jobs.testing import EntityResolutionMock, JobTimeline


def _start(kind: str = "matching") -> str:
    jobs: EntityResolutionJobs = EntityResolutionHook().jobs
    if kind == "matching":
        return jobs.start_matching_job(WORKFLOW)
    # A botocore before 1.40.37 (MWAA's Airflow 2.10) cannot send a job type.
    job_type = IdMappingJobType.INCREMENTAL if JOB_TYPE_SENDABLE else None
    return jobs.start_id_mapping_job(ID_MAPPING_WORKFLOW, job_type=job_type)


def _trigger(job_id: str, **kwargs: Any) -> EntityResolutionJobTrigger:
    settings: dict[str, Any] = {"min_delay": 0.1, **kwargs}
    return EntityResolutionJobTrigger(
        job_kind="matching", workflow_name=WORKFLOW, job_id=job_id, **settings
    )


def test_serialize_rebuilds_an_equal_trigger_through_airflows_serde() -> None:
    trigger = EntityResolutionJobTrigger(
        job_kind="id_mapping", workflow_name="ids", job_id="a" * 32, timeout=600,
        min_delay=5, max_delay=120, expected_duration=3600, use_history=False,
        aws_conn_id="prod", region_name="eu-west-1", verify=False,
        botocore_config={"read_timeout": 30},
    )  # fmt: skip
    classpath, kwargs = trigger.serialize()

    rebuilt = stored_trigger(trigger)

    assert classpath == "entityresolution_jobs.airflow.EntityResolutionJobTrigger"
    assert isinstance(rebuilt, EntityResolutionJobTrigger)
    assert rebuilt.serialize() == (classpath, kwargs)


def test_a_rebuilt_trigger_keeps_the_original_deadline() -> None:
    trigger = _trigger("a" * 32, timeout=600)
    _, kwargs = trigger.serialize()

    rebuilt = EntityResolutionJobTrigger(**kwargs)

    assert rebuilt.deadline == trigger.deadline
    assert trigger.deadline - datetime.now(timezone.utc) <= timedelta(seconds=600)


def test_a_job_that_succeeds_yields_one_event_with_the_job_in_the_services_names(
    service: EntityResolutionMock,
) -> None:
    job_id = _start()

    events = run_trigger(_trigger(job_id))

    assert len(events) == 1
    payload = events[0].payload
    assert payload["status"] == "success"
    assert payload["job_id"] == job_id
    assert payload["job_kind"] == "matching"
    job = payload["job"]
    assert job["jobId"] == job_id
    assert job["status"] == "SUCCEEDED"
    assert job["metrics"]["matchIDs"] == 400
    assert isinstance(job["startTime"], str)
    assert MatchingJob.model_validate(job).metrics.match_ids == 400


def test_an_id_mapping_job_event_keeps_its_job_type(service: EntityResolutionMock) -> None:
    job_id = _start("id_mapping")
    trigger = EntityResolutionJobTrigger(
        job_kind="id_mapping", workflow_name=ID_MAPPING_WORKFLOW, job_id=job_id, min_delay=0.1
    )

    (event,) = run_trigger(trigger)

    assert event.payload["status"] == "success"
    job = IdMappingJob.model_validate(event.payload["job"])
    # Read as None where this botocore's model has no job type.
    assert job.job_type is (IdMappingJobType.INCREMENTAL if JOB_TYPE_SENDABLE else None)
    assert job.metrics.total_mapped_records == 600


def test_a_failed_job_yields_a_failed_event_with_its_message(service: EntityResolutionMock) -> None:
    service.timeline = JobTimeline(
        queued_seconds=0.1, running_seconds=0.3, error_message="bad rows"
    )
    job_id = _start()

    (event,) = run_trigger(_trigger(job_id))

    assert event.payload["status"] == "failed"
    assert event.payload["error"] == "MatchingJobFailedError"
    assert job_id in event.payload["message"]
    assert "bad rows" in event.payload["message"]
    assert event.payload["job"]["errorDetails"] == {"errorMessage": "bad rows"}


def test_a_service_error_yields_an_error_event_naming_its_class(
    service: EntityResolutionMock,
) -> None:
    (event,) = run_trigger(_trigger("f" * 32))

    assert event.payload["status"] == "error"
    assert event.payload["error"] == "ResourceNotFoundError"
    assert "job" not in event.payload


def test_a_passed_deadline_yields_a_timeout_with_the_last_state_seen(
    service: EntityResolutionMock,
) -> None:
    service.timeline = JobTimeline(queued_seconds=30, running_seconds=30)
    job_id = _start()
    past = datetime.now(timezone.utc) - timedelta(seconds=1)

    (event,) = run_trigger(_trigger(job_id, deadline=past))

    assert event.payload["status"] == "error"
    assert event.payload["error"] == "MatchingJobWaitTimeoutError"
    assert event.payload["job"]["status"] == "QUEUED"


def test_throttling_and_server_errors_are_ridden_out(service: EntityResolutionMock) -> None:
    job_id = _start()
    # More than the client's own retries: some polls fail outright.
    service.inject_fault("GetMatchingJob", "ThrottlingException", times=8)
    service.inject_fault("ListMatchingJobs", "InternalServerException", times=8)

    (event,) = run_trigger(_trigger(job_id))

    assert event.payload["status"] == "success"


@pytest.mark.parametrize("region", ["eu-west-1", None])
def test_the_trigger_talks_to_the_connections_endpoint_and_region(
    service: EntityResolutionMock, region: str | None
) -> None:
    job_id = _start()

    (event,) = run_trigger(_trigger(job_id, region_name=region))

    # The job exists only in eu-west-1 of the fake, which the connection names.
    assert event.payload["status"] == "success"


def test_a_region_override_is_used_instead_of_the_connections(
    service: EntityResolutionMock,
) -> None:
    job_id = _start()

    (event,) = run_trigger(_trigger(job_id, region_name="us-east-1"))

    assert event.payload["error"] == "ResourceNotFoundError"
