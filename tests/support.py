"""Test helpers: constants, a complete reply, and canned raw HTTP replies."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, TypeVar, cast

import botocore.session
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError, EndpointConnectionError
from botocore.model import ListShape, StructureShape
from botocore.validate import ParamValidator

from entityresolution_jobs import InvalidInputError

if TYPE_CHECKING:
    from botocore.client import BaseClient

JOB_ID = "0123456789abcdef0123456789abcdef"
WORKFLOW = "customers"

# The Entity Resolution model of the botocore these tests run on: make
# test-lowest runs them on the floor's (1.35.7), which lacks members added
# since (jobType, deleteRecordsProcessed, most ID mapping counts). Tests of
# such members expect what this model gives, by `modelled`, rather than skip.
SERVICE_MODEL = botocore.session.get_session().get_service_model("entityresolution")

T = TypeVar("T")


def modelled(shape: str, member: str) -> bool:
    """Whether this botocore's Entity Resolution model has ``member`` in ``shape``."""
    found = SERVICE_MODEL.shape_for(shape)
    return isinstance(found, StructureShape) and member in found.members


def if_modelled(value: T, shape: str, member: str) -> T | None:
    """``value`` where this botocore models ``shape.member``; else None, what a model reads."""
    return value if modelled(shape, member) else None


JOB_TYPE_SENDABLE = modelled("StartIdMappingJobInput", "jobType")
"""Whether this botocore can send an ID mapping job's type (1.40.37 and later)."""


def sending_job_type() -> AbstractContextManager[object]:
    """Around a start sending a job type: on a botocore that cannot, expects the library's error.

    That error names the botocore that can, and nothing is sent; on a newer
    botocore the block runs as it is.
    """
    if JOB_TYPE_SENDABLE:
        return nullcontext()
    return pytest.raises(InvalidInputError, match=r"^job_type needs botocore >= 1\.40\.37 ")


def fitted(reply: Mapping[str, object], shape: str) -> dict[str, object]:
    """``reply`` without the members this botocore's ``shape`` lacks, nested structures too.

    What a Stubber accepts, and what botocore's parser leaves of the full reply.
    """
    found = SERVICE_MODEL.shape_for(shape)
    assert isinstance(found, StructureShape)
    kept: dict[str, object] = {}
    for name, value in reply.items():
        member = found.members.get(name)
        if member is None:
            continue
        nested = isinstance(member, StructureShape) and isinstance(value, dict)
        kept[name] = fitted(cast("Mapping[str, object]", value), member.name) if nested else value
    return kept


class _Body:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: object) -> Iterator[bytes]:
        yield self._body


@dataclass
class Wire:
    """Answers the client's HTTP requests from a queue of canned raw replies.

    Unlike the Stubber, the replies go through botocore's real parser, retry
    handler and error factory. ``requests`` records what was sent.
    """

    replies: list[tuple[int, dict[str, str], bytes] | Exception] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def reply(
        self,
        status: int = 200,
        body: object = None,
        *,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Queue one reply: ``body`` as JSON, or ``raw`` bytes as they are."""
        payload = raw if raw is not None else json.dumps(body or {}).encode()
        all_headers = {"x-amzn-RequestId": f"req-{len(self.replies) + 1}"}
        all_headers.update(headers or {})
        self.replies.append((status, all_headers, payload))

    def error(self, status: int, code: str, message: str = "it went wrong") -> None:
        """Queue an error reply in the service's rest-json form."""
        self.reply(status, {"message": message}, headers={"x-amzn-ErrorType": code})

    def drop(self) -> None:
        """Queue a connection that fails before any reply."""
        self.replies.append(EndpointConnectionError(endpoint_url="https://wire.invalid"))

    def attach(self, client: BaseClient) -> None:
        """Answer ``client``'s Entity Resolution requests from the queue."""
        handler = cast("Callable[..., None]", self._answer)  # botocore-stubs expects None
        client.meta.events.register_first("before-send.entityresolution", handler)

    def _answer(self, request: object, **_: object) -> AWSResponse:
        self.requests.append(str(getattr(request, "url", "")))
        if not self.replies:
            raise AssertionError("the client sent a request no reply was queued for")
        queued = self.replies.pop(0)
        if isinstance(queued, Exception):
            raise queued
        status, headers, payload = queued
        raw = cast(
            "Any", _Body(payload)
        )  # AWSResponse wants a urllib3 response; .stream() is all it uses
        return AWSResponse("https://wire.invalid", status, cast("Any", headers), raw)


def job_reply(**overrides: object) -> dict[str, object]:
    """A complete GetMatchingJob reply, as this botocore's service model describes it."""
    return fitted(full_job_reply(**overrides), "GetMatchingJobOutput")


def full_job_reply(**overrides: object) -> dict[str, object]:
    """A complete GetMatchingJob reply, as the service sends it (the newest model's members)."""
    reply: dict[str, object] = {
        "jobId": JOB_ID,
        "status": "SUCCEEDED",
        "startTime": datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc),
        "endTime": datetime(2024, 5, 1, 12, 30, tzinfo=timezone.utc),
        "metrics": {
            "inputRecords": 1000,
            "totalRecordsProcessed": 990,
            "recordsNotProcessed": 10,
            "deleteRecordsProcessed": 5,
            "matchIDs": 420,
        },
        "errorDetails": {"errorMessage": "10 records had no matching key"},
        "outputSourceConfig": [
            {
                "roleArn": "arn:aws:iam::123456789012:role/er-output",
                "outputS3Path": "s3://example-bucket/output/",
                "KMSArn": "arn:aws:kms:us-east-1:123456789012:key/abc",
            }
        ],
    }
    reply.update(overrides)
    return reply


