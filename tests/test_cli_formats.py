"""``--query`` and ``--output`` on every read command, written as the AWS CLI writes them."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
import yaml

from entityresolution_jobs import EntityResolutionJobs
from entityresolution_jobs.cli._formats import text_lines
from entityresolution_jobs.testing import EntityResolutionMock

from .support import modelled

WORKFLOW = "customers"


@pytest.fixture
def job_id(entity_resolution: EntityResolutionMock) -> str:
    entity_resolution.create_workflow(WORKFLOW)
    started = EntityResolutionJobs().start_matching_job(WORKFLOW)
    entity_resolution.job(WORKFLOW, started).succeed(match_ids=7)
    return started


class TestQuery:
    def test_query_status_output_text_prints_the_bare_status(
        self, er_jobs: Any, job_id: str
    ) -> None:
        run = er_jobs("get", WORKFLOW, job_id, "--query", "status", "--output", "text")

        assert (run.code, run.out) == (0, "SUCCEEDED\n")

    def test_a_query_alone_prints_json(self, er_jobs: Any, job_id: str) -> None:
        run = er_jobs(
            "get", WORKFLOW, job_id, "--query", "metrics.{ids: matchIDs, n: inputRecords}"
        )

        assert json.loads(run.out) == {"ids": 7, "n": 1000}

    def test_the_query_sees_what_json_prints(self, er_jobs: Any, job_id: str) -> None:
        whole = json.loads(er_jobs("get", WORKFLOW, job_id, "--json").out)

        run = er_jobs("get", WORKFLOW, job_id, "--query", "@")

        assert json.loads(run.out) == whole

    def test_list_ids_as_text_are_one_tab_separated_line(
        self, er_jobs: Any, entity_resolution: EntityResolutionMock, job_id: str
    ) -> None:
        second = EntityResolutionJobs().start_matching_job(WORKFLOW)

        run = er_jobs("list", WORKFLOW, "--query", "jobs[].jobId", "--output", "text")

        assert run.out == f"{job_id}\t{second}\n"

    def test_wait_and_output_take_them_too(
        self, er_jobs: Any, entity_resolution: EntityResolutionMock, job_id: str
    ) -> None:
        waited = er_jobs(
            "wait", WORKFLOW, job_id, "--query", "metrics.matchIDs", "--output", "text"
        )
        many = er_jobs("wait", WORKFLOW, job_id, "--running", "--query", "jobs[0].status")

        assert waited.out == "7\n"
        assert json.loads(many.out) == "SUCCEEDED"

    def test_output_files_can_be_queried(
        self, er_jobs: Any, entity_resolution: EntityResolutionMock
    ) -> None:
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="er-output")
        entity_resolution.create_workflow("wf", output_s3_path="s3://er-output/er/")
        started = EntityResolutionJobs().start_matching_job("wf")
        entity_resolution.job("wf", started).succeed()

        run = er_jobs("output", "wf", started, "--query", "errors[].s3Uri", "--output", "text")

        assert run.out == f"s3://er-output/er/wf/{started}/error/part-00000.csv\n"

    @pytest.mark.parametrize("expression", ["jobs[?", "a..b", "`unclosed", "foo("])
    def test_a_bad_expression_is_one_line_exit_2_and_nothing_is_sent(
        self, er_jobs: Any, expression: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(EntityResolutionJobs, "_connect", lambda _self: pytest.fail("sent"))

        run = er_jobs("get", WORKFLOW, "0" * 32, "--query", expression)

        assert run.code == 2
        assert run.out == ""
        assert len(run.err.splitlines()) == 1
        assert run.err.startswith(f"er-jobs: bad --query expression {expression!r}")


class TestOutput:
    def test_text_writes_scalars_by_sorted_key_then_each_nested_value_under_its_name(
        self, er_jobs: Any, job_id: str
    ) -> None:
        job = EntityResolutionJobs().get_matching_job(WORKFLOW, job_id)

        run = er_jobs("get", WORKFLOW, job_id, "--output", "text")

        start, end = job.start_time.isoformat(), (job.end_time or job.start_time).isoformat()
        source = job.output_sources[0]
        assert run.out.splitlines() == [
            f"{end}\t{job_id}\t{start}\tSUCCEEDED",
            # deleteRecordsProcessed (0) first, where this botocore models it
            "METRICS\t"
            + ("0\t" * modelled("JobMetrics", "deleteRecordsProcessed"))
            + "1000\t7\t10\t990",
            f"OUTPUTSOURCECONFIG\t{source.output_s3_path}\t{source.role_arn}",
        ]

    def test_json_is_json_and_json_flag_is_its_synonym(self, er_jobs: Any, job_id: str) -> None:
        flag = er_jobs("get", WORKFLOW, job_id, "--json")
        option = er_jobs("get", WORKFLOW, job_id, "--output", "json")

        assert flag.out == option.out
        assert json.loads(flag.out)["jobId"] == job_id

    def test_yaml_holds_the_same_document(self, er_jobs: Any, job_id: str) -> None:
        as_json = json.loads(er_jobs("list", WORKFLOW, "--json").out)

        run = er_jobs("list", WORKFLOW, "--output", "yaml")

        assert yaml.safe_load(run.out) == as_json

    def test_table_shows_every_field_and_nested_sections(self, er_jobs: Any, job_id: str) -> None:
        run = er_jobs("id-mapping", "list", "ids", "--output", "table")
        got = er_jobs("get", WORKFLOW, job_id, "--output", "table")

        assert run.code == 4  # no such ID mapping workflow: an error, not a table
        assert got.code == 0
        for text in ("jobId", job_id, "metrics", "matchIDs", "outputSourceConfig", "roleArn"):
            assert text in got.out

    def test_json_and_another_output_clash_in_one_line_exit_2(
        self, er_jobs: Any, job_id: str
    ) -> None:
        run = er_jobs("get", WORKFLOW, job_id, "--json", "--output", "text")

        assert run.code == 2
        assert run.err == "er-jobs: --json is --output json; it cannot go with --output text\n"

    def test_an_unknown_format_is_a_usage_error(self, er_jobs: Any, job_id: str) -> None:
        run = er_jobs("get", WORKFLOW, job_id, "--output", "xml")

        assert run.code == 2
        assert "xml" in run.err


class TestTextRules:
    """The AWS CLI's text output rules, on documents of each shape."""

    def test_a_list_of_dicts_shares_its_columns_and_fills_the_missing_with_nothing(self) -> None:
        data = {"jobs": [{"jobId": "a", "status": "RUNNING"}, {"jobId": "b", "endTime": "t"}]}

        assert list(text_lines(data)) == ["JOBS\t\ta\tRUNNING", "JOBS\tt\tb\t"]

    def test_a_named_list_of_scalars_writes_a_line_per_item(self) -> None:
        assert list(text_lines({"ids": ["a", "b"], "n": 2})) == ["2", "IDS\ta", "IDS\tb"]

    def test_scalars_print_as_python_writes_them(self) -> None:
        assert list(text_lines([None, True, 1.5])) == ["None\tTrue\t1.5"]
        assert list(text_lines("x")) == ["x"]
        assert list(text_lines([])) == []

    def test_nested_lists_write_their_scalars_then_each_inner_list(self) -> None:
        assert list(text_lines(["a", ["b", "c"], [{"k": 1}]])) == ["a", "b\tc", "1"]
