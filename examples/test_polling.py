"""Testing examples/polling.py against the moto backend, with no sleeping and no AWS.

The ``entity_resolution`` fixture comes from this package's pytest plugin.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import boto3
import pytest
from polling import ReportFailedError, wait_for_report

from entityresolution_jobs import EntityResolutionJobs
from entityresolution_jobs.testing import EntityResolutionMock, JobTimeline


class ManualClock:
    """The fake service's clock; the application's sleep moves it on."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(entity_resolution: EntityResolutionMock) -> ManualClock:
    manual = ManualClock()
    entity_resolution.clock = manual
    return manual


@pytest.fixture
def job_id(entity_resolution: EntityResolutionMock) -> str:
    entity_resolution.create_workflow("customers")
    return boto3.client("entityresolution").start_matching_job(workflowName="customers")["jobId"]


def test_returns_the_job_once_it_succeeds(
    entity_resolution: EntityResolutionMock, clock: ManualClock
) -> None:
    entity_resolution.timeline = JobTimeline(queued_seconds=30, running_seconds=600)
    entity_resolution.create_workflow("customers")
    job_id = boto3.client("entityresolution").start_matching_job(workflowName="customers")["jobId"]

    job = wait_for_report(
        EntityResolutionJobs(), "customers", job_id, poll_seconds=60, sleep=clock.sleep
    )

    assert job.metrics.match_ids == 400
    assert job.duration == timedelta(seconds=630)


def test_raises_when_the_job_fails(
    entity_resolution: EntityResolutionMock, clock: ManualClock, job_id: str
) -> None:
    entity_resolution.job("customers", job_id).fail("input table is empty")

    with pytest.raises(ReportFailedError, match="input table is empty"):
        wait_for_report(EntityResolutionJobs(), "customers", job_id, sleep=clock.sleep)


def test_backs_off_while_throttled(
    entity_resolution: EntityResolutionMock,
    clock: ManualClock,
    job_id: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("botocore.endpoint.time.sleep", lambda _: None)  # botocore's own backoff
    entity_resolution.job("customers", job_id).succeed()
    entity_resolution.inject_fault("GetMatchingJob", "ThrottlingException", times=3)
    slept: list[float] = []

    wait_for_report(EntityResolutionJobs(), "customers", job_id, sleep=slept.append)

    assert slept == [10.0]  # one back-off after botocore's 3 attempts were all throttled
