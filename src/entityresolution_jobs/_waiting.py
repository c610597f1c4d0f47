"""When to poll a job again, and when to stop: the waiter's rules, with no I/O.

The sync and async shells drive the same `Waiter`: it says how long to
sleep before each poll and takes in what the poll returned; they only sleep
and call. The gaps come from the waiter's `Plan` (`_planning`), which falls
back to `WaitPolicy`, the Smithy waiter retry rules
(https://smithy.io/2.0/additional-specs/waiters.html#waiter-retries):

    attemptCeiling = log2(maxDelay / minDelay) + 1
    delay = maxDelay                          if attempt > attemptCeiling
            minDelay * 2 ** (attempt - 1)     otherwise
    delay = random(minDelay, min(delay, maxDelay))
    if remainingTime - delay <= minDelay:     # one last poll before the deadline
        delay = remainingTime - minDelay

and the wait ends when no time is left for another poll
(``remainingTime <= minDelay``), whatever the plan.
"""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Generic, cast

from ._defaults import DEFAULT_MAX_DELAY, DEFAULT_MIN_DELAY, DEFAULT_TIMEOUT, utc_now
from ._errors import (
    EntityResolutionError,
    InternalServerError,
    InvalidInputError,
    JobT,
    ServiceError,
    ThrottlingError,
    TransportError,
)
from ._planning import HISTORY_JOBS, HISTORY_PAGE, Plan, caller_estimate, history_estimate
from ._status import JobStatus

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ._core import JobKind
    from ._estimates import JobEstimate
    from ._models import IdMappingJobSummary, MatchingJobSummary

    JobSummary = MatchingJobSummary | IdMappingJobSummary

log = logging.getLogger("entityresolution_jobs")

Clock = Callable[[], float]
Sleep = Callable[[float], None]


@dataclass(frozen=True)
class WaitPolicy:
    """The delay rule and deadline of one wait (see the module docstring).

    Raises:
        InvalidInputError: A value is not a finite number, ``timeout`` is
            negative, ``min_delay`` not positive, or ``max_delay`` below it.
    """

    timeout: float = DEFAULT_TIMEOUT
    min_delay: float = DEFAULT_MIN_DELAY
    max_delay: float = DEFAULT_MAX_DELAY
    uniform: Callable[[float, float], float] = field(default=random.uniform, repr=False)

    def __post_init__(self) -> None:
        for name in ("timeout", "min_delay", "max_delay"):
            value: object = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidInputError(
                    f"{name} must be a number of seconds; got {value!r}", parameter=name
                )
            if not math.isfinite(value):
                raise InvalidInputError(f"{name} must be finite; got {value!r}", parameter=name)
        if self.timeout < 0:
            raise InvalidInputError(
                f"timeout must be >= 0; got {self.timeout}", parameter="timeout"
            )
        if self.min_delay <= 0:
            raise InvalidInputError(
                f"min_delay must be > 0; got {self.min_delay}", parameter="min_delay"
            )
        if self.max_delay < self.min_delay:
            raise InvalidInputError(
                f"max_delay must be >= min_delay ({self.min_delay}); got {self.max_delay}",
                parameter="max_delay",
            )

    @property
    def attempt_ceiling(self) -> int:
        """The attempt after which the delay stops doubling (Smithy's attemptCeiling)."""
        return int(math.log2(self.max_delay / self.min_delay)) + 1

    def next_delay(self, attempt: int, elapsed: float) -> float | None:
        """Seconds to sleep after poll number ``attempt`` (1-based), or None: time is up."""
        remaining = self.timeout - elapsed
        if remaining <= self.min_delay:
            return None
        if attempt > self.attempt_ceiling:
            cap = self.max_delay
        else:
            cap = min(self.max_delay, self.min_delay * 2 ** (attempt - 1))
        delay = self.uniform(self.min_delay, cap)
        if remaining - delay <= self.min_delay:
            delay = remaining - self.min_delay
        return delay


