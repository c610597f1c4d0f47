"""What a user's type checker infers from the public API (checked by mypy, never run)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta

from typing_extensions import assert_never, assert_type

from entityresolution_jobs import (
    AsyncEntityResolutionJobs,
    EntityResolutionError,
    EntityResolutionJobs,
    InvalidInputError,
    JobFailedError,
    JobMetrics,
    JobStatus,
    MatchingJob,
    MatchingJobSummary,
    OutputSource,
    ResourceNotFoundError,
    ServiceError,
    WaitTimeoutError,
)


def fields_are_typed(er: EntityResolutionJobs) -> None:
    job = er.get_matching_job("customers", "0123456789abcdef0123456789abcdef")
    assert_type(job, MatchingJob)
    assert_type(job.job_id, str)
    assert_type(job.status, JobStatus)
    assert_type(job.raw_status, str)
    assert_type(job.start_time, datetime)
    assert_type(job.end_time, datetime | None)
    assert_type(job.duration, timedelta | None)
    assert_type(job.is_terminal, bool)
    assert_type(job.metrics, JobMetrics)
    assert_type(job.metrics.input_records, int | None)
    assert_type(job.metrics.match_ids, int | None)
    assert_type(job.metrics.progress, float | None)
    assert_type(job.error_message, str | None)
    assert_type(job.output_sources, tuple[OutputSource, ...])
    assert_type(job.output_source, OutputSource | None)


def keyword_arguments_work(er: EntityResolutionJobs) -> MatchingJob:
    return er.get_matching_job(workflow_name="customers", job_id="0" * 32)


def every_status_is_handled(status: JobStatus) -> str:
    match status:
        case JobStatus.QUEUED | JobStatus.RUNNING:
            return "in progress"
        case JobStatus.SUCCEEDED:
            return "done"
        case JobStatus.FAILED:
            return "failed"
        case JobStatus.UNKNOWN:
            return "unknown"
        case _:
            assert_never(status)


def errors_are_typed(er: EntityResolutionJobs) -> None:
    try:
        er.get_matching_job("customers", "0" * 32)
    except ResourceNotFoundError as error:
        assert_type(error.code, str)
        assert_type(error.request_id, str | None)
        assert_type(error.http_status, int | None)
    except InvalidInputError as error:
        assert_type(error.parameter, str)
    except ServiceError as error:
        assert_type(error.message, str)
    except EntityResolutionError:
        pass


def models_can_be_built_in_tests(start: datetime) -> MatchingJob:
    return MatchingJob(job_id="0" * 32, status=JobStatus.RUNNING, start_time=start)


def context_manager(region: str) -> None:
    with EntityResolutionJobs(region_name=region) as er:
        assert_type(er, EntityResolutionJobs)


def the_lifecycle_is_typed(er: EntityResolutionJobs) -> None:
    job_id = er.start_matching_job("customers")
    assert_type(job_id, str)
    jobs = er.list_matching_jobs("customers")
    assert_type(jobs, Iterator[MatchingJobSummary])
    for summary in jobs:
        assert_type(summary.status, JobStatus)
        assert_type(summary.end_time, datetime | None)
    watch = er.watch_matching_job("customers", job_id, timeout=60.0, min_delay=1, max_delay=8)
    assert_type(watch, Iterator[MatchingJob])
    try:
        done = er.wait_for_matching_job(
            "customers", job_id, timeout=3600, on_update=lambda job: print(job.status)
        )
        assert_type(done, MatchingJob)
    except JobFailedError as error:
        assert_type(error.job, MatchingJob)
    except WaitTimeoutError as error:
        assert_type(error.job, MatchingJob | None)


def a_summary_list_accepts_full_jobs(job: MatchingJob) -> list[MatchingJobSummary]:
    return [job]


async def the_async_api_mirrors_the_sync_one(region: str) -> None:
    async with AsyncEntityResolutionJobs(region_name=region) as er:
        assert_type(er, AsyncEntityResolutionJobs)
        job = await er.get_matching_job("customers", "0" * 32)
        assert_type(job, MatchingJob)
        job_id = await er.start_matching_job("customers")
        assert_type(job_id, str)
        summaries = er.list_matching_jobs("customers")
        assert_type(summaries, AsyncIterator[MatchingJobSummary])
        async for summary in summaries:
            assert_type(summary.status, JobStatus)
        updates = er.watch_matching_job("customers", job_id, timeout=60)
        assert_type(updates, AsyncIterator[MatchingJob])
        done = await er.wait_for_matching_job("customers", job_id, on_update=print)
        assert_type(done, MatchingJob)
