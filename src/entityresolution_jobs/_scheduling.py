"""Many waits under one request budget: which job to poll next, and when. No I/O.

A `Scheduler` holds one `Waiter` per job. Each waiter's plan says when its
job is due; the scheduler picks the most overdue job and sends its request
as soon as the budget allows: never more than ``max_rate`` requests in any
one-second window (a sliding window of the last ``max_rate`` request times).
The shells drive it as they drive a single waiter:

    for step in scheduler:
        if step.delay:
            sleep(step.delay)
        if step.history:
            scheduler.take_history(step.waiter, list_one_page(step.waiter))
        elif (job := scheduler.record(step.waiter, poll(step.waiter))) is not None:
            yield job
    scheduler.finish()

A workflow's recent jobs are listed once for all its jobs. A job whose
poll fails with an error a wait does not ride out (not found, access
denied), or which is still running at the deadline, is dropped and its
error kept; the others go on, and `finish` raises `WatchJobsError` with
every kept error once they have all ended. Memory grows with the number of
jobs (a heap entry and a waiter each), not with time.
"""

from __future__ import annotations

import heapq
import itertools
import logging
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, cast

from ._errors import EntityResolutionError, InvalidInputError, JobT, WatchJobsError
from ._validation import count_of_at_least_one
from ._waiting import waiter_for

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence
    from datetime import datetime

    from ._core import JobKind
    from ._estimates import JobEstimate
    from ._waiting import Clock, JobSummary, Waiter

    History = Sequence[JobSummary] | EntityResolutionError

log = logging.getLogger("entityresolution_jobs")


@dataclass(frozen=True)
class Step(Generic[JobT]):
    """What a shell does next: sleep ``delay`` seconds, then call for ``waiter``'s job.

    Attributes:
        delay: Seconds to sleep first.
        waiter: The job's waiter.
        history: List the job's workflow's recent jobs instead of polling it.
    """

    delay: float
    waiter: Waiter[JobT]
    history: bool


class RequestWindow:
    """At most ``max_rate`` requests in any one-second window: when the next may go.

    Pure bookkeeping, shared by the many-job `Scheduler` and the Airflow
    triggerer's request budget: the caller says when it sends.
    """

    def __init__(self, max_rate: int) -> None:
        self.max_rate = max_rate
        self._sent: deque[float] = deque(maxlen=max_rate)  # the last max_rate sends

    def allowed_at(self) -> float:
        """The earliest time a request keeps every one-second window within budget."""
        sent = self._sent
        return sent[0] + 1.0 if len(sent) >= self.max_rate else -float("inf")

    def spend(self, now: float) -> None:
        """Count a request sent at ``now``."""
        self._sent.append(now)


