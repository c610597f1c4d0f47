"""The waiter's plan: estimates from the caller, the history, the job's age and its progress.

Pure rules first (`Plan`, the estimates), each with its fallback; then the
waiter and both shells around them, with injected clocks.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
from datetime import datetime, timedelta, timezone

import pytest
from botocore.stub import Stubber

from entityresolution_jobs import (
    AsyncEntityResolutionJobs,
    EntityResolutionJobs,
    InvalidInputError,
    JobMetrics,
    JobStatus,
    MatchingJob,
    MatchingJobSummary,
    ThrottlingError,
)
from entityresolution_jobs._core import MATCHING
from entityresolution_jobs._planning import (
    LONGEST_PLANNED_GAP,
    MIN_SPREAD,
    PEAK_GAP_FACTOR,
    Estimate,
    Plan,
    caller_estimate,
    history_estimate,
)
from entityresolution_jobs._waiting import Waiter, WaitPolicy
from entityresolution_jobs.testing import EntityResolutionMock, JobTimeline

from .support import JOB_ID, WORKFLOW, SharedClock

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
HOUR = 3600.0


def _highest(low: float, high: float) -> float:
    return high


def _policy(**settings: float) -> WaitPolicy:
    return WaitPolicy(**{"timeout": 48 * HOUR, **settings}, uniform=_highest)


class TestEstimates:
    def test_fewer_than_two_finished_runs_give_no_estimate(self) -> None:
        assert history_estimate([]) is None
        assert history_estimate([600.0]) is None
        assert history_estimate([600.0, 0.0]) is None

    def test_the_duration_is_the_mean_of_the_runs_without_outliers(self) -> None:
        estimate = history_estimate([500.0, 600.0, 700.0, 640.0, 9000.0])

        assert estimate is not None
        assert estimate.duration == 610.0  # 9000 s left out
        assert estimate.runs == 4
        assert estimate.source == "history"

    def test_identical_runs_still_leave_a_spread(self) -> None:
        estimate = history_estimate([3600.0] * 5)

        assert estimate is not None
        assert estimate.spread >= MIN_SPREAD * 3600.0

    def test_a_wider_history_gives_a_wider_spread(self) -> None:
        narrow = history_estimate([990.0, 1000.0, 1010.0])
        wide = history_estimate([700.0, 1000.0, 1300.0])

        assert narrow is not None
        assert wide is not None
        assert wide.spread > narrow.spread

    def test_the_callers_estimate_has_a_tenth_of_spread(self) -> None:
        assert caller_estimate(3600) == Estimate(3600.0, 360.0, "caller")

    @pytest.mark.parametrize("value", [0, -5, math.inf, math.nan, "1h", True])
    def test_a_bad_expected_duration_is_invalid_input(self, value: object) -> None:
        with pytest.raises(InvalidInputError) as caught:
            caller_estimate(value)  # type: ignore[arg-type]

        assert caught.value.parameter == "expected_duration"


class TestPlan:
    def test_without_anything_known_it_is_the_smithy_rule(self) -> None:
        plan = Plan(_policy())
        plan.start(age=0.0)

        delays = [plan.next_delay(age=0.0, remaining=HOUR) for _ in range(8)]

        assert delays == [2, 4, 8, 16, 32, 64, 64, 64]
        assert plan.rule == "smithy"

    def test_a_job_hours_old_is_not_polled_from_2_s(self) -> None:
        plan = Plan(_policy())
        plan.start(age=2 * HOUR)

        assert plan.next_delay(age=2 * HOUR, remaining=HOUR) == 64

    def test_a_young_job_advances_the_smithy_rule_by_its_age(self) -> None:
        plan = Plan(_policy())
        plan.start(age=10.0)  # as if polled 2 and 4 s after it started (6 s in all)

        assert plan.next_delay(age=10.0, remaining=HOUR) == 8

    def test_long_before_the_estimate_gaps_are_a_quarter_of_it_at_most(self) -> None:
        plan = Plan(_policy(), estimate=Estimate(6 * HOUR, 0.1 * 6 * HOUR, "history"))
        plan.start(0.0)

        assert plan.next_delay(age=0.0, remaining=48 * HOUR) == LONGEST_PLANNED_GAP
        short = Plan(_policy(), estimate=Estimate(600.0, 60.0, "history"))
        assert short.next_delay(age=0.0, remaining=HOUR) == 150.0
        tiny = Plan(_policy(), estimate=Estimate(60.0, 6.0, "history"))
        assert tiny.next_delay(age=0.0, remaining=HOUR) == 15.0  # a quarter, under max_delay

    def test_a_history_of_short_runs_polls_every_min_delay_not_every_max_delay(self) -> None:
        # Runs of about 2.5 s: far before the end, the normal's hazard is nil
        # and its gap formula asks for ever more; a quarter of the duration,
        # at least min_delay, bounds it, where max_delay (64 s) once did.
        estimate = history_estimate([2.4, 2.5, 2.6, 2.5, 2.5])
        assert estimate is not None
        plan = Plan(_policy(), estimate=estimate)
        plan.start(0.5)

        gaps = [plan.next_delay(age=age, remaining=HOUR) for age in (0.5, 2.5, 4.5)]

        assert gaps == [2.0, 2.0, 2.0]

    def test_far_before_a_narrow_estimate_the_gap_is_the_cap(self) -> None:
        plan = Plan(_policy(), estimate=Estimate(10 * HOUR, 60.0, "caller"))  # z = -600

        assert plan.next_delay(age=0.0, remaining=48 * HOUR) == LONGEST_PLANNED_GAP

    def test_around_the_estimated_end_polls_come_every_g0(self) -> None:
        plan = Plan(_policy(), estimate=Estimate(6 * HOUR, 2160.0, "caller"))

        at_end = plan.next_delay(age=6 * HOUR, remaining=48 * HOUR)

        assert at_end == pytest.approx(PEAK_GAP_FACTOR * 2.0)
        assert plan.rule == "caller"

    def test_gaps_shrink_as_the_end_becomes_likely(self) -> None:
        plan = Plan(_policy(), estimate=Estimate(6 * HOUR, 2160.0, "history"))
        ages = [6 * HOUR + z * 2160.0 for z in (-3.0, -2.0, -1.0, 0.0, 1.0)]

        gaps = [plan.next_delay(age=age, remaining=48 * HOUR) or 0.0 for age in ages]

        assert gaps == sorted(gaps, reverse=True)
        assert gaps[0] > 5 * gaps[3]

    def test_the_callers_max_delay_is_a_hard_cap(self) -> None:
        plan = Plan(_policy(max_delay=30), cap=30, estimate=Estimate(6 * HOUR, 2160, "caller"))

        assert plan.next_delay(age=0.0, remaining=48 * HOUR) == 30

    def test_a_job_past_its_estimated_window_falls_back_to_smithy_from_2_s(self) -> None:
        plan = Plan(_policy(), estimate=Estimate(600.0, 60.0, "history"))
        plan.start(0.0)
        plan.next_delay(age=600.0, remaining=HOUR)

        late = [plan.next_delay(age=600.0 + 3 * 60.0 + 1 + n, remaining=HOUR) for n in range(3)]

        assert late == [2, 4, 8]
        assert plan.rule == "smithy"

    def test_the_deadline_shortens_a_planned_gap(self) -> None:
        plan = Plan(_policy(), estimate=Estimate(6 * HOUR, 2160.0, "caller"))

        assert plan.next_delay(age=0.0, remaining=100.0) == 98.0
        assert plan.next_delay(age=0.0, remaining=2.0) is None


class TestProgress:
    def _observed(self, *points: tuple[float, int]) -> Plan:
        plan = Plan(_policy())
        plan.start(0.0)
        for age, done in points:
            plan.observe(age, done, 1000)
        return plan

    def test_counts_seen_to_grow_predict_the_end_and_halve_the_gap(self) -> None:
        plan = self._observed((100.0, 100), (200.0, 200))  # 1 record/s: ends at 1000 s

        assert plan.next_delay(age=500.0, remaining=HOUR) == 250.0  # half of the 500 s left
        assert plan.rule == "progress"
        assert plan.next_delay(age=800.0, remaining=HOUR) == 100.0
        assert plan.next_delay(age=996.0, remaining=HOUR) == 2.0  # never under min_delay

    def test_a_single_count_or_counts_that_do_not_grow_predict_nothing(self) -> None:
        assert self._observed((100.0, 100)).progress.predicted_end() is None
        assert self._observed((100.0, 100), (200.0, 100)).progress.predicted_end() is None
        assert self._observed((100.0, 0), (200.0, 0)).progress.predicted_end() is None

    def test_complete_counts_of_a_running_job_predict_nothing(self) -> None:
        plan = self._observed((100.0, 500), (200.0, 1000))

        assert plan.progress.predicted_end() is None

    def test_growth_is_measured_from_the_last_zero(self) -> None:
        plan = self._observed((0.0, 0), (900.0, 0), (1000.0, 100))  # queued, then 1 record/s

        assert plan.progress.predicted_end() == pytest.approx(1900.0)

    def test_an_end_promised_and_not_kept_falls_back_to_smithy(self) -> None:
        plan = self._observed((100.0, 100), (200.0, 200))

        assert plan.next_delay(age=1100.0, remaining=HOUR) == 2  # past 1000 s + margin
        assert plan.rule == "smithy"
        assert plan.progress.predicted_end() is None

    def test_progress_wins_over_an_estimate(self) -> None:
        plan = self._observed((100.0, 100), (200.0, 200))
        plan.estimate = Estimate(6 * HOUR, 2160.0, "history")

        plan.next_delay(age=200.0, remaining=HOUR)

        assert plan.rule == "progress"


def _job(status: JobStatus, *, started: datetime = START, **counts: int) -> MatchingJob:
    return MatchingJob(
        job_id=JOB_ID, status=status, start_time=started, metrics=JobMetrics(**counts)
    )


def _run(
    number: int, minutes: float, status: JobStatus = JobStatus.SUCCEEDED
) -> MatchingJobSummary:
    started = START - timedelta(days=number)
    return MatchingJobSummary(
        job_id=f"{number:032x}",
        status=status,
        start_time=started,
        end_time=started + timedelta(minutes=minutes),
    )


class TestWaiterHistory:
    def _waiter(self, **settings: object) -> Waiter[MatchingJob]:
        return Waiter(
            MATCHING,
            WORKFLOW,
            JOB_ID,
            _policy(),
            clock=lambda: 0.0,
            now=lambda: START,
            **settings,  # type: ignore[arg-type]
        )

    def test_history_is_asked_for_once_after_a_poll_finds_the_job_running(self) -> None:
        waiter = self._waiter(use_history=True)
        assert not waiter.needs_history
        iter(waiter).__next__()

        waiter.record(_job(JobStatus.RUNNING))
        assert waiter.needs_history
        waiter.take_history([_run(1, 60), _run(2, 62), _run(3, 58)])

        assert not waiter.needs_history
        assert waiter.plan.estimate is not None
        assert waiter.plan.estimate.duration == 3600.0
        assert waiter.history_params == {"workflowName": WORKFLOW, "maxResults": 25}

    @pytest.mark.parametrize(
        ("settings", "status"),
        [
            ({"use_history": False}, JobStatus.RUNNING),
            ({"use_history": True, "expected_duration": 60.0}, JobStatus.RUNNING),
            ({"use_history": True}, JobStatus.SUCCEEDED),
        ],
    )
    def test_no_history_is_asked_for_when_it_would_not_be_used(
        self, settings: dict[str, object], status: JobStatus
    ) -> None:
        waiter = self._waiter(**settings)

        waiter.record(_job(status))

        assert not waiter.needs_history

    def test_only_other_succeeded_runs_count(self) -> None:
        waiter = self._waiter(use_history=True)
        waiter.record(_job(JobStatus.RUNNING))

        waiter.take_history(
            [
                _run(1, 60),
                _run(2, 5, JobStatus.FAILED),
                MatchingJobSummary(job_id=JOB_ID, status=JobStatus.SUCCEEDED, start_time=START),
                MatchingJobSummary(job_id="f" * 32, status=JobStatus.RUNNING, start_time=START),
            ]
        )

        assert waiter.plan.estimate is None  # one usable run is too few

    def test_a_failed_listing_leaves_no_estimate_and_is_not_asked_again(self) -> None:
        waiter = self._waiter(use_history=True)
        waiter.record(_job(JobStatus.RUNNING))

        waiter.take_history(ThrottlingError("slow down", http_status=429))

        assert waiter.plan.estimate is None
        assert not waiter.needs_history

    def test_the_estimate_is_logged(self, caplog: pytest.LogCaptureFixture) -> None:
        caplog.set_level(logging.INFO, logger="entityresolution_jobs")
        waiter = self._waiter(use_history=True)
        waiter.record(_job(JobStatus.RUNNING))

        waiter.take_history([_run(1, 60), _run(2, 60)])

        assert "expected to take 1:00:00 from 2 finished runs" in caplog.text

    def test_the_jobs_age_comes_from_its_start_time(self) -> None:
        waiter = Waiter(
            MATCHING,
            WORKFLOW,
            JOB_ID,
            _policy(),
            clock=lambda: 0.0,
            now=lambda: START + timedelta(hours=2),
        )
        steps = iter(waiter)
        next(steps)

        waiter.record(_job(JobStatus.RUNNING))

        assert next(steps) == 64  # not 2: the job has run for two hours

    def test_counts_of_running_polls_reach_the_plan(self) -> None:
        now = [0.0]
        waiter = Waiter(
            MATCHING, WORKFLOW, JOB_ID, _policy(), clock=lambda: now[0], now=lambda: START
        )
        steps = iter(waiter)
        next(steps)
        waiter.record(_job(JobStatus.RUNNING, input_records=1000, total_records_processed=100))
        now[0] = 100.0
        waiter.record(
            _job(
                JobStatus.RUNNING,
                input_records=1000,
                total_records_processed=150,
                records_not_processed=50,
            )
        )

        assert waiter.plan.progress.predicted_end() == pytest.approx(900.0)
        assert next(steps) == pytest.approx(225.0)  # a quarter of 900 s, the longest gap


class TestShells:
    def test_a_failed_history_listing_does_not_fail_the_wait(
        self, er: EntityResolutionJobs, stubber: Stubber
    ) -> None:
        expected = {"workflowName": WORKFLOW, "jobId": JOB_ID}
        running = {"jobId": JOB_ID, "status": "RUNNING", "startTime": START}
        stubber.add_response("get_matching_job", running, expected)
        stubber.add_client_error(
            "list_matching_jobs",
            "AccessDeniedException",
            "no",
            403,
            expected_params={"workflowName": WORKFLOW, "maxResults": 25},
        )
        stubber.add_response(
            "get_matching_job", {**running, "status": "SUCCEEDED", "endTime": START}, expected
        )
        now = [0.0]

        job = er.wait_for_matching_job(
            WORKFLOW,
            JOB_ID,
            clock=lambda: now[0],
            sleep=lambda seconds: now.__setitem__(0, now[0] + seconds),
            now=lambda: START,
        )

        assert job.status is JobStatus.SUCCEEDED

    def test_use_history_false_sends_no_list_request(
        self, er: EntityResolutionJobs, stubber: Stubber
    ) -> None:
        expected = {"workflowName": WORKFLOW, "jobId": JOB_ID}
        running = {"jobId": JOB_ID, "status": "RUNNING", "startTime": START}
        stubber.add_response("get_matching_job", running, expected)
        stubber.add_response(
            "get_matching_job", {**running, "status": "SUCCEEDED", "endTime": START}, expected
        )

        job = er.wait_for_matching_job(
            WORKFLOW, JOB_ID, use_history=False, sleep=lambda _s: None, now=lambda: START
        )

        assert job.status is JobStatus.SUCCEEDED

    def test_an_invalid_expected_duration_fails_before_any_request(
        self, er: EntityResolutionJobs
    ) -> None:
        with pytest.raises(InvalidInputError, match="expected_duration"):
            er.wait_for_id_mapping_job(WORKFLOW, JOB_ID, expected_duration=-1)


class TestAgainstTheFakeService:
    @pytest.fixture
    def clock(self, entity_resolution: EntityResolutionMock) -> SharedClock:
        shared = SharedClock()
        entity_resolution.clock = shared.wall
        entity_resolution.create_workflow(WORKFLOW)
        return shared

    def test_a_six_hour_job_with_growing_counts_is_seen_to_end_within_seconds(
        self, entity_resolution: EntityResolutionMock, clock: SharedClock
    ) -> None:
        entity_resolution.timeline = JobTimeline(
            queued_seconds=60, running_seconds=6 * HOUR, input_records=10_000_000
        )
        er = EntityResolutionJobs()
        job_id = er.start_matching_job(WORKFLOW)
        polls: list[MatchingJob] = []

        job = er.wait_for_matching_job(
            WORKFLOW,
            job_id,
            on_update=polls.append,
            clock=clock.monotonic,
            sleep=clock.sleep,
            now=clock.wall,
        )

        assert job.status is JobStatus.SUCCEEDED
        assert len(polls) <= 60  # polling every 30 s would take 722
        assert clock.monotonic() - (60 + 6 * HOUR) <= 5

    def test_the_history_of_the_fake_workflow_gives_the_estimate(
        self,
        entity_resolution: EntityResolutionMock,
        clock: SharedClock,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        entity_resolution.timeline = JobTimeline(queued_seconds=0, running_seconds=HOUR)
        er = EntityResolutionJobs()
        for _ in range(3):
            er.start_matching_job(WORKFLOW)
            clock.sleep(HOUR + 60)
        job_id = er.start_matching_job(WORKFLOW)
        caplog.set_level(logging.INFO, logger="entityresolution_jobs")

        job = er.wait_for_matching_job(
            WORKFLOW, job_id, clock=clock.monotonic, sleep=clock.sleep, now=clock.wall
        )

        assert job.status is JobStatus.SUCCEEDED
        assert "expected to take 1:00:00 from 3 finished runs" in caplog.text


class TestShortRunsOverHttp:
    """The workflow's history of 2.5 s runs, read through the fake's HTTP endpoint."""

    @pytest.fixture
    def clock(self, moto_server: str) -> SharedClock:
        """The fake's clock, after three finished runs of 2.5 s."""
        fake, clock = EntityResolutionMock(), SharedClock()
        fake.clock = clock.wall
        fake.timeline = JobTimeline(queued_seconds=0, running_seconds=2.5)
        fake.create_workflow(WORKFLOW)
        er = EntityResolutionJobs(endpoint_url=moto_server)
        for _ in range(3):
            er.start_matching_job(WORKFLOW)
            clock.sleep(3.0)
        return clock

    @staticmethod
    def _wait(endpoint: str, clock: SharedClock, *, use_history: bool) -> float:
        """Seconds from a new job's end until a wait on it saw that end."""
        er = EntityResolutionJobs(endpoint_url=endpoint)
        job_id = er.start_matching_job(WORKFLOW)
        started = clock.monotonic()
        job = er.wait_for_matching_job(
            WORKFLOW, job_id, use_history=use_history,
            clock=clock.monotonic, sleep=clock.sleep, now=clock.wall,
        )  # fmt: skip
        assert job.status is JobStatus.SUCCEEDED
        return clock.monotonic() - started - 2.5

    def test_a_history_of_short_runs_sees_the_end_no_later_than_no_history(
        self, moto_server: str, clock: SharedClock, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG, logger="entityresolution_jobs")

        with_history = self._wait(moto_server, clock, use_history=True)
        clock.sleep(1.0)
        without = self._wait(moto_server, clock, use_history=False)

        assert "expected to take 0:00:02 from 3 finished runs" in caplog.text
        # Both gaps are min_delay drawn with jitter: no later than without
        # history, within that jitter (a tenth of min_delay).
        assert with_history <= without + 0.2
        assert with_history <= 2.0  # was about 60 s: one gap of max_delay

    def test_the_async_shell_too(self, moto_server: str, clock: SharedClock) -> None:
        async def wait() -> float:
            async with AsyncEntityResolutionJobs(endpoint_url=moto_server) as er:
                job_id = await er.start_matching_job(WORKFLOW)
                started = clock.monotonic()
                await er.wait_for_matching_job(
                    WORKFLOW, job_id, clock=clock.monotonic, sleep=clock.async_sleep,
                    now=clock.wall,
                )  # fmt: skip
                return clock.monotonic() - started - 2.5

        assert asyncio.run(wait()) <= 2.0