def is_transient(error: EntityResolutionError) -> bool:
    """Whether a wait rides ``error`` out: throttling, a 5xx, or no reply at all."""
    if isinstance(error, ThrottlingError | InternalServerError | TransportError):
        return True
    return isinstance(error, ServiceError) and (error.http_status or 0) >= 500


@dataclass
class Waiter(Generic[JobT]):
    """One wait for one job of either kind: when to poll, and what the polls returned.

    Sans-IO, in the manner of tenacity's ``for attempt in Retrying()``: a
    shell iterates the waiter for the seconds to sleep before each poll (0
    before the first), polls, and hands what the poll returned to `record`;
    when the waiter asks for the workflow's recent jobs (`needs_history`),
    the shell lists one page of them and hands that to `take_history`.
    Every decision is made here, so the sync and async shells share it and
    differ only in how they sleep and call:

        for delay in waiter:
            if delay:
                sleep(delay)
            if (job := waiter.record(poll(waiter.params))) is not None:
                if waiter.needs_history:
                    waiter.take_history(list_one_page(waiter.workflow_name))
                yield job

    Iteration ends after a terminal state. Each delay is worked out when it
    is asked for, after the caller has dealt with the previous job, so that
    time spent there counts against the deadline too. The gaps are the
    `Plan`'s (see `_planning`).

    Args:
        kind: The kind of job: names it, and gives the errors to raise.
        workflow_name: The job's workflow.
        job_id: The job's id.
        policy: The Smithy rule, the deadline and the jitter.
        clock: Monotonic seconds; read when iteration starts and before
            each delay.
        cap: The caller's ``max_delay``; None when it was left to default.
        expected_duration: The caller's estimate of the job's duration.
        use_history: Whether to ask for the workflow's recent jobs.
        now: The current time, which the job's age is measured against.
    """

    kind: JobKind[JobT, JobSummary]
    workflow_name: str
    job_id: str
    policy: WaitPolicy
    clock: Clock
    cap: float | None = None
    expected_duration: float | None = None
    use_history: bool = False
    now: Callable[[], datetime] = utc_now
    last: JobT | None = None
    plan: Plan = field(init=False)
    _started: float = 0.0
    _polled: bool = False
    # When the job's run began, on ``clock``: None while it has only been
    # seen QUEUED. Its age (what the plan predicts from) counts from here.
    _run_began: float | None = None
    _last_queued: float | None = None  # the clock at the latest poll that saw it QUEUED
    _history_taken: bool = False
    _cause: EntityResolutionError | None = None
    _warned_unknown: bool = False

    def __post_init__(self) -> None:
        given = self.expected_duration
        estimate = None if given is None else caller_estimate(given)
        self.plan = Plan(self.policy, cap=self.cap, estimate=estimate)

    @property
    def params(self) -> dict[str, object]:
        """The request each poll sends (GetMatchingJob's or GetIdMappingJob's)."""
        return {"workflowName": self.workflow_name, "jobId": self.job_id}

    @property
    def description(self) -> str:
        """How log lines and errors name the job."""
        return f"{self.kind.noun} {self.job_id} of workflow {self.workflow_name}"

    @property
    def history_params(self) -> dict[str, object]:
        """The request of the one page of recent jobs a wait may read."""
        return {"workflowName": self.workflow_name, "maxResults": HISTORY_PAGE}

    @property
    def needs_history(self) -> bool:
        """Whether the shell should now list the workflow's recent jobs (once per wait).

        Only after a poll found the job still in progress, and only when the
        caller gave no ``expected_duration``.
        """
        job = self.last
        return (
            self.use_history
            and not self._history_taken
            and self.plan.estimate is None
            and job is not None
            and not job.is_terminal
        )

    def __iter__(self) -> Iterator[float]:
        """Seconds to sleep before each poll: 0 first, then by the plan.

        Raises:
            WaitTimeoutError: The job has not ended and no time is left
                (the subclass of the job's kind).
        """
        self._started = self.clock()
        yield 0.0
        while self._cause is not None or self.last is None or not self.last.is_terminal:
            yield self._next_delay()

    def record(self, outcome: JobT | EntityResolutionError) -> JobT | None:
        """Take in what a poll returned: the job to hand on, or None after a transient error.

        Raises:
            EntityResolutionError: ``outcome`` itself, when it is an error
                that a wait does not ride out.
        """
        if isinstance(outcome, EntityResolutionError):
            if not is_transient(outcome):
                raise outcome
            self._cause = outcome
            return None
        self._cause = None
        self._note_run(outcome)
        if outcome.status is JobStatus.RUNNING:
            metrics = outcome.metrics
            done = _sum(metrics.total_records_processed, metrics.records_not_processed)
            self.plan.observe(self._job_age(), done, metrics.input_records)
        self._log_change(outcome)
        self.last = outcome
        return outcome

    def take_history(self, outcome: Sequence[JobSummary] | EntityResolutionError) -> None:
        """Take in one page of the workflow's jobs, or the error listing them raised.

        The durations of its most recent SUCCEEDED jobs (other than this
        one) give the plan an estimate; a failed listing leaves none.
        """
        self._history_taken = True
        if isinstance(outcome, EntityResolutionError):
            log.debug("%s: no history, listing jobs failed: %s", self.description, outcome)
            return
        finished = sorted(
            (
                job
                for job in outcome
                if job.status is JobStatus.SUCCEEDED and job.job_id != self.job_id
            ),
            key=lambda job: job.start_time,
            reverse=True,
        )[:HISTORY_JOBS]
        durations = [d.total_seconds() for job in finished if (d := job.duration) is not None]
        self.plan.estimate = estimate = history_estimate(durations)
        if estimate is not None:
            log.info(
                "%s: expected to take %s from %d finished runs",
                self.description,
                timedelta(seconds=round(estimate.duration)),
                len(durations),
            )

    def take_snapshot(self, job: JobT) -> None:
        """Take in one state of the job read elsewhere, as a first poll would, without logging."""
        self._note_run(job)
        self.last = job

    def estimate(self) -> JobEstimate:
        """When the job is expected to end, as the plan sees it now (no request).

        Raises:
            RuntimeError: No state of the job has been taken in yet.
        """
        from ._estimates import estimate_from  # noqa: PLC0415 - loads with the first estimate

        job = self.last
        if job is None:
            raise RuntimeError("estimate() before any state of the job")
        ended_at = (job.end_time or self.now()) if job.is_terminal else None
        age = self._job_age()
        return estimate_from(
            job.job_id,
            job.status,
            made_at=self.now(),
            age=age,
            predicted=None if ended_at is not None else self.plan.predicted_end(age),
            ended_at=ended_at,
        )

    def outcome(self) -> JobT:
        """The result of a finished wait: the job, if it SUCCEEDED.

        Raises:
            JobFailedError: It FAILED (the subclass of the job's kind).
        """
        job = self.last
        if job is None or not job.is_terminal:  # iteration ends only on a terminal state
            raise AssertionError(f"{self.description}: the wait ended before the job did")
        if job.status is JobStatus.FAILED:
            raise self.kind.failed(job, description=self.description)
        return job

    def _note_run(self, job: JobT) -> None:
        """Place the start of the job's run, which its age counts from.

        A job first seen past QUEUED began its run at its ``start_time``
        (the service reports no other); one seen QUEUED began it between
        the last poll that saw it QUEUED and the first that did not (the
        midpoint is taken), so time spent QUEUED, behind the account's
        other jobs, never counts as running time.
        """
        now = self.clock()
        first = not self._polled
        self._polled = True
        if job.status is JobStatus.QUEUED:
            self._last_queued = now
            return
        if self._run_began is not None:
            return
        window = 0.0
        if first or self._last_queued is None:
            age = max(0.0, (self.now() - job.start_time).total_seconds())
        else:
            window = now - self._last_queued
            age = window / 2
        self._run_began = now - age
        self.plan.start(age, uncertainty=window)

    def _job_age(self) -> float:
        began = self._run_began
        return 0.0 if began is None else self.clock() - began

    @property
    def _queued(self) -> bool:
        last = self.last
        return self._cause is None and last is not None and last.status is JobStatus.QUEUED

    def _log_change(self, job: JobT) -> None:
        previous = self.last
        if previous is None or previous.raw_status != job.raw_status:
            was = "started waiting" if previous is None else f"{previous.raw_status} ->"
            log.info("%s: %s %s", self.description, was, job.raw_status)
        if job.status is JobStatus.UNKNOWN and not self._warned_unknown:
            self._warned_unknown = True
            log.warning(
                "%s: status %r is unknown to this version; still waiting",
                self.description,
                job.raw_status,
            )

    def _next_delay(self) -> float:
        remaining = self.policy.timeout - (self.clock() - self._started)
        delay = self.plan.next_delay(self._job_age(), remaining, queued=self._queued)
        if delay is None:
            raise self.kind.timed_out(
                f"{self.description} did not finish within {self.policy.timeout:g} s",
                job=self.last,
            ) from self._cause
        if self._cause is not None:
            why = self._cause.code
        else:
            why = self.last.raw_status if self.last is not None else "not polled yet"
        log.debug(
            "%s: %s; polling again in %.1f s (%s)", self.description, why, delay, self.plan.rule
        )
        return delay


