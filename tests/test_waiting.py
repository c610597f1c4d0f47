"""The waiter: Smithy delays, deadlines, transient errors, and the watch/wait loops."""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from botocore.client import BaseClient
from botocore.config import Config
from botocore.stub import Stubber

from entityresolution_jobs import (
    AccessDeniedError,
    EntityResolutionJobs,
    InvalidInputError,
    JobFailedError,
    JobStatus,
    MatchingJob,
    ResourceNotFoundError,
    ThrottlingError,
    WaitTimeoutError,
)
from entityresolution_jobs._core import MATCHING
from entityresolution_jobs._defaults import DEFAULT_MAX_DELAY, DEFAULT_MIN_DELAY
from entityresolution_jobs._waiting import Waiter, WaitPolicy

from .support import JOB_ID, WORKFLOW, Wire, job_reply

EXPECTED = {"workflowName": WORKFLOW, "jobId": JOB_ID}
START = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _state(status: str, **extra: object) -> dict[str, object]:
    reply: dict[str, object] = {"jobId": JOB_ID, "status": status, "startTime": START}
    reply.update(extra)
    return reply


class FakeTime:
    """A clock that only the waiter's sleep moves; records every sleep."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def lenient_stubber(client: BaseClient) -> Iterator[Stubber]:
    """A Stubber that may keep replies nobody asked for (jitter decides how many)."""
    with Stubber(client) as stub:
        yield stub


def _highest(low: float, high: float) -> float:
    return high


def _lowest(low: float, high: float) -> float:
    return low


class TestPolicy:
    def test_the_attempt_ceiling_is_log2_of_max_over_min_plus_one(self) -> None:
        assert WaitPolicy(min_delay=2, max_delay=64).attempt_ceiling == 6
        assert WaitPolicy(min_delay=2, max_delay=120).attempt_ceiling == 6
        assert WaitPolicy(min_delay=5, max_delay=5).attempt_ceiling == 1

    def test_the_cap_doubles_from_min_delay_up_to_max_delay(self) -> None:
        policy = WaitPolicy(timeout=10_000, min_delay=2, max_delay=64, uniform=_highest)

        delays = [policy.next_delay(attempt, 0) for attempt in range(1, 10)]

        assert delays == [2, 4, 8, 16, 32, 64, 64, 64, 64]

    def test_each_delay_is_drawn_between_min_delay_and_the_cap(self) -> None:
        drawn: list[tuple[float, float]] = []

        def record(low: float, high: float) -> float:
            drawn.append((low, high))
            return low

        policy = WaitPolicy(timeout=10_000, min_delay=3, max_delay=20, uniform=record)
        for attempt in range(1, 7):
            policy.next_delay(attempt, 0)

        assert drawn == [(3, 3), (3, 6), (3, 12), (3, 20), (3, 20), (3, 20)]

    def test_the_default_jitter_stays_within_bounds(self) -> None:
        policy = WaitPolicy(timeout=10_000)

        for attempt in range(1, 50):
            delay = policy.next_delay(attempt, 0)
            assert delay is not None
            assert DEFAULT_MIN_DELAY <= delay <= DEFAULT_MAX_DELAY

    def test_the_last_delay_is_shortened_to_poll_min_delay_before_the_deadline(self) -> None:
        policy = WaitPolicy(timeout=100, min_delay=2, max_delay=64, uniform=_highest)

        assert policy.next_delay(attempt=5, elapsed=90) == 8  # 100 - 90 - 2, not 32

    def test_a_delay_that_leaves_exactly_min_delay_is_also_shortened(self) -> None:
        policy = WaitPolicy(timeout=100, min_delay=2, max_delay=64, uniform=_highest)

        assert policy.next_delay(attempt=4, elapsed=82) == 16  # 100 - 82 - 16 == 2
        assert policy.next_delay(attempt=4, elapsed=81) == 16  # leaves 3: unchanged

    @pytest.mark.parametrize("elapsed", [98.0, 99.5, 100.0, 250.0])
    def test_no_delay_when_no_time_is_left_for_another_poll(self, elapsed: float) -> None:
        policy = WaitPolicy(timeout=100, min_delay=2, max_delay=64)

        assert policy.next_delay(attempt=3, elapsed=elapsed) is None

    @pytest.mark.parametrize("seed", range(25))
    def test_sleeping_never_runs_past_the_deadline(self, seed: int) -> None:
        rng = random.Random(seed)
        timeout = rng.uniform(0, 600)
        policy = WaitPolicy(timeout=timeout, min_delay=2, max_delay=64, uniform=rng.uniform)
        elapsed, attempt = 0.0, 0
        while True:
            attempt += 1
            elapsed += rng.uniform(0, 0.5)  # the poll itself takes time
            delay = policy.next_delay(attempt, elapsed)
            if delay is None:
                break
            assert delay >= 0
            elapsed += delay
            assert elapsed <= timeout - 2 + 1e-9

    @pytest.mark.parametrize(
        ("arguments", "parameter"),
        [
            ({"timeout": -1}, "timeout"),
            ({"timeout": math.inf}, "timeout"),
            ({"min_delay": 0}, "min_delay"),
            ({"min_delay": math.nan}, "min_delay"),
            ({"max_delay": 1, "min_delay": 2}, "max_delay"),
            ({"timeout": "60"}, "timeout"),
            ({"max_delay": True}, "max_delay"),
        ],
    )
    def test_invalid_settings_are_invalid_input(
        self, arguments: dict[str, object], parameter: str
    ) -> None:
        with pytest.raises(InvalidInputError) as caught:
            WaitPolicy(**arguments)  # type: ignore[arg-type]

        assert caught.value.parameter == parameter
        assert isinstance(caught.value, ValueError)


class TestWait:
    def test_returns_the_job_once_it_succeeds(
        self, er: EntityResolutionJobs, stubber: Stubber, fake_time: FakeTime
    ) -> None:
        for state in ("QUEUED", "RUNNING", "RUNNING"):
            stubber.add_response("get_matching_job", _state(state), EXPECTED)
        stubber.add_response("get_matching_job", job_reply(), EXPECTED)
        seen: list[MatchingJob] = []

        job = er.wait_for_matching_job(
            WORKFLOW,
            JOB_ID,
            on_update=seen.append,
            clock=fake_time.clock,
            sleep=fake_time.sleep,
            now=lambda: START,  # the job has just started: the Smithy rule from 2 s
        )

        assert job.status is JobStatus.SUCCEEDED
        assert [j.status.value for j in seen] == ["QUEUED", "RUNNING", "RUNNING", "SUCCEEDED"]
        assert seen[-1] is job
        assert len(fake_time.slept) == 3
        assert all(2 <= s <= 8 for s in fake_time.slept)

    def test_a_failed_job_raises_job_failed_error_with_the_job(
        self, er: EntityResolutionJobs, stubber: Stubber, fake_time: FakeTime
    ) -> None:
        stubber.add_response("get_matching_job", _state("RUNNING"), EXPECTED)
        failed = _state("FAILED", endTime=START, errorDetails={"errorMessage": "schema mismatch"})
        stubber.add_response("get_matching_job", failed, EXPECTED)

        with pytest.raises(JobFailedError, match="schema mismatch") as caught:
            er.wait_for_matching_job(WORKFLOW, JOB_ID, clock=fake_time.clock, sleep=fake_time.sleep)

        assert caught.value.job.status is JobStatus.FAILED
        assert JOB_ID in str(caught.value)
        assert WORKFLOW in str(caught.value)

    def test_running_out_of_time_raises_with_the_last_state_seen(
        self, er: EntityResolutionJobs, lenient_stubber: Stubber, fake_time: FakeTime
    ) -> None:
        stubber = lenient_stubber
        for processed in range(10):
            reply = _state("RUNNING", metrics={"totalRecordsProcessed": processed})
            stubber.add_response("get_matching_job", reply, EXPECTED)

        with pytest.raises(WaitTimeoutError) as caught:
            er.wait_for_matching_job(
                WORKFLOW, JOB_ID, timeout=20, clock=fake_time.clock, sleep=fake_time.sleep
            )

        assert isinstance(caught.value, TimeoutError)
        last = caught.value.job
        assert last is not None
        assert last.metrics.total_records_processed == len(fake_time.slept)
        assert fake_time.now <= 20 - 2
        assert "within 20 s" in str(caught.value)

    def test_a_timeout_shorter_than_min_delay_polls_once(
        self, er: EntityResolutionJobs, stubber: Stubber, fake_time: FakeTime
    ) -> None:
        stubber.add_response("get_matching_job", _state("RUNNING"), EXPECTED)

        with pytest.raises(WaitTimeoutError):
            er.wait_for_matching_job(
                WORKFLOW, JOB_ID, timeout=1, clock=fake_time.clock, sleep=fake_time.sleep
            )

        assert fake_time.slept == []

    @pytest.mark.parametrize(
        ("code", "status"),
        [
            ("ThrottlingException", 429),
            ("InternalServerException", 500),
            ("ServiceUnavailableException", 503),
        ],
    )
    def test_transient_errors_are_ridden_out(
        self,
        er: EntityResolutionJobs,
        stubber: Stubber,
        fake_time: FakeTime,
        code: str,
        status: int,
    ) -> None:
        stubber.add_response("get_matching_job", _state("RUNNING"), EXPECTED)
        stubber.add_client_error("get_matching_job", code, "busy", status, expected_params=EXPECTED)
        stubber.add_client_error("get_matching_job", code, "busy", status, expected_params=EXPECTED)
        stubber.add_response("get_matching_job", job_reply(), EXPECTED)

        job = er.wait_for_matching_job(
            WORKFLOW, JOB_ID, clock=fake_time.clock, sleep=fake_time.sleep
        )

        assert job.status is JobStatus.SUCCEEDED
        assert len(fake_time.slept) == 3

    def test_transient_errors_until_the_deadline_time_out_without_a_job(
        self, er: EntityResolutionJobs, lenient_stubber: Stubber, fake_time: FakeTime
    ) -> None:
        stubber = lenient_stubber
        for _ in range(20):
            stubber.add_client_error("get_matching_job", "ThrottlingException", "slow", 429)

        with pytest.raises(WaitTimeoutError) as caught:
            er.wait_for_matching_job(
                WORKFLOW, JOB_ID, timeout=30, clock=fake_time.clock, sleep=fake_time.sleep
            )

        assert caught.value.job is None
        assert type(caught.value.__cause__).__name__ == "ThrottlingError"

    @pytest.mark.parametrize(
        ("code", "status", "expected"),
        [
            ("AccessDeniedException", 403, AccessDeniedError),
            ("ResourceNotFoundException", 404, ResourceNotFoundError),
        ],
    )
    def test_other_errors_end_the_wait_at_once(
        self,
        er: EntityResolutionJobs,
        stubber: Stubber,
        fake_time: FakeTime,
        code: str,
        status: int,
        expected: type[Exception],
    ) -> None:
        stubber.add_response("get_matching_job", _state("RUNNING"), EXPECTED)
        stubber.add_client_error("get_matching_job", code, "no", status, expected_params=EXPECTED)

        with pytest.raises(expected):
            er.wait_for_matching_job(WORKFLOW, JOB_ID, clock=fake_time.clock, sleep=fake_time.sleep)

        assert len(fake_time.slept) == 1

    def test_a_connection_error_is_ridden_out(self, fake_time: FakeTime) -> None:
        er = EntityResolutionJobs(config=Config(retries={"total_max_attempts": 1}))
        wire = Wire()
        wire.attach(er.client)
        wire.drop()
        wire.reply(200, {"jobId": JOB_ID, "status": "SUCCEEDED", "startTime": 1, "endTime": 9})

        job = er.wait_for_matching_job(
            WORKFLOW, JOB_ID, clock=fake_time.clock, sleep=fake_time.sleep
        )

        assert job.status is JobStatus.SUCCEEDED
        assert len(wire.requests) == 2
        assert len(fake_time.slept) == 1

    def test_an_unknown_status_keeps_the_wait_going_and_warns_once(
        self,
        er: EntityResolutionJobs,
        stubber: Stubber,
        fake_time: FakeTime,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        caplog.set_level(logging.DEBUG, logger="entityresolution_jobs")
        for _ in range(3):
            stubber.add_response("get_matching_job", _state("PAUSED"), EXPECTED)
        stubber.add_response("get_matching_job", job_reply(), EXPECTED)

        job = er.wait_for_matching_job(
            WORKFLOW, JOB_ID, clock=fake_time.clock, sleep=fake_time.sleep
        )

        assert job.status is JobStatus.SUCCEEDED
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1
        assert "'PAUSED' is unknown" in warnings[0].getMessage()

    def test_status_transitions_log_at_info_and_polls_at_debug(
        self,
        er: EntityResolutionJobs,
        stubber: Stubber,
        fake_time: FakeTime,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        caplog.set_level(logging.DEBUG, logger="entityresolution_jobs")
        for state in ("QUEUED", "RUNNING", "RUNNING"):
            stubber.add_response("get_matching_job", _state(state), EXPECTED)
        stubber.add_client_error("get_matching_job", "ThrottlingException", "slow", 429)
        stubber.add_response("get_matching_job", job_reply(), EXPECTED)

        er.wait_for_matching_job(WORKFLOW, JOB_ID, clock=fake_time.clock, sleep=fake_time.sleep)

        info = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
        debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
        assert info == [
            f"matching job {JOB_ID} of workflow {WORKFLOW}: started waiting QUEUED",
            f"matching job {JOB_ID} of workflow {WORKFLOW}: QUEUED -> RUNNING",
            f"matching job {JOB_ID} of workflow {WORKFLOW}: RUNNING -> SUCCEEDED",
        ]
        assert any("ThrottlingException; polling again in" in line for line in debug)
        assert all(r.name == "entityresolution_jobs" for r in caplog.records)

    def test_invalid_arguments_fail_before_anything_is_sent(
        self, er: EntityResolutionJobs, stubber: Stubber
    ) -> None:
        with pytest.raises(InvalidInputError, match="job_id"):
            er.wait_for_matching_job(WORKFLOW, "nope")
        with pytest.raises(InvalidInputError, match="min_delay"):
            er.wait_for_matching_job(WORKFLOW, JOB_ID, min_delay=-1)
        with pytest.raises(InvalidInputError, match="max_delay"):
            er.watch_matching_job(WORKFLOW, JOB_ID, min_delay=10, max_delay=5)


class TestWatch:
    def test_yields_every_state_including_a_failed_end(
        self, er: EntityResolutionJobs, stubber: Stubber, fake_time: FakeTime
    ) -> None:
        stubber.add_response("get_matching_job", _state("QUEUED"), EXPECTED)
        failed = _state("FAILED", endTime=START, errorDetails={"errorMessage": "x"})
        stubber.add_response("get_matching_job", failed, EXPECTED)

        states = list(
            er.watch_matching_job(WORKFLOW, JOB_ID, clock=fake_time.clock, sleep=fake_time.sleep)
        )

        assert [s.status for s in states] == [JobStatus.QUEUED, JobStatus.FAILED]

    def test_the_caller_may_stop_early(
        self, er: EntityResolutionJobs, stubber: Stubber, fake_time: FakeTime
    ) -> None:
        stubber.add_response("get_matching_job", _state("RUNNING"), EXPECTED)

        watch: Iterator[MatchingJob] = er.watch_matching_job(
            WORKFLOW, JOB_ID, clock=fake_time.clock, sleep=fake_time.sleep
        )
        first = next(watch)

        assert first.status is JobStatus.RUNNING
        assert fake_time.slept == []


def test_an_outcome_without_a_terminal_state_is_a_bug_not_a_result(fake_time: FakeTime) -> None:
    running = MatchingJob(job_id=JOB_ID, status=JobStatus.RUNNING, start_time=START)
    waiter = Waiter(MATCHING, WORKFLOW, JOB_ID, WaitPolicy(), fake_time.clock)

    with pytest.raises(AssertionError, match="ended before the job did"):
        waiter.outcome()
    waiter.record(running)
    with pytest.raises(AssertionError, match="ended before the job did"):
        waiter.outcome()


class TestWaiter:
    """The sans-IO protocol the shells drive: iterate for delays, record each poll."""

    def test_the_first_poll_comes_at_once_and_iteration_ends_after_a_terminal_state(
        self, fake_time: FakeTime
    ) -> None:
        policy = WaitPolicy(min_delay=2, max_delay=2)
        waiter = Waiter(MATCHING, WORKFLOW, JOB_ID, policy, fake_time.clock)
        states = iter([JobStatus.RUNNING, JobStatus.SUCCEEDED])
        delays = []

        for delay in waiter:
            delays.append(delay)
            fake_time.now += delay
            waiter.record(MatchingJob(job_id=JOB_ID, status=next(states), start_time=START))

        assert delays == [0.0, 2.0]
        assert waiter.outcome().status is JobStatus.SUCCEEDED

    def test_a_transient_error_is_retried_even_after_a_terminal_state(
        self, fake_time: FakeTime
    ) -> None:
        policy = WaitPolicy(min_delay=2, max_delay=2)
        waiter = Waiter(MATCHING, WORKFLOW, JOB_ID, policy, fake_time.clock)
        steps = iter(waiter)
        next(steps)
        waiter.record(MatchingJob(job_id=JOB_ID, status=JobStatus.SUCCEEDED, start_time=START))
        throttled = ThrottlingError("slow down", http_status=400)

        assert waiter.record(throttled) is None
        assert next(steps) == 2.0

    def test_time_the_caller_spends_on_a_state_counts_against_the_deadline(
        self, er: EntityResolutionJobs, stubber: Stubber, fake_time: FakeTime
    ) -> None:
        stubber.add_response("get_matching_job", _state("RUNNING"), EXPECTED)
        stubber.add_response("get_matching_job", job_reply(), EXPECTED)
        watch = er.watch_matching_job(
            WORKFLOW,
            JOB_ID,
            timeout=10,
            min_delay=2,
            max_delay=2,
            clock=fake_time.clock,
            sleep=fake_time.sleep,
        )

        next(watch)
        fake_time.now += 7  # the caller takes 7 of the 10 seconds over the first state
        assert next(watch).status is JobStatus.SUCCEEDED

        # The delay was worked out after those 7 s: shortened to leave
        # min_delay before the deadline (3 - 2), not the 2 s worked out at 0 s.
        assert fake_time.slept == [1.0]