class TestQueued:
    """A job QUEUED behind the account's other jobs (the quota): no clue to its run."""

    def test_gaps_while_queued_double_up_to_max_delay_without_an_estimate(self) -> None:
        plan = Plan(_policy())

        delays = [plan.next_delay(age=0.0, remaining=48 * HOUR, queued=True) for _ in range(8)]

        assert delays == [2, 4, 8, 16, 32, 64, 64, 64]
        assert plan.rule == "queued"

    def test_with_an_estimate_they_grow_to_a_quarter_of_it(self) -> None:
        plan = Plan(_policy(), estimate=Estimate(600.0, 60.0, "history"))

        delays = [plan.next_delay(age=0.0, remaining=48 * HOUR, queued=True) for _ in range(10)]

        assert delays[-1] == 150.0
        long = Plan(_policy(), estimate=Estimate(6 * HOUR, 2160.0, "history"))
        assert (
            max(long.next_delay(age=0.0, remaining=48 * HOUR, queued=True) or 0 for _ in range(12))
            == LONGEST_PLANNED_GAP
        )

    def test_the_callers_max_delay_and_the_deadline_still_bound_them(self) -> None:
        capped = Plan(_policy(), cap=10.0, estimate=Estimate(6 * HOUR, 2160.0, "caller"))
        assert [capped.next_delay(0.0, 48 * HOUR, queued=True) for _ in range(6)][-1] == 10.0
        plan = Plan(_policy())
        for _ in range(10):
            plan.next_delay(0.0, 48 * HOUR, queued=True)
        assert plan.next_delay(0.0, remaining=30.0, queued=True) == 28.0
        assert plan.next_delay(0.0, remaining=2.0, queued=True) is None

    def test_hours_queued_neither_age_the_job_nor_fail_its_estimate(self) -> None:
        now = [0.0]
        waiter = Waiter(
            MATCHING,
            WORKFLOW,
            JOB_ID,
            _policy(),
            clock=lambda: now[0],
            now=lambda: START + timedelta(seconds=now[0]),
            expected_duration=600.0,
        )
        steps = iter(waiter)
        next(steps)
        waiter.record(_job(JobStatus.QUEUED))
        while now[0] < 3 * HOUR:  # three hours behind another job
            now[0] += next(steps)
            waiter.record(_job(JobStatus.QUEUED))
        last_queued = now[0]
        now[0] += next(steps)
        waiter.record(_job(JobStatus.RUNNING))

        # Its run began between the two polls: the midpoint is taken.
        assert waiter._job_age() == pytest.approx((now[0] - last_queued) / 2)
        next(steps)
        assert waiter.plan.rule == "caller"  # the estimate holds: 3 h is not 18 sigmas late

    def test_a_job_first_seen_running_is_as_old_as_its_start_time_says(self) -> None:
        waiter = Waiter(
            MATCHING, WORKFLOW, JOB_ID, _policy(), clock=lambda: 0.0,
            now=lambda: START + timedelta(hours=1),
        )  # fmt: skip
        next(iter(waiter))

        waiter.record(_job(JobStatus.RUNNING))

        assert waiter._job_age() == HOUR


