"""The moto backend: operations, wire format, lifecycle, controls, faults, isolation."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import boto3
import moto.backend_index
import moto.backends
import pytest
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import ClientError
from moto import mock_aws

from entityresolution_jobs import EntityResolutionJobs, ResourceNotFoundError
from entityresolution_jobs.testing import EntityResolutionMock, JobTimeline, _registration

from .support import JOB_ID, assert_matches_output_shape, call, error_of, fitted

WORKFLOW = "customers"
T0 = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
CREATE_ARGS: dict[str, Any] = {
    "inputSourceConfig": [
        {"inputSourceARN": "arn:aws:glue:us-east-1:123456789012:table/db/t", "schemaName": "s"}
    ],
    "outputSourceConfig": [
        {
            "outputS3Path": "s3://out-bucket/results/",
            "KMSArn": "arn:aws:kms:us-east-1:123456789012:key/k",
            "output": [{"name": "id"}],
        }
    ],
    "resolutionTechniques": {"resolutionType": "RULE_MATCHING"},
    "roleArn": "arn:aws:iam::123456789012:role/er",
}


class Clock:
    """A clock a test moves by hand."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def fake() -> Iterator[EntityResolutionMock]:
    with mock_aws():
        yield EntityResolutionMock()


@pytest.fixture
def clock(fake: EntityResolutionMock) -> Clock:
    hand = Clock()
    fake.clock = hand
    return hand


@pytest.fixture
def er_client(fake: EntityResolutionMock) -> BaseClient:
    client: BaseClient = boto3.client("entityresolution", region_name="us-east-1")
    return client


class TestRegistration:
    def test_moto_resolves_the_service_to_this_backend(self) -> None:
        _registration.check_moto_internals()

    def test_registering_again_changes_nothing(self) -> None:
        before = list(moto.backend_index.backend_url_patterns)

        _registration.register()
        _registration.register()

        assert moto.backend_index.backend_url_patterns == before
        assert [s for s, _ in before].count("entityresolution") == 1
        assert sys.modules["moto.entityresolution"].__name__.endswith("testing._models")

    def test_other_moto_services_keep_working(self, fake: EntityResolutionMock) -> None:
        s3 = boto3.client("s3", region_name="us-east-1")

        s3.create_bucket(Bucket="still-served")

        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["still-served"]


