"""Typed, immutable models of what the service returns about matching jobs.

The models validate either their own field names (``model_dump()`` output,
keyword construction) or the service's wire names exactly as boto3 returns
them, so ``MatchingJob.model_validate(boto3_reply)`` works on a reply from
any boto3 client.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Annotated

from pydantic import (
    AfterValidator,
    AliasChoices,
    AliasPath,
    BaseModel,
    ConfigDict,
    Field,
    model_validator,
)

__all__ = ["JobMetrics", "JobStatus", "MatchingJob", "OutputSource"]


class JobStatus(str, Enum):
    """The state of a matching job.

    ``UNKNOWN`` stands for any status this version of the library does not
    know (AWS adds values); the service's own text is kept in
    :attr:`MatchingJob.raw_status`. Parsing never fails on a new status.

    Example:
        ```python
        match job.status:
            case JobStatus.QUEUED | JobStatus.RUNNING:
                ...
            case JobStatus.SUCCEEDED:
                ...
            case JobStatus.FAILED:
                ...
            case JobStatus.UNKNOWN:
                ...
            case _:
                assert_never(job.status)
        ```
    """

    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    UNKNOWN = "UNKNOWN"

    @classmethod
    def from_service(cls, raw_status: str) -> JobStatus:
        """Return the member for a status string the service sent, or ``UNKNOWN``."""
        return _STATUS_BY_TEXT.get(raw_status, cls.UNKNOWN)

    @property
    def is_terminal(self) -> bool:
        """Whether a job in this state will not change again (SUCCEEDED or FAILED)."""
        return self is JobStatus.SUCCEEDED or self is JobStatus.FAILED


_STATUS_BY_TEXT = {
    member.value: member for member in JobStatus if member is not JobStatus.UNKNOWN
}


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

_FROZEN = ConfigDict(frozen=True, extra="ignore", strict=False)


def _wire(name: str, wire_name: str) -> AliasChoices:
    # Accept our own field name first (round trips), then the service's.
    return AliasChoices(name, wire_name)


_Count = Annotated[int | None, Field(strict=True)]


class JobMetrics(BaseModel):
    """Record counts of a matching job; ``None`` where the service did not report one.

    Attributes:
        input_records: Records read from the input sources.
        total_records_processed: Records processed so far.
        records_not_processed: Records that could not be processed.
        delete_records_processed: Delete requests processed.
        match_ids: Match ids generated.
    """

    model_config = _FROZEN

    input_records: _Count = Field(None, validation_alias=_wire("input_records", "inputRecords"))
    total_records_processed: _Count = Field(
        None, validation_alias=_wire("total_records_processed", "totalRecordsProcessed")
    )
    records_not_processed: _Count = Field(
        None, validation_alias=_wire("records_not_processed", "recordsNotProcessed")
    )
    delete_records_processed: _Count = Field(
        None, validation_alias=_wire("delete_records_processed", "deleteRecordsProcessed")
    )
    match_ids: _Count = Field(None, validation_alias=_wire("match_ids", "matchIDs"))

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


class OutputSource(BaseModel):
    """Where a matching job writes its output.

    Attributes:
        role_arn: The IAM role the service assumed to write the output.
        output_s3_path: The S3 location of the output (``s3://bucket/prefix``).
        kms_arn: The KMS key the output is encrypted with, if any.
    """

    model_config = _FROZEN

    role_arn: str = Field(validation_alias=_wire("role_arn", "roleArn"))
    output_s3_path: str = Field(validation_alias=_wire("output_s3_path", "outputS3Path"))
    kms_arn: str | None = Field(None, validation_alias=_wire("kms_arn", "KMSArn"))


_NO_METRICS = JobMetrics()


class MatchingJob(BaseModel):
    """One matching job, as ``GetMatchingJob`` describes it.

    Construct it from keyword arguments (``status`` alone is enough; the raw
    status is filled in), from :meth:`model_dump` output, or from a boto3
    ``get_matching_job`` reply as it is.

    Attributes:
        job_id: The job's id (32 hexadecimal characters).
        status: The job's state; ``UNKNOWN`` for a status this version does
            not know.
        raw_status: The status text exactly as the service sent it.
        start_time: When the job started (UTC).
        end_time: When the job ended (UTC), or ``None`` while it runs.
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

    model_config = _FROZEN

    job_id: str = Field(validation_alias=_wire("job_id", "jobId"))
    status: JobStatus
    raw_status: str
    start_time: UtcDatetime = Field(validation_alias=_wire("start_time", "startTime"))
    end_time: UtcDatetime | None = Field(None, validation_alias=_wire("end_time", "endTime"))
    metrics: JobMetrics = _NO_METRICS
    error_message: str | None = Field(
        None,
        validation_alias=AliasChoices("error_message", AliasPath("errorDetails", "errorMessage")),
    )
    output_sources: tuple[OutputSource, ...] = Field(
        (), validation_alias=_wire("output_sources", "outputSourceConfig")
    )

    @model_validator(mode="before")
    @classmethod
    def _fill_status(cls, data: object) -> object:
        # One of status / raw_status gives the other: the service sends only
        # "status", as free text; a caller may give only the enum member.
        if isinstance(data, dict) and "raw_status" not in data:
            status = data.get("status")
            if isinstance(status, str):
                raw = status.value if isinstance(status, JobStatus) else status
                return {**data, "raw_status": raw, "status": JobStatus.from_service(raw)}
        return data

    @model_validator(mode="after")
    def _check_status(self) -> MatchingJob:
        if JobStatus.from_service(self.raw_status) is not self.status:
            raise ValueError(
                f"status {self.status.value} contradicts raw_status {self.raw_status!r}"
            )
        return self

    @property
    def is_terminal(self) -> bool:
        """Whether the job has ended (SUCCEEDED or FAILED) and will not change again."""
        return self.status.is_terminal

    @property
    def duration(self) -> timedelta | None:
        """How long the job ran, from start to end; ``None`` while it runs."""
        return None if self.end_time is None else self.end_time - self.start_time

    @property
    def output_source(self) -> OutputSource | None:
        """The job's output location (the first of :attr:`output_sources`), if any."""
        return self.output_sources[0] if self.output_sources else None