class TestQueuedBehindAnotherJob:
    """Through the fake's quota: a job QUEUED 3 h behind another workflow's job, then 10 min."""

    @pytest.fixture
    def queued(self, entity_resolution: EntityResolutionMock) -> tuple[SharedClock, str]:
        clock = SharedClock()
        entity_resolution.clock = clock.wall
        entity_resolution.create_workflow(WORKFLOW)
        entity_resolution.create_workflow("big")
        er = EntityResolutionJobs()
        entity_resolution.timeline = JobTimeline(queued_seconds=10, running_seconds=600)
        for _ in range(5):  # its workflow's history: 10-minute runs
            er.start_matching_job(WORKFLOW)
            clock.sleep(700)
        entity_resolution.timeline = JobTimeline(queued_seconds=10, running_seconds=3 * HOUR)
        er.start_matching_job("big")
        entity_resolution.timeline = JobTimeline(queued_seconds=10, running_seconds=600)
        return clock, er.start_matching_job(WORKFLOW)

    def test_a_wait_keeps_its_request_budget_and_its_estimate(
        self, queued: tuple[SharedClock, str], caplog: pytest.LogCaptureFixture
    ) -> None:
        clock, job_id = queued
        polls: list[MatchingJob] = []
        caplog.set_level(logging.DEBUG, logger="entityresolution_jobs")

        job = EntityResolutionJobs().wait_for_matching_job(
            WORKFLOW, job_id, on_update=polls.append,
            clock=clock.monotonic, sleep=clock.sleep, now=clock.wall,
        )  # fmt: skip

        assert job.end_time == START + timedelta(seconds=5 * 700 + 10 + 3 * HOUR + 600)
        queued_polls = sum(1 for poll in polls if poll.status is JobStatus.QUEUED)
        assert queued_polls <= 3 * HOUR / 120  # every 30 s would be 360; Smithy's ~330
        assert len(polls) <= 110
        assert clock.now - job.end_time <= timedelta(seconds=60)
        # The estimate planned the run's end: it never fell back to the Smithy rule.
        assert "(history)" in caplog.text
        assert "(smithy)" not in caplog.text

    def test_watching_it_with_others_keeps_the_budget_too(
        self, queued: tuple[SharedClock, str]
    ) -> None:
        clock, job_id = queued
        polls: list[float] = []

        ended = list(
            EntityResolutionJobs().watch_matching_jobs(
                [(WORKFLOW, job_id)], max_rate=1,
                on_update=lambda _job: polls.append(clock.monotonic()),
                clock=clock.monotonic, sleep=clock.sleep, now=clock.wall,
            )
        )  # fmt: skip

        assert [job.status for job in ended] == [JobStatus.SUCCEEDED]
        assert len(polls) <= 110
        assert all(b - a >= 1.0 for a, b in itertools.pairwise(polls))

    def test_er_jobs_wait_running_on_it_keeps_the_budget_too(
        self,
        queued: tuple[SharedClock, str],
        entity_resolution: EntityResolutionMock,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        from entityresolution_jobs import cli

        clock, job_id = queued
        # The command line waits with the library's defaults: point them at the shared clock.
        defaults = EntityResolutionJobs.watch_matching_jobs.__kwdefaults__
        assert defaults is not None
        for name, value in (
            ("clock", clock.monotonic),
            ("sleep", clock.sleep),
            ("now", clock.wall),
        ):
            monkeypatch.setitem(defaults, name, value)
        backend = type(entity_resolution.backend)
        polls: list[str] = []
        real_get = backend.get_matching_job

        def counted(self: object, workflow_name: str, polled: str) -> object:
            polls.append(polled)
            return real_get(self, workflow_name, polled)  # type: ignore[arg-type]

        monkeypatch.setattr(backend, "get_matching_job", counted)

        code = cli.run(
            ["wait", WORKFLOW, "--running", "--output", "text", "--query", "jobs[].status"]
        )

        assert (code, capsys.readouterr().out) == (0, "SUCCEEDED\n")
        assert polls.count(job_id) <= 110
