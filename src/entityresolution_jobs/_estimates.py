"""When a job will end: the waiter's own prediction, as a typed answer. No I/O.

`JobEstimate` is what ``estimate_job_end`` returns and what a wait's
``on_estimate`` receives. It is read off the waiter's `Plan`
(`_planning.Plan.predicted_end`), the same prediction its poll schedule
rests on, turned from the job's age into times of day.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from ._models import UtcDatetime
from ._status import JobStatus

if TYPE_CHECKING:
    from ._planning import PredictedEnd

__all__ = ["EstimateBasis", "JobEstimate"]


class EstimateBasis(str, Enum):
    """What an expected end rests on.

    Attributes:
        ENDED: The job has ended: its end is known.
        PROGRESS: Its record counts, seen to grow between two polls.
        HISTORY: The durations of the workflow's recent finished runs.
        CALLER: The caller's ``expected_duration``.
        NOTHING: Nothing is known (no history, no progress yet, or the job
            has outrun its estimate): no expected end.
    """

    ENDED = "ENDED"
    PROGRESS = "PROGRESS"
    HISTORY = "HISTORY"
    CALLER = "CALLER"
    NOTHING = "NOTHING"


class JobEstimate(BaseModel):
    """When a job is expected to end, with a range, and what the expectation rests on.

    Attributes:
        job_id: The job.
        status: Its status when the estimate was made.
        basis: What the estimate rests on (see `EstimateBasis`).
        expected_end: The most likely end (UTC); ``None`` when nothing is
            known. For an ended job, its end.
        earliest: The start of the range of likely ends (90% of them lie
            between ``earliest`` and ``latest``); never before the moment
            the estimate was made while the job runs.
        latest: The end of that range.
        runs: How many finished runs a history estimate used (0 otherwise).
        queued: The job is QUEUED: its run has not begun, and the times
            count as if it began now (the account's other jobs may hold it
            back longer).
        made_at: When the estimate was made (UTC).

    Example:
        ```python
        estimate = er.estimate_job_end("customers", er.get_matching_job("customers", job_id))
        if estimate.expected_end is not None:
            print(f"expected about {estimate.expected_end:%H:%M} UTC ({estimate.basis.value})")
        ```
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    job_id: str
    status: JobStatus
    basis: EstimateBasis
    expected_end: UtcDatetime | None = None
    earliest: UtcDatetime | None = None
    latest: UtcDatetime | None = None
    runs: int = 0
    queued: bool = False
    made_at: UtcDatetime

    @property
    def remaining(self) -> timedelta | None:
        """The expected time left from when the estimate was made; ``None`` if unknown."""
        if self.expected_end is None:
            return None
        return max(self.expected_end - self.made_at, timedelta(0))

    def moved(self, since: JobEstimate | None) -> bool:
        """Whether this estimate is news after ``since``, the last one told.

        It is when it has an expected end (of a job still to end) and
        ``since`` had none, or its expected end moved by more than a tenth
        of the time ``since`` left: what is worth a log line.
        """
        if self.expected_end is None or self.basis is EstimateBasis.ENDED:
            return False
        if since is None or since.expected_end is None or since.remaining is None:
            return True
        shift = abs((self.expected_end - since.expected_end).total_seconds())
        return shift > 0.1 * since.remaining.total_seconds()

    def describe(self) -> str:
        """The expected end in words: "expected about 14:05 UTC, 12-18 min from now, from ...".

        Empty when there is none to tell (nothing known, or the job ended).
        """
        end, earliest, latest = self.expected_end, self.earliest, self.latest
        if end is None or earliest is None or latest is None or self.basis is EstimateBasis.ENDED:
            return ""
        soonest = (earliest - self.made_at).total_seconds()
        longest = (latest - self.made_at).total_seconds()
        basis = {
            EstimateBasis.HISTORY: f"from the last {self.runs} runs",
            EstimateBasis.PROGRESS: "from its progress",
            EstimateBasis.CALLER: "from the expected duration",
        }.get(self.basis, "")
        queued = " once it runs" if self.queued else ""
        return (
            f"expected about {end:%H:%M} UTC{queued}, {_span(soonest, longest)} from now, {basis}"
        )


def _span(low: float, high: float) -> str:
    """A range of seconds in one unit: "40-55 s", "12-18 min", "2.5-3.0 h"."""
    if high < 90:  # under a minute and a half: seconds
        low_text, high_text, unit = f"{round(low)}", f"{round(high)}", "s"
    elif high < 5400:  # under an hour and a half: minutes
        low_text, high_text, unit = f"{round(low / 60)}", f"{round(high / 60)}", "min"
    else:
        low_text, high_text, unit = f"{low / 3600:.1f}", f"{high / 3600:.1f}", "h"
    if low_text == high_text:
        return f"{low_text} {unit}"
    return f"{low_text}-{high_text} {unit}"


def estimate_from(
    job_id: str,
    status: JobStatus,
    *,
    made_at: datetime,
    age: float,
    predicted: PredictedEnd | None,
    ended_at: datetime | None,
) -> JobEstimate:
    """The estimate of a job ``age`` seconds into its run (0 while QUEUED), at ``made_at``.

    ``ended_at`` is the end of a job that has ended; ``predicted`` the
    plan's prediction, in seconds of the job's age.
    """
    if ended_at is not None:
        return JobEstimate(
            job_id=job_id,
            status=status,
            basis=EstimateBasis.ENDED,
            expected_end=ended_at,
            earliest=ended_at,
            latest=ended_at,
            made_at=made_at,
        )
    queued = status is JobStatus.QUEUED
    if predicted is None:
        return JobEstimate(
            job_id=job_id, status=status, basis=EstimateBasis.NOTHING, queued=queued,
            made_at=made_at,
        )  # fmt: skip

    def at(job_age: float) -> datetime:
        return made_at + timedelta(seconds=job_age - age)

    return JobEstimate(
        job_id=job_id,
        status=status,
        basis=EstimateBasis(predicted.basis.upper()),
        expected_end=at(predicted.expected),
        earliest=at(predicted.earliest),
        latest=at(predicted.latest),
        runs=predicted.runs,
        queued=queued,
        made_at=made_at,
    )