class TestWorkflows:
    def test_create_get_list_delete(self, er_client: BaseClient) -> None:
        created = call(er_client, "create_matching_workflow", workflowName=WORKFLOW, **CREATE_ARGS)
        fetched = call(er_client, "get_matching_workflow", workflowName=WORKFLOW)
        listed = call(er_client, "list_matching_workflows")
        deleted = call(er_client, "delete_matching_workflow", workflowName=WORKFLOW)

        arn = "arn:aws:entityresolution:us-east-1:123456789012:matchingworkflow/customers"
        assert created["workflowArn"] == fetched["workflowArn"] == arn
        assert fetched["roleArn"] == CREATE_ARGS["roleArn"]
        assert [w["workflowName"] for w in listed["workflowSummaries"]] == [WORKFLOW]
        assert listed["workflowSummaries"][0]["resolutionType"] == "RULE_MATCHING"
        assert "customers" in deleted["message"]
        assert call(er_client, "list_matching_workflows")["workflowSummaries"] == []
        for operation, reply in [
            ("CreateMatchingWorkflow", created),
            ("GetMatchingWorkflow", fetched),
            ("ListMatchingWorkflows", listed),
            ("DeleteMatchingWorkflow", deleted),
        ]:
            assert_matches_output_shape(er_client, operation, reply)

    def test_a_duplicate_name_is_a_conflict(self, er_client: BaseClient) -> None:
        call(er_client, "create_matching_workflow", workflowName=WORKFLOW, **CREATE_ARGS)

        with pytest.raises(ClientError) as caught:
            call(er_client, "create_matching_workflow", workflowName=WORKFLOW, **CREATE_ARGS)

        assert error_of(caught) == ("ConflictException", 400)

    def test_an_unknown_workflow_is_not_found(self, er_client: BaseClient) -> None:
        with pytest.raises(ClientError) as caught:
            call(er_client, "get_matching_workflow", workflowName="nobody")

        assert error_of(caught) == ("ResourceNotFoundException", 404)

    def test_deleting_an_unknown_workflow_succeeds_as_the_service_does(
        self, er_client: BaseClient
    ) -> None:
        reply = call(er_client, "delete_matching_workflow", workflowName="nobody")

        assert reply["ResponseMetadata"]["HTTPStatusCode"] == 200

    def test_a_missing_required_member_is_a_validation_error(
        self, fake: EntityResolutionMock
    ) -> None:
        unchecked = boto3.client(
            "entityresolution", region_name="us-east-1", config=Config(parameter_validation=False)
        )
        args = {key: value for key, value in CREATE_ARGS.items() if key != "roleArn"}

        with pytest.raises(ClientError) as caught:
            call(unchecked, "create_matching_workflow", workflowName=WORKFLOW, **args)

        assert error_of(caught) == ("ValidationException", 400)
        assert "roleArn" in str(caught.value)

    def test_workflows_list_in_pages(
        self, fake: EntityResolutionMock, er_client: BaseClient
    ) -> None:
        for number in range(7):
            fake.create_workflow(f"w{number}")

        pages = er_client.get_paginator("list_matching_workflows").paginate(
            PaginationConfig={"PageSize": 3}
        )
        names = [[w["workflowName"] for w in page["workflowSummaries"]] for page in pages]

        assert names == [["w0", "w1", "w2"], ["w3", "w4", "w5"], ["w6"]]


