"""When to poll a job again, and when to stop: the waiter's rules, with no I/O.

The sync and async shells run the same loop around `Waiter`: fetch the job,
ask the waiter what follows (yield, stop, sleep this long), sleep, repeat.

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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ._errors import (
    EntityResolutionError,
    InternalServerError,
    InvalidInputError,
    JobFailedError,
    ServiceError,
    ThrottlingError,
    TransportError,
    WaitTimeoutError,
)
from ._status import JobStatus

if TYPE_CHECKING:
    from ._models import MatchingJob

log = logging.getLogger("entityresolution_jobs")

DEFAULT_TIMEOUT = 24 * 3600.0
"""Seconds a wait lasts at most unless told otherwise: matching jobs can run for hours."""
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
class Waiter:
    """The state of one wait: what the shells' loops ask after each poll.

    Args:
        policy: The delays and deadline.
        description: Names the job in log lines and errors.
        started: The clock's reading when the wait began.
    """

    policy: WaitPolicy
    description: str
    started: float
    attempt: int = 0
    last: MatchingJob | None = None
    _warned_unknown: bool = False

    def after_job(self, job: MatchingJob, now: float) -> float | None:
        """Record a fetched state; return the delay before the next poll, None if it ended.

        Raises:
            WaitTimeoutError: The job is not done and no time is left.
        """
        self.attempt += 1
        previous, self.last = self.last, job
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
        if job.is_terminal:
            return None
        delay = self._delay(now)
        log.debug("%s: %s; polling again in %.1f s", self.description, job.raw_status, delay)
        return delay

    def after_poll(self, outcome: MatchingJob | EntityResolutionError, now: float) -> float | None:
        """`after_job` or `after_error`, whichever ``outcome`` calls for."""
        if isinstance(outcome, EntityResolutionError):
            return self.after_error(outcome, now)
        return self.after_job(outcome, now)

    def after_error(self, error: EntityResolutionError, now: float) -> float:
        """Decide on a failed poll: the delay before retrying it.

        Raises:
            EntityResolutionError: ``error`` itself, when it is not transient.
            WaitTimeoutError: No time is left to retry.
        """
        if not is_transient(error):
            raise error
        self.attempt += 1
        delay = self._delay(now, cause=error)
        log.debug("%s: %s; polling again in %.1f s", self.description, error.code, delay)
        return delay

    def _delay(self, now: float, cause: EntityResolutionError | None = None) -> float:
        delay = self.policy.next_delay(self.attempt, now - self.started)
        if delay is None:
            raise WaitTimeoutError(
                f"{self.description} did not finish within {self.policy.timeout:g} s",
                job=self.last,
            ) from cause
        return delay


def describe_job(workflow_name: str, job_id: str) -> str:
    """How log lines and errors name a job."""
    return f"matching job {job_id} of workflow {workflow_name}"


def outcome(job: MatchingJob | None, description: str) -> MatchingJob:
    """The result of a finished watch: the job if it SUCCEEDED.

    Raises:
        JobFailedError: It FAILED.
    """
    if job is None or not job.is_terminal:  # a watch ends only on a terminal state
        raise AssertionError(f"{description}: the watch ended before the job did")
    if job.status is JobStatus.FAILED:
        raise JobFailedError(job, description=description)
    return job
