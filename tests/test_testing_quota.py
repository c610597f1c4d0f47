"""The fake keeps the service's quota: one running job of each kind per account and region."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone

import pytest

from entityresolution_jobs import ConflictError, EntityResolutionJobs, JobStatus
from entityresolution_jobs.testing import EntityResolutionMock, JobTimeline

from .support import SharedClock

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


class FakeClock(SharedClock):
    """The fake's clock, moved by hand."""

    advance = SharedClock.sleep


@pytest.fixture
def clock(entity_resolution: EntityResolutionMock) -> FakeClock:
    clock = FakeClock(T0)
    entity_resolution.clock = clock.wall
    entity_resolution.timeline = JobTimeline(queued_seconds=10, running_seconds=100)
    for name in ("a", "b", "c"):
        entity_resolution.create_workflow(name)
        entity_resolution.create_id_mapping_workflow(f"ids-{name}")
    return clock


@pytest.fixture
def er(entity_resolution: EntityResolutionMock) -> EntityResolutionJobs:
    return EntityResolutionJobs()


def statuses(er: EntityResolutionJobs, jobs: Mapping[str, str]) -> dict[str, str]:
    return {name: er.get_matching_job(name, job_id).raw_status for name, job_id in jobs.items()}


def test_a_second_workflows_job_waits_queued_until_the_first_ends(
    clock: FakeClock, er: EntityResolutionJobs
) -> None:
    first = er.start_matching_job("a")
    clock.advance(20)
    second = er.start_matching_job("b")

    clock.advance(50)  # the first runs, the second is held
    held = statuses(er, {"a": first, "b": second})
    clock.advance(40)  # 110 s: the first has ended, the second runs
    moved = statuses(er, {"a": first, "b": second})

    assert held == {"a": "RUNNING", "b": "QUEUED"}
    assert moved == {"a": "SUCCEEDED", "b": "RUNNING"}


def test_jobs_leave_queued_one_at_a_time_in_the_order_they_were_started(
    clock: FakeClock, er: EntityResolutionJobs
) -> None:
    jobs = {name: er.start_matching_job(name) for name in ("c", "a", "b")}  # c first

    seen = []
    for _ in range(40):
        clock.advance(10)
        running = [name for name, status in statuses(er, jobs).items() if status == "RUNNING"]
        assert len(running) <= 1
        if running and running[0] not in seen:
            seen.append(running[0])

    assert seen == ["c", "a", "b"]
    assert set(statuses(er, jobs).values()) == {"SUCCEEDED"}


def test_a_jobs_timeline_starts_when_it_leaves_queued(
    clock: FakeClock, er: EntityResolutionJobs
) -> None:
    first = er.start_matching_job("a")
    second = er.start_matching_job("b")
    clock.advance(110)  # the first ends at 110 s; the second leaves QUEUED then

    clock.advance(50)  # halfway through its 100 s
    half = er.get_matching_job("b", second)
    clock.advance(50)
    ended = er.get_matching_job("b", second)

    assert er.get_matching_job("a", first).end_time == T0 + timedelta(seconds=110)
    assert half.status is JobStatus.RUNNING
    assert half.metrics.progress == pytest.approx(0.5)
    assert half.start_time == T0  # startTime stays when it was started
    assert ended.status is JobStatus.SUCCEEDED
    assert ended.end_time == T0 + timedelta(seconds=210)


def test_each_kind_has_its_own_quota(clock: FakeClock, er: EntityResolutionJobs) -> None:
    matching = er.start_matching_job("a")
    mapping = er.start_id_mapping_job("ids-a")
    clock.advance(20)

    assert er.get_matching_job("a", matching).status is JobStatus.RUNNING
    assert er.get_id_mapping_job("ids-a", mapping).status is JobStatus.RUNNING


def test_a_second_start_on_a_workflow_with_a_queued_job_is_still_a_conflict(
    clock: FakeClock, er: EntityResolutionJobs
) -> None:
    er.start_matching_job("a")
    er.start_matching_job("b")  # QUEUED behind a

    with pytest.raises(ConflictError):
        er.start_matching_job("b")


def test_a_job_pinned_in_progress_holds_the_ones_behind_it_until_pinned_to_an_end(
    entity_resolution: EntityResolutionMock, clock: FakeClock, er: EntityResolutionJobs
) -> None:
    first = er.start_matching_job("a")
    second = er.start_matching_job("b")
    entity_resolution.job("a", first).set("RUNNING")
    clock.advance(3600)
    held = er.get_matching_job("b", second).status

    entity_resolution.job("a", first).succeed()
    clock.advance(1)

    assert held is JobStatus.QUEUED
    assert er.get_matching_job("b", second).status is JobStatus.RUNNING


def test_the_quota_can_be_lifted_or_widened(
    entity_resolution: EntityResolutionMock, clock: FakeClock, er: EntityResolutionJobs
) -> None:
    entity_resolution.concurrent_jobs = 2
    two = {name: er.start_matching_job(name) for name in ("a", "b", "c")}
    clock.advance(20)
    widened = statuses(er, two)

    entity_resolution.concurrent_jobs = None

    assert widened == {"a": "RUNNING", "b": "RUNNING", "c": "QUEUED"}
    assert statuses(er, two) == {"a": "RUNNING", "b": "RUNNING", "c": "RUNNING"}


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "1"])
def test_a_quota_that_is_not_a_positive_int_or_none_is_refused(
    entity_resolution: EntityResolutionMock, bad: object
) -> None:
    with pytest.raises(ValueError, match="concurrent_jobs must be a positive int or None"):
        entity_resolution.concurrent_jobs = bad  # type: ignore[assignment]

    assert entity_resolution.concurrent_jobs == 1