class Scheduler(Generic[JobT]):
    """The polls of many jobs under one budget (see the module docstring).

    Args:
        waiters: One waiter per job, built with the same settings.
        max_rate: The most requests in any one-second window.
        clock: Monotonic seconds, the waiters' own.

    Raises:
        InvalidInputError: ``max_rate`` is not a whole number of at least 1.
    """

    def __init__(self, waiters: Sequence[Waiter[JobT]], max_rate: int, clock: Clock) -> None:
        count_of_at_least_one(max_rate, "max_rate", "requests")
        self.waiters = waiters
        self.max_rate = max_rate
        self.clock = clock
        self.errors: dict[tuple[str, str], EntityResolutionError] = {}
        self._due: list[tuple[float, int, Waiter[JobT]]] = []
        self._delays: dict[int, Iterator[float]] = {}
        self._window = RequestWindow(max_rate)
        self._pages: dict[str, History] = {}
        self._order = itertools.count()

    def __iter__(self) -> Iterator[Step[JobT]]:
        """The next step, until every job has ended or been dropped."""
        for waiter in self.waiters:
            delays = self._delays[id(waiter)] = iter(waiter)
            self._push(self.clock() + next(delays), waiter)
        while self._due:
            due, _, waiter = self._due[0]
            now = self.clock()
            at = max(due, self._window.allowed_at())
            history = waiter.needs_history and waiter.workflow_name not in self._pages
            yield Step(max(0.0, at - now), waiter, history)

    def record(self, waiter: Waiter[JobT], outcome: JobT | EntityResolutionError) -> JobT | None:
        """Take in a poll's outcome; return the job if it has ended (FAILED included)."""
        self._spent(waiter)
        try:
            job = waiter.record(outcome)
        except EntityResolutionError as error:
            self._drop(waiter, error)
            return None
        if job is not None and job.is_terminal:
            self._delays.pop(id(waiter))
            return job
        page = self._pages.get(waiter.workflow_name)
        if waiter.needs_history and page is not None:
            waiter.take_history(page)  # listed already for another job of the workflow
        if not waiter.needs_history:
            self._reschedule(waiter)
        else:
            self._push(self.clock(), waiter)  # its listing comes next, as the budget allows
        return None

    def estimate_after(
        self, waiter: Waiter[JobT], outcome: JobT | EntityResolutionError
    ) -> JobEstimate | None:
        """The job's estimate once `record` has taken in ``outcome``, if it is news.

        None after an error, and while the workflow's history is still to
        be listed: the estimate comes after `take_history` then.
        """
        if isinstance(outcome, EntityResolutionError) or waiter.needs_history:
            return None
        return waiter.estimate()

    def take_history(self, waiter: Waiter[JobT], outcome: History) -> None:
        """Take in one page of ``waiter``'s workflow's jobs, for all its jobs."""
        self._spent(waiter)
        self._pages[waiter.workflow_name] = outcome
        waiter.take_history(outcome)
        self._reschedule(waiter)

    def finish(self) -> None:
        """Raise `WatchJobsError` if any job could not be followed to its end."""
        if self.errors:
            raise WatchJobsError(self.errors)

    def _spent(self, waiter: Waiter[JobT]) -> None:
        heapq.heappop(self._due)  # the step just taken was the most due
        self._window.spend(self.clock())

    def _reschedule(self, waiter: Waiter[JobT]) -> None:
        try:
            delay = next(self._delays[id(waiter)])
        except EntityResolutionError as error:  # out of time
            self._drop(waiter, error)
            return
        self._push(self.clock() + delay, waiter)

    def _push(self, due: float, waiter: Waiter[JobT]) -> None:
        heapq.heappush(self._due, (due, next(self._order), waiter))

    def _drop(self, waiter: Waiter[JobT], error: EntityResolutionError) -> None:
        self._delays.pop(id(waiter), None)
        self.errors[waiter.workflow_name, waiter.job_id] = error
        log.warning("%s: no longer watched: %s", waiter.description, error)


def scheduler_for(
    kind: JobKind[JobT, JobSummary],
    jobs: Iterable[tuple[str, str]],
    *,
    max_rate: int,
    timeout: float,
    min_delay: float,
    max_delay: float | None,
    use_history: bool,
    clock: Clock,
    now: Callable[[], datetime],
) -> Scheduler[JobT]:
    """The scheduler of a public ``watch_*_jobs`` call: a waiter per distinct job.

    Raises:
        InvalidInputError: A setting is invalid, or ``jobs`` holds something
            other than (workflow_name, job_id) pairs.
    """
    waiters: dict[tuple[str, str], Waiter[JobT]] = {}
    for given in jobs:
        pair = cast("object", given)  # checked: callers without a type checker pass anything
        if not isinstance(pair, tuple) or len(cast("tuple[object, ...]", pair)) != 2:
            raise InvalidInputError(
                f"jobs must be (workflow_name, job_id) pairs; got {pair!r}", parameter="jobs"
            )
        workflow_name, job_id = given
        waiters[workflow_name, job_id] = waiter_for(
            kind, workflow_name, job_id, timeout=timeout, min_delay=min_delay,
            max_delay=max_delay, expected_duration=None, use_history=use_history,
            clock=clock, now=now,
        )  # fmt: skip
    return Scheduler(list(waiters.values()), max_rate, clock)
