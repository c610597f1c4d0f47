"""The two job kinds as the operators, sensors and trigger use them.

Each helper picks the kind's public method and hands on: the waiting rules
stay the library's. `WaitSettings` only carries a wait's arguments from a
task to its trigger; `check_wait_settings` checks them early with the
library's own check (`waiter_for`, as the clients do).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Literal, Protocol, TypedDict, Union

from pydantic_core import to_jsonable_python

from .._core import ID_MAPPING, MATCHING
from .._defaults import utc_now
from .._errors import IdMappingJobFailedError, JobFailedError, MatchingJobFailedError
from .._status import JobStatus
from .._waiting import waiter_for

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from .._aio import AsyncEntityResolutionJobs
    from .._client import EntityResolutionJobs
    from .._estimates import JobEstimate
    from .._models import IdMappingJob, IdMappingJobSummary, MatchingJob, MatchingJobSummary
    from ._hook import EntityResolutionHook
    from ._outcome import OutputFolderOf

JobKindName = Literal["matching", "id_mapping"]
"""Which kind of job: ``"matching"`` or ``"id_mapping"`` (as a trigger serializes it)."""

Job = Union["MatchingJob", "IdMappingJob"]
JobSummary = Union["MatchingJobSummary", "IdMappingJobSummary"]

IN_PROGRESS = frozenset({JobStatus.QUEUED, JobStatus.RUNNING})

JOB_TITLES: dict[JobKindName, str] = {"matching": MATCHING.noun, "id_mapping": ID_MAPPING.noun}


class WaitSettings(TypedDict):
    """A wait's arguments, keyword for keyword as the library's ``wait_for_*`` methods take them."""

    timeout: float
    min_delay: float
    max_delay: float | None
    expected_duration: float | None
    use_history: bool


class WaitOptions(Protocol):
    """The wait arguments a task or trigger keeps (its timeout aside)."""

    min_delay: float
    max_delay: float | None
    expected_duration: float | None
    use_history: bool


def wait_settings_of(options: WaitOptions, timeout: float) -> WaitSettings:
    """The settings of the wait ``options`` ask for, within ``timeout`` seconds."""
    return WaitSettings(
        timeout=timeout,
        min_delay=options.min_delay,
        max_delay=options.max_delay,
        expected_duration=options.expected_duration,
        use_history=options.use_history,
    )


def check_wait_settings(settings: WaitSettings) -> None:
    """Raise the library's `InvalidInputError` for a bad setting, before any request."""
    waiter_for(MATCHING, "-", "-", **settings, clock=time.monotonic, now=utc_now)


def get_job(jobs: EntityResolutionJobs, kind: JobKindName, workflow_name: str, job_id: str) -> Job:
    """The job's current state (one ``Get*Job`` request)."""
    if kind == "matching":
        return jobs.get_matching_job(workflow_name, job_id)
    return jobs.get_id_mapping_job(workflow_name, job_id)


def job_in_progress(
    jobs: EntityResolutionJobs, kind: JobKindName, workflow_name: str
) -> JobSummary | None:
    """The workflow's job that is QUEUED or RUNNING (the newest, if several), or None."""
    listed: Iterable[JobSummary] = (
        jobs.list_matching_jobs(workflow_name)
        if kind == "matching"
        else jobs.list_id_mapping_jobs(workflow_name)
    )
    in_progress = [job for job in listed if job.status in IN_PROGRESS]
    return max(in_progress, key=lambda job: job.start_time, default=None)


def wait_for_job(
    jobs: EntityResolutionJobs,
    kind: JobKindName,
    workflow_name: str,
    job_id: str,
    *,
    settings: WaitSettings,
    on_update: Callable[[Job], object],
    on_estimate: Callable[[JobEstimate], object],
) -> Job:
    """The library's wait, in the worker; raises as it does."""
    if kind == "matching":
        return jobs.wait_for_matching_job(
            workflow_name, job_id, **settings, on_update=on_update, on_estimate=on_estimate
        )
    return jobs.wait_for_id_mapping_job(
        workflow_name, job_id, **settings, on_update=on_update, on_estimate=on_estimate
    )


