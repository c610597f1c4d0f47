"""The facade end to end against the moto backend: real serialization, signing, parsing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import boto3
import pytest

from entityresolution_jobs import (
    AccessDeniedError,
    ConflictError,
    EntityResolutionJobs,
    InternalServerError,
    JobFailedError,
    JobStatus,
    ResourceNotFoundError,
    ServiceValidationError,
    ThrottlingError,
)
from entityresolution_jobs.testing import (
    EntityResolutionBackend,
    EntityResolutionMock,
    JobTimeline,
)
from entityresolution_jobs.testing._exceptions import ValidationException

from .support import JOB_ID

WORKFLOW = "customers"


@pytest.fixture
def no_retry_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's retry backoff, skipped: the attempts still happen."""
    monkeypatch.setattr("botocore.endpoint.time.sleep", lambda _seconds: None)


@pytest.fixture
def started(entity_resolution: EntityResolutionMock) -> str:
    entity_resolution.create_workflow(WORKFLOW)
    return entity_resolution.backend.start_matching_job(WORKFLOW).job_id


def test_the_fixture_of_the_pytest_plugin_mocks_the_service(
    entity_resolution: EntityResolutionMock,
) -> None:
    arn = entity_resolution.create_workflow(WORKFLOW)

    client = boto3.client("entityresolution")
    assert client.get_matching_workflow(workflowName=WORKFLOW)["workflowArn"] == arn


