"""The example DAG in examples/airflow, run end to end with ``dag.test()``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from airflow.triggers.base import TriggerEvent

from airflow_support import EXAMPLE_DAGS, run_dag, succeeded, task_state, xcom
from conftest import WORKFLOW
from entityresolution_jobs.airflow import EntityResolutionJobTrigger
from entityresolution_jobs.testing import EntityResolutionMock, JobTimeline

DAG_ID = "entity_resolution_pipeline"


@pytest.fixture
def trigger_runs(monkeypatch: pytest.MonkeyPatch) -> list[EntityResolutionJobTrigger]:
    """Every trigger the run handed to the triggerer (dag.test runs it in line)."""
    runs: list[EntityResolutionJobTrigger] = []
    run = EntityResolutionJobTrigger.run

    def recording(self: EntityResolutionJobTrigger) -> AsyncIterator[TriggerEvent]:
        runs.append(self)
        return run(self)

    monkeypatch.setattr(EntityResolutionJobTrigger, "run", recording)
    return runs


def test_the_pipeline_defers_the_wait_and_reports_the_metrics(
    service: EntityResolutionMock, trigger_runs: list[EntityResolutionJobTrigger]
) -> None:
    service.timeline = JobTimeline(queued_seconds=0.5, running_seconds=2.0)

    run = run_dag(EXAMPLE_DAGS, DAG_ID)

    assert succeeded(run)
    (job,) = service.jobs(WORKFLOW)
    # The task deferred: the triggerer waited on this job, then the task resumed.
    assert [(t.workflow_name, t.job_id) for t in trigger_runs] == [(WORKFLOW, job.job_id)]
    assert xcom(run, "match") == job.job_id
    assert xcom(run, "report") == {"input_records": 1000, "match_ids": 400}


def test_a_workflow_named_by_a_run_param_is_the_one_started(
    service: EntityResolutionMock, trigger_runs: list[EntityResolutionJobTrigger]
) -> None:
    service.create_workflow("suppliers")

    run = run_dag(EXAMPLE_DAGS, DAG_ID, workflow_name="suppliers")

    assert succeeded(run)
    assert service.jobs(WORKFLOW) == []
    assert len(service.jobs("suppliers")) == 1


def test_a_failed_job_fails_the_match_task_and_skips_the_report(
    service: EntityResolutionMock, trigger_runs: list[EntityResolutionJobTrigger]
) -> None:
    service.timeline = JobTimeline(
        queued_seconds=0.1, running_seconds=0.3, error_message="bad rows"
    )

    run = run_dag(EXAMPLE_DAGS, DAG_ID)

    assert not succeeded(run)
    assert task_state(run, "match") == "failed"
    assert task_state(run, "report") == "upstream_failed"
    assert len(trigger_runs) == 1
    assert xcom(run, "match", "job")["errorDetails"] == {"errorMessage": "bad rows"}  # type: ignore[index]
