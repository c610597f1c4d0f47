"""The request id of every reply a result was read from, and errors' retry verdicts."""

from __future__ import annotations

import json
import logging
import pickle
from datetime import datetime
from typing import TYPE_CHECKING

import pytest
from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError

from entityresolution_jobs import (
    AccessDeniedError,
    ConflictError,
    EntityResolutionError,
    EntityResolutionJobs,
    InternalServerError,
    InvalidInputError,
    JobId,
    MatchingJob,
    ResourceNotFoundError,
    ServiceError,
    ThrottlingError,
    TransportError,
)
from entityresolution_jobs._errors import translate

from .support import JOB_ID, Wire, id_mapping_job_reply
from .support import job_reply as stubber_reply

if TYPE_CHECKING:
    from collections.abc import Callable

    from botocore.client import BaseClient

    from entityresolution_jobs.testing import EntityResolutionMock

    from .support import Run


def job_reply(**overrides: object) -> dict[str, object]:
    """A GetMatchingJob reply as it goes over the wire: times in epoch seconds."""
    reply = stubber_reply(**overrides)
    return {
        name: value.timestamp() if isinstance(value, datetime) else value
        for name, value in reply.items()
    }


def test_a_job_carries_the_request_id_of_its_reply(er: EntityResolutionJobs, wire: Wire) -> None:
    wire.reply(body=job_reply(status="RUNNING"))
    wire.reply(body=job_reply(status="RUNNING"))
    first = er.get_matching_job("customers", JOB_ID)
    second = er.get_matching_job("customers", JOB_ID)
    assert (first.request_id, second.request_id) == ("req-1", "req-2")
    # The same state read twice is the same job: equal, same hash, same dump.
    assert first == second
    assert hash(first) == hash(second)
    assert first.model_dump() == second.model_dump()
    assert "req-" not in first.model_dump_json()
    assert "req-" not in json.dumps(first.to_service_dict(), default=str)


def test_the_request_id_survives_copies_and_pickling(er: EntityResolutionJobs, wire: Wire) -> None:
    wire.reply(body=job_reply())
    job = er.get_matching_job("customers", JOB_ID)
    assert pickle.loads(pickle.dumps(job)).request_id == "req-1"
    assert job.model_copy().request_id == "req-1"
    # A job built from data was read from no reply.
    assert MatchingJob.model_validate(job.model_dump()).request_id is None


def test_an_id_mapping_job_and_summaries_carry_their_reply_s_request_id(
    er: EntityResolutionJobs, wire: Wire
) -> None:
    wire.reply(body=json.loads(json.dumps(id_mapping_job_reply(), default=_epoch)))
    assert er.get_id_mapping_job("ids", JOB_ID).request_id == "req-1"
    summary = {"jobId": JOB_ID, "status": "RUNNING", "startTime": 1_700_000_000}
    wire.reply(body={"jobs": [summary, summary], "nextToken": "more"})
    wire.reply(body={"jobs": [summary]})
    listed = list(er.list_matching_jobs("customers"))
    assert [job.request_id for job in listed] == ["req-1", "req-1", "req-2"]  # page by page


def test_a_started_job_id_is_a_str_with_its_request_id(
    er: EntityResolutionJobs, wire: Wire
) -> None:
    wire.reply(body={"jobId": JOB_ID})
    job_id = er.start_matching_job("customers")
    assert isinstance(job_id, JobId)
    assert job_id.request_id == "req-1"
    assert job_id == JOB_ID
    assert hash(job_id) == hash(JOB_ID)
    assert json.dumps({"id": job_id}) == json.dumps({"id": JOB_ID})
    unpickled = pickle.loads(pickle.dumps(job_id))
    assert (unpickled, unpickled.request_id) == (JOB_ID, "req-1")


def test_a_wait_returns_the_last_reply_s_request_id(er: EntityResolutionJobs, wire: Wire) -> None:
    wire.reply(body=job_reply(status="RUNNING"))
    wire.reply(body=job_reply())
    job = er.wait_for_matching_job(
        "customers", JOB_ID, min_delay=0.01, max_delay=0.01, use_history=False
    )
    assert job.request_id == "req-2"


def test_a_reply_without_metadata_has_no_request_id(client: BaseClient) -> None:
    from botocore.stub import Stubber

    with Stubber(client) as stub:
        stub.add_response("get_matching_job", stubber_reply())
        assert EntityResolutionJobs(client).get_matching_job("customers", JOB_ID).request_id is None


def test_the_fake_service_s_request_ids_come_through(
    entity_resolution: EntityResolutionMock,
) -> None:
    entity_resolution.create_workflow("customers")
    er = EntityResolutionJobs(region_name="us-east-1")
    job_id = er.start_matching_job("customers")
    job = er.get_matching_job("customers", job_id)
    assert job_id.request_id
    assert job.request_id
    assert job_id.request_id != job.request_id


