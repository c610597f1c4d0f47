"""When to poll a job again, and when to stop: the waiter's rules, with no I/O.

The sync and async shells drive the same `Waiter`: it says how long to
sleep before each poll and takes in what the poll returned; they only sleep
and poll.

Delays follow the Smithy waiter retry rules
(https://smithy.io/2.0/additional-specs/waiters.html#waiter-retries):

    attemptCeiling = log2(maxDelay / minDelay) + 1
    delay = maxDelay                          if attempt > attemptCeiling
            minDelay * 2 ** (attempt - 1)     otherwise
    delay = random(minDelay, min(delay, maxDelay))
    if remainingTime - delay <= minDelay:     # one last poll before the deadline
        delay = remainingTime - minDelay

and the wait ends when no time is left for another poll
(``remainingTime <= minDelay``).
"""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic

from ._errors import (
    EntityResolutionError,
    InternalServerError,
    InvalidInputError,
    JobT,
    ServiceError,
    ThrottlingError,
    TransportError,
)
from ._status import JobStatus

if TYPE_CHECKING:
    from ._core import JobKind

log = logging.getLogger("entityresolution_jobs")

DEFAULT_TIMEOUT = 24 * 3600.0
"""Seconds a wait lasts at most unless told otherwise: jobs can run for hours."""
DEFAULT_MIN_DELAY = 2.0
"""Seconds before the first re-poll; short jobs are seen to end within seconds."""
DEFAULT_MAX_DELAY = 64.0
"""Longest pause between polls. With jitter the pauses average about 33 s, so
long jobs cost fewer calls than polling every 30 s."""

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
    before the first), polls, and hands what the poll returned to `record`.
    Every decision is made here, so the sync and async shells share it and
    differ only in how they sleep and poll:

        for delay in waiter:
            if delay:
                sleep(delay)
            if (job := waiter.record(poll(waiter.params))) is not None:
                yield job

    Iteration ends after a terminal state. Each delay is worked out when it
    is asked for, after the caller has dealt with the previous job, so that
    time spent there counts against the deadline too.

    Args:
        kind: The kind of job: names it, and gives the errors to raise.
        workflow_name: The job's workflow.
        job_id: The job's id.
        policy: The delays and deadline.
        clock: Monotonic seconds; read when iteration starts and before
            each delay.
    """

    kind: JobKind[JobT, object]
    workflow_name: str
    job_id: str
    policy: WaitPolicy
    clock: Clock
    last: JobT | None = None
    _attempt: int = 0
    _started: float = 0.0
    _cause: EntityResolutionError | None = None
    _warned_unknown: bool = False

    @property
    def params(self) -> dict[str, object]:
        """The request each poll sends (GetMatchingJob's or GetIdMappingJob's)."""
        return {"workflowName": self.workflow_name, "jobId": self.job_id}

    @property
    def description(self) -> str:
        """How log lines and errors name the job."""
        return f"{self.kind.noun} {self.job_id} of workflow {self.workflow_name}"

    def __iter__(self) -> Iterator[float]:
        """Seconds to sleep before each poll: 0 first, then by the policy.

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
        self._attempt += 1
        if isinstance(outcome, EntityResolutionError):
            if not is_transient(outcome):
                raise outcome
            self._cause = outcome
            return None
        self._cause = None
        self._log_change(outcome)
        self.last = outcome
        return outcome

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
        delay = self.policy.next_delay(self._attempt, self.clock() - self._started)
        if delay is None:
            raise self.kind.timed_out(
                f"{self.description} did not finish within {self.policy.timeout:g} s",
                job=self.last,
            ) from self._cause
        if self._cause is not None:
            why = self._cause.code
        else:
            why = self.last.raw_status if self.last is not None else "not polled yet"
        log.debug("%s: %s; polling again in %.1f s", self.description, why, delay)
        return delay
