"""A start task that meets its earlier job: retries and re-runs wait on it instead of failing.

The service runs one job per workflow and answers a second start with
``ConflictException``. A retried or re-run start task whose earlier job is
still QUEUED or RUNNING reattaches to that job (``reattach=True``, the
default); on Airflow 3.3+ a retry also finds its earlier try's job in the
task state store.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from airflow_support import (
    AIRFLOW_VERSION,
    TEST_DAGS,
    RecordingTaskInstance,
    context_of,
    run_dag,
    run_trigger,
    succeeded,
    task_log_lines,
    try_number,
    xcom,
)
from conftest import ID_MAPPING_WORKFLOW, WORKFLOW
from entityresolution_jobs.airflow import StartIdMappingJobOperator, StartMatchingJobOperator
from entityresolution_jobs.airflow import _operators as operators
from entityresolution_jobs.airflow._compat import AirflowException, TaskDeferred
from entityresolution_jobs.airflow._jobs import job_in_progress
from entityresolution_jobs.testing import EntityResolutionMock, JobTimeline

FAST = {"min_delay": 0.1}


class DictStore:
    """Airflow 3.3's task state store, as the operators use it: get and set."""

    def __init__(self, **stored: str) -> None:
        self.stored: dict[str, str] = dict(stored)

    def get(self, key: str) -> object:
        return self.stored.get(key)

    def set(self, key: str, value: str) -> None:
        self.stored[key] = value


def _operator(**kwargs: object) -> StartMatchingJobOperator:
    arguments: dict[str, object] = {"task_id": "match", "workflow_name": WORKFLOW, **kwargs}
    return StartMatchingJobOperator(**arguments)  # type: ignore[arg-type]


def _running_job(service: EntityResolutionMock) -> str:
    """A job someone (an earlier try) started, RUNNING for a minute."""
    service.timeline = JobTimeline(queued_seconds=0.1, running_seconds=60)
    job_id = _operator(wait_for_completion=False).execute(context_of(RecordingTaskInstance()))
    service.job(WORKFLOW, job_id).set("RUNNING", input_records=10, processed=4)
    return job_id


