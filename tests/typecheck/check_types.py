"""What a user's type checker infers from the public API (checked by mypy, never run)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from pathlib import Path

from typing_extensions import assert_never, assert_type

from entityresolution_jobs import (
    AsyncEntityResolutionJobs,
    EntityResolutionError,
    EntityResolutionJobs,
    EstimateBasis,
    IdMappingJob,
    IdMappingJobFailedError,
    IdMappingJobMetrics,
    IdMappingJobSummary,
    IdMappingJobType,
    IdMappingJobWaitTimeoutError,
    InvalidInputError,
    JobEstimate,
    JobFailedError,
    JobId,
    JobMetrics,
    JobNotSucceededError,
    JobOutput,
    JobRun,
    JobStatus,
    MatchingJob,
    MatchingJobFailedError,
    MatchingJobSummary,
    MatchingJobWaitTimeoutError,
    OutputFile,
    OutputNotFoundError,
    OutputSource,
    ResourceNotFoundError,
    ServiceError,
    WaitTimeoutError,
    WatchJobsError,
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
    assert_type(job.request_id, str | None)
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
    assert_type(job_id, JobId)
    assert_type(job_id.request_id, str | None)
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
        assert_type(job_id, JobId)
        summaries = er.list_matching_jobs("customers")
        assert_type(summaries, AsyncIterator[MatchingJobSummary])
        async for summary in summaries:
            assert_type(summary.status, JobStatus)
        updates = er.watch_matching_job("customers", job_id, timeout=60)
        assert_type(updates, AsyncIterator[MatchingJob])
        done = await er.wait_for_matching_job("customers", job_id, on_update=print)
        assert_type(done, MatchingJob)


def id_mapping_fields_are_typed(er: EntityResolutionJobs) -> None:
    job = er.get_id_mapping_job("customer-ids", "0" * 32)
    assert_type(job, IdMappingJob)
    assert_type(job.status, JobStatus)
    assert_type(job.end_time, datetime | None)
    assert_type(job.job_type, IdMappingJobType | None)
    assert_type(job.raw_job_type, str | None)
    assert_type(job.metrics, IdMappingJobMetrics)
    assert_type(job.metrics.total_mapped_records, int | None)
    assert_type(job.metrics.mapped_target_records_removed, int | None)
    assert_type(job.metrics.progress, float | None)
    assert_type(job.output_source, OutputSource | None)
    assert_type(job.duration, timedelta | None)


def the_id_mapping_lifecycle_is_typed(er: EntityResolutionJobs, output: OutputSource) -> None:
    job_id = er.start_id_mapping_job(
        "arn:aws:entityresolution:us-east-1:111122223333:idmappingworkflow/shared",
        job_type=IdMappingJobType.INCREMENTAL,
        output_source=output,
    )
    assert_type(job_id, JobId)
    assert_type(er.list_id_mapping_jobs("ids"), Iterator[IdMappingJobSummary])
    assert_type(er.watch_id_mapping_job("ids", job_id, timeout=60), Iterator[IdMappingJob])
    done = er.wait_for_id_mapping_job("ids", job_id, on_update=lambda j: print(j.job_type))
    assert_type(done, IdMappingJob)


def every_job_type_is_handled(job_type: IdMappingJobType) -> str:
    match job_type:
        case IdMappingJobType.BATCH | IdMappingJobType.INCREMENTAL:
            return "maps"
        case IdMappingJobType.DELETE_ONLY:
            return "deletes"
        case IdMappingJobType.UNKNOWN:
            return "unknown"
        case _:
            assert_never(job_type)


def each_kinds_error_gives_its_job_exactly(er: EntityResolutionJobs) -> None:
    try:
        er.wait_for_id_mapping_job("ids", "0" * 32)
        er.wait_for_matching_job("customers", "0" * 32)
    except IdMappingJobFailedError as error:
        assert_type(error.job, IdMappingJob)
    except MatchingJobFailedError as error:
        assert_type(error.job, MatchingJob)
    except IdMappingJobWaitTimeoutError as error:
        assert_type(error.job, IdMappingJob | None)
    except MatchingJobWaitTimeoutError as error:
        assert_type(error.job, MatchingJob | None)


def one_handler_catches_both_kinds(er: EntityResolutionJobs) -> None:
    try:
        er.wait_for_id_mapping_job("ids", "0" * 32)
    except JobFailedError as error:  # either kind; what every job has
        print(error.job.job_id, error.job.error_message, error.job.metrics.progress)
    except WaitTimeoutError as error:
        print(error.job.status if error.job is not None else None)


def id_mapping_summaries_and_matching_ones_are_apart(job: IdMappingJob) -> IdMappingJobSummary:
    return job


async def the_async_id_mapping_api_mirrors_the_sync_one(er: AsyncEntityResolutionJobs) -> None:
    job = await er.get_id_mapping_job("ids", "0" * 32)
    assert_type(job, IdMappingJob)
    job_id = await er.start_id_mapping_job("ids", job_type=IdMappingJobType.BATCH)
    assert_type(er.list_id_mapping_jobs("ids"), AsyncIterator[IdMappingJobSummary])
    assert_type(er.watch_id_mapping_job("ids", job_id), AsyncIterator[IdMappingJob])
    assert_type(await er.wait_for_id_mapping_job("ids", job_id), IdMappingJob)


def many_jobs_are_typed(er: EntityResolutionJobs, pairs: list[tuple[str, str]]) -> None:
    watch = er.watch_matching_jobs(pairs, max_rate=10, timeout=3600, on_update=print)
    assert_type(watch, Iterator[MatchingJob])
    assert_type(er.watch_id_mapping_jobs(pairs), Iterator[IdMappingJob])
    try:
        for job in watch:
            assert_type(job.status, JobStatus)
    except WatchJobsError as error:
        assert_type(error.errors, dict[tuple[str, str], EntityResolutionError])


def planned_waits_are_typed(er: EntityResolutionJobs) -> MatchingJob:
    return er.wait_for_matching_job(
        "customers", "0" * 32, expected_duration=6 * 3600, use_history=False, max_delay=None
    )


async def async_many_jobs_are_typed(
    er: AsyncEntityResolutionJobs, pairs: list[tuple[str, str]]
) -> None:
    assert_type(er.watch_matching_jobs(pairs), AsyncIterator[MatchingJob])
    assert_type(er.watch_id_mapping_jobs(pairs, max_rate=2), AsyncIterator[IdMappingJob])


def a_jobs_output_is_typed(er: EntityResolutionJobs, ids: IdMappingJob) -> None:
    job = er.wait_for_matching_job("customers", er.start_matching_job("customers"))
    output = er.get_job_output(job)
    assert_type(output, JobOutput)
    assert_type(er.get_job_output(ids, partial=True), JobOutput)
    assert_type(output.success, tuple[OutputFile, ...])
    assert_type(output.folder, str | None)
    assert_type(output.total_size, int)
    assert_type(output.empty, bool)
    assert_type(job.workflow_name, str | None)
    assert_type(output.errors[0].etag, str | None)
    assert_type(er.get_job_output(job, workflow_name="customers"), JobOutput)
    assert_type(output.errors[0].last_modified, datetime)
    assert_type(er.iter_output_records(output, errors=True), Iterator[dict[str, str]])
    paths = er.download_job_output(output, "out", on_progress=lambda part, n: print(part.key, n))
    assert_type(paths[0].name, str)
    try:
        er.get_job_output(job)
    except JobNotSucceededError as error:
        assert_type(error.job, MatchingJob | IdMappingJob)
    except OutputNotFoundError as error:
        assert_type(error.locations, tuple[str, ...])


async def the_async_output_api_mirrors_the_sync_one(er: AsyncEntityResolutionJobs) -> None:
    output = await er.get_job_output(await er.get_matching_job("customers", "0" * 32))
    assert_type(output, JobOutput)
    assert_type(er.iter_output_records(output), AsyncIterator[dict[str, str]])
    assert_type(await er.download_job_output(output, "out"), list[Path])


def an_estimate_is_typed(er: EntityResolutionJobs, job: MatchingJob, ids: IdMappingJob) -> None:
    estimate = er.estimate_job_end("customers", job)
    assert_type(estimate, JobEstimate)
    assert_type(er.estimate_job_end("customer-ids", ids, expected_duration=600), JobEstimate)
    assert_type(estimate.expected_end, datetime | None)
    assert_type(estimate.basis, EstimateBasis)
    assert_type(estimate.remaining, timedelta | None)
    er.wait_for_matching_job("customers", job.job_id, on_estimate=lambda e: print(e.latest))
    for state in er.watch_matching_job("customers", job.job_id, on_estimate=print):
        assert_type(state, MatchingJob)
    for ended in er.watch_id_mapping_jobs([("ids", ids.job_id)], on_estimate=lambda e: e.job_id):
        assert_type(ended, IdMappingJob)
    runs = er.job_history("customers", last=5)
    assert_type(runs, list[JobRun])
    assert_type(runs[0].records_per_second, float | None)


async def an_async_estimate_is_typed(er: AsyncEntityResolutionJobs, job: MatchingJob) -> None:
    assert_type(await er.estimate_job_end("customers", job), JobEstimate)