def test_er_jobs_debug_logs_the_request_id(
    entity_resolution: EntityResolutionMock,
    er_jobs: Callable[..., Run],
    caplog: pytest.LogCaptureFixture,
    debug_logging: None,
) -> None:
    entity_resolution.create_workflow("customers")
    job_id = EntityResolutionJobs(region_name="us-east-1").start_matching_job("customers")
    with caplog.at_level(logging.DEBUG, logger="entityresolution_jobs"):
        run = er_jobs("get", "customers", job_id, "--json", "--debug")
    assert run.code == 0
    logged = [r.getMessage() for r in caplog.records if "request id" in r.getMessage()]
    assert logged
    assert any(job_id in line for line in logged)


# Retry verdicts: botocore's standard mode decides them.


@pytest.mark.parametrize(
    ("status", "code", "raised", "retryable", "throttling"),
    [
        (429, "ThrottlingException", ThrottlingError, True, True),
        (500, "InternalServerException", InternalServerError, True, False),
        (503, "ServiceUnavailable", ServiceError, True, False),
        (400, "ConflictException", ConflictError, False, False),
        (403, "AccessDeniedException", AccessDeniedError, False, False),
        (404, "ResourceNotFoundException", ResourceNotFoundError, False, False),
        (400, "TooManyRequestsException", ServiceError, True, True),
        (400, "RequestTimeout", ServiceError, True, False),
    ],
)
def test_service_errors_say_whether_botocore_would_retry_them(
    client: BaseClient,
    wire: Wire,
    status: int,
    code: str,
    raised: type[ServiceError],
    retryable: bool,
    throttling: bool,
) -> None:
    er = EntityResolutionJobs(client)
    for _ in range(10):  # more than the client's attempts, where botocore retries
        wire.error(status, code)
    with pytest.raises(raised) as caught:
        er.get_matching_job("customers", JOB_ID)
    assert (caught.value.is_retryable, caught.value.is_throttling) == (retryable, throttling)


def test_the_service_model_s_retryable_trait_counts() -> None:
    from botocore.exceptions import ClientError
    from botocore.session import get_session

    model = get_session().get_service_model("entityresolution")
    shape = model.shape_for("InternalServerException")
    assert shape is not None
    assert shape.metadata.get("retryable") is not None
    # A 400 status, so that only the model's trait can make it retryable.
    response = {
        "Error": {"Code": "InternalServerException", "Message": "x"},
        "ResponseMetadata": {"HTTPStatusCode": 400},
    }
    error = ClientError(response, "GetMatchingJob")  # type: ignore[arg-type]
    with_model = translate(error, "GetMatchingJob", model)
    without = translate(error, "GetMatchingJob")
    assert isinstance(with_model, InternalServerError)
    assert isinstance(without, InternalServerError)
    assert (with_model.is_retryable, without.is_retryable) == (True, False)


def test_transport_errors_are_retryable_and_local_errors_are_not(
    er: EntityResolutionJobs, wire: Wire
) -> None:
    for _ in range(10):
        wire.drop()
    with pytest.raises(TransportError) as dropped:
        er.get_matching_job("customers", JOB_ID)
    assert (dropped.value.is_retryable, dropped.value.is_throttling) == (True, False)
    timed_out = translate(ConnectTimeoutError(endpoint_url="https://x.invalid"), "GetMatchingJob")
    assert isinstance(timed_out, TransportError)
    assert timed_out.is_retryable
    with pytest.raises(InvalidInputError) as bad:
        er.get_matching_job("customers", "not a job id")
    assert (bad.value.is_retryable, bad.value.is_throttling) == (False, False)
    assert not EndpointConnectionError.__name__.startswith("Entity")  # botocore's own class


def test_the_verdicts_survive_pickling(er: EntityResolutionJobs, wire: Wire) -> None:
    for _ in range(10):
        wire.error(429, "ThrottlingException")
    with pytest.raises(ThrottlingError) as caught:
        er.get_matching_job("customers", JOB_ID)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert (copy.is_retryable, copy.is_throttling) == (True, True)


def _epoch(value: object) -> float:
    assert isinstance(value, datetime)
    return value.timestamp()


def test_an_error_that_is_not_botocore_s_comes_through_as_it_is(
    er: EntityResolutionJobs, wire: Wire
) -> None:
    wire.replies.append(RuntimeError("a bug in a handler"))
    with pytest.raises(RuntimeError, match="a bug in a handler") as caught:
        er.get_matching_job("customers", JOB_ID)
    assert not isinstance(caught.value, EntityResolutionError)
