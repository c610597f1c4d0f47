"""A botocore client whose HTTP layer answers GetMatchingJob and GetIdMappingJob from memory."""

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
_MATCHING_JOB = {
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
REPLY = json.dumps(_MATCHING_JOB).encode()
ID_MAPPING_REPLY = json.dumps(
    {
        **_MATCHING_JOB,
        "jobType": "BATCH",
        "metrics": {
            "inputRecords": 1000,
            "totalRecordsProcessed": 990,
            "recordsNotProcessed": 10,
            "deleteRecordsProcessed": 0,
            "totalMappedRecords": 600,
            "totalMappedSourceRecords": 300,
            "totalMappedTargetRecords": 300,
            "uniqueRecordsLoaded": 990,
            "newMappedRecords": 600,
            "newMappedSourceRecords": 300,
            "newMappedTargetRecords": 300,
            "newUniqueRecordsLoaded": 990,
            "mappedRecordsRemoved": 0,
            "mappedSourceRecordsRemoved": 0,
            "mappedTargetRecordsRemoved": 0,
        },
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

    for operation, reply in (("GetMatchingJob", REPLY), ("GetIdMappingJob", ID_MAPPING_REPLY)):

        def answer(request: object, reply: bytes = reply, **_: object) -> AWSResponse:
            headers = {"x-amzn-RequestId": "bench", "Content-Type": "application/json"}
            return AWSResponse("https://bench.invalid", 200, headers, _Body(reply))

        client.meta.events.register(f"before-send.entityresolution.{operation}", answer)
    return client


def raw_and_facade(
    method: str = "get_matching_job",
) -> tuple[Callable[[], object], Callable[[], object]]:
    """The same ``method`` call on one canned client: raw, and through EntityResolutionJobs.

    ``method`` is ``get_matching_job`` or ``get_id_mapping_job``.
    """
    from entityresolution_jobs import EntityResolutionJobs

    client = canned_client()
    facade = EntityResolutionJobs(client)
    raw_method, typed_method = getattr(client, method), getattr(facade, method)

    def raw() -> object:
        return raw_method(workflowName=WORKFLOW, jobId=JOB_ID)

    def typed() -> object:
        return typed_method(WORKFLOW, JOB_ID)

    return raw, typed
