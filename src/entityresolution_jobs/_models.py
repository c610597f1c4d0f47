"""Typed, immutable models of what the service returns about its jobs.

The models validate either the service's wire names, exactly as boto3
returns them, or their own field names (``model_dump()`` output, keyword
construction): ``MatchingJob.model_validate(boto3_reply)`` works on a reply
from any boto3 client, and ``IdMappingJob`` likewise.

Matching and ID mapping jobs share their summary fields (`_JobSummary`) and
their details (`_Job`: metrics, error, output); each kind adds its own
metrics model and, for ID mapping jobs, the job type.

The hot path does no Python work pydantic-core can do itself: wire names are
validation aliases, an unknown status or job type maps to ``UNKNOWN``
through the enum's ``_missing_``, and only the UTC normalisation calls back into Python.
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
from pydantic.version import VERSION as PYDANTIC_VERSION

from ._status import IdMappingJobType, JobStatus

__all__ = [
    "IdMappingJob",
    "IdMappingJobMetrics",
    "IdMappingJobSummary",
    "JobId",
    "JobMetrics",
    "MatchingJob",
    "MatchingJobSummary",
    "OutputSource",
]


# Where a model read from a reply keeps that reply's request id: in the
# instance's __dict__ under a name that is no field, so that pydantic's
# equality, hashing, model_dump() and JSON (which go by the fields) leave it out.
REQUEST_ID_KEY = "_request_id"
# Likewise the workflow a job was read from, as the request named it.
WORKFLOW_KEY = "_workflow_name"


class JobId(str):
    """A started job's id: a ``str``, with the request id of the reply that started it.

    It compares, hashes and serializes as the plain id; ``request_id`` is
    the ``x-amzn-RequestId`` of the start request (``None`` when the reply
    had none, as a Stubber's canned reply).

    Example:
        ```python
        job_id = er.start_matching_job("customers")
        log.info("started %s (request id %s)", job_id, job_id.request_id)
        ```
    """

    request_id: str | None

    def __new__(cls, job_id: str, request_id: str | None = None) -> JobId:
        """Return ``job_id`` carrying ``request_id``."""
        self = super().__new__(cls, job_id)
        self.request_id = request_id
        return self

    def __reduce__(self) -> tuple[object, ...]:
        return (JobId, (str(self), self.request_id))


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

_PYDANTIC = tuple(int(part) for part in PYDANTIC_VERSION.split(".")[:2])
_DEFERRED_BUILD_WORKS = _PYDANTIC >= (2, 14)

# Wire names that are not the camelCase form of our field names.
_WIRE_NAMES = {"match_ids": "matchIDs", "kms_arn": "KMSArn", "output_sources": "outputSourceConfig"}


def _wire_name(name: str) -> str:
    return _WIRE_NAMES.get(name) or to_camel(name)


class _ServiceShape(
    BaseModel,
    # Only validation aliases: type checkers keep our names in __init__.
    alias_generator=AliasGenerator(validation_alias=_wire_name),
    # Fields validate by the service's name or by our own (round trips).
    # pydantic 2.11 also names this validate_by_alias + validate_by_name, which
    # pydantic 2.8 to 2.10 (MWAA's Airflow 2.10 pins them) do not know; this
    # older name means the same on every 2.x, without a warning.
    populate_by_name=True,
    extra="ignore",
    frozen=True,
    # model_dump() writes every field, defaults too: the JSON schema of the
    # output (a FastAPI response model, say) marks them all required.
    json_schema_serialization_defaults_required=True,
    # Each model's validator is built on its first use, not with the class:
    # a process that reads one matching job builds no ID mapping or list
    # models (a third of this module's import). Before pydantic 2.14 a
    # deferred model nothing had built yet broke pydantic-core's serializing
    # by type inference (Any fields, to_json), so there they are built at once.
    defer_build=_DEFERRED_BUILD_WORKS,
):
    """Base of the models: immutable, and read from wire or field names."""


class _Counts(_ServiceShape, frozen=True):
    """The record counts both kinds of job report, and the progress they imply."""

    input_records: int | None = None
    total_records_processed: int | None = None
    records_not_processed: int | None = None
    delete_records_processed: int | None = None

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


class JobMetrics(_Counts, frozen=True):
    """Record counts of a matching job; ``None`` where the service did not report one.

    A count newer than the botocore in use reads as ``None`` too: botocore
    keeps only the members its model has (the version is given below).

    Attributes:
        input_records: Records read from the input sources.
        total_records_processed: Records processed so far.
        records_not_processed: Records that could not be processed.
        delete_records_processed: Delete requests processed (botocore >= 1.40.37).
        match_ids: Match ids generated.
    """

    match_ids: int | None = None


class IdMappingJobMetrics(_Counts, frozen=True):
    """Record counts of an ID mapping job; ``None`` where the service did not report one.

    "Source" and "target" are the two sides of the mapping; "new" counts
    are this run's additions, "removed" ones its removals. A count newer
    than the botocore in use reads as ``None`` (its first botocore is given).

    Attributes:
        input_records: Records read from the input sources.
        total_records_processed: Records processed so far.
        records_not_processed: Records that could not be processed.
        delete_records_processed: Delete requests processed (botocore >= 1.40.37).
        total_mapped_records: Records mapped, in all.
        total_mapped_source_records: Source records mapped.
        total_mapped_target_records: Target records mapped.
        unique_records_loaded: Distinct records loaded (botocore >= 1.37.34).
        new_mapped_records: Records newly mapped by this run (botocore >= 1.40.37).
        new_mapped_source_records: Source records newly mapped (botocore >= 1.40.37).
        new_mapped_target_records: Target records newly mapped (botocore >= 1.40.37).
        new_unique_records_loaded: Distinct records newly loaded (botocore >= 1.40.37).
        mapped_records_removed: Mapped records removed by this run (botocore >= 1.40.37).
        mapped_source_records_removed: Mapped source records removed (botocore >= 1.40.37).
        mapped_target_records_removed: Mapped target records removed (botocore >= 1.40.37).
    """

    total_mapped_records: int | None = None
    total_mapped_source_records: int | None = None
    total_mapped_target_records: int | None = None
    unique_records_loaded: int | None = None
    new_mapped_records: int | None = None
    new_mapped_source_records: int | None = None
    new_mapped_target_records: int | None = None
    new_unique_records_loaded: int | None = None
    mapped_records_removed: int | None = None
    mapped_source_records_removed: int | None = None
    mapped_target_records_removed: int | None = None


class OutputSource(_ServiceShape, frozen=True):
    """Where a job writes its output.

    Attributes:
        role_arn: The IAM role the service assumed to write the output.
        output_s3_path: The S3 location of the output (``s3://bucket/prefix``).
        kms_arn: The KMS key the output is encrypted with, if any.
    """

    role_arn: str
    output_s3_path: str
    kms_arn: str | None = None

    def to_service_dict(self) -> dict[str, object]:
        """The output location in the service's names (``roleArn``, ...), unset ones left out."""
        return {_wire_name(name): value for name, value in self.model_dump().items() if value}


class _JobSummary(_ServiceShape, frozen=True):
    """What every job has, as the List*Jobs operations list it."""

    job_id: str
    status: JobStatus
    # The service sends one "status" field: it fills both of these. The
    # default is never used (status is required); it lets a type checker
    # accept MatchingJob(status=...) without raw_status.
    raw_status: str = Field(default="", validation_alias=AliasChoices("raw_status", "status"))
    start_time: UtcDatetime
    end_time: UtcDatetime | None = None

    @property
    def request_id(self) -> str | None:
        """The request id (``x-amzn-RequestId``) of the service reply this was read from.

        The handle AWS support asks for, and what a log line about this
        read should carry. Not a field: two reads of the same state compare
        equal, and ``model_dump()`` and JSON are the job alone. ``None`` for
        a model built otherwise (keyword arguments, ``model_validate``, a
        reply without one, as a Stubber's).
        """
        found: str | None = self.__dict__.get(REQUEST_ID_KEY)
        return found

    @property
    def workflow_name(self) -> str | None:
        """The workflow this job was read from, as the request named it (a name or an ARN).

        Set on every job and summary the library reads (get, wait, watch,
        list), so that ``get_job_output`` looks where the service writes
        first. Not a field, as `request_id`: ``None`` for a model built
        otherwise (keyword arguments, ``model_validate``, JSON).
        """
        found: str | None = self.__dict__.get(WORKFLOW_KEY)
        return found

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


class MatchingJobSummary(_JobSummary, frozen=True):
    """A matching job as ``ListMatchingJobs`` lists it: id, status and times.

    Attributes:
        job_id: The job's id (32 hexadecimal characters).
        status: The job's state; ``UNKNOWN`` for a status this version does
            not know.
        raw_status: The status text exactly as the service sent it.
        start_time: When the job started (UTC).
        end_time: When the job ended (UTC), or ``None`` while it runs.
    """


class IdMappingJobSummary(_JobSummary, frozen=True):
    """An ID mapping job as ``ListIdMappingJobs`` lists it: id, status and times.

    The same fields and conveniences as `MatchingJobSummary` (``job_id``,
    ``status``, ``raw_status``, ``start_time``, ``end_time``,
    ``is_terminal``, ``duration``); a distinct class, so that summaries of
    the two kinds do not mix.
    """


class _Job(_JobSummary, frozen=True):
    """What every job adds to its summary: metrics, error and output location."""

    metrics: _Counts = Field(default_factory=_Counts)
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
                source.to_service_dict() for source in self.output_sources
            ]
        return reply


class MatchingJob(_Job, MatchingJobSummary, frozen=True):
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


class IdMappingJob(_Job, IdMappingJobSummary, frozen=True):
    """One ID mapping job, as ``GetIdMappingJob`` describes it.

    Everything an `IdMappingJobSummary` has, and the job's metrics, error,
    output location and type. Construct it from keyword arguments
    (``raw_status`` and ``raw_job_type`` follow ``status`` and
    ``job_type``), from `model_dump` output, or from a boto3
    ``get_id_mapping_job`` reply as it is.

    Attributes:
        metrics: The job's 15 record counts; always present, with ``None``
            for counts not reported.
        error_message: Why the job failed, when it did.
        output_sources: Where the job writes its output (the service sends
            at most one).
        job_type: ``BATCH``, ``INCREMENTAL`` or ``DELETE_ONLY``; ``UNKNOWN``
            for a type this version does not know; ``None`` if not sent, or
            read with a botocore before 1.40.37 (whose model lacks it).
        raw_job_type: The job type exactly as the service sent it.

    Example:
        ```python
        job = er.get_id_mapping_job("customer-ids", job_id)
        if job.status is JobStatus.SUCCEEDED:
            print(job.job_type, job.metrics.total_mapped_records)
        ```
    """

    metrics: IdMappingJobMetrics = Field(default_factory=IdMappingJobMetrics)
    job_type: IdMappingJobType | None = None
    # Filled from the one "jobType" field, as raw_status is from "status".
    raw_job_type: str | None = Field(
        default=None, validation_alias=AliasChoices("raw_job_type", "jobType", "job_type")
    )

    def to_service_dict(self) -> dict[str, object]:
        """The job in the service's own shape and names, as boto3 returns it.

        As `MatchingJob.to_service_dict`, with ``jobType`` when the job has one.
        """
        reply = super().to_service_dict()
        if self.raw_job_type is not None:
            reply["jobType"] = self.raw_job_type
        return reply


class StartedJob(_ServiceShape, frozen=True):
    """The reply of ``StartMatchingJob`` and ``StartIdMappingJob``: the new job's id."""

    job_id: str


class WorkflowOutputPlace(_ServiceShape, frozen=True):
    """One output location of a workflow; empty when it writes to Customer Profiles."""

    output_s3_path: str = ""


class WorkflowOutput(_ServiceShape, frozen=True):
    """What ``GetMatchingWorkflow`` and ``GetIdMappingWorkflow`` say about where runs write."""

    output_sources: tuple[WorkflowOutputPlace, ...] = ()


class MatchingJobsPage(_ServiceShape, frozen=True):
    """One page of a ``ListMatchingJobs`` reply."""

    jobs: tuple[MatchingJobSummary, ...] = ()


class IdMappingJobsPage(_ServiceShape, frozen=True):
    """One page of a ``ListIdMappingJobs`` reply."""

    jobs: tuple[IdMappingJobSummary, ...] = ()
