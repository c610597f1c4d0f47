"""``er-jobs output`` and ``er-jobs id-mapping output`` against the fake service and moto's S3."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from rich.console import Console

from entityresolution_jobs import EntityResolutionJobs
from entityresolution_jobs.cli import _render
from entityresolution_jobs.testing import EntityResolutionMock, JobTimeline

BUCKET = "er-output"
ROOT = f"s3://{BUCKET}/er/"


@pytest.fixture
def s3(entity_resolution: EntityResolutionMock) -> Any:
    client = boto3.client("s3", region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    return client


@pytest.fixture
def job_id(entity_resolution: EntityResolutionMock, s3: Any) -> str:
    entity_resolution.create_workflow("wf", output_s3_path=ROOT)
    started = EntityResolutionJobs().start_matching_job("wf")
    entity_resolution.job("wf", started).succeed()
    return started


def test_the_files_are_a_table_with_sizes_and_a_total(er_jobs: Any, job_id: str) -> None:
    run = er_jobs("output", "wf", job_id)

    assert run.code == 0, run.err
    assert f"Output of job {job_id} in {ROOT}wf/{job_id}/" in run.out
    for name in ("success/part-00000.csv", "success/part-00002.csv", "error/part-00000.csv"):
        assert name in run.out
    assert "3 success part(s)" in run.out
    assert "1 error part(s), 762 bytes; total 4 file(s)" in run.out


def test_errors_head_prints_the_first_error_records_as_a_table(er_jobs: Any, job_id: str) -> None:
    run = er_jobs("output", "wf", job_id, "--errors", "--head", "2")

    assert run.code == 0, run.err
    assert "ErrorReason" in run.out
    assert "record-0000990" in run.out
    assert "The Unique ID is missing in a row of data" in run.out
    assert "record-0000992" not in run.out  # only two


def test_json_lists_the_files_in_the_services_naming_style(er_jobs: Any, job_id: str) -> None:
    run = er_jobs("output", "wf", job_id, "--json")

    document = json.loads(run.out)
    assert document["jobId"] == job_id
    assert document["totalFiles"] == 4
    assert document["errors"][0]["s3Uri"].endswith("/error/part-00000.csv")
    assert set(document["success"][0]) == {"bucket", "key", "size", "lastModified", "etag", "s3Uri"}


def test_head_with_json_prints_records(er_jobs: Any, job_id: str) -> None:
    run = er_jobs("output", "wf", job_id, "--head", "3", "--json")

    records = json.loads(run.out)["records"]
    # The columns a rule-based workflow writes, its one output field "id" among them.
    assert [list(record) for record in records] == [
        ["InputSourceARN", "MatchRule", "id", "RecordId", "MatchID"]
    ] * 3
    assert [(r["RecordId"], r["MatchID"]) for r in records] == [
        (f"record-000000{i}", f"match-000000{i}") for i in range(3)
    ]


def test_download_writes_the_files_and_skips_them_the_second_time(
    er_jobs: Any, job_id: str, tmp_path: Path
) -> None:
    first = er_jobs("output", "wf", job_id, "--download", str(tmp_path))
    again = er_jobs("output", "wf", job_id, "--download", str(tmp_path), "--json")

    assert first.code == 0, first.err
    assert (
        f"download: {ROOT}wf/{job_id}/error/part-00000.csv to {tmp_path}/error/part-00000.csv"
        in (first.out)
    )
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.csv")) == [
        "error/part-00000.csv",
        *(f"success/part-0000{i}.csv" for i in range(3)),
    ]
    files = json.loads(again.out)["files"]
    assert [Path(f["path"]).stat().st_size for f in files] == [f["size"] for f in files]


def test_a_terminal_gets_a_download_progress_bar(
    er_jobs: Any, job_id: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen = io.StringIO()
    monkeypatch.setattr(_render, "stderr", lambda: Console(file=screen, force_terminal=True))
    monkeypatch.setenv("FORCE_COLOR", "1")  # what makes Rich count a pipe a terminal

    run = er_jobs("output", "wf", job_id, "--download", str(tmp_path))

    assert run.code == 0, run.err
    assert "downloading" in screen.getvalue()
    total = (
        EntityResolutionJobs()
        .get_job_output(EntityResolutionJobs().get_matching_job("wf", job_id))
        .total_size
    )
    assert f"{total / 1000:.1f}/{total / 1000:.1f} kB" in screen.getvalue()


def test_id_mapping_output_reads_an_id_mapping_jobs_files(
    er_jobs: Any, entity_resolution: EntityResolutionMock, s3: Any
) -> None:
    entity_resolution.create_id_mapping_workflow("ids", output_s3_path=ROOT)
    started = EntityResolutionJobs().start_id_mapping_job("ids")
    entity_resolution.id_mapping_job("ids", started).succeed()

    run = er_jobs("id-mapping", "output", "ids", started, "--head", "1", "--json")

    assert run.code == 0, run.err
    assert set(json.loads(run.out)["records"][0]) == {"RecordId", "MappedRecordId"}


def test_a_running_job_exits_2_pointing_at_partial(
    er_jobs: Any, entity_resolution: EntityResolutionMock, s3: Any
) -> None:
    entity_resolution.create_workflow("wf", output_s3_path=ROOT)
    entity_resolution.timeline = JobTimeline(queued_seconds=0, running_seconds=600)
    started = EntityResolutionJobs().start_matching_job("wf")

    refused = er_jobs("output", "wf", started)
    partial = er_jobs("output", "wf", started, "--partial")

    assert refused.code == 2
    assert refused.err == (
        f"er-jobs: job {started} is RUNNING, not SUCCEEDED: its output is not complete "
        "(--partial shows what it has written so far)\n"
    )
    assert partial.code == 0
    assert "has written nothing yet" in partial.out


def test_a_missing_bucket_exits_4_naming_it(
    er_jobs: Any, entity_resolution: EntityResolutionMock
) -> None:
    entity_resolution.create_workflow("wf", output_s3_path="s3://no-such-bucket/er/")
    started = EntityResolutionJobs().start_matching_job("wf")
    entity_resolution.job("wf", started).succeed()

    run = er_jobs("output", "wf", started)

    assert run.code == 4
    assert run.err.startswith("er-jobs: S3 ListObjectsV2 of s3://no-such-bucket/er/")
    assert len(run.err.splitlines()) == 1


def test_output_that_is_nowhere_exits_4_naming_where_it_looked(
    er_jobs: Any, entity_resolution: EntityResolutionMock, s3: Any
) -> None:
    entity_resolution.create_workflow("wf", output_s3_path=ROOT)
    started = EntityResolutionJobs().start_matching_job("wf")
    entity_resolution.job("wf", started).succeed()
    EntityResolutionJobs().get_matching_job("wf", started)  # the fake writes now
    for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"]:
        s3.delete_object(Bucket=BUCKET, Key=item["Key"])

    run = er_jobs("output", "wf", started)

    assert run.code == 4
    assert f"{ROOT}{started}/" in run.err


def test_an_s3_endpoint_of_its_own_is_used_for_s3_alone(
    er_jobs: Any, job_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("botocore.endpoint.time.sleep", lambda _seconds: None)
    # Nothing listens on port 9: reading S3 there fails, the job was found.
    run = er_jobs("output", "wf", job_id, "--s3-endpoint-url", "http://127.0.0.1:9")

    assert run.code == 6
    assert "http://127.0.0.1:9" in run.err


def test_a_job_with_no_error_records_says_so(
    er_jobs: Any, entity_resolution: EntityResolutionMock, s3: Any
) -> None:
    entity_resolution.create_workflow("wf", output_s3_path=ROOT)
    entity_resolution.timeline = JobTimeline(records_not_processed=0)
    started = EntityResolutionJobs().start_matching_job("wf")
    entity_resolution.job("wf", started).succeed()

    run = er_jobs("output", "wf", started, "--errors")

    assert run.code == 0, run.err
    assert run.out == "No records.\n"


def test_a_download_to_a_pipe_draws_no_bar_and_loads_no_rich(
    er_jobs: Any, job_id: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(_render, "stderr", lambda: pytest.fail("Rich was asked"))

    run = er_jobs("output", "wf", job_id, "--download", str(tmp_path))

    assert run.code == 0, run.err
    assert "downloading" not in run.err


def test_a_succeeded_run_that_wrote_nothing_says_so_and_exits_0(
    er_jobs: Any, entity_resolution: EntityResolutionMock, s3: Any
) -> None:
    entity_resolution.timeline = JobTimeline(input_records=0, records_not_processed=0)
    entity_resolution.create_workflow("empty", output_s3_path=ROOT)
    started = EntityResolutionJobs().start_matching_job("empty")
    entity_resolution.job("empty", started).succeed()

    run = er_jobs("output", "empty", started)
    as_json = er_jobs("output", "empty", started, "--json")

    assert run.code == 0, run.err
    assert run.out == f"Job {started} (SUCCEEDED) wrote no files.\n"
    assert json.loads(as_json.out)["empty"] is True


def test_a_workflow_writing_to_customer_profiles_exits_4_saying_so(
    er_jobs: Any, entity_resolution: EntityResolutionMock, s3: Any
) -> None:
    entity_resolution.create_workflow("profiles", output_s3_path="")
    started = EntityResolutionJobs().start_matching_job("profiles")
    entity_resolution.job("profiles", started).succeed()

    run = er_jobs("output", "profiles", started)

    assert run.code == 4
    assert "writes its output to Amazon Connect Customer Profiles, not to S3" in run.err
