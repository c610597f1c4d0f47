"""Every error row of the testing page, over HTTP: the modelled error, as JSON, with its headers.

In-process tests see what moto's mock makes of a request; a client in
another language sees only the wire. Each row is sent by boto3 (its own
checks off, so that input only the service would refuse reaches it) to the
fake's HTTP server, and the reply's status, ``x-amzn-ErrorType``,
``x-amzn-RequestId`` and JSON body are checked.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import ClientError

from entityresolution_jobs.testing import EntityResolutionMock

from .support import JOB_TYPE_SENDABLE, WORKFLOW

pytestmark = pytest.mark.slow

JOB_ID = "0" * 32
Call = Callable[[Any], object]  # a boto3 client: untyped here, as in boto3


@pytest.fixture
def client(entity_resolution_server: str) -> Any:
    """A boto3 client of the server that checks nothing itself and never retries."""
    config = Config(parameter_validation=False, retries={"total_max_attempts": 1})
    return boto3.client(
        "entityresolution", region_name="us-east-1", endpoint_url=entity_resolution_server,
        config=config,
    )  # fmt: skip


@pytest.fixture
def fake(entity_resolution_server: str) -> EntityResolutionMock:
    """The server's controls (it runs in this process), with a matching workflow and a job."""
    fake = EntityResolutionMock(region_name="us-east-1")
    fake.create_workflow(WORKFLOW)
    fake.create_id_mapping_workflow("ids")
    fake.backend.start_matching_job(WORKFLOW)  # QUEUED or RUNNING for the test's few seconds
    return fake


def _create(client: Any, name: str) -> object:
    return client.create_matching_workflow(
        workflowName=name,
        inputSourceConfig=[
            {"inputSourceARN": "arn:aws:glue:us-east-1:123456789012:table/db/t", "schemaName": "s"}
        ],
        outputSourceConfig=[{"outputS3Path": "s3://out/r/", "output": [{"name": "id"}]}],
        resolutionTechniques={"resolutionType": "RULE_MATCHING"},
        roleArn="arn:aws:iam::123456789012:role/er",
    )


ROWS: dict[str, tuple[Call, str, int, str]] = {
    # situation: (the call, the error code, the HTTP status, a fragment of the message)
    "unknown workflow": (
        lambda c: c.get_matching_job(workflowName="nobody", jobId=JOB_ID),
        "ResourceNotFoundException", 404, "nobody",
    ),
    "unknown job": (
        lambda c: c.get_matching_job(workflowName=WORKFLOW, jobId="f" * 32),
        "ResourceNotFoundException", 404, "f" * 32,
    ),
    "unknown ID mapping workflow": (
        lambda c: c.list_id_mapping_jobs(workflowName="nobody"),
        "ResourceNotFoundException", 404, "nobody",
    ),
    "a workflow name already in use": (
        lambda c: _create(c, WORKFLOW), "ConflictException", 400, "already exists",
    ),
    "starting a job while one is in progress": (
        lambda c: c.start_matching_job(workflowName=WORKFLOW),
        "ConflictException", 400, "in progress",
    ),
    "a job id that is not 32 hex characters": (
        lambda c: c.get_matching_job(workflowName=WORKFLOW, jobId="not-a-job"),
        "ValidationException", 400, "at 'jobId' failed to satisfy constraint",
    ),
    "a workflow name with a / (get)": (
        lambda c: c.get_matching_job(workflowName="a/b", jobId=JOB_ID),
        "ValidationException", 400, "Value 'a/b' at 'workflowName'",
    ),
    "a workflow name with a / (start)": (
        lambda c: c.start_matching_job(workflowName="a/b"),
        "ValidationException", 400, "Value 'a/b' at 'workflowName'",
    ),
    "a workflow name with a / (list)": (
        lambda c: c.list_matching_jobs(workflowName="a/b"),
        "ValidationException", 400, "Value 'a/b' at 'workflowName'",
    ),
    "a workflow name with a / (workflow)": (
        lambda c: c.get_matching_workflow(workflowName="a/b"),
        "ValidationException", 400, "Value 'a/b' at 'workflowName'",
    ),
    "a workflow name with other characters outside the pattern": (
        lambda c: c.get_matching_job(workflowName="a b?c", jobId=JOB_ID),
        "ValidationException", 400, "Value 'a b?c' at 'workflowName'",
    ),
    "maxResults over 25": (
        lambda c: c.list_matching_jobs(workflowName=WORKFLOW, maxResults=26),
        "ValidationException", 400, "at 'maxResults'",
    ),
    "a jobType the model does not list": (
        lambda c: c.start_id_mapping_job(workflowName="ids", jobType="EVERYTHING"),
        "ValidationException", 400, "at 'jobType'",
    ),
    "a missing required member": (
        lambda c: c.create_matching_workflow(workflowName="new"),
        "ValidationException", 400, "inputSourceConfig",
    ),
    "an unknown but well-formed nextToken": (
        lambda c: c.list_matching_jobs(workflowName=WORKFLOW, nextToken="abc123"),
        "ValidationException", 400, "nextToken",
    ),
}  # fmt: skip


