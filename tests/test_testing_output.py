"""The fake service writes a SUCCEEDED job's output into moto's S3, consistent with its metrics."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from entityresolution_jobs import EntityResolutionJobs
from entityresolution_jobs._output import Location, part_kind
from entityresolution_jobs._records import iter_rows
from entityresolution_jobs.testing import EntityResolutionMock, JobTimeline

BUCKET = "er-output"
OUTPUT = f"s3://{BUCKET}/entity-resolution/customers/"


@pytest.fixture
def s3(entity_resolution: EntityResolutionMock) -> Any:
    client = boto3.client("s3", region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    return client


def _keys(s3: Any) -> list[str]:
    listed = s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return [item["Key"] for item in listed]


def _rows(s3: Any, key: str) -> list[dict[str, str]]:
    return list(iter_rows(s3.get_object(Bucket=BUCKET, Key=key)["Body"], key))


def _finished_matching_job(fake: EntityResolutionMock) -> str:
    fake.create_workflow("customers", output_s3_path=OUTPUT)
    jobs = EntityResolutionJobs()
    job_id = jobs.start_matching_job("customers")
    fake.job("customers", job_id).succeed()
    jobs.get_matching_job("customers", job_id)  # the service is asked: the run is over
    return job_id


def test_a_succeeded_job_writes_where_awss_sample_reads_output(
    entity_resolution: EntityResolutionMock, s3: Any
) -> None:
    job_id = _finished_matching_job(entity_resolution)

    folder = Location.parse(OUTPUT).job_folder(job_id, "customers")
    keys = _keys(s3)
    assert keys
    assert all(part_kind(folder, key) is not None for key in keys)
    assert [k for k in keys if part_kind(folder, k) == "error"] == [
        f"{folder.prefix}error/part-00000.csv"
    ]
    assert len([k for k in keys if part_kind(folder, k) == "success"]) == 3


def test_the_files_agree_with_the_jobs_metrics(
    entity_resolution: EntityResolutionMock, s3: Any
) -> None:
    job_id = _finished_matching_job(entity_resolution)
    metrics = EntityResolutionJobs().get_matching_job("customers", job_id).metrics
    folder = Location.parse(OUTPUT).job_folder(job_id, "customers")

    success = [row for key in _keys(s3) if part_kind(folder, key) == "success"
               for row in _rows(s3, key)]  # fmt: skip
    errors = _rows(s3, f"{folder.prefix}error/part-00000.csv")

    assert len(success) == metrics.total_records_processed == 990
    assert len({row["MatchID"] for row in success}) == metrics.match_ids == 400
    assert len(errors) == metrics.records_not_processed == 10
    assert all(row["ErrorReason"] for row in errors)  # each says why
    assert {row["RecordId"] for row in success}.isdisjoint(row["RecordId"] for row in errors)


def test_nothing_is_written_while_the_job_runs_or_when_it_failed(
    entity_resolution: EntityResolutionMock, s3: Any
) -> None:
    entity_resolution.create_workflow("customers", output_s3_path=OUTPUT)
    entity_resolution.timeline = JobTimeline(queued_seconds=60)
    jobs = EntityResolutionJobs()
    job_id = jobs.start_matching_job("customers")

    jobs.get_matching_job("customers", job_id)
    assert _keys(s3) == []
    entity_resolution.job("customers", job_id).fail("bad rows")
    jobs.get_matching_job("customers", job_id)

    assert _keys(s3) == []


def test_without_the_bucket_nothing_is_written_until_it_exists(
    entity_resolution: EntityResolutionMock,
) -> None:
    job_id = _finished_matching_job(entity_resolution)  # no bucket yet: no error either
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    assert _keys(s3) == []

    list(EntityResolutionJobs().list_matching_jobs("customers"))  # read again, listed

    assert any(job_id in key for key in _keys(s3))


def test_an_id_mapping_job_writes_its_output_too(
    entity_resolution: EntityResolutionMock, s3: Any
) -> None:
    path = f"s3://{BUCKET}/ids"
    entity_resolution.create_id_mapping_workflow("ids", output_s3_path=path)
    jobs = EntityResolutionJobs()
    job_id = jobs.start_id_mapping_job("ids")
    entity_resolution.id_mapping_job("ids", job_id).succeed()

    job = jobs.get_id_mapping_job("ids", job_id)

    folder = Location.parse(path).job_folder(job_id, "ids")
    success = [row for key in _keys(s3) if part_kind(folder, key) == "success"
               for row in _rows(s3, key)]  # fmt: skip
    assert len(success) == job.metrics.total_records_processed
    assert set(success[0]) == {"RecordId", "MappedRecordId"}


def test_a_matching_jobs_success_columns_are_the_services_for_its_kind_of_matching(
    entity_resolution: EntityResolutionMock, s3: Any
) -> None:
    table = "arn:aws:glue:us-east-1:123456789012:table/example/customers"
    boto3.client("entityresolution", region_name="us-east-1").create_matching_workflow(
        workflowName="ml",
        inputSourceConfig=[{"inputSourceARN": table, "schemaName": "customers"}],
        outputSourceConfig=[
            {
                "outputS3Path": OUTPUT,
                "output": [{"name": "email", "hashed": True}, {"name": "name"}],
            }
        ],
        resolutionTechniques={"resolutionType": "ML_MATCHING"},
        roleArn="arn:aws:iam::123456789012:role/er",
    )
    jobs = EntityResolutionJobs()
    job_id = jobs.start_matching_job("ml")
    entity_resolution.job("ml", job_id).succeed()
    jobs.get_matching_job("ml", job_id)

    folder = Location.parse(OUTPUT).job_folder(job_id, "ml")
    first = _rows(s3, f"{folder.prefix}success/part-00000.csv")[0]

    assert list(first) == [
        "InputSourceARN", "ConfidenceLevel", "email", "name", "RecordId", "MatchID"
    ]  # fmt: skip
    assert first["InputSourceARN"] == table
    assert len(first["email"]) == 64  # hashed: a SHA-256 digest in hex
    assert first["name"] == "name-0000000"
    assert float(first["ConfidenceLevel"]) <= 1.0


def test_a_rule_based_workflows_rows_name_the_rule_that_matched(
    entity_resolution: EntityResolutionMock, s3: Any
) -> None:
    job_id = _finished_matching_job(entity_resolution)
    folder = Location.parse(OUTPUT).job_folder(job_id, "customers")

    first = _rows(s3, f"{folder.prefix}success/part-00000.csv")[0]

    assert list(first) == ["InputSourceARN", "MatchRule", "id", "RecordId", "MatchID"]
    assert first["MatchRule"]
