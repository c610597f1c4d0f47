"""The fake's controls over HTTP (``/moto-api/entityresolution/``), as any client sees them."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config

from entityresolution_jobs import EntityResolutionJobs, JobStatus, ThrottlingError
from entityresolution_jobs.testing import EntityResolutionMock, JobTimeline

API = "/moto-api/entityresolution"


@pytest.fixture
def server(entity_resolution_server: str) -> str:
    fake = EntityResolutionMock()
    fake.create_workflow("customers")
    fake.create_id_mapping_workflow("ids")
    return entity_resolution_server


def control(server: str, action: str, body: Any = None, **kwargs: Any) -> requests.Response:
    return requests.post(f"{server}{API}/{action}", json=body, timeout=10, **kwargs)


def er(server: str) -> EntityResolutionJobs:
    return EntityResolutionJobs(
        endpoint_url=server, config=Config(retries={"total_max_attempts": 1})
    )


def test_a_job_is_pinned_with_metrics(server: str) -> None:
    job_id = er(server).start_matching_job("customers")

    reply = control(server, "jobs/set", {
        "workflowName": "customers", "jobId": job_id, "status": "RUNNING",
        "metrics": {"inputRecords": 1000, "totalRecordsProcessed": 250},
    })  # fmt: skip

    assert reply.status_code == 200, reply.text
    assert reply.json() == {"workflowName": "customers", "jobId": job_id, "status": "RUNNING"}
    job = er(server).get_matching_job("customers", job_id)
    assert job.metrics.progress == 0.25


def test_jobs_of_both_kinds_are_finished_or_failed_now(server: str) -> None:
    matching = er(server).start_matching_job("customers")
    mapping = er(server).start_id_mapping_job("ids")

    succeeded = control(server, "jobs/succeed", {"workflowName": "customers", "jobId": matching})
    failed = control(server, "jobs/fail", {
        "workflowName": "ids", "jobId": mapping, "kind": "idMapping", "errorMessage": "bad rows",
    })  # fmt: skip

    assert (succeeded.status_code, failed.status_code) == (200, 200)
    assert er(server).get_matching_job("customers", matching).status is JobStatus.SUCCEEDED
    failed_job = er(server).get_id_mapping_job("ids", mapping)
    assert (failed_job.status, failed_job.error_message) == (JobStatus.FAILED, "bad rows")


def test_a_fault_is_injected_on_an_operation(server: str) -> None:
    job_id = er(server).start_matching_job("customers")

    reply = control(server, "faults", {"operation": "GetMatchingJob", "times": 1})

    assert reply.json() == {
        "operation": "GetMatchingJob",
        "error": "ThrottlingException",
        "times": 1,
    }
    with pytest.raises(ThrottlingError, match="Injected"):
        er(server).get_matching_job("customers", job_id)
    assert er(server).get_matching_job("customers", job_id).job_id == job_id


def test_a_workflow_of_either_kind_is_created_ready_to_run_with_its_bucket(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", server)
    control(server, "timeline", {"queuedSeconds": 0, "runningSeconds": 0.2})

    matching = control(server, "workflows", {"workflowName": "orders"})
    mapping = control(server, "workflows", {
        "workflowName": "order-ids", "kind": "idMapping", "outputS3Path": "s3://ids-out/er/",
        "region": "eu-west-1",
    })  # fmt: skip

    assert matching.status_code == 200, matching.text
    assert matching.json() == {
        "workflowName": "orders",
        "workflowArn": "arn:aws:entityresolution:us-east-1:123456789012:matchingworkflow/orders",
        "kind": "matching",
        "outputS3Path": "s3://example-bucket/entity-resolution/output/",
    }
    assert mapping.json()["workflowArn"].endswith(
        ":eu-west-1:123456789012:idmappingworkflow/order-ids"
    )
    jobs = er(server)
    job = jobs.wait_for_matching_job("orders", jobs.start_matching_job("orders"))
    assert jobs.get_job_output(job).files  # written: the bucket was made with the workflow
    assert "ids-out" in {bucket["Name"] for bucket in boto3.client("s3").list_buckets()["Buckets"]}


def test_the_quota_and_the_timeline_are_set(server: str) -> None:
    EntityResolutionMock().create_workflow("suppliers")
    timeline = control(server, "timeline", {"queuedSeconds": 0, "runningSeconds": 3600})
    lifted = control(server, "quota", {"concurrentJobs": None})
    first = er(server).start_matching_job("customers")
    second = er(server).start_matching_job("suppliers")

    assert timeline.json()["runningSeconds"] == 3600
    assert lifted.json() == {"concurrentJobs": None}
    assert er(server).get_matching_job("customers", first).status is JobStatus.RUNNING
    assert er(server).get_matching_job("suppliers", second).status is JobStatus.RUNNING
    restored = control(server, "quota", {"concurrentJobs": 1})
    assert restored.json() == {"concurrentJobs": 1}


def test_the_timeline_merges_and_takes_back_what_it_echoes(server: str) -> None:
    first = control(server, "timeline", {"runningSeconds": 60, "inputRecords": 5000}).json()
    second = control(server, "timeline", {"queuedSeconds": 1}).json()
    echoed = control(server, "timeline", second)  # errorMessage: null included

    assert (first["runningSeconds"], first["inputRecords"]) == (60, 5000)
    assert (second["queuedSeconds"], second["runningSeconds"], second["inputRecords"]) == (
        1, 60, 5000,
    )  # fmt: skip
    assert second["errorMessage"] is None
    assert echoed.status_code == 200, echoed.text
    assert echoed.json() == second


def test_zero_concurrent_jobs_means_no_limit_as_on_the_command_line(server: str) -> None:
    reply = control(server, "quota", {"concurrentJobs": 0})

    assert reply.status_code == 200, reply.text
    assert reply.json() == {"concurrentJobs": None}
    assert EntityResolutionMock().concurrent_jobs is None


def test_reset_forgets_this_fakes_workflows_only(server: str) -> None:
    s3 = boto3.client("s3", endpoint_url=server)
    s3.create_bucket(Bucket="kept-bucket")

    reply = control(server, "reset", {})

    assert reply.json() == {"reset": True}
    assert list(EntityResolutionMock().backend.workflows) == []
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["kept-bucket"]


def test_another_account_and_region_are_chosen_in_the_body(server: str) -> None:
    other = EntityResolutionMock(region_name="eu-west-1", account_id="111122223333")
    other.create_workflow("theirs")
    job_id = other.backend.start_matching_job("theirs").job_id

    reply = control(server, "jobs/fail", {
        "workflowName": "theirs", "jobId": job_id, "errorMessage": "x",
        "accountId": "111122223333", "region": "eu-west-1",
    })  # fmt: skip

    assert reply.status_code == 200
    assert other.job("theirs", job_id).status == "FAILED"


@pytest.mark.parametrize(
    ("action", "body", "status", "message"),
    [
        ("jobs/set", {"workflowName": "customers", "jobId": "0" * 32, "status": "RUNNING"},
         404, "no matching job"),
        ("jobs/set", {"workflowName": "customers", "jobId": "JOB", "status": "PAUSED"},
         400, "status must be one of"),
        ("jobs/set", {"workflowName": "customers", "jobId": "JOB", "status": "RUNNING",
                      "metrics": {"matchIDs": "many"}}, 400, "metrics.matchIDs must be a whole"),
        ("jobs/set", {"workflowName": "customers", "jobId": "JOB", "status": "RUNNING",
                      "metrics": {"totalMappedRecords": 1}}, 400, "unknown metrics"),
        ("jobs/set", {"workflowName": "customers", "jobId": "JOB", "status": "RUNNING",
                      "kind": "other"}, 400, "kind must be matching or idMapping"),
        ("jobs/fail", {"workflowName": "customers", "jobId": "JOB"}, 400,
         "errorMessage is required"),
        ("faults", {"operation": "GetMatchingJob", "error": "Boom"}, 400, "error must be one of"),
        ("faults", {"operation": "GetMatchingJob", "times": 0}, 400, "times must be a positive"),
        ("quota", {"concurrentJobs": -1}, 400, "concurrentJobs must be a whole number >= 0"),
        ("quota", {"concurrentJobs": 1.5}, 400, "concurrentJobs must be a whole number >= 0"),
        ("quota", {}, 400, "concurrentJobs is required"),
        ("timeline", {"runningSeconds": -1}, 400, "runningSeconds must be a number of seconds"),
        ("timeline", {"speed": 2}, 400, "unknown fields: speed; this control takes: queued"),
        ("timeline", {"inputRecords": 10, "recordsNotProcessed": 15}, 400,
         "recordsNotProcessed (15) cannot exceed inputRecords (10)"),
        ("timeline", {"matchIDs": 5000}, 400, "matchIDs (5000) cannot exceed inputRecords (1000)"),
        ("timeline", {"inputRecords": -1}, 400, "inputRecords must be a whole number >= 0"),
        ("jobs/set", {"workflowName": "customers", "jobId": "JOB", "status": "RUNNING",
                      "metrics": {"inputRecords": -5}}, 400,
         "metrics.inputRecords must be a whole number >= 0"),
        ("jobs/set", {"workflowName": "customers", "jobId": "JOB", "status": "RUNNING",
                      "metrics": {"inputRecords": 10, "totalRecordsProcessed": 8,
                                  "recordsNotProcessed": 5}}, 400,
         "metrics.totalRecordsProcessed + metrics.recordsNotProcessed (13) cannot exceed"),
        ("jobs/set", {"workflowName": "customers", "jobId": "JOB", "status": "SUCCEEDED",
                      "errorMessage": "but it failed"}, 400, "errorMessage is for a FAILED job"),
        ("jobs/succeed", {"workflowName": "customers", "jobId": "JOB", "state": "done"}, 400,
         "unknown fields: state"),
        ("faults", {"operation": "MakeCoffee"}, 400, "the service has no operation 'MakeCoffee'"),
        ("faults", {"operation": "GetMatchingJob", "message": 7}, 400, "message must be a string"),
        ("reset", {"accountId": "abc"}, 400, "accountId must be 12 digits; got 'abc'"),
        ("reset", {"regoin": "eu-west-1"}, 400, "unknown fields: regoin"),
        ("jobs/succeed", {"workflowName": "customers", "jobId": "JOB", "region": "mars-1"},
         400, "no such region"),
        ("jobs/explode", {}, 404, "no control 'jobs/explode'"),
        ("workflows", {"workflowName": "a/b"}, 400,
         "workflowName: 1 validation error detected: Value 'a/b' at 'workflowName'"),
        ("workflows", {"workflowName": "customers"}, 409, "Workflow customers already exists"),
        ("workflows", {"workflowName": "new", "kind": "entity"}, 400, "kind must be matching"),
        ("workflows", {"workflowName": "new", "outputS3Path": "bucket/er/"}, 400,
         "outputS3Path must be s3://bucket/...; got 'bucket/er/'"),
        ("workflows", {}, 400, "workflowName is required"),
    ],
)  # fmt: skip
def test_a_bad_control_request_is_a_4xx_with_a_message_and_changes_nothing(
    server: str, action: str, body: dict[str, Any], status: int, message: str
) -> None:
    # Held QUEUED for the whole test: a slow machine must not see it move on its own.
    EntityResolutionMock().timeline = timeline = JobTimeline(queued_seconds=3600)
    job_id = er(server).start_matching_job("customers")
    before = er(server).get_matching_job("customers", job_id)
    body = {key: job_id if value == "JOB" else value for key, value in body.items()}

    reply = control(server, action, body)

    assert reply.status_code == status, reply.text
    assert message in reply.json()["message"]
    after = er(server).get_matching_job("customers", job_id)
    assert after.raw_status == before.raw_status
    assert EntityResolutionMock().concurrent_jobs == 1
    assert not EntityResolutionMock().backend.faults["GetMatchingJob"]
    assert EntityResolutionMock().timeline == timeline
    assert list(EntityResolutionMock().backend.workflows) == ["customers"]  # none made or reset


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"{not json", "the body is not JSON"), (b"[1, 2]", "must be a JSON object")],
)
def test_a_body_that_is_not_a_json_object_is_a_400(server: str, data: bytes, message: str) -> None:
    reply = requests.post(f"{server}{API}/quota", data=data, timeout=10)

    assert reply.status_code == 400
    assert message in reply.json()["message"]


def test_controls_are_posts(server: str) -> None:
    reply = requests.get(f"{server}{API}/reset", timeout=10)

    assert reply.status_code == 405
    assert EntityResolutionMock().backend.workflows  # not reset
