"""watch_*_jobs: many jobs under one request budget, end to end against the fake service."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest

from entityresolution_jobs import (
    AsyncEntityResolutionJobs,
    EntityResolutionJobs,
    IdMappingJob,
    InvalidInputError,
    JobStatus,
    MatchingJob,
    ResourceNotFoundError,
    WaitTimeoutError,
    WatchJobsError,
)
from entityresolution_jobs.testing import EntityResolutionMock, JobTimeline

from .support import SharedClock

MISSING = "f" * 32


@pytest.fixture
def clock(entity_resolution: EntityResolutionMock) -> SharedClock:
    shared = SharedClock()
    entity_resolution.clock = shared.wall
    return shared


@pytest.fixture
def received(entity_resolution: EntityResolutionMock, clock: SharedClock) -> list[float]:
    """The (simulated) second of every request the fake service received."""
    times: list[float] = []
    backend = entity_resolution.backend
    check = backend.raise_injected_fault

    def note(operation: str) -> None:
        times.append(clock.monotonic())
        check(operation)

    backend.raise_injected_fault = note  # type: ignore[method-assign]
    return times


def _start_jobs(fake: EntityResolutionMock, count: int) -> list[tuple[str, str]]:
    """One job per workflow, running 10 to 10 + count minutes (no counts, no history)."""
    jobs = []
    for number in range(count):
        workflow = f"workflow-{number}"
        fake.create_workflow(workflow)
        fake.timeline = JobTimeline(queued_seconds=0, running_seconds=600 + 60 * number)
        jobs.append((workflow, fake.backend.start_matching_job(workflow).job_id))
    return jobs


def _most_in_any_second(times: list[float]) -> int:
    # SharedClock keeps time in datetimes, to the microsecond: a request sent
    # exactly one second after another can read as 0.999999 s later.
    return max(sum(1 for t in times if start <= t < start + 1 - 1e-5) for start in times)


def test_each_job_is_yielded_once_as_it_ends_within_the_budget(
    entity_resolution: EntityResolutionMock, clock: SharedClock, received: list[float]
) -> None:
    jobs = _start_jobs(entity_resolution, 12)
    entity_resolution.job(*jobs[5]).fail("schema mismatch")

    ended = list(
        EntityResolutionJobs().watch_matching_jobs(
            [*jobs, jobs[0]],
            max_rate=2,
            use_history=False,
            clock=clock.monotonic,
            sleep=clock.sleep,
            now=clock.wall,
        )
    )

    assert Counter(job.job_id for job in ended) == Counter(job_id for _, job_id in jobs)
    assert ended[0].status is JobStatus.FAILED  # pinned FAILED: seen on its first poll
    durations = [job.duration for job in ended[1:]]
    assert durations == sorted(durations, key=lambda d: d or timedelta(0))
    assert _most_in_any_second(received) <= 2
    assert len(received) >= 12


def test_a_job_that_cannot_be_polled_is_reported_at_the_end_without_stopping_the_others(
    entity_resolution: EntityResolutionMock, clock: SharedClock
) -> None:
    jobs = _start_jobs(entity_resolution, 2)
    watch = EntityResolutionJobs().watch_matching_jobs(
        [("workflow-0", MISSING), *jobs],
        use_history=False,
        clock=clock.monotonic,
        sleep=clock.sleep,
        now=clock.wall,
    )

    ended = [next(watch), next(watch)]
    with pytest.raises(WatchJobsError) as caught:
        next(watch)

    assert [job.job_id for job in ended] == [job_id for _, job_id in jobs]
    assert list(caught.value.errors) == [("workflow-0", MISSING)]
    assert isinstance(caught.value.errors["workflow-0", MISSING], ResourceNotFoundError)


def test_jobs_still_running_at_the_deadline_are_reported_as_timeouts(
    entity_resolution: EntityResolutionMock, clock: SharedClock
) -> None:
    jobs = _start_jobs(entity_resolution, 2)

    with pytest.raises(WatchJobsError) as caught:
        list(
            EntityResolutionJobs().watch_matching_jobs(
                jobs, timeout=60, clock=clock.monotonic, sleep=clock.sleep, now=clock.wall
            )
        )

    assert set(caught.value.errors) == set(jobs)
    assert all(isinstance(e, WaitTimeoutError) for e in caught.value.errors.values())
    assert clock.monotonic() <= 60


def test_a_workflows_history_is_listed_once_for_all_its_jobs(
    entity_resolution: EntityResolutionMock, clock: SharedClock, received: list[float]
) -> None:
    entity_resolution.create_id_mapping_workflow("ids")
    entity_resolution.timeline = JobTimeline(queued_seconds=0, running_seconds=600)
    for _ in range(3):
        entity_resolution.backend.start_id_mapping_job("ids")
        clock.sleep(700)
    current = entity_resolution.backend.start_id_mapping_job("ids").job_id
    listed: list[str] = []
    backend = entity_resolution.backend
    original = backend.list_id_mapping_jobs

    def counting(*args: object, **kwargs: object) -> object:
        listed.append("ListIdMappingJobs")
        return original(*args, **kwargs)

    backend.list_id_mapping_jobs = counting  # type: ignore[method-assign,assignment]

    ended = list(
        EntityResolutionJobs().watch_id_mapping_jobs(
            [("ids", current)], clock=clock.monotonic, sleep=clock.sleep, now=clock.wall
        )
    )

    assert [type(job) for job in ended] == [IdMappingJob]
    assert listed == ["ListIdMappingJobs"]


def test_the_async_shell_watches_many_jobs_on_the_same_scheduler(
    entity_resolution: EntityResolutionMock, clock: SharedClock, moto_server: str
) -> None:
    fake = EntityResolutionMock()  # the server's backends, as the fixture's
    fake.clock = clock.wall
    jobs = _start_jobs(fake, 4)

    async def scenario() -> list[MatchingJob]:
        async with AsyncEntityResolutionJobs(endpoint_url=moto_server) as er:
            return [
                job
                async for job in er.watch_matching_jobs(
                    jobs,
                    max_rate=3,
                    use_history=False,
                    clock=clock.monotonic,
                    sleep=clock.async_sleep,
                    now=clock.wall,
                )
            ]

    ended = asyncio.run(scenario())

    assert [job.job_id for job in ended] == [job_id for _, job_id in jobs]
    assert all(job.status is JobStatus.SUCCEEDED for job in ended)


def test_the_async_shell_lists_history_reports_updates_and_rides_out_a_failed_listing(
    entity_resolution: EntityResolutionMock, clock: SharedClock, moto_server: str
) -> None:
    fake = EntityResolutionMock()
    fake.clock = clock.wall
    fake.timeline = JobTimeline(queued_seconds=0, running_seconds=300)
    jobs = []
    for name in ("ids-a", "ids-b"):
        fake.create_id_mapping_workflow(name)
        jobs.append((name, fake.backend.start_id_mapping_job(name).job_id))
    fake.inject_fault("ListIdMappingJobs", "AccessDeniedException")  # the first listing fails
    updates: list[str] = []

    async def scenario() -> list[IdMappingJob]:
        async with AsyncEntityResolutionJobs(endpoint_url=moto_server) as er:
            return [
                job
                async for job in er.watch_id_mapping_jobs(
                    jobs,
                    on_update=lambda job: updates.append(job.raw_status),
                    clock=clock.monotonic,
                    sleep=clock.async_sleep,
                    now=clock.wall,
                )
            ]

    ended = asyncio.run(scenario())

    assert sorted(job.job_id for job in ended) == sorted(job_id for _, job_id in jobs)
    assert updates.count("SUCCEEDED") == 2
    assert "RUNNING" in updates
    assert not fake.backend.faults["ListIdMappingJobs"]  # both workflows were listed


@pytest.mark.parametrize(
    ("jobs", "settings", "parameter"),
    [
        ([("customers", "0" * 32)], {"max_rate": 0}, "max_rate"),
        ([("customers", "0" * 32)], {"max_rate": 2.5}, "max_rate"),
        (["customers"], {}, "jobs"),
        ([("customers", "not-an-id")], {}, "job_id"),
    ],
)
def test_bad_arguments_fail_at_once(
    entity_resolution: EntityResolutionMock,
    jobs: list[object],
    settings: dict[str, object],
    parameter: str,
    received: list[float],
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        EntityResolutionJobs().watch_matching_jobs(jobs, **settings)  # type: ignore[arg-type]

    assert caught.value.parameter == parameter
    assert received == []