class TestTheWorkflowsRunningJob:
    def test_a_start_that_meets_it_waits_on_it_and_returns_its_id(
        self,
        service: EntityResolutionMock,
        capfd: pytest.CaptureFixture[str],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        earlier = _running_job(service)
        operator = _operator(wait_for_completion=False)

        job_id = operator.execute(context_of(RecordingTaskInstance()))

        assert job_id == earlier
        assert [job.job_id for job in service.jobs(WORKFLOW)] == [earlier]
        expected = f"customers already has matching job {earlier} RUNNING (ConflictError: "
        assert any(expected in line for line in task_log_lines(capfd, caplog))

    def test_the_wait_follows_it_to_its_end(self, service: EntityResolutionMock) -> None:
        earlier = _running_job(service)
        service.timeline = JobTimeline(queued_seconds=0.1, running_seconds=0.3)
        ti = RecordingTaskInstance()

        with pytest.raises(TaskDeferred) as deferred:
            _operator(deferrable=True, **FAST).execute(context_of(ti))
        service.job(WORKFLOW, earlier).succeed()
        (event,) = run_trigger(deferred.value.trigger)

        assert _operator().execute_complete(context_of(ti), event.payload) == earlier
        assert ti.pushed["job"]["jobId"] == earlier  # type: ignore[index]

    def test_an_id_mapping_start_reattaches_too(self, service: EntityResolutionMock) -> None:
        def start() -> str:
            operator = StartIdMappingJobOperator(
                task_id="map", workflow_name=ID_MAPPING_WORKFLOW, wait_for_completion=False
            )
            return operator.execute(context_of(RecordingTaskInstance()))

        service.timeline = JobTimeline(queued_seconds=60, running_seconds=60)
        earlier = start()

        assert start() == earlier
        assert len(service.id_mapping_jobs(ID_MAPPING_WORKFLOW)) == 1

    def test_reattach_false_fails_the_task_naming_the_conflict(
        self, service: EntityResolutionMock
    ) -> None:
        _running_job(service)

        with pytest.raises(AirflowException, match=r"^ConflictError: "):
            _operator(reattach=False).execute(context_of(RecordingTaskInstance()))

        assert len(service.jobs(WORKFLOW)) == 1

    def test_a_job_that_ends_before_it_is_listed_lets_the_start_be_tried_again(
        self, service: EntityResolutionMock, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        earlier = _running_job(service)
        listed = job_in_progress

        def ends_first(*args: object) -> object:
            service.job(WORKFLOW, earlier).succeed()  # it ends between the start and the listing
            return listed(*args)  # type: ignore[arg-type]

        monkeypatch.setattr(operators, "job_in_progress", ends_first)

        job_id = _operator(wait_for_completion=False).execute(context_of(RecordingTaskInstance()))

        assert job_id != earlier
        assert len(service.jobs(WORKFLOW)) == 2

    def test_a_workflow_busy_with_a_job_never_listed_fails_after_three_starts(
        self, service: EntityResolutionMock, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        _running_job(service)
        monkeypatch.setattr(operators, "job_in_progress", lambda *args: None)

        with pytest.raises(AirflowException, match=r"^ConflictError: "):
            _operator(wait_for_completion=False).execute(context_of(RecordingTaskInstance()))

        assert len(service.jobs(WORKFLOW)) == 1


class TestTheTaskStateStore:
    """Airflow 3.3+: a retry reads the job its earlier try started (tested here on any line)."""

    def test_the_first_try_keeps_its_job_id(self, service: EntityResolutionMock) -> None:
        store = DictStore()
        context = {**context_of(RecordingTaskInstance()), "task_state_store": store}

        job_id = _operator(wait_for_completion=False).execute(context)  # type: ignore[arg-type]

        assert store.stored == {operators.STATE_KEY: job_id}

    def test_a_retry_reattaches_to_the_stored_job_without_a_start(
        self, service: EntityResolutionMock
    ) -> None:
        earlier = _running_job(service)
        service.inject_fault("StartMatchingJob", "AccessDeniedException")  # a start would fail
        store = DictStore(**{operators.STATE_KEY: earlier})
        context = {**context_of(RecordingTaskInstance()), "task_state_store": store}

        job_id = _operator(wait_for_completion=False).execute(context)  # type: ignore[arg-type]

        assert job_id == earlier

    def test_a_stored_job_that_failed_is_replaced_by_a_new_one(
        self, service: EntityResolutionMock
    ) -> None:
        earlier = _running_job(service)
        service.job(WORKFLOW, earlier).fail("bad rows")
        store = DictStore(**{operators.STATE_KEY: earlier})
        context = {**context_of(RecordingTaskInstance()), "task_state_store": store}

        job_id = _operator(wait_for_completion=False).execute(context)  # type: ignore[arg-type]

        assert job_id != earlier
        assert store.stored == {operators.STATE_KEY: job_id}

    def test_a_stored_job_that_is_gone_is_replaced_by_a_new_one(
        self, service: EntityResolutionMock
    ) -> None:
        store = DictStore(**{operators.STATE_KEY: "f" * 32})
        context = {**context_of(RecordingTaskInstance()), "task_state_store": store}

        job_id = _operator(wait_for_completion=False).execute(context)  # type: ignore[arg-type]

        assert [job.job_id for job in service.jobs(WORKFLOW)] == [job_id]


def _wait_until(condition: object, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.mark.parametrize("dag_id", ["matching_in_worker", "matching_deferred"])
def test_a_run_killed_mid_wait_is_followed_by_one_that_rejoins_the_same_job(
    service: EntityResolutionMock, dag_id: str
) -> None:
    service.timeline = JobTimeline(queued_seconds=0.2, running_seconds=12)
    code = (
        "import sys; sys.path[:0] = sys.argv[1:]\n"
        "from airflow_support import TEST_DAGS, run_dag\n"
        f"run_dag(TEST_DAGS, {dag_id!r})\n"
    )
    first = subprocess.Popen(  # the first try, in its own process: a worker
        [sys.executable, "-c", code, str(TEST_DAGS.parent)],
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until(lambda: [job.status for job in service.jobs(WORKFLOW)] == ["RUNNING"])
        time.sleep(1)  # mid-wait: a poll or two in
    finally:
        first.send_signal(signal.SIGKILL)  # the worker dies; the job runs on
        first.wait()
    (job,) = service.jobs(WORKFLOW)
    assert job.status == "RUNNING"

    run = run_dag(TEST_DAGS, dag_id)  # the retry (a new try of the same task)

    assert succeeded(run)
    assert [j.job_id for j in service.jobs(WORKFLOW)] == [job.job_id]
    assert xcom(run, "match") == job.job_id
    assert service.job(WORKFLOW, job.job_id).status == "SUCCEEDED"


@pytest.mark.skipif(
    AIRFLOW_VERSION.release < (3, 3), reason="the task state store arrived in Airflow 3.3"
)
def test_a_retry_finds_its_earlier_trys_job_in_the_task_state_store(
    service: EntityResolutionMock,
) -> None:
    service.timeline = JobTimeline(queued_seconds=0.2, running_seconds=1)
    # The first try's first poll is refused: the wait fails, the task is retried.
    service.inject_fault("GetMatchingJob", "AccessDeniedException")

    run = run_dag(TEST_DAGS, "matching_retried")

    assert succeeded(run)
    (job,) = service.jobs(WORKFLOW)
    assert xcom(run, "match") == job.job_id
    assert try_number(run, "match") == 2
