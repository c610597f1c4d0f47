"""A job's output from Airflow: read with the connection, its folder pushed to XCom.

The worker's own AWS settings here point elsewhere (other keys, an S3
endpoint that answers nothing): everything that works, works through the
connection's credentials, region and endpoint.
"""

from __future__ import annotations

import asyncio
from typing import Any

import boto3
import pytest

from airflow_support import (
    TEST_DAGS,
    RecordingTaskInstance,
    context_of,
    run_dag,
    succeeded,
    task_log_lines,
    xcom,
)
from conftest import ID_MAPPING_WORKFLOW, REGION, WORKFLOW, aws_connection
from entityresolution_jobs import JobStatus
from entityresolution_jobs.airflow import (
    EntityResolutionHook,
    MatchingJobSensor,
    StartIdMappingJobOperator,
    StartMatchingJobOperator,
)
from entityresolution_jobs.testing import EntityResolutionMock, JobTimeline

BUCKET = "example-bucket"  # where the fake's workflows write (EntityResolutionMock's default)
MATCHING_OUTPUT = f"s3://{BUCKET}/entity-resolution/output/"
ID_MAPPING_OUTPUT = f"s3://{BUCKET}/entity-resolution/id-mapping/"


@pytest.fixture
def connection(fake_service_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """``aws_default`` with keys of its own; the worker's environment has others and a dead S3."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "worker-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "worker-secret")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    connection = aws_connection(fake_service_url, "connection-key", "connection-secret")
    monkeypatch.setenv("AIRFLOW_CONN_AWS_DEFAULT", connection)
    return fake_service_url


@pytest.fixture
def bucket(connection: str, service: EntityResolutionMock) -> None:
    """The workflows' output bucket in the fake's S3: jobs that SUCCEED write their files there."""
    s3 = boto3.client("s3", endpoint_url=connection, region_name=REGION)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})


def _succeeded_job(service: EntityResolutionMock) -> str:
    job_id = EntityResolutionHook().jobs.start_matching_job(WORKFLOW)
    service.job(WORKFLOW, job_id).succeed()
    return job_id


def test_the_hook_reads_output_with_the_connections_credentials_region_and_endpoint(
    service: EntityResolutionMock, bucket: None, connection: str
) -> None:
    jobs = EntityResolutionHook().jobs
    job = jobs.get_matching_job(WORKFLOW, _succeeded_job(service))

    output = jobs.get_job_output(job)
    records = list(jobs.iter_output_records(output))

    assert output.folder == f"{MATCHING_OUTPUT}{WORKFLOW}/{job.job_id}/"
    assert len(records) == job.metrics.total_records_processed
    s3: Any = jobs._s3()
    assert (s3.meta.region_name, s3.meta.endpoint_url) == (REGION, connection)
    assert s3._request_signer._credentials.access_key == "connection-key"


def test_the_async_hook_reads_output_with_the_connection_too(
    service: EntityResolutionMock, bucket: None, connection: str
) -> None:
    job_id = _succeeded_job(service)

    async def read() -> tuple[str | None, int, str]:
        async with EntityResolutionHook().async_jobs() as jobs:
            job = await jobs.get_matching_job(WORKFLOW, job_id)
            output = await jobs.get_job_output(job)
            records = [record async for record in jobs.iter_output_records(output)]
            s3: Any = await jobs._s3()
            credentials = await s3._request_signer._credentials.get_frozen_credentials()
            return output.folder, len(records), credentials.access_key

    folder, count, key = asyncio.run(read())

    assert folder == f"{MATCHING_OUTPUT}{WORKFLOW}/{job_id}/"
    assert count > 0
    assert key == "connection-key"


@pytest.mark.parametrize(
    ("operator_class", "workflow", "folder"),
    [
        (StartMatchingJobOperator, WORKFLOW, MATCHING_OUTPUT),
        (StartIdMappingJobOperator, ID_MAPPING_WORKFLOW, ID_MAPPING_OUTPUT),
    ],
)
def test_the_operators_push_the_output_folder_of_a_job_that_succeeded(
    service: EntityResolutionMock,
    bucket: None,
    operator_class: type[StartMatchingJobOperator | StartIdMappingJobOperator],
    workflow: str,
    folder: str,
) -> None:
    ti = RecordingTaskInstance()
    operator = operator_class(
        task_id="run", workflow_name=workflow, deferrable=False, min_delay=0.1
    )

    job_id = operator.execute(context_of(ti))

    assert ti.pushed["output_folder"] == f"{folder}{workflow}/{job_id}/"


def test_the_sensor_pushes_the_output_folder(service: EntityResolutionMock, bucket: None) -> None:
    job_id = _succeeded_job(service)
    ti = RecordingTaskInstance()
    sensor = MatchingJobSensor(task_id="sense", workflow_name=WORKFLOW, job_id=job_id)
    listings: list[str] = []
    sensor.hook.jobs._s3().meta.events.register(
        "before-call.s3.ListObjectsV2", lambda **_: listings.append("list")
    )

    assert sensor.poke(context_of(ti)) is True
    assert ti.pushed["output_folder"] == f"{MATCHING_OUTPUT}{WORKFLOW}/{job_id}/"
    assert len(listings) == 1  # the job's workflow rides in the event: no search


def test_no_folder_is_pushed_or_looked_for_when_the_task_says_not_to(
    service: EntityResolutionMock, connection: str
) -> None:
    # No bucket: a listing would fail. None is made.
    ti = RecordingTaskInstance()
    operator = StartMatchingJobOperator(
        task_id="match", workflow_name=WORKFLOW, deferrable=False, push_output_folder=False,
        min_delay=0.1,
    )  # fmt: skip

    operator.execute(context_of(ti))

    assert set(ti.pushed) == {"job"}
    assert operator.hook.jobs._s3_client is None  # never built


def test_an_output_folder_that_cannot_be_found_warns_and_the_task_succeeds(
    service: EntityResolutionMock,
    connection: str,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    ti = RecordingTaskInstance()
    operator = StartMatchingJobOperator(
        task_id="match", workflow_name=WORKFLOW, deferrable=False, min_delay=0.1
    )

    job_id = operator.execute(context_of(ti))

    assert "output_folder" not in ti.pushed
    assert ti.pushed["job"]["status"] == JobStatus.SUCCEEDED  # type: ignore[index]
    assert any(
        f"{job_id} SUCCEEDED, but its output folder was not found" in line
        and "ResourceNotFoundError" in line
        for line in task_log_lines(capfd, caplog)
    )


def test_a_downstream_task_reads_the_records_with_the_connection(
    service: EntityResolutionMock, bucket: None
) -> None:
    service.timeline = JobTimeline(queued_seconds=0.1, running_seconds=0.4, input_records=250)

    run = run_dag(TEST_DAGS, "matching_then_read_output")

    assert succeeded(run)
    job_id = xcom(run, "match")
    folder = f"{MATCHING_OUTPUT}{WORKFLOW}/{job_id}/"
    assert xcom(run, "match", "output_folder") == folder
    job: Any = xcom(run, "match", "job")
    assert xcom(run, "read") == {
        "folder": folder,
        "records": job["metrics"]["totalRecordsProcessed"],
    }