@pytest.mark.parametrize("status", ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED"])
def test_get_matching_job_reads_every_state(
    entity_resolution: EntityResolutionMock, started: str, status: str
) -> None:
    entity_resolution.job(WORKFLOW, started).set(
        status,  # type: ignore[arg-type]
        input_records=100,
        processed=60,
        not_processed=2,
        match_ids=30,
        error_message="boom" if status == "FAILED" else None,
    )

    job = EntityResolutionJobs().get_matching_job(WORKFLOW, started)

    assert job.job_id == started
    assert job.status is JobStatus(status)
    assert job.metrics.input_records == 100
    assert job.metrics.progress == 0.62
    assert (job.end_time is not None) is job.is_terminal
    assert job.error_message == ("boom" if status == "FAILED" else None)
    assert job.output_source is not None
    assert job.output_source.output_s3_path.startswith("s3://")


def test_a_job_that_runs_its_course_ends_with_consistent_metrics(
    entity_resolution: EntityResolutionMock, started: str
) -> None:
    entity_resolution.job(WORKFLOW, started).succeed()

    job = EntityResolutionJobs().get_matching_job(WORKFLOW, started)

    assert job.status is JobStatus.SUCCEEDED
    assert job.duration is not None
    metrics = job.metrics
    assert metrics.total_records_processed is not None
    assert metrics.records_not_processed is not None
    assert metrics.total_records_processed + metrics.records_not_processed == metrics.input_records
    assert metrics.progress == 1.0


def test_an_unknown_job_is_resource_not_found_with_a_request_id(
    entity_resolution: EntityResolutionMock, started: str
) -> None:
    with pytest.raises(ResourceNotFoundError) as caught:
        EntityResolutionJobs().get_matching_job(WORKFLOW, JOB_ID)

    assert caught.value.http_status == 404
    assert caught.value.request_id


def test_a_validation_exception_of_the_service_is_a_service_validation_error(
    entity_resolution: EntityResolutionMock, started: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_: object) -> None:
        raise ValidationException("the service found the input invalid")

    monkeypatch.setattr(EntityResolutionBackend, "get_matching_job", refuse)

    with pytest.raises(ServiceValidationError, match="found the input invalid") as caught:
        EntityResolutionJobs().get_matching_job(WORKFLOW, started)

    assert caught.value.http_status == 400


def test_throttling_is_retried_and_then_succeeds(
    entity_resolution: EntityResolutionMock, started: str, no_retry_sleep: None
) -> None:
    entity_resolution.inject_fault("GetMatchingJob", "ThrottlingException", times=2)

    job = EntityResolutionJobs().get_matching_job(WORKFLOW, started)

    assert job.job_id == started
    assert not entity_resolution.backend.faults["GetMatchingJob"]


def test_throttling_on_every_attempt_raises_throttling_error(
    entity_resolution: EntityResolutionMock, started: str, no_retry_sleep: None
) -> None:
    entity_resolution.inject_fault("GetMatchingJob", "ThrottlingException", times=3)

    with pytest.raises(ThrottlingError) as caught:
        EntityResolutionJobs().get_matching_job(WORKFLOW, started)

    assert caught.value.http_status == 429
    assert not entity_resolution.backend.faults["GetMatchingJob"]


def test_internal_errors_are_retried_then_raised(
    entity_resolution: EntityResolutionMock, started: str, no_retry_sleep: None
) -> None:
    entity_resolution.inject_fault("GetMatchingJob", "InternalServerException", times=4)

    with pytest.raises(InternalServerError):
        EntityResolutionJobs().get_matching_job(WORKFLOW, started)

    assert len(entity_resolution.backend.faults["GetMatchingJob"]) == 1


def test_access_denied_is_not_retried(
    entity_resolution: EntityResolutionMock, started: str, no_retry_sleep: None
) -> None:
    entity_resolution.inject_fault("GetMatchingJob", "AccessDeniedException", times=2)

    with pytest.raises(AccessDeniedError):
        EntityResolutionJobs().get_matching_job(WORKFLOW, started)

    assert len(entity_resolution.backend.faults["GetMatchingJob"]) == 1


def test_server_mode_serves_the_facade_over_real_http(moto_server: str) -> None:
    client = boto3.client("entityresolution", endpoint_url=moto_server)
    fake = EntityResolutionMock()
    fake.create_workflow(WORKFLOW)
    job_id = client.start_matching_job(workflowName=WORKFLOW)["jobId"]
    fake.job(WORKFLOW, job_id).fail("no input")

    job = EntityResolutionJobs(endpoint_url=moto_server).get_matching_job(WORKFLOW, job_id)

    assert job.status is JobStatus.FAILED
    assert job.error_message == "no input"
    with pytest.raises(ResourceNotFoundError):
        EntityResolutionJobs(endpoint_url=moto_server).get_matching_job("nobody", job_id)


class SharedClock:
    """One clock for the fake service and the waiter; the waiter's sleep moves it."""

    def __init__(self) -> None:
        self.start = datetime(2026, 1, 1, tzinfo=timezone.utc)
        self.now = self.start

    def service(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return (self.now - self.start).total_seconds()

    def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def shared_clock(entity_resolution: EntityResolutionMock) -> SharedClock:
    clock = SharedClock()
    entity_resolution.clock = clock.service
    entity_resolution.create_workflow(WORKFLOW)
    return clock


def test_start_then_wait_sees_the_job_through_its_timeline(
    entity_resolution: EntityResolutionMock, shared_clock: SharedClock
) -> None:
    entity_resolution.timeline = JobTimeline(queued_seconds=20, running_seconds=300)
    er = EntityResolutionJobs()
    seen: list[str] = []

    job_id = er.start_matching_job(WORKFLOW)
    job = er.wait_for_matching_job(
        WORKFLOW,
        job_id,
        on_update=lambda update: seen.append(update.raw_status),
        clock=shared_clock.monotonic,
        sleep=shared_clock.sleep,
    )

    assert job.status is JobStatus.SUCCEEDED
    assert seen[0] == "QUEUED"
    assert "RUNNING" in seen
    assert seen[-1] == "SUCCEEDED"
    assert job.duration == timedelta(seconds=320)
    detected_after = shared_clock.monotonic() - 320
    assert 0 <= detected_after <= 64


def test_waiting_on_a_job_that_fails_raises_job_failed_error(
    entity_resolution: EntityResolutionMock, shared_clock: SharedClock
) -> None:
    er = EntityResolutionJobs()
    job_id = er.start_matching_job(WORKFLOW)
    entity_resolution.job(WORKFLOW, job_id).fail("the input table is empty")

    with pytest.raises(JobFailedError, match="the input table is empty"):
        er.wait_for_matching_job(
            WORKFLOW, job_id, clock=shared_clock.monotonic, sleep=shared_clock.sleep
        )


def test_throttling_mid_wait_is_ridden_out(
    entity_resolution: EntityResolutionMock, shared_clock: SharedClock, no_retry_sleep: None
) -> None:
    entity_resolution.timeline = JobTimeline(queued_seconds=5, running_seconds=30)
    er = EntityResolutionJobs()
    job_id = er.start_matching_job(WORKFLOW)
    entity_resolution.inject_fault("GetMatchingJob", "ThrottlingException", times=3)

    job = er.wait_for_matching_job(
        WORKFLOW, job_id, clock=shared_clock.monotonic, sleep=shared_clock.sleep
    )

    assert job.status is JobStatus.SUCCEEDED
    assert not entity_resolution.backend.faults["GetMatchingJob"]


def test_a_second_start_while_one_runs_is_a_conflict(
    entity_resolution: EntityResolutionMock, shared_clock: SharedClock
) -> None:
    er = EntityResolutionJobs()
    er.start_matching_job(WORKFLOW)

    with pytest.raises(ConflictError):
        er.start_matching_job(WORKFLOW)


def test_list_matching_jobs_walks_every_page_of_the_fake_service(
    entity_resolution: EntityResolutionMock, shared_clock: SharedClock
) -> None:
    er = EntityResolutionJobs()
    started = []
    for _ in range(30):
        job_id = er.start_matching_job(WORKFLOW)
        entity_resolution.job(WORKFLOW, job_id).succeed()
        started.append(job_id)

    listed = list(er.list_matching_jobs(WORKFLOW))

    assert [j.job_id for j in listed] == started
    assert all(j.status is JobStatus.SUCCEEDED for j in listed)
