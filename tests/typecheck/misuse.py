"""Mistakes a type checker must catch; the comment on each names part of the mypy error.

tests/test_typing.py runs mypy on this file and checks that exactly these
lines fail, each for the reason given.
"""

from __future__ import annotations

from datetime import datetime

import boto3
from aiobotocore.session import AioSession
from typing_extensions import assert_never

from entityresolution_jobs import (
    AsyncEntityResolutionJobs,
    EntityResolutionJobs,
    IdMappingJob,
    IdMappingJobFailedError,
    IdMappingJobSummary,
    IdMappingJobType,
    IdMappingJobWaitTimeoutError,
    JobStatus,
    MatchingJob,
    MatchingJobFailedError,
    MatchingJobSummary,
    ThrottlingError,
    WaitTimeoutError,
)


def misuse(er: EntityResolutionJobs, start: datetime) -> None:
    er.get_matching_job(123, "0" * 32)  # E: incompatible type "int"
    er.get_matching_job("customers")  # E: Missing positional argument "job_id"
    er.get_matching_job("customers", job="x")  # E: Unexpected keyword argument "job"
    EntityResolutionJobs(region="us-east-1")  # E: Unexpected keyword argument "region"
    job = er.get_matching_job("customers", "0" * 32)
    job.status = JobStatus.FAILED  # E: read-only
    print(job.metrics.match_ids + 1)  # E: Unsupported operand types for + ("None" and "int")
    print(job.end_time - job.start_time)  # E: Unsupported left operand type for - ("None")
    print(job.end_time.isoformat())  # E: Item "None" of "datetime | None"
    print(JobStatus.PAUSED)  # E: "type[JobStatus]" has no attribute "PAUSED"
    print(job.state)  # E: "MatchingJob" has no attribute "state"
    try:
        pass
    except ThrottlingError as error:
        print(error.retry_after)  # E: "ThrottlingError" has no attribute "retry_after"


def forgets_unknown(status: JobStatus) -> str:
    match status:
        case JobStatus.QUEUED | JobStatus.RUNNING:
            return "in progress"
        case JobStatus.SUCCEEDED | JobStatus.FAILED:
            return "ended"
        case _:
            assert_never(status)  # E: incompatible type "Literal[JobStatus.UNKNOWN]"


def lifecycle_misuse(er: EntityResolutionJobs, summary: MatchingJobSummary) -> None:
    er.wait_for_matching_job("customers", "0" * 32, timeout="1h")  # E: incompatible type "str"
    er.wait_for_matching_job("customers", "0" * 32, 60.0)  # E: Too many positional arguments
    er.wait_for_matching_job("customers", "0" * 32, on_update=print_status)  # E: "on_update"
    er.list_matching_jobs("customers")[0]  # E: Value of type "Iterator[MatchingJobSummary]"
    print(summary.metrics)  # E: "MatchingJobSummary" has no attribute "metrics"
    print(er.start_matching_job("customers") + 1)  # E: Unsupported operand types for +
    try:
        pass
    except WaitTimeoutError as error:
        print(error.job.status)  # E: Item "None" of "MatchingJob | None"


def print_status(status: JobStatus) -> None:
    print(status)


def session_misuse(boto3_session: boto3.session.Session, aio_session: AioSession) -> None:
    # An AioSession is a botocore Session to type checkers: refused at run time instead.
    EntityResolutionJobs(session=aio_session)
    AsyncEntityResolutionJobs(session=boto3_session)  # E: incompatible type "Session"


async def async_misuse(er: AsyncEntityResolutionJobs) -> None:
    job = er.get_matching_job("customers", "0" * 32)
    print(job.status)  # E: "Coroutine[Any, Any, MatchingJob]" has no attribute "status"
    summaries = er.list_matching_jobs("customers")
    for summary in summaries:  # E: has no attribute "__iter__"
        print(summary)
    await er.wait_for_matching_job("customers", "0" * 32, sleep=lambda s: None)  # E: "sleep"


