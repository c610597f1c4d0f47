"""A tour of entityresolution-jobs that needs no AWS account and no network.

A real boto3 client is answered by botocore's Stubber, which checks every
request and every canned reply against the service model, so what you see
is what the library does with genuine replies: a job that goes QUEUED ->
RUNNING -> SUCCEEDED, a status this version has never heard of, and errors
caught by class.

Run: make demo
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import boto3
from botocore.stub import Stubber

from entityresolution_jobs import (
    EntityResolutionJobs,
    InvalidInputError,
    JobStatus,
    MatchingJob,
    ResourceNotFoundError,
)

WORKFLOW = "customers"
JOB_ID = "0123456789abcdef0123456789abcdef"
START = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)


def _reply(status: str, minutes: int, processed: int, **extra: object) -> dict[str, object]:
    reply: dict[str, object] = {
        "jobId": JOB_ID,
        "status": status,
        "startTime": START,
        "metrics": {"inputRecords": 1000, "totalRecordsProcessed": processed},
    }
    if status in {"SUCCEEDED", "FAILED"}:
        reply["endTime"] = START + timedelta(minutes=minutes)
    reply.update(extra)
    return reply


def _describe(job: MatchingJob) -> str:
    progress = job.metrics.progress
    shown = "-" if progress is None else f"{progress:.0%}"
    match job.status:
        case JobStatus.QUEUED | JobStatus.RUNNING:
            return f"{job.status.value:<9} {shown} of {job.metrics.input_records} records"
        case JobStatus.SUCCEEDED:
            return f"SUCCEEDED in {job.duration}: {job.metrics.match_ids} match ids"
        case JobStatus.FAILED:
            return f"FAILED: {job.error_message}"
        case JobStatus.UNKNOWN:
            return f"status {job.raw_status!r} is new to this version; treated as UNKNOWN"


def main() -> None:
    """Walk through a job's life and the error classes, against the Stubber."""
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    session = boto3.session.Session(
        aws_access_key_id="demo", aws_secret_access_key="demo", region_name="us-east-1"
    )
    client = session.client("entityresolution")
    er = EntityResolutionJobs(client)
    stub = Stubber(client)
    expected = {"workflowName": WORKFLOW, "jobId": JOB_ID}
    for reply in (
        _reply("QUEUED", 0, 0),
        _reply("RUNNING", 3, 400),
        _reply("PAUSED_FOR_MAINTENANCE", 5, 700),
        _reply("SUCCEEDED", 12, 1000, metrics={"inputRecords": 1000, "matchIDs": 412}),
    ):
        stub.add_response("get_matching_job", reply, expected)
    stub.add_client_error(
        "get_matching_job",
        "ResourceNotFoundException",
        "The job 00000000000000000000000000000000 was not found",
        404,
        response_meta={"RequestId": "demo-request-1"},
    )

    print(f"{er!r}\n")
    with stub:
        for _ in range(4):
            print(" ", _describe(er.get_matching_job(WORKFLOW, JOB_ID)))
        try:
            er.get_matching_job(WORKFLOW, "0" * 32)
        except ResourceNotFoundError as error:
            print(f"\nResourceNotFoundError caught by class: {error}")
    try:
        er.get_matching_job("team/customers", JOB_ID)
    except InvalidInputError as error:
        print(f"InvalidInputError, nothing sent: {error}")


if __name__ == "__main__":
    main()
