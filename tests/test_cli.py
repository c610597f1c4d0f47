"""er-jobs end to end against the moto backend: every command and exit code."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import botocore
import pytest
from rich.console import Console

from entityresolution_jobs import __version__
from entityresolution_jobs.cli import _formats, _jobs, _render
from entityresolution_jobs.testing import EntityResolutionMock, JobTimeline

from .support import ID_MAPPING_METRICS, JOB_TYPE_SENDABLE, Run, if_modelled, modelled

WORKFLOW = "customers"


@pytest.fixture
def fake(entity_resolution: EntityResolutionMock) -> EntityResolutionMock:
    entity_resolution.create_workflow(WORKFLOW)
    return entity_resolution


@pytest.fixture
def job_id(fake: EntityResolutionMock) -> str:
    return fake.backend.start_matching_job(WORKFLOW).job_id


@pytest.fixture
def no_retry_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("botocore.endpoint.time.sleep", lambda _seconds: None)


def _aws_cli_json(reply: dict[str, Any]) -> dict[str, Any]:
    """What `aws entityresolution get-matching-job` prints, from a boto3 reply."""
    body = {key: value for key, value in reply.items() if key != "ResponseMetadata"}
    converted: dict[str, Any] = json.loads(
        json.dumps(body, default=lambda value: value.astimezone().isoformat())
    )
    return converted


def _one_error_line(run: Run, *fragments: str) -> None:
    lines = run.err.strip().splitlines()
    assert len(lines) == 1, run.err
    assert lines[0].startswith("er-jobs: ")
    assert "Traceback" not in run.err
    for fragment in fragments:
        assert fragment in lines[0]


def test_help_lists_the_commands_and_the_exit_codes(er_jobs: Any) -> None:
    run = er_jobs("--help")

    assert run.code == 0
    for command in ("get", "wait", "list", "start", "demo"):
        assert command in run.out
    assert "Exit codes: 0 ok; 1 the job FAILED" in " ".join(run.out.split())


def test_version_names_the_library_botocore_and_python(er_jobs: Any) -> None:
    run = er_jobs("--version")

    python = ".".join(str(part) for part in sys.version_info[:3])
    assert run.code == 0
    assert run.out == f"er-jobs {__version__} (botocore {botocore.__version__}, Python {python})\n"


class TestGet:
    def test_shows_every_field(self, er_jobs: Any, fake: EntityResolutionMock, job_id: str) -> None:
        fake.job(WORKFLOW, job_id).set(
            "FAILED", input_records=1000, processed=900, not_processed=5, match_ids=42,
            delete_records_processed=3, error_message="the input table is empty",
        )  # fmt: skip

        run = er_jobs("get", WORKFLOW, job_id)

        assert run.code == 0
        fields = dict(re.findall(r"^(\S.*?)\s{2,}(\S.*)$", run.out, re.MULTILINE))
        assert fields["Job"] == job_id
        assert fields["Status"] == "FAILED"
        assert fields["Input records"] == "1,000"
        assert fields["Processed"] == "900"
        assert fields["Not processed"] == "5"
        assert (
            fields["Deletes processed"] == if_modelled("3", "JobMetrics", "deleteRecordsProcessed")
            or "-"
        )
        assert fields["Match IDs"] == "42"
        assert fields["Error"] == "the input table is empty"
        assert fields["Output"].startswith("s3://")
        assert fields["Output role"].startswith("arn:aws:iam::")
        assert fields["Started"].endswith("UTC")
        assert fields["Duration"] != "-"

    def test_a_duration_shows_whole_seconds(self, er_jobs: Any, fake: EntityResolutionMock) -> None:
        started = datetime(2026, 12, 5, 12, 0, tzinfo=timezone.utc)
        fake.clock = lambda: started
        job_id = fake.backend.start_matching_job(WORKFLOW).job_id
        fake.clock = lambda: started + timedelta(seconds=3.4)
        fake.job(WORKFLOW, job_id).succeed()

        shown = er_jobs("get", WORKFLOW, job_id).out
        listed = er_jobs("list", WORKFLOW).out

        assert "0:00:03" in shown
        assert "0:00:03" in listed
        assert "0:00:03.4" not in shown + listed  # not 0:00:03.400000

    def test_json_is_what_the_aws_cli_prints(
        self, er_jobs: Any, fake: EntityResolutionMock, job_id: str
    ) -> None:
        fake.job(WORKFLOW, job_id).succeed(match_ids=7)

        run = er_jobs("get", WORKFLOW, job_id, "--json")

        reply = boto3.client("entityresolution").get_matching_job(
            workflowName=WORKFLOW, jobId=job_id
        )
        printed = json.loads(run.out)
        expected = _aws_cli_json(dict(reply))
        for key in ("startTime", "endTime"):
            assert datetime.fromisoformat(printed.pop(key)) == datetime.fromisoformat(
                expected.pop(key)
            )
        assert printed == expected
        assert run.out.startswith('{\n    "jobId"')

    def test_an_unknown_job_exits_4(self, er_jobs: Any, fake: EntityResolutionMock) -> None:
        run = er_jobs("get", WORKFLOW, "0" * 32)

        assert run.code == 4
        _one_error_line(run, "ResourceNotFoundException", "request id")

    def test_an_invalid_job_id_exits_2_and_sends_nothing(
        self, er_jobs: Any, fake: EntityResolutionMock
    ) -> None:
        run = er_jobs("get", WORKFLOW, "not-a-job-id")

        assert run.code == 2
        _one_error_line(run, "job_id must match")

    def test_a_missing_argument_is_a_usage_error(self, er_jobs: Any) -> None:
        run = er_jobs("get", WORKFLOW)

        assert run.code == 2
        assert "Missing argument" in run.err

    def test_access_denied_exits_5(
        self, er_jobs: Any, fake: EntityResolutionMock, job_id: str
    ) -> None:
        fake.inject_fault("GetMatchingJob", "AccessDeniedException")

        run = er_jobs("get", WORKFLOW, job_id)

        assert run.code == 5
        _one_error_line(run, "AccessDeniedException")

    def test_no_credentials_exits_5(
        self, er_jobs: Any, fake: EntityResolutionMock, job_id: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        for name in (
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_SECURITY_TOKEN",
        ):
            monkeypatch.delenv(name, raising=False)

        run = er_jobs("get", WORKFLOW, job_id)

        assert run.code == 5
        _one_error_line(run, "credentials")

    def test_throttled_after_retries_exits_6(
        self, er_jobs: Any, fake: EntityResolutionMock, job_id: str, no_retry_sleep: None
    ) -> None:
        fake.inject_fault("GetMatchingJob", "ThrottlingException", times=3)

        run = er_jobs("get", WORKFLOW, job_id)

        assert run.code == 6
        _one_error_line(run, "ThrottlingException", "HTTP 429")

    def test_a_service_error_after_retries_exits_6(
        self, er_jobs: Any, fake: EntityResolutionMock, job_id: str, no_retry_sleep: None
    ) -> None:
        fake.inject_fault("GetMatchingJob", "InternalServerException", times=3)

        assert er_jobs("get", WORKFLOW, job_id).code == 6

    def test_a_network_error_exits_6(self, er_jobs: Any, no_retry_sleep: None) -> None:
        run = er_jobs("--endpoint-url", "http://127.0.0.1:9", "get", WORKFLOW, "0" * 32)

        assert run.code == 6
        _one_error_line(run, "Could not connect")

    def test_the_region_option_chooses_the_service(
        self, er_jobs: Any, fake: EntityResolutionMock
    ) -> None:
        EntityResolutionMock("eu-west-1").create_workflow("european")

        assert er_jobs("--region", "eu-west-1", "list", "european").code == 0
        assert er_jobs("--region", "us-east-1", "list", "european").code == 4

    def test_debug_shows_the_traceback_and_botocore_logs_but_no_secret(
        self,
        er_jobs: Any,
        fake: EntityResolutionMock,
        monkeypatch: pytest.MonkeyPatch,
        debug_logging: None,
    ) -> None:
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI-super-secret")
        monkeypatch.setenv("AWS_SESSION_TOKEN", "FwoGZXIvYXdz-session-token")
        run = er_jobs("--debug", "get", WORKFLOW, "0" * 32)

        assert run.code == 4
        assert "Traceback" in run.err
        assert "botocore" in run.err
        assert "wJalrXUtnFEMI-super-secret" not in run.err + run.out
        assert "FwoGZXIvYXdz-session-token" not in run.err + run.out

    def test_without_debug_there_are_no_logs(
        self, er_jobs: Any, fake: EntityResolutionMock
    ) -> None:
        run = er_jobs("get", WORKFLOW, "0" * 32)

        assert "botocore" not in run.err


class TestWait:
    def test_a_job_that_succeeds_exits_0_with_plain_progress_lines(
        self, er_jobs: Any, fake: EntityResolutionMock, job_id: str
    ) -> None:
        fake.job(WORKFLOW, job_id).succeed()

        run = er_jobs("wait", WORKFLOW, job_id)

        assert run.code == 0
        assert run.err.strip().endswith("SUCCEEDED 1000/1000 records")
        assert "Status             SUCCEEDED" in run.out

    def test_a_job_that_fails_exits_1(
        self, er_jobs: Any, fake: EntityResolutionMock, job_id: str
    ) -> None:
        fake.job(WORKFLOW, job_id).fail("schema mismatch")

        run = er_jobs("wait", WORKFLOW, job_id)

        assert run.code == 1
        assert "Error              schema mismatch" in run.out
        error_line = run.err.strip().splitlines()[-1]
        assert error_line == (
            f"er-jobs: matching job {job_id} of workflow {WORKFLOW} FAILED: schema mismatch"
        )

    def test_running_out_of_time_exits_3(
        self, er_jobs: Any, fake: EntityResolutionMock, job_id: str
    ) -> None:
        fake.job(WORKFLOW, job_id).set("RUNNING", input_records=10, processed=5)

        run = er_jobs("wait", WORKFLOW, job_id, "--timeout", "0")

        assert run.code == 3
        assert "did not finish within 0 s" in run.err

    def test_json_prints_only_the_final_job_on_stdout(
        self, er_jobs: Any, fake: EntityResolutionMock, job_id: str
    ) -> None:
        fake.job(WORKFLOW, job_id).succeed()

        run = er_jobs("wait", WORKFLOW, job_id, "--json")

        assert json.loads(run.out)["status"] == "SUCCEEDED"
        assert "SUCCEEDED" in run.err

    def test_an_unknown_job_exits_4(self, er_jobs: Any, fake: EntityResolutionMock) -> None:
        assert er_jobs("wait", WORKFLOW, "0" * 32).code == 4


class TestListAndStart:
    def test_list_shows_every_job(self, er_jobs: Any, fake: EntityResolutionMock) -> None:
        ids = []
        for _ in range(3):
            job_id = fake.backend.start_matching_job(WORKFLOW).job_id
            fake.job(WORKFLOW, job_id).succeed()
            ids.append(job_id)

        table = er_jobs("list", WORKFLOW)
        as_json = er_jobs("list", WORKFLOW, "--json")

        assert table.code == as_json.code == 0
        assert all(job_id in table.out for job_id in ids)
        assert [job["jobId"] for job in json.loads(as_json.out)["jobs"]] == ids
        assert {job["status"] for job in json.loads(as_json.out)["jobs"]} == {"SUCCEEDED"}

    def test_piped_the_table_keeps_every_column_whole(
        self, er_jobs: Any, fake: EntityResolutionMock, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("COLUMNS", raising=False)  # not a terminal: Rich would take 80
        job_id = fake.backend.start_matching_job(WORKFLOW).job_id
        fake.job(WORKFLOW, job_id).succeed()

        table = er_jobs("list", WORKFLOW)

        assert "…" not in table.out
        assert job_id in table.out
        assert "SUCCEEDED" in table.out

    def test_list_of_an_unknown_workflow_exits_4(
        self, er_jobs: Any, fake: EntityResolutionMock
    ) -> None:
        assert er_jobs("list", "nobody").code == 4

    def test_start_prints_the_job_id(self, er_jobs: Any, fake: EntityResolutionMock) -> None:
        run = er_jobs("start", WORKFLOW)

        assert run.code == 0
        assert [c.job_id for c in fake.jobs(WORKFLOW)] == [run.out.strip()]

    def test_start_with_wait_waits(self, er_jobs: Any, fake: EntityResolutionMock) -> None:
        fake.timeline = JobTimeline(queued_seconds=0, running_seconds=0)

        run = er_jobs("start", WORKFLOW, "--wait")

        assert run.code == 0
        job_id = run.out.splitlines()[0]
        assert fake.job(WORKFLOW, job_id).status == "SUCCEEDED"
        assert "Status             SUCCEEDED" in run.out

    def test_start_with_wait_as_json_prints_the_final_job_alone(
        self, er_jobs: Any, fake: EntityResolutionMock
    ) -> None:
        fake.timeline = JobTimeline(queued_seconds=0, running_seconds=0)

        run = er_jobs("start", WORKFLOW, "--wait", "--output", "json")
        status = er_jobs("id-mapping", "start", "nobody", "--wait", "--json")
        started = er_jobs("start", WORKFLOW, "--json")
        field = er_jobs("start", WORKFLOW, "--wait", "--query", "status", "--output", "text")

        job = json.loads(run.out)  # one document a script can parse, as get prints it
        assert run.code == 0, run.err
        assert job["status"] == "SUCCEEDED"
        assert fake.job(WORKFLOW, job["jobId"]).status == "SUCCEEDED"
        assert status.code == 4  # an unknown workflow, as before
        assert list(json.loads(started.out)) == ["jobId"]  # as `aws ... start-matching-job`
        assert field.out.strip() == "SUCCEEDED"

    def test_start_while_a_job_runs_exits_6(
        self, er_jobs: Any, fake: EntityResolutionMock, job_id: str
    ) -> None:
        run = er_jobs("start", WORKFLOW)

        assert run.code == 6
        _one_error_line(run, "ConflictException")


@pytest.mark.slow
def test_demo_runs_a_job_to_success_with_no_aws_account(
    er_jobs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)

    run = er_jobs("demo")

    assert run.code == 0
    assert "Status             SUCCEEDED" in run.out
    assert "Match IDs          98,765" in run.out
    assert "SUCCEEDED 250000/250000 records" in run.err
    # Then what the job wrote to (moto's) S3: its files and first error records.
    assert "success/part-00000.csv" in run.out
    assert "total 4 file(s)" in run.out
    assert "ErrorReason" in run.out
    assert "The Unique ID is missing in a row of data" in run.out
    assert "AWS_ACCESS_KEY_ID" not in os.environ


@pytest.mark.slow
def test_the_installed_command_works_over_http(moto_server: str) -> None:
    fake = EntityResolutionMock()
    fake.create_workflow(WORKFLOW)
    job_id = fake.backend.start_matching_job(WORKFLOW).job_id
    fake.job(WORKFLOW, job_id).succeed(match_ids=5)
    command = [sys.executable, "-m", "entityresolution_jobs.cli", "--endpoint-url", moto_server]

    got = subprocess.run(
        [*command, "get", WORKFLOW, job_id, "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    missing = subprocess.run(
        [*command, "get", WORKFLOW, "0" * 32],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout)["metrics"]["matchIDs"] == 5
    assert missing.returncode == 4
    assert missing.stderr.startswith("er-jobs: ")
    assert "Traceback" not in missing.stderr


class TestTerminal:
    def test_a_terminal_gets_a_live_progress_bar(
        self,
        er_jobs: Any,
        fake: EntityResolutionMock,
        job_id: str,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        screen = io.StringIO()
        terminal = Console(file=screen, force_terminal=True, width=100)
        monkeypatch.setattr(_jobs, "terminal_stderr", lambda: terminal)
        fake.job(WORKFLOW, job_id).succeed()

        run = er_jobs("wait", WORKFLOW, job_id)

        assert run.code == 0
        drawn = screen.getvalue()
        assert "━" in drawn
        assert "SUCCEEDED" in drawn
        assert "1000/1000" in drawn

    def test_a_wait_to_a_pipe_prints_lines_and_loads_no_rich(
        self,
        er_jobs: Any,
        fake: EntityResolutionMock,
        job_id: str,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        for name in ("FORCE_COLOR", "TTY_COMPATIBLE"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setattr(_render, "stderr", lambda: pytest.fail("Rich was asked"))
        fake.job(WORKFLOW, job_id).succeed()
        other = fake.backend.start_matching_job(WORKFLOW).job_id
        fake.job(WORKFLOW, other).succeed()

        one = er_jobs("wait", WORKFLOW, job_id)
        several = er_jobs("wait", WORKFLOW, job_id, other)

        assert one.code == 0, one.err
        assert "SUCCEEDED 1000/1000 records" in one.err
        assert several.code == 0, several.err
        assert f"{job_id} SUCCEEDED 1000/1000 records" in several.err
        assert f"{other} SUCCEEDED 1000/1000 records" in several.err

    def test_the_demo_without_moto_says_which_extra_to_install(
        self, er_jobs: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setitem(sys.modules, "moto", None)

        run = er_jobs("demo")

        assert run.code == 2
        assert "entityresolution-jobs[cli,testing]" in run.err


def test_a_kms_key_of_the_output_is_shown(
    er_jobs: Any, entity_resolution: EntityResolutionMock
) -> None:
    entity_resolution.create_workflow(WORKFLOW, kms_arn="arn:aws:kms:us-east-1:1:key/k")
    job_id = entity_resolution.backend.start_matching_job(WORKFLOW).job_id

    run = er_jobs("get", WORKFLOW, job_id)

    assert "Output KMS key     arn:aws:kms:us-east-1:1:key/k" in run.out


def test_json_refuses_what_is_not_a_time_stamp() -> None:
    with pytest.raises(TypeError, match="cannot write set as JSON"):
        _formats.iso(set())


class TestIdMapping:
    """``er-jobs id-mapping ...``: the same commands, options, output and exit codes."""

    IDS = "customer-ids"

    @pytest.fixture
    def arn(self, entity_resolution: EntityResolutionMock) -> str:
        return entity_resolution.create_id_mapping_workflow(self.IDS)

    @pytest.fixture
    def ids_job(self, entity_resolution: EntityResolutionMock, arn: str) -> str:
        return entity_resolution.backend.start_id_mapping_job(self.IDS, "INCREMENTAL").job_id

    def test_help_lists_the_group_and_its_commands(self, er_jobs: Any) -> None:
        top = er_jobs("--help")
        group = er_jobs("id-mapping", "--help")

        assert "id-mapping" in top.out
        assert group.code == 0
        for command in ("get", "wait", "list", "start"):
            assert command in group.out
        assert "demo" not in group.out

    def test_get_shows_the_type_and_every_count(
        self, er_jobs: Any, entity_resolution: EntityResolutionMock, ids_job: str
    ) -> None:
        entity_resolution.id_mapping_job(self.IDS, ids_job).set(
            "FAILED", input_records=2000, processed=1500, not_processed=7, mapped_records=1234,
            counts={"mappedTargetRecordsRemoved": 3}, error_message="provider unreachable",
        )  # fmt: skip

        run = er_jobs("id-mapping", "get", self.IDS, ids_job)

        assert run.code == 0
        fields = dict(re.findall(r"^(\S.*?)\s{2,}(\S.*)$", run.out, re.MULTILINE))
        assert fields["Job"] == ids_job
        assert fields["Status"] == "FAILED"
        assert fields["Job type"] == (
            if_modelled("INCREMENTAL", "GetIdMappingJobOutput", "jobType") or "-"
        )
        assert fields["Input records"] == "2,000"
        assert fields["Mapped records"] == "1,234"
        assert fields["Target removed"] == (
            if_modelled("3", "IdMappingJobMetrics", "mappedTargetRecordsRemoved") or "-"
        )
        assert fields["New mapped records"] == "-"
        assert fields["Error"] == "provider unreachable"
        assert fields["Output"].startswith("s3://")

    def test_get_json_is_what_the_aws_cli_prints(
        self, er_jobs: Any, entity_resolution: EntityResolutionMock, arn: str, ids_job: str
    ) -> None:
        entity_resolution.id_mapping_job(self.IDS, ids_job).succeed()

        run = er_jobs("id-mapping", "get", arn, ids_job, "--json")

        reply = boto3.client("entityresolution").get_id_mapping_job(workflowName=arn, jobId=ids_job)
        printed = json.loads(run.out)
        expected = _aws_cli_json(dict(reply))
        for key in ("startTime", "endTime"):
            assert datetime.fromisoformat(printed.pop(key)) == datetime.fromisoformat(
                expected.pop(key)
            )
        assert printed == expected
        assert len(printed["metrics"]) == sum(
            modelled("IdMappingJobMetrics", count) for count in ID_MAPPING_METRICS
        )
        assert printed.get("jobType") == if_modelled(
            "INCREMENTAL", "GetIdMappingJobOutput", "jobType"
        )

    def test_wait_exits_0_1_and_3_as_for_matching_jobs(
        self, er_jobs: Any, entity_resolution: EntityResolutionMock, ids_job: str
    ) -> None:
        control = entity_resolution.id_mapping_job(self.IDS, ids_job)
        control.set("RUNNING", input_records=10, processed=5)
        timed_out = er_jobs("id-mapping", "wait", self.IDS, ids_job, "--timeout", "0")
        control.fail("no target records")
        failed = er_jobs("id-mapping", "wait", self.IDS, ids_job)
        control.succeed()
        succeeded = er_jobs("id-mapping", "wait", self.IDS, ids_job)

        assert timed_out.code == 3
        assert f"ID mapping job {ids_job} of workflow {self.IDS} did not finish" in timed_out.err
        assert failed.code == 1
        assert failed.err.strip().splitlines()[-1] == (
            f"er-jobs: ID mapping job {ids_job} of workflow {self.IDS} FAILED: no target records"
        )
        assert "Error                  no target records" in failed.out
        assert succeeded.code == 0
        assert succeeded.err.strip().endswith("SUCCEEDED 1000/1000 records")

    def test_list_shows_every_job_by_name_or_arn(
        self, er_jobs: Any, arn: str, ids_job: str
    ) -> None:
        table = er_jobs("id-mapping", "list", self.IDS)
        as_json = er_jobs("id-mapping", "list", arn, "--json")

        assert table.code == as_json.code == 0
        assert ids_job in table.out
        assert [job["jobId"] for job in json.loads(as_json.out)["jobs"]] == [ids_job]

    def test_start_sends_the_job_type_and_waits(
        self, er_jobs: Any, entity_resolution: EntityResolutionMock, arn: str
    ) -> None:
        entity_resolution.timeline = JobTimeline(queued_seconds=0, running_seconds=0)

        run = er_jobs("id-mapping", "start", arn, "--job-type", "DELETE_ONLY", "--wait")

        if not JOB_TYPE_SENDABLE:  # a usage error naming the botocore that can; nothing started
            assert run.code == 2
            assert "job_type needs botocore >= 1.40.37" in run.err
            assert entity_resolution.id_mapping_jobs(self.IDS) == []
            return
        assert run.code == 0
        job_id = run.out.splitlines()[0]
        assert entity_resolution.id_mapping_job(self.IDS, job_id).job_type == "DELETE_ONLY"
        assert "Job type               DELETE_ONLY" in run.out

    def test_an_unknown_job_type_is_a_usage_error_and_sends_nothing(
        self, er_jobs: Any, entity_resolution: EntityResolutionMock, arn: str
    ) -> None:
        run = er_jobs("id-mapping", "start", self.IDS, "--job-type", "UNKNOWN")

        assert run.code == 2
        assert "--job-type" in run.err
        assert entity_resolution.id_mapping_jobs(self.IDS) == []

    def test_errors_exit_as_for_matching_jobs(
        self, er_jobs: Any, entity_resolution: EntityResolutionMock, arn: str
    ) -> None:
        missing = er_jobs("id-mapping", "get", self.IDS, "0" * 32)
        invalid = er_jobs("id-mapping", "get", "two words", "0" * 32)
        entity_resolution.inject_fault("ListIdMappingJobs", "AccessDeniedException")
        denied = er_jobs("id-mapping", "list", self.IDS)

        assert (missing.code, invalid.code, denied.code) == (4, 2, 5)
        _one_error_line(missing, "ResourceNotFoundException")
        _one_error_line(invalid, "workflow_name must match")
        _one_error_line(denied, "AccessDeniedException")

    def test_global_options_apply_to_the_group(
        self, er_jobs: Any, entity_resolution: EntityResolutionMock
    ) -> None:
        EntityResolutionMock("eu-west-1").create_id_mapping_workflow("european-ids")

        assert er_jobs("--region", "eu-west-1", "id-mapping", "list", "european-ids").code == 0
        assert er_jobs("--region", "us-east-1", "id-mapping", "list", "european-ids").code == 4


class TestWaitForSeveralJobs:
    """``er-jobs wait WORKFLOW JOB_ID JOB_ID ...`` and ``--running``, for both kinds."""

    def _pinned(self, fake: EntityResolutionMock, workflow: str, *outcomes: str) -> list[str]:
        ids = []
        for outcome in outcomes:
            job_id = fake.backend.start_matching_job(workflow).job_id
            if outcome == "FAILED":
                fake.job(workflow, job_id).fail("bad input")
            else:
                fake.job(workflow, job_id).succeed()
            ids.append(job_id)
        return ids

    def test_several_jobs_end_with_a_line_each_and_the_worst_exit_code(
        self, er_jobs: Any, fake: EntityResolutionMock
    ) -> None:
        ids = self._pinned(fake, WORKFLOW, "SUCCEEDED", "FAILED", "SUCCEEDED")

        run = er_jobs("wait", WORKFLOW, *ids)

        assert run.code == 1
        lines = dict(line.split(maxsplit=1) for line in run.out.splitlines())
        assert sorted(lines) == sorted(ids)  # one line per job, as it ended
        assert lines[ids[1]].startswith("FAILED")
        assert "bad input" in lines[ids[1]]
        for job_id in ids:  # and a progress line on stderr
            assert any(line.split()[1:2] == [job_id] for line in run.err.splitlines())

    def test_all_succeeded_exits_0_and_json_lists_them(
        self, er_jobs: Any, fake: EntityResolutionMock
    ) -> None:
        ids = self._pinned(fake, WORKFLOW, "SUCCEEDED", "SUCCEEDED")

        run = er_jobs("wait", WORKFLOW, *ids, "--json")

        assert run.code == 0
        assert sorted(job["jobId"] for job in json.loads(run.out)["jobs"]) == sorted(ids)

    def test_a_missing_job_is_reported_and_counts_as_the_worst_outcome(
        self, er_jobs: Any, fake: EntityResolutionMock
    ) -> None:
        ids = self._pinned(fake, WORKFLOW, "FAILED")

        run = er_jobs("wait", WORKFLOW, ids[0], "0" * 32)

        assert run.code == 4
        assert f"er-jobs: job {'0' * 32}: " in run.err
        assert ids[0] in run.out

    def test_running_with_no_job_in_progress_says_so_and_exits_0(
        self, er_jobs: Any, fake: EntityResolutionMock, job_id: str
    ) -> None:
        fake.job(WORKFLOW, job_id).succeed()

        run = er_jobs("wait", WORKFLOW, "--running")

        assert run.code == 0
        assert "No job of workflow customers is in progress." in run.err

    def test_running_picks_the_queued_and_running_jobs(
        self, er_jobs: Any, entity_resolution: EntityResolutionMock
    ) -> None:
        entity_resolution.timeline = JobTimeline(queued_seconds=0, running_seconds=1)
        entity_resolution.create_id_mapping_workflow("ids")
        job_id = entity_resolution.backend.start_id_mapping_job("ids").job_id

        run = er_jobs("id-mapping", "wait", "ids", "--running")

        assert run.code == 0
        assert job_id in run.out
        assert "SUCCEEDED" in run.out

    def test_no_job_id_and_no_running_is_a_usage_error(self, er_jobs: Any) -> None:
        run = er_jobs("wait", WORKFLOW)

        assert run.code == 2
        assert "JOB_ID" in run.err


def test_several_jobs_on_a_terminal_get_a_live_bar_each(
    er_jobs: Any, fake: EntityResolutionMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=120)
    monkeypatch.setattr(_jobs, "terminal_stderr", lambda: terminal)
    ids = []
    for _ in range(2):
        job_id = fake.backend.start_matching_job(WORKFLOW).job_id
        fake.job(WORKFLOW, job_id).succeed()
        ids.append(job_id)

    run = er_jobs("wait", WORKFLOW, *ids)

    assert run.code == 0
    drawn = screen.getvalue()
    assert all(job_id in drawn for job_id in ids)
    assert drawn.count("1000/1000") >= 2
