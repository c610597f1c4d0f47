"""The two job kinds as the operators, sensors and trigger use them.

Each helper picks the kind's public method and hands on: the waiting rules
stay the library's. `WaitSettings` only carries a wait's arguments from a
task to its trigger, and checks them early with the library's own check
(`waiter_for`, as the clients do).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Union

from pydantic_core import to_jsonable_python

from .._core import ID_MAPPING, MATCHING
from .._errors import IdMappingJobFailedError, JobFailedError, MatchingJobFailedError
from .._waiting import DEFAULT_MIN_DELAY, DEFAULT_TIMEOUT, utc_now, waiter_for

if TYPE_CHECKING:
    from collections.abc import Callable

    from .._aio import AsyncEntityResolutionJobs
    from .._client import EntityResolutionJobs
    from .._models import IdMappingJob, MatchingJob

JobKindName = Literal["matching", "id_mapping"]
"""Which kind of job: ``"matching"`` or ``"id_mapping"`` (as a trigger serializes it)."""

Job = Union["MatchingJob", "IdMappingJob"]

JOB_TITLES: dict[JobKindName, str] = {"matching": MATCHING.noun, "id_mapping": ID_MAPPING.noun}


@dataclass(frozen=True)
class WaitSettings:
    """A wait's arguments, as `EntityResolutionJobs.wait_for_matching_job` takes them."""

    timeout: float = DEFAULT_TIMEOUT
    min_delay: float = DEFAULT_MIN_DELAY
    max_delay: float | None = None
    expected_duration: float | None = None
    use_history: bool = True

    def check(self) -> None:
        """Raise the library's `InvalidInputError` for a bad setting, before any request."""
        waiter_for(
            MATCHING, "-", "-", timeout=self.timeout, min_delay=self.min_delay,
            max_delay=self.max_delay, expected_duration=self.expected_duration,
            use_history=self.use_history, clock=time.monotonic, now=utc_now,
        )  # fmt: skip


def get_job(jobs: EntityResolutionJobs, kind: JobKindName, workflow_name: str, job_id: str) -> Job:
    """The job's current state (one ``Get*Job`` request)."""
    if kind == "matching":
        return jobs.get_matching_job(workflow_name, job_id)
    return jobs.get_id_mapping_job(workflow_name, job_id)


def wait_for_job(
    jobs: EntityResolutionJobs,
    kind: JobKindName,
    workflow_name: str,
    job_id: str,
    *,
    settings: WaitSettings,
    on_update: Callable[[Job], object],
) -> Job:
    """The library's wait, in the worker; raises as it does."""
    if kind == "matching":
        return jobs.wait_for_matching_job(
            workflow_name, job_id, timeout=settings.timeout, min_delay=settings.min_delay,
            max_delay=settings.max_delay, expected_duration=settings.expected_duration,
            use_history=settings.use_history, on_update=on_update,
        )  # fmt: skip
    return jobs.wait_for_id_mapping_job(
        workflow_name, job_id, timeout=settings.timeout, min_delay=settings.min_delay,
        max_delay=settings.max_delay, expected_duration=settings.expected_duration,
        use_history=settings.use_history, on_update=on_update,
    )  # fmt: skip


async def wait_for_job_async(
    jobs: AsyncEntityResolutionJobs,
    kind: JobKindName,
    workflow_name: str,
    job_id: str,
    *,
    settings: WaitSettings,
    on_update: Callable[[Job], object],
) -> Job:
    """The library's async wait, in the triggerer; raises as it does."""
    if kind == "matching":
        return await jobs.wait_for_matching_job(
            workflow_name, job_id, timeout=settings.timeout, min_delay=settings.min_delay,
            max_delay=settings.max_delay, expected_duration=settings.expected_duration,
            use_history=settings.use_history, on_update=on_update,
        )  # fmt: skip
    return await jobs.wait_for_id_mapping_job(
        workflow_name, job_id, timeout=settings.timeout, min_delay=settings.min_delay,
        max_delay=settings.max_delay, expected_duration=settings.expected_duration,
        use_history=settings.use_history, on_update=on_update,
    )  # fmt: skip


def job_document(job: Job) -> dict[str, object]:
    """The job as JSON data in the service's names (``jobId``, ``metrics``, ...).

    Time stamps become ISO 8601 text; ``MatchingJob.model_validate`` (or
    ``IdMappingJob``'s) reads the document back.
    """
    document: dict[str, object] = to_jsonable_python(job.to_service_dict())
    return document


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