def id_mapping_misuse(er: EntityResolutionJobs, summary: IdMappingJobSummary) -> None:
    job = er.get_id_mapping_job("ids", "0" * 32)
    print(job.metrics.match_ids)  # E: "IdMappingJobMetrics" has no attribute "match_ids"
    print(job.job_type.value)  # E: Item "None" of "IdMappingJobType | None"
    print(job.metrics.total_mapped_records + 1)  # E: Unsupported operand types for +
    er.start_id_mapping_job("ids", "BATCH")  # E: Too many positional arguments
    er.start_id_mapping_job("ids", job_type="BATCH")  # E: incompatible type "str"
    er.start_id_mapping_job("ids", output_source={"roleArn": "r"})  # E: incompatible type "dict
    er.wait_for_id_mapping_job("ids", "0" * 32, on_update=print_matching)  # E: "on_update"
    print(summary.job_type)  # E: "IdMappingJobSummary" has no attribute "job_type"
    print(IdMappingJobType.NIGHTLY)  # E: "type[IdMappingJobType]" has no attribute "NIGHTLY"


def kinds_do_not_mix(er: EntityResolutionJobs, matching: MatchingJob) -> None:
    mapping: IdMappingJob = er.get_matching_job("customers", "0" * 32)  # E: Incompatible types
    found = er.list_id_mapping_jobs("ids")
    summaries: list[MatchingJobSummary] = list(found)  # E: "Iterator[IdMappingJobSummary]"
    print(mapping, summaries, matching.job_type)  # E: "MatchingJob" has no attribute "job_type"


def error_kinds_misuse(er: EntityResolutionJobs) -> None:
    try:
        er.wait_for_id_mapping_job("ids", "0" * 32)
    except IdMappingJobFailedError as error:
        print(error.job.metrics.match_ids)  # E: "IdMappingJobMetrics" has no attribute
    except MatchingJobFailedError as error:
        print(error.job.job_type)  # E: "MatchingJob" has no attribute "job_type"
    except IdMappingJobWaitTimeoutError as error:
        print(error.job.job_type)  # E: Item "None" of "IdMappingJob | None"


def print_matching(job: MatchingJob) -> None:
    print(job)


def planning_misuse(er: EntityResolutionJobs) -> None:
    er.wait_for_matching_job("w", "0" * 32, expected_duration="6h")  # E: incompatible type "str"
    er.watch_matching_jobs(["customers"])  # E: List item 0 has incompatible type "str"
    er.watch_matching_jobs([("w", "0" * 32)], max_rate=2.5)  # E: incompatible type "float"
    for job in er.watch_id_mapping_jobs([("w", "0" * 32)]):
        print(job.metrics.match_ids)  # E: "IdMappingJobMetrics" has no attribute "match_ids"


def output_misuse(er: EntityResolutionJobs, summary: MatchingJobSummary) -> None:
    er.get_job_output("0" * 32)  # E: incompatible type "str"
    er.get_job_output(summary)  # E: incompatible type "MatchingJobSummary"
    output = er.get_job_output(er.get_matching_job("customers", "0" * 32))
    er.iter_output_records(output, errors="yes")  # E: incompatible type "str"
    output.success = ()  # E: read-only
    for record in er.iter_output_records(output):
        print(record["RecordId"] + 1)  # E: Unsupported operand types for +
    er.download_job_output(output, "out", on_progress=lambda n: None)  # E: incompatible type
    er.download_job_output(output, "out", max_concurrency="10")  # E: incompatible type "str"
    job = er.get_matching_job("customers", "0" * 32)
    er.get_job_output(job, workflow_name=7)  # E: incompatible type "int"
    output.empty = True  # E: read-only


def estimate_misuse(er: EntityResolutionJobs, job: MatchingJob) -> None:
    er.estimate_job_end("customers", job.job_id)  # E: incompatible type "str"
    estimate = er.estimate_job_end("customers", job)
    estimate.expected_end = None  # E: read-only
    er.wait_for_matching_job("c", job.job_id, on_estimate=lambda e: e.metrics)  # E: no attribute
    er.watch_matching_job("c", job.job_id, on_estimate=lambda e: e.job.status)  # E: no attribute
    er.watch_matching_jobs([("c", job.job_id)], on_estimate=print_matching)  # E: incompatible type


def history_misuse(er: EntityResolutionJobs) -> None:
    er.job_history("customers", last="5")  # E: incompatible type "str"
    for run in er.job_history("customers"):
        run.status = JobStatus.FAILED  # E: read-only
        print(run.duration_seconds + 1)  # E: Unsupported operand types for +