async def wait_for_job_async(
    jobs: AsyncEntityResolutionJobs,
    kind: JobKindName,
    workflow_name: str,
    job_id: str,
    *,
    settings: WaitSettings,
    on_update: Callable[[Job], object],
    on_estimate: Callable[[JobEstimate], object],
) -> Job:
    """The library's async wait, in the triggerer; raises as it does."""
    if kind == "matching":
        return await jobs.wait_for_matching_job(
            workflow_name, job_id, **settings, on_update=on_update, on_estimate=on_estimate
        )
    return await jobs.wait_for_id_mapping_job(
        workflow_name, job_id, **settings, on_update=on_update, on_estimate=on_estimate
    )


class InfoLog(Protocol):
    """What `ExpectedEndLog` needs of a task's or trigger's logger."""

    def info(self, message: str, /) -> object: ...


class ExpectedEndLog:
    """Logs a job's expected end when it first becomes known and when it moves by a tenth.

    A wait's ``on_estimate``, or a sensor's after each poke: so that a DAG
    run's log answers "when will it be done?".
    """

    def __init__(self, log: InfoLog, kind: JobKindName, job_id: str) -> None:
        self._log = log
        self._title = f"{JOB_TITLES[kind]} {job_id}"
        self._told: JobEstimate | None = None

    def __call__(self, estimate: JobEstimate) -> None:
        """Log ``estimate`` if it is news after the last one logged."""
        if estimate.moved(self._told):
            self._told = estimate
            self._log.info(f"{self._title}: {estimate.describe()}")


def job_document(job: Job) -> dict[str, object]:
    """The job as JSON data in the service's names (``jobId``, ``metrics``, ...).

    Time stamps become ISO 8601 text; ``MatchingJob.model_validate`` (or
    ``IdMappingJob``'s) reads the document back.
    """
    document: dict[str, object] = to_jsonable_python(job.to_service_dict())
    return document


def output_folder(
    jobs: EntityResolutionJobs,
    kind: JobKindName,
    workflow_name: str,
    document: Mapping[str, object],
) -> str:
    """Where a SUCCEEDED job (its XCom document) wrote its files: ``s3://bucket/.../JOB_ID/``.

    Found by the library's `get_job_output` (one S3 listing where the
    service writes, with the client's own S3 client: the hook's is the
    connection's); empty when the run wrote no files.
    """
    from .._models import IdMappingJob, MatchingJob  # noqa: PLC0415 - models load on first use

    job = (MatchingJob if kind == "matching" else IdMappingJob).model_validate(document)
    return jobs.get_job_output(job, workflow_name=workflow_name or None).folder or ""


def output_folder_of(hook: EntityResolutionHook, push: bool) -> OutputFolderOf | None:
    """How a task on ``hook`` finds a SUCCEEDED job's output folder; None if it ``push``es none.

    The hook's client is taken only when a folder is looked for: a task
    resuming on a FAILED job builds none.
    """
    if not push:
        return None
    return lambda kind, workflow, document: output_folder(hook.jobs, kind, workflow, document)


def describe(kind: JobKindName, job: Job) -> str:
    """One log line: the job, its state, and its progress or error."""
    line = f"{JOB_TITLES[kind]} {job.job_id} is {job.raw_status}"
    progress = job.metrics.progress
    if job.error_message:
        line += f": {job.error_message}"
    elif progress is not None:
        line += f" ({progress:.0%} of {job.metrics.input_records} input records)"
    return line


def failed_error(kind: JobKindName, workflow_name: str, job: Job) -> JobFailedError:
    """The error the library's wait raises for ``job`` ending FAILED."""
    failed = MatchingJobFailedError if kind == "matching" else IdMappingJobFailedError
    return failed(job, description=f"{JOB_TITLES[kind]} {job.job_id} of workflow {workflow_name}")
