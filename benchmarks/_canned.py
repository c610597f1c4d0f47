"""A botocore client whose HTTP layer answers GetMatchingJob from memory, and calls on it."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

import boto3
from botocore.awsrequest import AWSResponse

if TYPE_CHECKING:
    from collections.abc import Callable

    from botocore.client import BaseClient

JOB_ID = "0123456789abcdef0123456789abcdef"
WORKFLOW = "customers"
REPLY = json.dumps(
    {
        "jobId": JOB_ID,
        "status": "SUCCEEDED",
        "startTime": 1_700_000_000.0,
        "endTime": 1_700_000_600.0,
        "metrics": {
            "inputRecords": 1000,
            "totalRecordsProcessed": 990,
            "recordsNotProcessed": 10,
            "deleteRecordsProcessed": 0,
            "matchIDs": 420,
        },
        "outputSourceConfig": [
            {
                "roleArn": "arn:aws:iam::123456789012:role/er-output",
                "outputS3Path": "s3://example-bucket/output/",
            }
        ],
    }
).encode()


class _Body:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: object) -> list[bytes]:
        return [self._body]


def canned_client() -> BaseClient:
    """Return a real boto3 client whose requests never leave the process."""
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    client: BaseClient = session.client("entityresolution")

    def answer(request: object, **_: object) -> AWSResponse:
        headers = {"x-amzn-RequestId": "bench", "Content-Type": "application/json"}
        return AWSResponse("https://bench.invalid", 200, headers, _Body(REPLY))

    client.meta.events.register("before-send.entityresolution.GetMatchingJob", answer)
    return client


def raw_and_facade() -> tuple[Callable[[], object], Callable[[], object]]:
    """The same get_matching_job on one canned client: raw, and through EntityResolutionJobs."""
    from entityresolution_jobs import EntityResolutionJobs

    client = canned_client()
    facade = EntityResolutionJobs(client)

    def raw() -> object:
        return client.get_matching_job(workflowName=WORKFLOW, jobId=JOB_ID)

    def typed() -> object:
        return facade.get_matching_job(WORKFLOW, JOB_ID)

    return raw, typed