def waiter_for(
    kind: JobKind[JobT, JobSummary],
    workflow_name: str,
    job_id: str,
    *,
    timeout: float,
    min_delay: float,
    max_delay: float | None,
    expected_duration: float | None,
    use_history: bool,
    clock: Clock,
    now: Callable[[], datetime],
) -> Waiter[JobT]:
    """The waiter of a public ``wait_for_*`` / ``watch_*`` call, from its arguments.

    Raises:
        InvalidInputError: A wait setting is invalid.
    """
    smithy_max = max_delay
    if smithy_max is None:
        # Left to default: 64 s, or min_delay if the caller set it higher.
        given = cast("object", min_delay)  # checked by WaitPolicy below
        too_long = isinstance(given, int | float) and given > DEFAULT_MAX_DELAY
        smithy_max = min_delay if too_long else DEFAULT_MAX_DELAY
    return Waiter(
        kind,
        workflow_name,
        job_id,
        WaitPolicy(timeout, min_delay, smithy_max),
        clock,
        cap=max_delay,
        expected_duration=expected_duration,
        use_history=use_history,
        now=now,
    )


def estimating_waiter(
    kind: JobKind[JobT, JobSummary],
    workflow_name: str,
    job: JobT,
    *,
    expected_duration: float | None,
    use_history: bool,
    now: Callable[[], datetime],
) -> Waiter[JobT]:
    """A waiter that has taken in ``job``, to ask for the history it needs, then `Waiter.estimate`.

    The same settings as a wait's defaults, so that the estimate is the one
    a wait on the job would plan by; its clock is ``now``'s, so that an
    injected ``now`` makes the whole estimate reproducible.

    Raises:
        InvalidInputError: ``expected_duration`` is invalid.
    """
    waiter = waiter_for(
        kind, workflow_name, job.job_id, timeout=DEFAULT_TIMEOUT, min_delay=DEFAULT_MIN_DELAY,
        max_delay=None, expected_duration=expected_duration, use_history=use_history,
        clock=lambda: now().timestamp(), now=now,
    )  # fmt: skip
    waiter.take_snapshot(job)
    return waiter


def _sum(*counts: int | None) -> int | None:
    present = [count for count in counts if count is not None]
    return sum(present) if present else None
