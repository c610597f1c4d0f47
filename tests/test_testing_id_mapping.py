"""The moto backend's ID mapping workflows and jobs: operations, wire format, ARNs, controls."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError, ParamValidationError
from moto import mock_aws

from entityresolution_jobs import (
    EntityResolutionJobs,
    IdMappingJobType,
    JobStatus,
    OutputSource,
    ResourceNotFoundError,
    ThrottlingError,
)
from entityresolution_jobs.testing import EntityResolutionMock, JobTimeline

from .support import (
    ID_MAPPING_METRICS,
    JOB_ID,
    JOB_TYPE_SENDABLE,
    assert_matches_output_shape,
    call,
    error_of,
    fitted,
    if_modelled,
)

WORKFLOW = "customer-ids"
T0 = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
ROLE = "arn:aws:iam::123456789012:role/er"
CREATE_ARGS: dict[str, Any] = {
    "inputSourceConfig": [
        {"inputSourceARN": "arn:aws:glue:us-east-1:123456789012:table/db/src", "schemaName": "s"},
        {"inputSourceARN": "arn:aws:glue:us-east-1:123456789012:table/db/tgt", "type": "TARGET"},
    ],
    "outputSourceConfig": [{"outputS3Path": "s3://out-bucket/ids/"}],
    "idMappingTechniques": {"idMappingType": "PROVIDER", "providerProperties": {
        "providerServiceArn": "arn:aws:entityresolution:us-east-1::providerservice/acme/ids",
    }},
    "roleArn": ROLE,
    "tags": {"team": "data"},
}  # fmt: skip


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


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
def client(fake: EntityResolutionMock) -> BaseClient:
    er_client: BaseClient = boto3.client("entityresolution", region_name="us-east-1")
    return er_client


@pytest.fixture
def workflow(fake: EntityResolutionMock) -> str:
    return fake.create_id_mapping_workflow(WORKFLOW)


class TestWorkflows:
    def test_create_get_list_delete(self, client: BaseClient) -> None:
        created = call(client, "create_id_mapping_workflow", workflowName=WORKFLOW, **CREATE_ARGS)
        fetched = call(client, "get_id_mapping_workflow", workflowName=WORKFLOW)
        listed = call(client, "list_id_mapping_workflows")
        deleted = call(client, "delete_id_mapping_workflow", workflowName=WORKFLOW)

        arn = "arn:aws:entityresolution:us-east-1:123456789012:idmappingworkflow/customer-ids"
        assert created["workflowArn"] == fetched["workflowArn"] == arn
        assert fetched["tags"] == {"team": "data"}
        assert "tags" not in created
        assert [w["workflowArn"] for w in listed["workflowSummaries"]] == [arn]
        assert WORKFLOW in deleted["message"]
        assert call(client, "list_id_mapping_workflows")["workflowSummaries"] == []
        for operation, reply in [
            ("CreateIdMappingWorkflow", created),
            ("GetIdMappingWorkflow", fetched),
            ("ListIdMappingWorkflows", listed),
            ("DeleteIdMappingWorkflow", deleted),
        ]:
            assert_matches_output_shape(client, operation, reply)

    def test_matching_and_id_mapping_workflows_are_apart(
        self, fake: EntityResolutionMock, client: BaseClient
    ) -> None:
        fake.create_workflow(WORKFLOW)

        assert call(client, "list_id_mapping_workflows")["workflowSummaries"] == []
        with pytest.raises(ClientError) as caught:
            call(client, "get_id_mapping_workflow", workflowName=WORKFLOW)
        assert error_of(caught) == ("ResourceNotFoundException", 404)
        assert "ID mapping workflow customer-ids" in str(caught.value)
        fake.create_id_mapping_workflow(WORKFLOW)  # the same name, the other kind

    def test_a_duplicate_name_is_a_conflict_and_deleting_nothing_succeeds(
        self, workflow: str, client: BaseClient
    ) -> None:
        with pytest.raises(ClientError) as caught:
            call(client, "create_id_mapping_workflow", workflowName=WORKFLOW, **CREATE_ARGS)

        assert error_of(caught) == ("ConflictException", 400)
        assert call(client, "delete_id_mapping_workflow", workflowName="nobody")["message"]

    def test_workflows_list_in_pages(self, fake: EntityResolutionMock, client: BaseClient) -> None:
        for number in range(5):
            fake.create_id_mapping_workflow(f"w{number}")

        pages = client.get_paginator("list_id_mapping_workflows").paginate(
            PaginationConfig={"PageSize": 2}
        )

        assert [[w["workflowName"] for w in p["workflowSummaries"]] for p in pages] == [
            ["w0", "w1"],
            ["w2", "w3"],
            ["w4"],
        ]


class TestJobs:
    def test_a_job_moves_through_its_timeline_with_all_15_counts(
        self, fake: EntityResolutionMock, clock: Clock, client: BaseClient, workflow: str
    ) -> None:
        fake.timeline = JobTimeline(
            queued_seconds=2, running_seconds=10, input_records=500,
            records_not_processed=20, mapped_records=301,
        )  # fmt: skip
        started = call(client, "start_id_mapping_job", workflowName=WORKFLOW)
        job_id = started["jobId"]
        seen = []
        for step in (1, 3, 7, 12):
            clock.now = T0 + timedelta(seconds=step)
            reply = call(client, "get_id_mapping_job", workflowName=WORKFLOW, jobId=job_id)
            assert_matches_output_shape(client, "GetIdMappingJob", reply)
            seen.append(reply)

        assert_matches_output_shape(client, "StartIdMappingJob", started)
        assert started.get("jobType") == if_modelled("BATCH", "StartIdMappingJobOutput", "jobType")
        assert [r["status"] for r in seen] == ["QUEUED", "RUNNING", "RUNNING", "SUCCEEDED"]
        assert "metrics" not in seen[0]
        assert seen[1]["metrics"]["totalMappedRecords"] < seen[2]["metrics"]["totalMappedRecords"]
        done = seen[-1]
        assert done["endTime"] == T0 + timedelta(seconds=12)
        assert set(done["metrics"]) == set(fitted(ID_MAPPING_METRICS, "IdMappingJobMetrics"))
        metrics = done["metrics"]
        assert metrics["totalRecordsProcessed"] + metrics["recordsNotProcessed"] == 500
        assert metrics["totalMappedRecords"] == 301
        assert metrics["totalMappedSourceRecords"] + metrics["totalMappedTargetRecords"] == 301
        assert done.get("jobType") == if_modelled("BATCH", "GetIdMappingJobOutput", "jobType")
        assert done["outputSourceConfig"] == [
            {"roleArn": "arn:aws:iam::123456789012:role/entity-resolution",
             "outputS3Path": "s3://example-bucket/entity-resolution/id-mapping/"}
        ]  # fmt: skip

    def test_the_job_type_and_output_location_of_the_start_request_are_kept(
        self, client: BaseClient, workflow: str
    ) -> None:
        output = [{"roleArn": ROLE + "-output-writer", "outputS3Path": "s3://run-bucket/7/"}]
        # A client on a botocore before 1.40.37 cannot send (or read) a job type.
        job_type = {"jobType": "INCREMENTAL"} if JOB_TYPE_SENDABLE else {}
        started = call(
            client,
            "start_id_mapping_job",
            workflowName=WORKFLOW,
            outputSourceConfig=output,
            **job_type,
        )

        got = call(client, "get_id_mapping_job", workflowName=WORKFLOW, jobId=started["jobId"])

        assert started["outputSourceConfig"] == got["outputSourceConfig"] == output
        assert started.get("jobType") == got.get("jobType") == job_type.get("jobType")

    def test_a_workflow_without_a_role_runs_jobs_that_report_no_output(
        self, client: BaseClient
    ) -> None:
        args = {key: value for key, value in CREATE_ARGS.items() if key != "roleArn"}
        call(client, "create_id_mapping_workflow", workflowName=WORKFLOW, **args)
        job_id = call(client, "start_id_mapping_job", workflowName=WORKFLOW)["jobId"]

        got = call(client, "get_id_mapping_job", workflowName=WORKFLOW, jobId=job_id)

        assert_matches_output_shape(client, "GetIdMappingJob", got)
        assert "outputSourceConfig" not in got

    @pytest.mark.parametrize("status", ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED"])
    def test_every_state_a_test_sets_validates_against_the_output_shape(
        self, fake: EntityResolutionMock, client: BaseClient, workflow: str, status: str
    ) -> None:
        job_id = call(client, "start_id_mapping_job", workflowName=WORKFLOW)["jobId"]
        fake.id_mapping_job(WORKFLOW, job_id).set(
            status,  # type: ignore[arg-type]
            input_records=10, processed=4, not_processed=1, mapped_records=3,
            counts={"newMappedRecords": 2}, error_message="boom" if status == "FAILED" else None,
        )  # fmt: skip

        got = call(client, "get_id_mapping_job", workflowName=WORKFLOW, jobId=job_id)
        listed = call(client, "list_id_mapping_jobs", workflowName=WORKFLOW)

        assert_matches_output_shape(client, "GetIdMappingJob", got)
        assert_matches_output_shape(client, "ListIdMappingJobs", listed)
        assert got["status"] == listed["jobs"][0]["status"] == status
        expected = {
            "inputRecords": 10,
            "totalRecordsProcessed": 4,
            "recordsNotProcessed": 1,
            "totalMappedRecords": 3,
            "newMappedRecords": 2,
        }
        assert got["metrics"] == fitted(expected, "IdMappingJobMetrics")
        assert ("endTime" in got) is (status in {"SUCCEEDED", "FAILED"})
        assert ("errorDetails" in got) is (status == "FAILED")

    def test_controls_fail_and_succeed_a_job(
        self, fake: EntityResolutionMock, client: BaseClient, workflow: str
    ) -> None:
        first = call(client, "start_id_mapping_job", workflowName=WORKFLOW)["jobId"]
        fake.id_mapping_job(WORKFLOW, first).fail("provider unreachable")
        second = call(client, "start_id_mapping_job", workflowName=WORKFLOW)["jobId"]
        fake.id_mapping_job(WORKFLOW, second).succeed(mapped_records=77)

        failed = call(client, "get_id_mapping_job", workflowName=WORKFLOW, jobId=first)
        done = call(client, "get_id_mapping_job", workflowName=WORKFLOW, jobId=second)

        assert failed["errorDetails"] == {"errorMessage": "provider unreachable"}
        assert done["status"] == "SUCCEEDED"
        assert done["metrics"]["totalMappedRecords"] == 77
        assert [c.status for c in fake.id_mapping_jobs(WORKFLOW)] == ["FAILED", "SUCCEEDED"]
        assert repr(fake.id_mapping_job(WORKFLOW, first)) == (
            f"IdMappingJobControl('{WORKFLOW}', '{first}', status='FAILED')"
        )
        assert fake.id_mapping_job(WORKFLOW, first).job_type == "BATCH"

    def test_a_second_job_while_one_is_in_progress_is_a_conflict(
        self, client: BaseClient, workflow: str
    ) -> None:
        call(client, "start_id_mapping_job", workflowName=WORKFLOW)

        with pytest.raises(ClientError) as caught:
            call(client, "start_id_mapping_job", workflowName=WORKFLOW)

        assert error_of(caught) == ("ConflictException", 400)

    def test_an_unknown_job_or_workflow_is_not_found(
        self, fake: EntityResolutionMock, client: BaseClient, workflow: str
    ) -> None:
        for params in (
            {"workflowName": WORKFLOW, "jobId": JOB_ID},
            {"workflowName": "nobody", "jobId": JOB_ID},
        ):
            with pytest.raises(ClientError) as caught:
                call(client, "get_id_mapping_job", **params)
            assert error_of(caught) == ("ResourceNotFoundException", 404)
        with pytest.raises(KeyError):
            fake.id_mapping_job(WORKFLOW, JOB_ID)

    @pytest.mark.parametrize(
        ("operation", "params", "complaint"),
        [
            ("get_id_mapping_job", {"workflowName": WORKFLOW, "jobId": "abc"}, "jobId"),
            ("start_id_mapping_job", {"workflowName": "a b"}, "workflowName"),
            ("start_id_mapping_job", {"workflowName": WORKFLOW, "jobType": "NIGHTLY"}, "jobType"),
            ("list_id_mapping_jobs", {"workflowName": WORKFLOW, "maxResults": 26}, "maxResults"),
        ],
    )
    def test_input_breaking_the_model_is_a_validation_error(
        self,
        client: BaseClient,
        workflow: str,
        operation: str,
        params: dict[str, Any],
        complaint: str,
    ) -> None:
        if "jobType" in params and not JOB_TYPE_SENDABLE:  # refused before it is sent
            with pytest.raises(ParamValidationError, match="Unknown parameter"):
                call(client, operation, **params)
            return
        with pytest.raises(ClientError) as caught:
            call(client, operation, **params)

        assert error_of(caught) == ("ValidationException", 400)
        assert complaint in caught.value.response["Error"]["Message"]

    def test_faults_are_injected_per_operation(
        self, fake: EntityResolutionMock, client: BaseClient, workflow: str
    ) -> None:
        fake.inject_fault("ListIdMappingJobs", "AccessDeniedException", message="nope")

        with pytest.raises(ClientError) as caught:
            call(client, "list_id_mapping_jobs", workflowName=WORKFLOW)

        assert error_of(caught) == ("AccessDeniedException", 403)
        assert call(client, "list_id_mapping_jobs", workflowName=WORKFLOW)["jobs"] == []


class TestArns:
    def test_an_arn_names_a_workflow_of_this_account(
        self, client: BaseClient, workflow: str
    ) -> None:
        job_id = call(client, "start_id_mapping_job", workflowName=workflow)["jobId"]

        by_arn = call(client, "get_id_mapping_job", workflowName=workflow, jobId=job_id)
        by_name = call(client, "get_id_mapping_job", workflowName=WORKFLOW, jobId=job_id)
        listed = call(client, "list_id_mapping_jobs", workflowName=workflow)

        assert by_arn["jobId"] == by_name["jobId"] == listed["jobs"][0]["jobId"] == job_id

    def test_an_arn_of_another_account_and_region_resolves_there(
        self, fake: EntityResolutionMock, client: BaseClient
    ) -> None:
        owner = EntityResolutionMock("eu-west-1", account_id="111122223333")
        shared = owner.create_id_mapping_workflow("shared-ids")

        job_id = call(client, "start_id_mapping_job", workflowName=shared)["jobId"]

        assert [c.job_id for c in owner.id_mapping_jobs("shared-ids")] == [job_id]
        assert fake.backend.id_mapping_workflows == {}
        with pytest.raises(ClientError):
            call(client, "get_id_mapping_job", workflowName="shared-ids", jobId=job_id)

    def test_an_arn_of_a_matching_workflow_is_refused_as_the_model_says(
        self, fake: EntityResolutionMock, client: BaseClient
    ) -> None:
        arn = fake.create_workflow(WORKFLOW)

        with pytest.raises(ClientError) as caught:
            call(client, "list_id_mapping_jobs", workflowName=arn)

        assert error_of(caught) == ("ValidationException", 400)
        assert "workflowName" in caught.value.response["Error"]["Message"]


class TestThroughTheLibrary:
    def test_start_wait_and_list_against_the_fake(
        self, fake: EntityResolutionMock, workflow: str
    ) -> None:
        fake.timeline = JobTimeline(queued_seconds=0.05, running_seconds=0.1, mapped_records=8)
        er = EntityResolutionJobs(region_name="us-east-1")

        output = OutputSource(role_arn=ROLE + "-writer", output_s3_path="s3://bkt/o/")
        # Sent where this botocore can (1.40.37 on); test_id_mapping covers the refusal.
        job_type = IdMappingJobType.INCREMENTAL if JOB_TYPE_SENDABLE else None

        job_id = er.start_id_mapping_job(workflow, job_type=job_type, output_source=output)
        job = er.wait_for_id_mapping_job(WORKFLOW, job_id, min_delay=0.05, max_delay=0.1)

        assert job.status is JobStatus.SUCCEEDED
        assert job.job_type == job_type
        assert job.metrics.total_mapped_records == 8
        assert job.metrics.progress == 1.0
        assert job.output_source == OutputSource(
            role_arn=ROLE + "-writer", output_s3_path="s3://bkt/o/"
        )
        assert [s.job_id for s in er.list_id_mapping_jobs(workflow)] == [job_id]

    def test_errors_of_the_fake_arrive_as_the_librarys_classes(
        self, fake: EntityResolutionMock, workflow: str
    ) -> None:
        er = EntityResolutionJobs(region_name="us-east-1")
        fake.inject_fault("GetIdMappingJob", "ThrottlingException", times=3)

        with pytest.raises(ThrottlingError):
            er.get_id_mapping_job(WORKFLOW, JOB_ID)
        with pytest.raises(ResourceNotFoundError, match=f"The job {JOB_ID} could not be found"):
            er.get_id_mapping_job(WORKFLOW, JOB_ID)

    def test_over_http_with_a_shared_workflows_arn(self, moto_server: str) -> None:
        owner = EntityResolutionMock("us-east-1", account_id="111122223333")
        shared = owner.create_id_mapping_workflow("shared-ids")
        er = EntityResolutionJobs(endpoint_url=moto_server, region_name="us-east-1")

        job_type = IdMappingJobType.DELETE_ONLY if JOB_TYPE_SENDABLE else None
        job_id = er.start_id_mapping_job(shared, job_type=job_type)
        owner.id_mapping_job("shared-ids", job_id).succeed()

        job = er.get_id_mapping_job(shared, job_id)
        assert (job.status, job.job_type) == (JobStatus.SUCCEEDED, job_type)
        assert [s.job_id for s in er.list_id_mapping_jobs(shared)] == [job_id]