class TestJobs:
    @pytest.fixture(autouse=True)
    def _workflow(self, fake: EntityResolutionMock, er_client: BaseClient) -> None:
        call(er_client, "create_matching_workflow", workflowName=WORKFLOW, **CREATE_ARGS)

    def test_a_started_job_has_a_32_hex_id(self, er_client: BaseClient) -> None:
        reply = call(er_client, "start_matching_job", workflowName=WORKFLOW)

        assert len(reply["jobId"]) == 32
        assert int(reply["jobId"], 16) >= 0
        assert_matches_output_shape(er_client, "StartMatchingJob", reply)

    def test_a_job_moves_through_its_timeline(
        self, fake: EntityResolutionMock, clock: Clock, er_client: BaseClient
    ) -> None:
        fake.timeline = JobTimeline(
            queued_seconds=2, running_seconds=10, input_records=500,
            records_not_processed=20, match_ids=100,
        )  # fmt: skip
        job_id = call(er_client, "start_matching_job", workflowName=WORKFLOW)["jobId"]
        seen = []
        for step in (1, 3, 6, 9, 12):
            clock.now = T0 + timedelta(seconds=step)
            reply = call(er_client, "get_matching_job", workflowName=WORKFLOW, jobId=job_id)
            assert_matches_output_shape(er_client, "GetMatchingJob", reply)
            seen.append(reply)

        assert [r["status"] for r in seen] == [
            "QUEUED",
            "RUNNING",
            "RUNNING",
            "RUNNING",
            "SUCCEEDED",
        ]
        assert "metrics" not in seen[0]
        processed = [r["metrics"]["totalRecordsProcessed"] for r in seen[1:4]]
        assert processed == sorted(processed)
        assert processed[0] < processed[-1]
        assert all("endTime" not in r for r in seen[:4])
        done = seen[-1]
        assert done["endTime"] == T0 + timedelta(seconds=12)
        metrics = done["metrics"]
        assert metrics["totalRecordsProcessed"] + metrics["recordsNotProcessed"] == 500
        assert metrics["matchIDs"] == 100
        assert done["outputSourceConfig"] == [
            {
                "roleArn": CREATE_ARGS["roleArn"],
                "outputS3Path": "s3://out-bucket/results/",
                "KMSArn": "arn:aws:kms:us-east-1:123456789012:key/k",
            }
        ]

    def test_a_timeline_with_an_error_message_ends_its_jobs_failed(
        self, fake: EntityResolutionMock, clock: Clock, er_client: BaseClient
    ) -> None:
        fake.timeline = JobTimeline(queued_seconds=1, running_seconds=2, error_message="bad rows")
        job_id = call(er_client, "start_matching_job", workflowName=WORKFLOW)["jobId"]
        clock.now = T0 + timedelta(seconds=2)
        running = call(er_client, "get_matching_job", workflowName=WORKFLOW, jobId=job_id)
        clock.now = T0 + timedelta(seconds=3)
        ended = call(er_client, "get_matching_job", workflowName=WORKFLOW, jobId=job_id)

        assert running["status"] == "RUNNING"
        assert ended["status"] == "FAILED"
        assert ended["errorDetails"] == {"errorMessage": "bad rows"}
        assert ended["endTime"] == T0 + timedelta(seconds=3)
        assert ended["metrics"]["inputRecords"] == 1000
        assert_matches_output_shape(er_client, "GetMatchingJob", ended)

    def test_by_default_a_job_moves_on_the_real_clock_within_seconds(
        self, fake: EntityResolutionMock
    ) -> None:
        assert fake.timeline.queued_seconds + fake.timeline.running_seconds <= 5
        assert fake.clock().tzinfo is not None

    @pytest.mark.parametrize("status", ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED"])
    def test_every_state_a_test_sets_validates_against_the_output_shape(
        self, fake: EntityResolutionMock, er_client: BaseClient, status: str
    ) -> None:
        job_id = call(er_client, "start_matching_job", workflowName=WORKFLOW)["jobId"]
        fake.job(WORKFLOW, job_id).set(
            status,  # type: ignore[arg-type]
            input_records=10, processed=4, not_processed=1, match_ids=2,
            delete_records_processed=0, error_message="boom" if status == "FAILED" else None,
        )  # fmt: skip

        got = call(er_client, "get_matching_job", workflowName=WORKFLOW, jobId=job_id)
        listed = call(er_client, "list_matching_jobs", workflowName=WORKFLOW)

        assert_matches_output_shape(er_client, "GetMatchingJob", got)
        assert_matches_output_shape(er_client, "ListMatchingJobs", listed)
        assert got["status"] == listed["jobs"][0]["status"] == status
        expected = {
            "inputRecords": 10,
            "totalRecordsProcessed": 4,
            "recordsNotProcessed": 1,
            "deleteRecordsProcessed": 0,
            "matchIDs": 2,
        }
        assert got["metrics"] == fitted(expected, "JobMetrics")
        assert ("endTime" in got) is (status in {"SUCCEEDED", "FAILED"})

    def test_a_test_can_fail_a_job_with_a_message(
        self, fake: EntityResolutionMock, er_client: BaseClient
    ) -> None:
        job_id = call(er_client, "start_matching_job", workflowName=WORKFLOW)["jobId"]

        fake.job(WORKFLOW, job_id).fail("input table is empty")

        got = call(er_client, "get_matching_job", workflowName=WORKFLOW, jobId=job_id)
        assert got["status"] == "FAILED"
        assert got["errorDetails"] == {"errorMessage": "input table is empty"}
        assert fake.job(WORKFLOW, job_id).status == "FAILED"

    def test_a_pinned_job_no_longer_follows_its_timeline(
        self, fake: EntityResolutionMock, clock: Clock, er_client: BaseClient
    ) -> None:
        job_id = call(er_client, "start_matching_job", workflowName=WORKFLOW)["jobId"]
        control = fake.job(WORKFLOW, job_id)

        control.set("RUNNING", input_records=100, processed=7)
        clock.advance(3600)

        assert control.status == "RUNNING"
        got = call(er_client, "get_matching_job", workflowName=WORKFLOW, jobId=job_id)
        assert got["metrics"] == {"inputRecords": 100, "totalRecordsProcessed": 7}

    def test_succeed_reports_the_timeline_totals(
        self, fake: EntityResolutionMock, clock: Clock, er_client: BaseClient
    ) -> None:
        job_id = call(er_client, "start_matching_job", workflowName=WORKFLOW)["jobId"]

        fake.job(WORKFLOW, job_id).succeed(match_ids=12)

        got = call(er_client, "get_matching_job", workflowName=WORKFLOW, jobId=job_id)
        assert got["status"] == "SUCCEEDED"
        assert got["endTime"] == T0
        line = fake.timeline
        assert got["metrics"]["totalRecordsProcessed"] + got["metrics"]["recordsNotProcessed"] == (
            line.input_records
        )
        assert got["metrics"]["matchIDs"] == 12

    def test_a_second_job_while_one_is_in_progress_is_a_conflict(
        self, fake: EntityResolutionMock, er_client: BaseClient
    ) -> None:
        first = call(er_client, "start_matching_job", workflowName=WORKFLOW)["jobId"]

        with pytest.raises(ClientError) as caught:
            call(er_client, "start_matching_job", workflowName=WORKFLOW)
        assert error_of(caught) == ("ConflictException", 400)

        fake.job(WORKFLOW, first).succeed()
        assert call(er_client, "start_matching_job", workflowName=WORKFLOW)["jobId"] != first

    def test_jobs_list_in_pages_oldest_first(
        self, fake: EntityResolutionMock, er_client: BaseClient
    ) -> None:
        started = []
        for _ in range(30):
            job_id = call(er_client, "start_matching_job", workflowName=WORKFLOW)["jobId"]
            fake.job(WORKFLOW, job_id).succeed()
            started.append(job_id)

        first_page = call(er_client, "list_matching_jobs", workflowName=WORKFLOW)
        pages = list(
            er_client.get_paginator("list_matching_jobs").paginate(
                workflowName=WORKFLOW, PaginationConfig={"PageSize": 10}
            )
        )

        assert len(first_page["jobs"]) == 25
        assert "nextToken" in first_page
        assert_matches_output_shape(er_client, "ListMatchingJobs", first_page)
        assert [len(page["jobs"]) for page in pages] == [10, 10, 10]
        assert [j["jobId"] for page in pages for j in page["jobs"]] == started
        assert [c.job_id for c in fake.jobs(WORKFLOW)] == started

    def test_an_unknown_job_or_workflow_is_not_found(self, er_client: BaseClient) -> None:
        for params in (
            {"workflowName": WORKFLOW, "jobId": JOB_ID},
            {"workflowName": "nobody", "jobId": JOB_ID},
        ):
            with pytest.raises(ClientError) as caught:
                call(er_client, "get_matching_job", **params)
            assert error_of(caught) == ("ResourceNotFoundException", 404)
        for operation in ("start_matching_job", "list_matching_jobs"):
            with pytest.raises(ClientError) as caught:
                call(er_client, operation, workflowName="nobody")
            assert error_of(caught) == ("ResourceNotFoundException", 404)

    @pytest.mark.parametrize(
        ("operation", "params", "complaint"),
        [
            ("get_matching_job", {"workflowName": WORKFLOW, "jobId": "abc"}, "jobId"),
            ("get_matching_job", {"workflowName": WORKFLOW, "jobId": JOB_ID.upper()}, "jobId"),
            ("get_matching_job", {"workflowName": "a/b", "jobId": JOB_ID}, "workflowName"),
            ("start_matching_job", {"workflowName": "w" * 256}, "workflowName"),
            ("list_matching_jobs", {"workflowName": WORKFLOW, "maxResults": 26}, "maxResults"),
            (
                "list_matching_jobs",
                {"workflowName": WORKFLOW, "nextToken": "not*a*token"},
                "nextToken",
            ),
        ],
    )
    def test_input_breaking_the_model_is_a_validation_error(
        self, er_client: BaseClient, operation: str, params: dict[str, Any], complaint: str
    ) -> None:
        with pytest.raises(ClientError) as caught:
            call(er_client, operation, **params)

        assert error_of(caught) == ("ValidationException", 400)
        assert complaint in caught.value.response["Error"]["Message"]


class TestFaults:
    @pytest.fixture(autouse=True)
    def _workflow(self, fake: EntityResolutionMock) -> None:
        fake.create_workflow(WORKFLOW)

    @pytest.mark.parametrize(
        ("fault", "status"),
        [
            ("ThrottlingException", 429),
            ("InternalServerException", 500),
            ("AccessDeniedException", 403),
        ],
    )
    def test_the_next_calls_fail_then_the_service_recovers(
        self, fake: EntityResolutionMock, fault: str, status: int
    ) -> None:
        client = boto3.client(
            "entityresolution",
            region_name="us-east-1",
            config=Config(retries={"total_max_attempts": 1}),
        )
        fake.inject_fault("ListMatchingJobs", fault, times=2, message="not now")  # type: ignore[arg-type]

        for _ in range(2):
            with pytest.raises(ClientError) as caught:
                call(client, "list_matching_jobs", workflowName=WORKFLOW)
            assert error_of(caught) == (fault, status)
            assert caught.value.response["Error"]["Message"] == "not now"
        assert call(client, "list_matching_jobs", workflowName=WORKFLOW)["jobs"] == []

    def test_faults_apply_to_their_operation_only(
        self, fake: EntityResolutionMock, er_client: BaseClient
    ) -> None:
        fake.inject_fault("GetMatchingJob", "AccessDeniedException")

        assert call(er_client, "list_matching_jobs", workflowName=WORKFLOW)["jobs"] == []

    def test_an_unsupported_fault_is_refused(self, fake: EntityResolutionMock) -> None:
        with pytest.raises(ValueError, match="cannot inject 'ConflictException'"):
            fake.inject_fault("GetMatchingJob", "ConflictException")  # type: ignore[arg-type]


class TestIsolation:
    def test_regions_do_not_see_each_other(self, fake: EntityResolutionMock) -> None:
        east = boto3.client("entityresolution", region_name="us-east-1")
        west = boto3.client("entityresolution", region_name="eu-west-1")
        call(east, "create_matching_workflow", workflowName=WORKFLOW, **CREATE_ARGS)

        assert call(west, "list_matching_workflows")["workflowSummaries"] == []
        with pytest.raises(ClientError) as caught:
            call(west, "get_matching_workflow", workflowName=WORKFLOW)
        assert error_of(caught) == ("ResourceNotFoundException", 404)
        assert EntityResolutionMock("eu-west-1").backend.workflows == {}

    def test_accounts_do_not_see_each_other(self, fake: EntityResolutionMock) -> None:
        ours = boto3.client("entityresolution", region_name="us-east-1")
        call(ours, "create_matching_workflow", workflowName=WORKFLOW, **CREATE_ARGS)
        credentials = boto3.client("sts", region_name="us-east-1").assume_role(
            RoleArn="arn:aws:iam::210987654321:role/other", RoleSessionName="tests"
        )["Credentials"]
        theirs = boto3.client(
            "entityresolution",
            region_name="us-east-1",
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )

        assert call(theirs, "list_matching_workflows")["workflowSummaries"] == []
        assert EntityResolutionMock(account_id="210987654321").backend.workflows == {}
        assert list(fake.backend.workflows) == [WORKFLOW]

    def test_state_is_reset_when_the_mock_ends(self) -> None:
        with mock_aws():
            EntityResolutionMock().create_workflow(WORKFLOW)
        with mock_aws():
            assert EntityResolutionMock().backend.workflows == {}


class TestControls:
    def test_controls_describe_themselves(self, fake: EntityResolutionMock) -> None:
        fake.create_workflow(WORKFLOW)
        job = fake.backend.start_matching_job(WORKFLOW)

        assert (
            repr(fake) == "EntityResolutionMock(region_name='us-east-1', account_id='123456789012')"
        )
        assert repr(fake.job(WORKFLOW, job.job_id)) == (
            f"JobControl('customers', '{job.job_id}', status='QUEUED')"
        )
        assert fake.job(WORKFLOW, job.job_id).workflow_name == WORKFLOW

    def test_an_unknown_job_is_a_key_error(self, fake: EntityResolutionMock) -> None:
        fake.create_workflow(WORKFLOW)

        with pytest.raises(KeyError):
            fake.job(WORKFLOW, JOB_ID)


class TestMotoInternalsCheck:
    """The check fails loudly, naming moto's version, when moto's internals move."""

    def test_a_lookup_that_fails_is_reported(self, monkeypatch: pytest.MonkeyPatch) -> None:
        def broken(name: str) -> object:
            raise ModuleNotFoundError(f"No module named 'moto.{name}'")

        monkeypatch.setattr(moto.backends, "get_backend", broken)

        with pytest.raises(RuntimeError, match=r"moto \S+ no longer loads backends"):
            _registration.check_moto_internals()

    def test_another_backend_found_is_reported(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(moto.backends, "get_backend", lambda name: {})

        with pytest.raises(RuntimeError, match="resolved 'entityresolution' to another backend"):
            _registration.check_moto_internals()

    def test_urls_no_longer_routed_are_reported(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(moto.backends, "get_service_from_url", lambda url: None)

        with pytest.raises(RuntimeError, match="no longer routes entityresolution URLs"):
            _registration.check_moto_internals()


def test_the_server_fixture_serves_the_fake_over_http_with_controls(
    entity_resolution_server: str,
) -> None:
    fake = EntityResolutionMock(region_name="eu-west-1")
    fake.create_workflow(WORKFLOW)
    er = EntityResolutionJobs(region_name="eu-west-1", endpoint_url=entity_resolution_server)

    job_id = er.start_matching_job(WORKFLOW)
    fake.job(WORKFLOW, job_id).fail("input table is empty")

    assert entity_resolution_server.startswith("http://127.0.0.1:")
    assert er.get_matching_job(WORKFLOW, job_id).error_message == "input table is empty"
    assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
    assert os.environ["AWS_DEFAULT_REGION"] == "us-east-1"  # the suite's, kept


def test_the_server_fixture_starts_every_test_empty(entity_resolution_server: str) -> None:
    # The test above created a workflow in eu-west-1; it is gone.
    er = EntityResolutionJobs(region_name="eu-west-1", endpoint_url=entity_resolution_server)
    with pytest.raises(ResourceNotFoundError):
        er.get_matching_job(WORKFLOW, "a" * 32)


class TestEndpointsOutsideTheTest:
    """A developer who exported a fake server's endpoint for er-jobs runs the suite."""

    @pytest.fixture(autouse=True)
    def exported(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        # Set before the entity_resolution fixture (autouse fixtures come first):
        # a port where nothing listens, so a request that went there would fail.
        monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        monkeypatch.setenv("AWS_ENDPOINT_URL_ENTITYRESOLUTION", "http://127.0.0.1:9")
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9")
        config = tmp_path / "config"
        config.write_text("[default]\nendpoint_url = http://127.0.0.1:9\n")
        monkeypatch.setenv("AWS_CONFIG_FILE", str(config))

    def test_the_fixture_keeps_every_call_in_process(
        self, entity_resolution: EntityResolutionMock
    ) -> None:
        entity_resolution.create_workflow(WORKFLOW)
        er = EntityResolutionJobs()

        job_id = er.start_matching_job(WORKFLOW)
        entity_resolution.job(WORKFLOW, job_id).succeed()

        assert [job.job_id for job in er.list_matching_jobs(WORKFLOW)] == [job_id]
        assert "AWS_ENDPOINT_URL" not in os.environ

    def test_a_boto3_client_in_the_test_stays_in_process_too(
        self, entity_resolution: EntityResolutionMock
    ) -> None:
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="reports")

        assert [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]] == ["reports"]
