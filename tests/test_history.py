"""How a workflow's recent runs went: `job_history` and ``er-jobs history``."""

from __future__ import annotations

import asyncio
import io
import json
from typing import Any

import pytest
from rich.console import Console

from entityresolution_jobs import (
    AsyncEntityResolutionJobs,
    EntityResolutionJobs,
    InvalidInputError,
    JobRun,
    JobStatus,
)
from entityresolution_jobs.cli import _render
from entityresolution_jobs.testing import EntityResolutionMock, JobTimeline

from .support import WORKFLOW, SharedClock

MINUTES = (14, 16, 15, 21)  # the runs' durations, oldest first


def requests_of(er: EntityResolutionJobs) -> list[str]:
    """The Entity Resolution operations the facade sends, in order."""
    sent: list[str] = []
    er.client.meta.events.register(
        "before-call.entityresolution", lambda model, **_: sent.append(model.name)
    )
    return sent


@pytest.fixture
def runs(entity_resolution: EntityResolutionMock) -> list[str]:
    """Four finished runs of WORKFLOW, and a fifth still running; their ids, oldest first."""
    clock = SharedClock()
    entity_resolution.clock = clock.wall
    entity_resolution.create_workflow(WORKFLOW)
    er = EntityResolutionJobs()
    started: list[str] = []
    for number, minutes in enumerate(MINUTES):
        entity_resolution.timeline = JobTimeline(
            queued_seconds=0, running_seconds=minutes * 60, input_records=100_000,
            records_not_processed=100 * number,
        )  # fmt: skip
        started.append(er.start_matching_job(WORKFLOW))
        clock.sleep(minutes * 60 + 300)
    entity_resolution.timeline = JobTimeline(queued_seconds=0, running_seconds=3600)
    started.append(er.start_matching_job(WORKFLOW))
    clock.sleep(60)
    return started


class TestJobHistory:
    def test_the_last_runs_come_newest_first_with_their_counts_and_rates(
        self, runs: list[str]
    ) -> None:
        er = EntityResolutionJobs()
        sent = requests_of(er)

        history = er.job_history(WORKFLOW, last=3, sleep=lambda _: None)

        assert [run.job_id for run in history] == runs[::-1][:3]
        running, newest, older = history
        assert (running.status, running.end_time, running.duration_seconds) == (
            JobStatus.RUNNING, None, None,
        )  # fmt: skip
        assert running.records_per_second is None
        assert newest.duration_seconds == 21 * 60
        assert newest.records_not_processed == 300
        assert newest.not_processed_share == pytest.approx(0.003)
        assert newest.records_per_second == pytest.approx(100_000 / (21 * 60))
        assert older.duration_seconds == 15 * 60
        assert sent == ["ListMatchingJobs", "GetMatchingJob", "GetMatchingJob", "GetMatchingJob"]

    def test_reads_keep_to_the_request_budget(self, runs: list[str]) -> None:
        er = EntityResolutionJobs()
        now = [0.0]
        slept: list[float] = []

        def sleep(seconds: float) -> None:
            slept.append(seconds)
            now[0] += seconds

        er.job_history(WORKFLOW, last=5, max_rate=2, clock=lambda: now[0], sleep=sleep)

        assert slept == [0.5] * 4  # five reads, two a second

    def test_a_bad_last_is_refused_before_any_request(
        self, entity_resolution: EntityResolutionMock
    ) -> None:
        er = EntityResolutionJobs()
        sent = requests_of(er)

        with pytest.raises(InvalidInputError, match="last must be a whole number of runs"):
            er.job_history(WORKFLOW, last=0)

        assert sent == []

    def test_an_id_mapping_workflows_runs_report_their_mapped_records(
        self, entity_resolution: EntityResolutionMock
    ) -> None:
        entity_resolution.create_id_mapping_workflow("ids")
        er = EntityResolutionJobs()
        job_id = er.start_id_mapping_job("ids")
        entity_resolution.id_mapping_job("ids", job_id).succeed()

        (run,) = er.job_history("ids", id_mapping=True)

        assert (run.job_id, run.match_ids, run.total_mapped_records) == (job_id, None, 600)

    def test_rows_are_json_in_the_services_names_and_read_back(self, runs: list[str]) -> None:
        (run,) = EntityResolutionJobs().job_history(WORKFLOW, last=1)

        document = run.model_dump(mode="json", by_alias=True)

        assert {"jobId", "startTime", "durationSeconds", "matchIDs", "recordsPerSecond"} <= set(
            document
        )
        assert JobRun.model_validate(run.model_dump()) == run

    def test_the_async_shell_too(self, moto_server: str) -> None:
        fake = EntityResolutionMock()
        fake.create_workflow(WORKFLOW)

        async def main() -> list[JobRun]:
            async with AsyncEntityResolutionJobs(endpoint_url=moto_server) as er:
                job_id = await er.start_matching_job(WORKFLOW)
                fake.job(WORKFLOW, job_id).succeed()
                return await er.job_history(WORKFLOW, last=5)

        (run,) = asyncio.run(main())

        assert run.status is JobStatus.SUCCEEDED
        assert run.match_ids == 400


class TestTheCommand:
    def test_a_table_of_the_runs_newest_first(
        self, er_jobs: Any, runs: list[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("COLUMNS", raising=False)

        run = er_jobs("history", WORKFLOW, "--last", "2")  # piped: every column whole

        assert run.code == 0, run.err
        assert "…" not in run.out
        assert "% not" in run.out  # the tenth column
        assert run.out.index("RUNNING") < run.out.index("0:21:00")  # the newest first
        assert "records/s" in run.out
        assert "0.30%" in run.out  # the 21-minute run's 300 of 100,000 not processed

    def test_json_and_query_as_the_other_read_commands(self, er_jobs: Any, runs: list[str]) -> None:
        listed = er_jobs("history", WORKFLOW, "--last", "3", "--output", "json")
        durations = er_jobs(
            "history", WORKFLOW, "--query", "runs[].durationSeconds", "--output", "text"
        )

        document = json.loads(listed.out)
        assert [item["jobId"] for item in document["runs"]] == runs[::-1][:3]
        assert "matchIDs" in document["runs"][0]
        assert "totalMappedRecords" not in document["runs"][0]  # the other kind's count
        # A projection leaves out the running job's null, as the AWS CLI's does.
        assert durations.out.split() == ["1260.0", "900.0", "960.0", "840.0"]

    def test_a_terminal_gets_a_chart_of_duration_and_throughput(
        self, er_jobs: Any, runs: list[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        screen = io.StringIO()
        terminal = Console(file=screen, force_terminal=True, width=220)
        monkeypatch.setattr(_render, "stdout", lambda: terminal)

        run = er_jobs("history", WORKFLOW)

        assert run.code == 0, run.err
        drawn = screen.getvalue()
        assert "duration chart" in drawn
        assert "records/s chart" in drawn
        assert "█" in drawn or "▉" in drawn  # Rich's bars

    def test_id_mapping_history_shows_mapped_records(
        self, er_jobs: Any, entity_resolution: EntityResolutionMock
    ) -> None:
        entity_resolution.create_id_mapping_workflow("ids")
        job_id = EntityResolutionJobs().start_id_mapping_job("ids")
        entity_resolution.id_mapping_job("ids", job_id).succeed()

        run = er_jobs("id-mapping", "history", "ids")

        assert run.code == 0, run.err
        assert "mapped" in run.out
        assert "600" in run.out
        document = json.loads(er_jobs("id-mapping", "history", "ids", "--output", "json").out)
        assert document["runs"][0]["totalMappedRecords"] == 600
        assert "matchIDs" not in document["runs"][0]
