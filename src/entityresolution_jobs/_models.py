"""Typed, immutable models of what the service returns about matching jobs.

The models validate either the service's wire names, exactly as boto3
returns them, or their own field names (``model_dump()`` output, keyword
construction): ``MatchingJob.model_validate(boto3_reply)`` works on a reply
from any boto3 client.

The hot path does no Python work pydantic-core can do itself: wire names are
validation aliases, an unknown status maps to ``UNKNOWN`` through the enum's
``_missing_``, and only the UTC normalisation calls back into Python.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Annotated

from pydantic import (
    AfterValidator,
    AliasChoices,
    AliasGenerator,
    AliasPath,
    BaseModel,
    Field,
)
from pydantic.alias_generators import to_camel

from ._status import JobStatus

__all__ = ["JobMetrics", "MatchingJob", "MatchingJobSummary", "OutputSource"]


def _to_utc(value: datetime) -> datetime:
    # botocore hands out datetimes in tzlocal(); one zone makes them comparable
    # and printable the same way on every machine. A naive datetime (a canned
    # Stubber reply, say) is taken as UTC, as botocore's serializers take it.
    if value.tzinfo is timezone.utc:
        return value
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


UtcDatetime = Annotated[datetime, AfterValidator(_to_utc)]
"""A timezone-aware datetime in UTC; a naive one is taken to be UTC already."""

# Wire names that are not the camelCase form of our field names.
_WIRE_NAMES = {"match_ids": "matchIDs", "kms_arn": "KMSArn", "output_sources": "outputSourceConfig"}


def _wire_name(name: str) -> str:
    return _WIRE_NAMES.get(name) or to_camel(name)


class _ServiceShape(
    BaseModel,
    # Fields validate by the service's name or by our own (round trips).
    # Only validation aliases: type checkers keep our names in __init__.
    alias_generator=AliasGenerator(validation_alias=_wire_name),
    validate_by_alias=True,
    validate_by_name=True,
    extra="ignore",
    frozen=True,
    # model_dump() writes every field, defaults too: the JSON schema of the
    # output (a FastAPI response model, say) marks them all required.
    json_schema_serialization_defaults_required=True,
    # Schemas are built with the classes, not deferred: importing this module
    # is itself deferred to first use (see the package's __getattr__), and a
    # deferred model nothing has built yet breaks pydantic-core's serializing
    # by type inference (Any fields, to_json) before pydantic 2.14.
):
    """Base of the models: immutable, and read from wire or field names."""


class JobMetrics(_ServiceShape, frozen=True):
    """Record counts of a matching job; ``None`` where the service did not report one.

    Attributes:
        input_records: Records read from the input sources.
        total_records_processed: Records processed so far.
        records_not_processed: Records that could not be processed.
        delete_records_processed: Delete requests processed.
        match_ids: Match ids generated.
    """

    input_records: int | None = None
    total_records_processed: int | None = None
    records_not_processed: int | None = None
    delete_records_processed: int | None = None
    match_ids: int | None = None

    @property
    def progress(self) -> float | None:
        """Share of the input records dealt with (processed or not), from 0.0 to 1.0.

        ``None`` while the service has not reported the input record count,
        or reports it as zero.
        """
        if not self.input_records:
            return None
        handled = (self.total_records_processed or 0) + (self.records_not_processed or 0)
        return min(max(handled / self.input_records, 0.0), 1.0)


class OutputSource(_ServiceShape, frozen=True):
    """Where a matching job writes its output.

    Attributes:
        role_arn: The IAM role the service assumed to write the output.
        output_s3_path: The S3 location of the output (``s3://bucket/prefix``).
        kms_arn: The KMS key the output is encrypted with, if any.
    """

    role_arn: str
    output_s3_path: str
    kms_arn: str | None = None


class MatchingJobSummary(_ServiceShape, frozen=True):
    """A matching job as ``ListMatchingJobs`` lists it: id, status and times.

    Attributes:
        job_id: The job's id (32 hexadecimal characters).
        status: The job's state; ``UNKNOWN`` for a status this version does
            not know.
        raw_status: The status text exactly as the service sent it.
        start_time: When the job started (UTC).
        end_time: When the job ended (UTC), or ``None`` while it runs.
    """

    job_id: str
    status: JobStatus
    # The service sends one "status" field: it fills both of these. The
    # default is never used (status is required); it lets a type checker
    # accept MatchingJob(status=...) without raw_status.
    raw_status: str = Field(default="", validation_alias=AliasChoices("raw_status", "status"))
    start_time: UtcDatetime
    end_time: UtcDatetime | None = None

    @property
    def is_terminal(self) -> bool:
        """Whether the job has ended (SUCCEEDED or FAILED) and will not change again."""
        return self.status.is_terminal

    @property
    def duration(self) -> timedelta | None:
        """How long the job ran, from start to end; ``None`` while it runs."""
        return None if self.end_time is None else self.end_time - self.start_time

    def to_service_dict(self) -> dict[str, object]:
        """The job in the service's own shape and names, as boto3 returns it.

        Fields the service did not send are left out; time stamps stay
        ``datetime`` objects (UTC). ``model_validate`` reads the result back.
        """
        reply: dict[str, object] = {
            "jobId": self.job_id,
            "status": self.raw_status,
            "startTime": self.start_time,
        }
        if self.end_time is not None:
            reply["endTime"] = self.end_time
        return reply


class MatchingJob(MatchingJobSummary, frozen=True):
    """One matching job, as ``GetMatchingJob`` describes it.

    Everything a `MatchingJobSummary` has, and the job's metrics, error and
    output location. Construct it from keyword arguments (``raw_status``
    defaults to the status' value), from `model_dump` output, or from a
    boto3 ``get_matching_job`` reply as it is.

    Attributes:
        metrics: The job's record counts; always present, with ``None`` for
            counts not reported.
        error_message: Why the job failed, when it did.
        output_sources: Where the job writes its output (the service sends
            at most one).

    Example:
        ```python
        job = er.get_matching_job("customers", job_id)
        if job.status is JobStatus.SUCCEEDED:
            print(job.metrics.match_ids, job.duration)
        ```
    """

    metrics: JobMetrics = Field(default_factory=JobMetrics)
    error_message: str | None = Field(
        default=None, validation_alias=AliasPath("errorDetails", "errorMessage")
    )
    output_sources: tuple[OutputSource, ...] = ()

    @property
    def output_source(self) -> OutputSource | None:
        """The job's output location (the first of `output_sources`), if any."""
        return self.output_sources[0] if self.output_sources else None

    def to_service_dict(self) -> dict[str, object]:
        """The job in the service's own shape and names, as boto3 returns it.

        Fields and counts the service did not send are left out; time stamps
        stay ``datetime`` objects (UTC). ``model_validate`` reads the result
        back.
        """
        reply = super().to_service_dict()
        metrics = {
            _wire_name(name): count
            for name, count in self.metrics.model_dump().items()
            if count is not None
        }
        if metrics:
            reply["metrics"] = metrics
        if self.error_message is not None:
            reply["errorDetails"] = {"errorMessage": self.error_message}
        if self.output_sources:
            reply["outputSourceConfig"] = [
                {_wire_name(name): value for name, value in source.model_dump().items() if value}
                for source in self.output_sources
            ]
        return reply


class StartedJob(_ServiceShape, frozen=True):
    """The reply of ``StartMatchingJob``."""

    job_id: str


class MatchingJobsPage(_ServiceShape, frozen=True):
    """One page of a ``ListMatchingJobs`` reply."""

    jobs: tuple[MatchingJobSummary, ...] = ()
