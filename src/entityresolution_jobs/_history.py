"""How a workflow's recent runs went: one typed row per run. No I/O.

A shell lists the workflow's jobs (every page), `newest` picks the last
runs, newest first, and each is read once (``Get*Job``: the list has no
counts) into a `JobRun`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from pydantic import AliasGenerator, BaseModel, computed_field
from pydantic.alias_generators import to_camel

from ._models import IdMappingJob, MatchingJob, UtcDatetime
from ._status import JobStatus
from ._validation import count_of_at_least_one

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ._models import IdMappingJobSummary, MatchingJobSummary

__all__ = ["JobRun", "Pacing", "newest"]

_SERVICE_NAMES = {"match_ids": "matchIDs"}


def _service_name(name: str) -> str:
    return _SERVICE_NAMES.get(name) or to_camel(name)


class JobRun(
    BaseModel,
    # JSON in the service's style (jobId, matchIDs, ...) with by_alias=True.
    alias_generator=AliasGenerator(serialization_alias=_service_name),
    frozen=True,
):
    """One run of a workflow, as `job_history` reports it: its times, counts and rates.

    Attributes:
        job_id: The job.
        status: Its status.
        start_time: When it started (UTC).
        end_time: When it ended (UTC); ``None`` while it runs.
        duration_seconds: How long it ran; ``None`` while it runs.
        input_records: Records read.
        total_records_processed: Records processed.
        records_not_processed: Records that could not be processed.
        match_ids: Match ids generated (a matching job's).
        total_mapped_records: Records mapped (an ID mapping job's).
    """

    job_id: str
    status: JobStatus
    start_time: UtcDatetime
    end_time: UtcDatetime | None = None
    duration_seconds: float | None = None
    input_records: int | None = None
    total_records_processed: int | None = None
    records_not_processed: int | None = None
    match_ids: int | None = None
    total_mapped_records: int | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def records_per_second(self) -> float | None:
        """Records dealt with (processed or not) per second of the run; ``None`` if unknown."""
        done = (self.total_records_processed or 0) + (self.records_not_processed or 0)
        if not self.duration_seconds or not done:
            return None
        return done / self.duration_seconds

    @computed_field  # type: ignore[prop-decorator]
    @property
    def not_processed_share(self) -> float | None:
        """The share of the input records not processed, 0.0 to 1.0; ``None`` if unknown."""
        if not self.input_records or self.records_not_processed is None:
            return None
        return self.records_not_processed / self.input_records

    @classmethod
    def of(cls, job: MatchingJob | IdMappingJob) -> JobRun:
        """The row of one job, as ``Get*Job`` read it."""
        metrics = job.metrics
        duration = job.duration
        return cls(
            job_id=job.job_id,
            status=job.status,
            start_time=job.start_time,
            end_time=job.end_time,
            duration_seconds=None if duration is None else duration.total_seconds(),
            input_records=metrics.input_records,
            total_records_processed=metrics.total_records_processed,
            records_not_processed=metrics.records_not_processed,
            match_ids=job.metrics.match_ids if isinstance(job, MatchingJob) else None,
            total_mapped_records=(
                job.metrics.total_mapped_records if isinstance(job, IdMappingJob) else None
            ),
        )


class Pacing:
    """The reads of a history, at most ``max_rate`` a second: how long to wait before each.

    Raises:
        InvalidInputError: ``last`` or ``max_rate`` is not a whole number of
            at least 1 (at construction, before any request).
    """

    def __init__(self, last: int, max_rate: int) -> None:
        count_of_at_least_one(last, "last", "runs")
        self._gap = 1 / count_of_at_least_one(max_rate, "max_rate", "requests")
        self._last = -math.inf

    def delay(self, now: float) -> float:
        """Seconds to wait, at ``now`` on a monotonic clock, before the next read."""
        return max(0.0, self._last + self._gap - now)

    def sent(self, now: float) -> None:
        """Note a read sent at ``now``."""
        self._last = now


def newest(summaries: Iterable[MatchingJobSummary | IdMappingJobSummary], last: int) -> list[str]:
    """The ids of the ``last`` most recently started jobs, newest first."""
    ordered = sorted(summaries, key=lambda job: job.start_time, reverse=True)
    return [job.job_id for job in ordered[:last]]
