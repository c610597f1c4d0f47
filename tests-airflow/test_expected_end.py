"""A DAG run's log answers "when will it be done?": the expected end, as the library estimates."""

from __future__ import annotations

import logging
import time

import pytest

from airflow_support import RecordingTaskInstance, context_of, run_trigger, task_log_lines
from conftest import WORKFLOW
from entityresolution_jobs import EntityResolutionJobs
from entityresolution_jobs.airflow import (
    EntityResolutionHook,
    EntityResolutionJobTrigger,
    MatchingJobSensor,
    StartMatchingJobOperator,
)
from entityresolution_jobs.testing import EntityResolutionMock, JobTimeline


@pytest.fixture
def history(service: EntityResolutionMock) -> EntityResolutionJobs:
    """Two finished runs of about 0.8 s in WORKFLOW; the hook's client."""
    jobs: EntityResolutionJobs = EntityResolutionHook().jobs
    for _ in range(2):
        jobs.start_matching_job(WORKFLOW)
        time.sleep(0.9)
    return jobs


def _expected_end_lines(
    capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture, job_id: str
) -> list[str]:
    # Airflow 2 logs a task's line both to its output and to logging: each once here.
    said = f"matching job {job_id}: expected about"
    lines = task_log_lines(capfd, caplog)
    return list(dict.fromkeys(line[line.index(said) :] for line in lines if said in line))


def test_the_trigger_logs_the_expected_end_once_known(
    history: EntityResolutionJobs,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    job_id = history.start_matching_job(WORKFLOW)
    trigger = EntityResolutionJobTrigger(
        job_kind="matching", workflow_name=WORKFLOW, job_id=job_id, min_delay=0.1
    )

    events = run_trigger(trigger)

    assert events[0].payload["status"] == "success"
    lines = _expected_end_lines(capfd, caplog, job_id)
    assert lines
    assert "from the last 2 runs" in lines[0]


def test_a_waiting_operator_logs_it_too(
    history: EntityResolutionJobs,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    operator = StartMatchingJobOperator(
        task_id="match", workflow_name=WORKFLOW, deferrable=False, min_delay=0.1,
        push_output_folder=False,
    )  # fmt: skip

    job_id = operator.execute(context_of(RecordingTaskInstance()))

    assert _expected_end_lines(capfd, caplog, job_id)


def test_a_poking_sensor_logs_it_when_first_known_and_not_again_unless_it_moves(
    history: EntityResolutionJobs,
    service: EntityResolutionMock,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    service.timeline = JobTimeline(queued_seconds=0, running_seconds=30)
    job_id = history.start_matching_job(WORKFLOW)
    sensor = MatchingJobSensor(task_id="sense", workflow_name=WORKFLOW, job_id=job_id)
    ti = RecordingTaskInstance()

    assert sensor.poke(context_of(ti)) is False
    assert sensor.poke(context_of(ti)) is False

    lines = _expected_end_lines(capfd, caplog, job_id)
    assert len(lines) == 1  # the second poke's estimate is the same prediction
    assert "from the last 2 runs" in lines[0]
