"""The many-job scheduler's rules, with simulated jobs and an injected clock (no I/O)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from entityresolution_jobs import (
    InvalidInputError,
    JobStatus,
    MatchingJob,
    MatchingJobSummary,
    ResourceNotFoundError,
    WatchJobsError,
)
from entityresolution_jobs._core import MATCHING
from entityresolution_jobs._scheduling import Scheduler
from entityresolution_jobs._waiting import Waiter, WaitPolicy

START = datetime(2026, 1, 1, tzinfo=timezone.utc)


class Simulation:
    """Jobs that end at given seconds, polled through a scheduler on simulated time."""

    def __init__(self, ends: dict[str, float], *, max_rate: int, use_history: bool = True) -> None:
        self.now = 0.0
        self.ends = ends
        self.sent: list[float] = []
        self.steps: list[tuple[str, bool]] = []
        waiters = [
            Waiter(
                MATCHING,
                "w",
                job_id,
                WaitPolicy(timeout=24 * 3600.0, uniform=lambda low, high: high),
                self.clock,
                use_history=use_history,
                now=lambda: START + timedelta(seconds=self.now),
            )
            for job_id in ends
        ]
        self.scheduler = Scheduler(waiters, max_rate, self.clock)

    def clock(self) -> float:
        return self.now

    def run(self) -> list[str]:
        ended = []
        for step in self.scheduler:
            self.now += step.delay
            self.sent.append(self.now)
            self.steps.append((step.waiter.job_id, step.history))
            assert len(self.scheduler._due) <= len(self.ends)  # no growth with time
            if step.history:
                self.scheduler.take_history(step.waiter, [])
                continue
            job_id = step.waiter.job_id
            end = self.ends[job_id]
            if end < 0:
                outcome: MatchingJob | ResourceNotFoundError = ResourceNotFoundError(
                    "gone", http_status=404
                )
            else:
                status = JobStatus.SUCCEEDED if self.now >= end else JobStatus.RUNNING
                outcome = MatchingJob(job_id=job_id, status=status, start_time=START)
            if (job := self.scheduler.record(step.waiter, outcome)) is not None:
                ended.append(job.job_id)
        self.scheduler.finish()
        return ended


def _busiest_second(times: list[float]) -> int:
    return max(sum(1 for t in times if start <= t < start + 1.0) for start in times)


def _ids(count: int) -> list[str]:
    return [f"{number:032x}" for number in range(count)]


def test_never_more_than_max_rate_requests_in_any_second_and_every_end_seen() -> None:
    ends = {job_id: 30.0 + 7 * number for number, job_id in enumerate(_ids(40))}
    simulation = Simulation(ends, max_rate=3)

    ended = simulation.run()

    assert sorted(ended) == sorted(ends)
    assert _busiest_second(simulation.sent) == 3


def test_jobs_are_yielded_in_the_order_they_end() -> None:
    ends = {job_id: 500.0 - 100 * number for number, job_id in enumerate(_ids(5))}

    ended = Simulation(ends, max_rate=2).run()

    assert ended == sorted(ends, key=ends.__getitem__)


def test_the_most_overdue_job_goes_first() -> None:
    simulation = Simulation({"a" * 32: 1000.0, "b" * 32: 1000.0}, max_rate=1, use_history=False)

    simulation.run()

    polls = [job_id[0] for job_id, history in simulation.steps if not history]
    assert polls[:4] == ["a", "b", "a", "b"]  # under a tight budget, they take turns


def test_a_workflows_history_is_listed_once_for_all_its_jobs() -> None:
    simulation = Simulation(dict.fromkeys(_ids(5), 100.0), max_rate=5)

    simulation.run()

    assert sum(history for _, history in simulation.steps) == 1


def test_a_job_failing_for_good_is_dropped_and_reported_at_the_end() -> None:
    ends = {"a" * 32: 50.0, "b" * 32: -1.0, "c" * 32: 80.0}
    simulation = Simulation(ends, max_rate=5)

    with pytest.raises(WatchJobsError) as caught:
        simulation.run()

    assert list(caught.value.errors) == [("w", "b" * 32)]
    assert isinstance(caught.value.errors["w", "b" * 32], ResourceNotFoundError)
    assert "1 job(s) could not be watched to their end" in str(caught.value)
    polled_b = [job_id for job_id, history in simulation.steps if job_id == "b" * 32]
    assert len(polled_b) == 1  # not polled again


@pytest.mark.parametrize("rate", [0, -1, 2.5, True, "5"])
def test_max_rate_must_be_a_whole_number_of_at_least_one(rate: object) -> None:
    with pytest.raises(InvalidInputError) as caught:
        Scheduler([], rate, lambda: 0.0)  # type: ignore[arg-type]

    assert caught.value.parameter == "max_rate"


def test_no_jobs_is_an_empty_watch() -> None:
    scheduler: Scheduler[MatchingJob] = Scheduler([], 5, lambda: 0.0)

    assert list(scheduler) == []
    scheduler.finish()


def test_summaries_type_check_as_history() -> None:
    summary = MatchingJobSummary(job_id="a" * 32, status=JobStatus.SUCCEEDED, start_time=START)
    simulation = Simulation({"b" * 32: 10.0}, max_rate=1)
    waiter = simulation.scheduler.waiters[0]

    waiter.take_history([summary])

    assert waiter.plan.estimate is None  # one finished run is too few