def _failure(call: Call, client: BaseClient) -> dict[str, Any]:
    with pytest.raises(ClientError) as raised:
        call(client)
    return raised.value.response  # type: ignore[return-value]


@pytest.mark.parametrize(
    "row",
    [
        pytest.param(row, id=row, marks=pytest.mark.skipif(
            "jobType" in row and not JOB_TYPE_SENDABLE,
            reason="this botocore cannot send a jobType (1.40.37 and later can)",
        ))
        for row in ROWS
    ],
)  # fmt: skip
def test_each_error_row_is_the_modelled_error_over_http(
    row: str, client: BaseClient, fake: EntityResolutionMock
) -> None:
    call, code, status, fragment = ROWS[row]

    reply = _failure(call, client)

    headers = reply["ResponseMetadata"]["HTTPHeaders"]
    assert reply["Error"]["Code"] == code
    assert reply["ResponseMetadata"]["HTTPStatusCode"] == status
    assert headers["x-amzn-errortype"].split(":")[0] == code
    assert headers["x-amzn-requestid"]
    assert headers["content-type"].startswith("application/json")
    assert fragment in reply["Error"]["Message"]


@pytest.mark.parametrize(
    ("fault", "status"),
    [
        ("ThrottlingException", 429),
        ("InternalServerException", 500),
        ("AccessDeniedException", 403),
    ],
)
def test_injected_faults_too(
    fault: str, status: int, client: BaseClient, fake: EntityResolutionMock
) -> None:
    fake.inject_fault("GetMatchingJob", fault)  # type: ignore[arg-type]

    reply = _failure(lambda c: c.get_matching_job(workflowName=WORKFLOW, jobId=JOB_ID), client)

    assert (reply["Error"]["Code"], reply["ResponseMetadata"]["HTTPStatusCode"]) == (fault, status)
    assert reply["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]


def test_a_slash_in_an_id_mapping_name_is_allowed_by_its_pattern(
    client: BaseClient, fake: EntityResolutionMock
) -> None:
    # ID mapping workflow names may hold "/" (the model's pattern allows it):
    # such a name is looked up, not refused.
    reply = _failure(lambda c: c.get_id_mapping_job(workflowName="a/b", jobId=JOB_ID), client)

    assert reply["Error"]["Code"] == "ResourceNotFoundException"
    assert "a/b" in reply["Error"]["Message"]


def test_the_body_is_json_any_sdk_reads(entity_resolution_server: str) -> None:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        f"{entity_resolution_server}/matchingworkflows/a%2Fb/jobs/{JOB_ID}",
        headers={
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/"
            "entityresolution/aws4_request, SignedHeaders=host, Signature=0",
        },
    )
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=10)

    assert raised.value.code == 400
    assert json.loads(raised.value.read())["message"].startswith("1 validation error detected")


def test_each_account_key_has_its_own_account(entity_resolution_server: str) -> None:
    def client(service: Any, key: str) -> Any:  # Any: boto3-stubs type each service apart
        return boto3.client(
            service, region_name="us-east-1", endpoint_url=entity_resolution_server,
            aws_access_key_id=key, aws_secret_access_key="any",
        )  # fmt: skip

    keys = ("111122223333", "444455556666", "AKIAOTHERKEY")
    for key in keys:
        _create(client("entityresolution", key), WORKFLOW)  # no ConflictException: apart
        client("s3", key).create_bucket(Bucket=f"output-{key.lower()}")  # names are global
    first = client("entityresolution", "111122223333")
    job_id = first.start_matching_job(workflowName=WORKFLOW)["jobId"]

    assert [job["jobId"] for job in first.list_matching_jobs(workflowName=WORKFLOW)["jobs"]] == [
        job_id
    ]
    assert (
        client("entityresolution", "444455556666").list_matching_jobs(workflowName=WORKFLOW)["jobs"]
        == []
    )
    buckets = client("s3", "444455556666").list_buckets()["Buckets"]
    assert [bucket["Name"] for bucket in buckets] == ["output-444455556666"]
    arn = first.get_matching_workflow(workflowName=WORKFLOW)["workflowArn"]
    assert ":111122223333:" in arn
    # The controls reach it by its account id; a key of another form is moto's default account.
    assert EntityResolutionMock(account_id="111122223333").job(WORKFLOW, job_id).job_id == job_id
    assert WORKFLOW in EntityResolutionMock().backend.workflows