ID_MAPPING_METRICS = {
    "inputRecords": 1000,
    "totalRecordsProcessed": 990,
    "recordsNotProcessed": 10,
    "deleteRecordsProcessed": 5,
    "totalMappedRecords": 600,
    "totalMappedSourceRecords": 310,
    "totalMappedTargetRecords": 290,
    "uniqueRecordsLoaded": 980,
    "newMappedRecords": 120,
    "newMappedSourceRecords": 70,
    "newMappedTargetRecords": 50,
    "newUniqueRecordsLoaded": 115,
    "mappedRecordsRemoved": 8,
    "mappedSourceRecordsRemoved": 5,
    "mappedTargetRecordsRemoved": 3,
}
"""Every one of the 15 counts of GetIdMappingJob, each a different number."""


def id_mapping_job_reply(**overrides: object) -> dict[str, object]:
    """A complete GetIdMappingJob reply, as this botocore's service model describes it."""
    reply = full_job_reply(metrics=dict(ID_MAPPING_METRICS), jobType="INCREMENTAL")
    reply.update(overrides)
    return fitted(reply, "GetIdMappingJobOutput")


class SharedClock:
    """One clock for the fake service and a wait: the wait's sleep moves it.

    ``wall`` is the fake's clock and the wait's ``now``; ``monotonic`` the
    wait's ``clock``; ``sleep`` / ``async_sleep`` its sleep.
    """

    def __init__(self, start: datetime = datetime(2026, 1, 1, tzinfo=timezone.utc)) -> None:
        self.start = self.now = start

    def wall(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return (self.now - self.start).total_seconds()

    def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


def call(client: BaseClient, operation: str, **params: Any) -> dict[str, Any]:
    """A boto3 client call, its reply typed for the tests."""
    reply: dict[str, Any] = getattr(client, operation)(**params)
    return reply


def assert_matches_output_shape(client: BaseClient, operation: str, reply: dict[str, Any]) -> None:
    """Check a reply against botocore's output shape, enums included (botocore skips them)."""
    shape = client.meta.service_model.operation_model(operation).output_shape
    assert isinstance(shape, StructureShape)
    body = {key: value for key, value in reply.items() if key != "ResponseMetadata"}
    report = ParamValidator().validate(body, shape)
    assert not report.has_errors(), report.generate_report()
    assert set(body) <= set(shape.members)
    checked = [(body, shape)]
    jobs = shape.members.get("jobs")
    if isinstance(jobs, ListShape) and isinstance(jobs.member, StructureShape):
        checked += [(job, jobs.member) for job in body.get("jobs", [])]
    for fields, fields_shape in checked:
        for name in ("status", "jobType"):
            if name in fields:
                allowed = getattr(fields_shape.members[name], "enum", [])
                assert fields[name] in allowed, (name, fields[name])


def error_of(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    """The error code and HTTP status of a ClientError."""
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


class Run:
    """The result of one er-jobs run in this process (the ``er_jobs`` fixture's)."""

    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err
