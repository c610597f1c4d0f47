"""start_matching_job and list_matching_jobs: typed, validated, translated, lazy."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from botocore.stub import Stubber

from entityresolution_jobs import (
    ConflictError,
    EntityResolutionJobs,
    ExceedsLimitError,
    InvalidInputError,
    JobStatus,
    MatchingJobSummary,
    ResourceNotFoundError,
    ResponseError,
)

from .support import JOB_ID, WORKFLOW, Wire

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
OTHER_ID = "fedcba9876543210fedcba9876543210"


class TestStart:
    def test_returns_the_new_job_id(self, er: EntityResolutionJobs, stubber: Stubber) -> None:
        stubber.add_response("start_matching_job", {"jobId": JOB_ID}, {"workflowName": WORKFLOW})

        assert er.start_matching_job(WORKFLOW) == JOB_ID

    @pytest.mark.parametrize(
        ("code", "status", "expected"),
        [
            ("ConflictException", 400, ConflictError),
            ("ExceedsLimitException", 402, ExceedsLimitError),
            ("ResourceNotFoundException", 404, ResourceNotFoundError),
        ],
    )
    def test_errors_are_translated(
        self,
        er: EntityResolutionJobs,
        stubber: Stubber,
        code: str,
        status: int,
        expected: type[Exception],
    ) -> None:
        stubber.add_client_error("start_matching_job", code, "no", status)

        with pytest.raises(expected):
            er.start_matching_job(WORKFLOW)

    def test_a_reply_without_a_job_id_is_a_response_error(
        self, er: EntityResolutionJobs, wire: Wire
    ) -> None:
        wire.reply(200, {})

        with pytest.raises(ResponseError, match="StartMatchingJob"):
            er.start_matching_job(WORKFLOW)

    def test_an_invalid_name_sends_nothing(self, er: EntityResolutionJobs, wire: Wire) -> None:
        with pytest.raises(InvalidInputError, match="workflow_name"):
            er.start_matching_job("has space")

        assert wire.requests == []


class TestList:
    def test_walks_every_page_lazily(self, er: EntityResolutionJobs, wire: Wire) -> None:
        first = {"jobId": JOB_ID, "status": "SUCCEEDED", "startTime": 1, "endTime": 2}
        second = {"jobId": OTHER_ID, "status": "RUNNING", "startTime": 3}
        wire.reply(200, {"jobs": [first], "nextToken": "page-2"})
        wire.reply(200, {"jobs": [second]})

        jobs = er.list_matching_jobs(WORKFLOW)
        assert wire.requests == []
        listed = list(jobs)

        assert [j.job_id for j in listed] == [JOB_ID, OTHER_ID]
        assert all(isinstance(j, MatchingJobSummary) for j in listed)
        assert listed[0].status is JobStatus.SUCCEEDED
        assert listed[0].end_time == datetime(1970, 1, 1, 0, 0, 2, tzinfo=timezone.utc)
        assert listed[1].end_time is None
        assert wire.requests[1].endswith("jobs?nextToken=page-2")

    def test_an_empty_workflow_lists_nothing(
        self, er: EntityResolutionJobs, stubber: Stubber
    ) -> None:
        stubber.add_response("list_matching_jobs", {"jobs": []}, {"workflowName": WORKFLOW})

        assert list(er.list_matching_jobs(WORKFLOW)) == []

    def test_an_error_on_a_later_page_is_translated(
        self, er: EntityResolutionJobs, wire: Wire
    ) -> None:
        wire.reply(
            200, {"jobs": [{"jobId": JOB_ID, "status": "QUEUED", "startTime": 1}], "nextToken": "t"}
        )
        wire.error(404, "ResourceNotFoundException", "workflow deleted")

        jobs = er.list_matching_jobs(WORKFLOW)

        assert next(jobs).job_id == JOB_ID
        with pytest.raises(ResourceNotFoundError, match="workflow deleted"):
            next(jobs)

    def test_a_malformed_page_is_a_response_error(
        self, er: EntityResolutionJobs, wire: Wire
    ) -> None:
        wire.reply(200, {"jobs": [{"status": "RUNNING"}]})

        with pytest.raises(ResponseError, match="ListMatchingJobs"):
            list(er.list_matching_jobs(WORKFLOW))

    def test_an_invalid_name_is_refused_when_called(self, er: EntityResolutionJobs) -> None:
        with pytest.raises(InvalidInputError):
            er.list_matching_jobs("a/b")
