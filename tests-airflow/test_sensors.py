"""MatchingJobSensor and IdMappingJobSensor in each of Airflow's sensor modes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import pytest
from airflow.models.taskreschedule import TaskReschedule
from airflow.utils.session import create_session
from sqlalchemy import func, select

if TYPE_CHECKING:
    from airflow.sdk import Context

from airflow_support import (
    AIRFLOW_2,
    TEST_DAGS,
    RecordingTaskInstance,
    context_of,
    run_dag,
    run_trigger,
    succeeded,
    task_state,
    xcom,
)
from conftest import ID_MAPPING_WORKFLOW, WORKFLOW
from entityresolution_jobs.airflow import (
    EntityResolutionHook,
    EntityResolutionJobTrigger,
    IdMappingJobSensor,
    MatchingJobSensor,
)
from entityresolution_jobs.airflow._compat import (
    AirflowException,
    AirflowFailException,
    TaskDeferred,
)
from entityresolution_jobs.testing import EntityResolutionMock


def _start() -> str:
    return EntityResolutionHook().jobs.start_matching_job(WORKFLOW)


def _sensor(job_id: str, **kwargs: object) -> MatchingJobSensor:
    arguments: dict[str, object] = {
        "task_id": "sense",
        "workflow_name": WORKFLOW,
        "job_id": job_id,
        **kwargs,
    }
    return MatchingJobSensor(**arguments)  # type: ignore[arg-type]


def _reschedules(run_id: str) -> int:
    with create_session() as session:
        if AIRFLOW_2:  # a reschedule row names its run itself
            query = select(func.count()).where(TaskReschedule.run_id == run_id)  # type: ignore[attr-defined,unused-ignore]
        else:
            query = (
                select(func.count()).select_from(TaskReschedule).join(TaskReschedule.task_instance)
                .where(TaskReschedule.task_instance.has(run_id=run_id))
            )  # fmt: skip
        count = session.scalar(query)
        return int(count or 0)


@pytest.fixture
def ends_after_the_first_poke(
    service: EntityResolutionMock, monkeypatch: pytest.MonkeyPatch
) -> str:
    """A RUNNING job that SUCCEEDS once the sensor has poked it (and found it running) once."""
    job_id = _start()
    service.job(WORKFLOW, job_id).set("RUNNING", input_records=10, processed=4)
    poke = MatchingJobSensor.poke

    def poke_then_end(self: MatchingJobSensor, context: Context) -> bool:
        done = poke(self, context)
        service.job(WORKFLOW, job_id).succeed()
        return done

    monkeypatch.setattr(MatchingJobSensor, "poke", poke_then_end)
    return job_id


@pytest.mark.parametrize("mode", ["poke", "reschedule", "deferrable"])
def test_each_mode_succeeds_once_the_job_succeeded_and_pushes_it(
    ends_after_the_first_poke: str, mode: str
) -> None:
    job_id = ends_after_the_first_poke

    run = run_dag(TEST_DAGS, f"matching_sensor_{mode}", workflow_name=WORKFLOW, job_id=job_id)

    assert succeeded(run)
    pushed = xcom(run, "sense", "job")
    assert isinstance(pushed, dict)
    assert pushed["jobId"] == job_id
    assert pushed["status"] == "SUCCEEDED"
    if mode == "reschedule":
        assert _reschedules(run.run_id) == 1  # it gave its slot back between the pokes


@pytest.mark.parametrize("mode", ["poke", "reschedule", "deferrable"])
def test_each_mode_fails_the_task_when_the_job_failed(
    service: EntityResolutionMock, mode: str
) -> None:
    job_id = _start()
    service.job(WORKFLOW, job_id).fail("bad rows")

    run = run_dag(TEST_DAGS, f"matching_sensor_{mode}", workflow_name=WORKFLOW, job_id=job_id)

    assert not succeeded(run)
    assert task_state(run, "sense") == "failed"


def test_an_id_mapping_job_is_sensed_deferred(service: EntityResolutionMock) -> None:
    job_id = EntityResolutionHook().jobs.start_id_mapping_job(ID_MAPPING_WORKFLOW)

    run = run_dag(
        TEST_DAGS, "id_mapping_sensor_deferrable", workflow_name=ID_MAPPING_WORKFLOW, job_id=job_id
    )

    assert succeeded(run)
    assert xcom(run, "sense", "job")["metrics"]["totalMappedRecords"] == 600  # type: ignore[index]


class TestPoke:
    def test_a_running_job_is_not_done(self, service: EntityResolutionMock) -> None:
        job_id = _start()
        service.job(WORKFLOW, job_id).set("RUNNING", input_records=10, processed=4)

        assert _sensor(job_id).poke(context_of(RecordingTaskInstance())) is False

    def test_a_failed_job_fails_with_its_message_and_id(
        self, service: EntityResolutionMock
    ) -> None:
        job_id = _start()
        service.job(WORKFLOW, job_id).fail("bad rows")

        with pytest.raises(
            AirflowException, match=rf"MatchingJobFailedError: .*{job_id}.*bad rows"
        ):
            _sensor(job_id).poke(context_of(RecordingTaskInstance()))

    def test_throttling_counts_as_not_yet(self, service: EntityResolutionMock) -> None:
        job_id = _start()
        service.job(WORKFLOW, job_id).succeed()
        service.inject_fault("GetMatchingJob", "ThrottlingException", times=10)
        sensor = _sensor(job_id)
        ti = RecordingTaskInstance()

        assert sensor.poke(context_of(ti)) is False
        service.backend.faults.clear()
        assert sensor.poke(context_of(ti)) is True
        assert ti.pushed["job"]["status"] == "SUCCEEDED"  # type: ignore[index]

    def test_a_job_that_does_not_exist_fails_naming_the_error(
        self, service: EntityResolutionMock
    ) -> None:
        with pytest.raises(AirflowException, match=r"^ResourceNotFoundError: "):
            _sensor("f" * 32).poke(context_of(RecordingTaskInstance()))

    def test_an_invalid_job_id_fails_at_once_without_retries(
        self, service: EntityResolutionMock
    ) -> None:
        with pytest.raises(AirflowFailException, match=r"^InvalidInputError: job_id"):
            _sensor("not-an-id!").poke(context_of(RecordingTaskInstance()))


class TestDeferrable:
    def test_a_job_already_ended_is_sensed_without_deferring(
        self, service: EntityResolutionMock
    ) -> None:
        job_id = _start()
        service.job(WORKFLOW, job_id).succeed()
        ti = RecordingTaskInstance()

        _sensor(job_id, deferrable=True).execute(context_of(ti))

        assert ti.pushed["job"]["jobId"] == job_id  # type: ignore[index]

    def test_a_running_job_defers_within_the_sensors_timeout_then_resumes(
        self, service: EntityResolutionMock
    ) -> None:
        job_id = _start()
        service.job(WORKFLOW, job_id).set("RUNNING", input_records=10, processed=4)
        sensor = _sensor(job_id, deferrable=True, timeout=300, min_delay=0.1)
        ti = RecordingTaskInstance()

        with pytest.raises(TaskDeferred) as deferred:
            sensor.execute(context_of(ti))
        service.job(WORKFLOW, job_id).succeed()
        trigger = deferred.value.trigger
        assert isinstance(trigger, EntityResolutionJobTrigger)
        assert trigger.job_kind == "matching"
        assert trigger.deadline <= datetime.now(timezone.utc) + timedelta(seconds=300)
        assert trigger.deadline >= datetime.now(timezone.utc) + timedelta(seconds=240)
        (event,) = run_trigger(trigger)
        sensor.execute_complete(context_of(ti), event.payload)

        assert ti.pushed["job"]["status"] == "SUCCEEDED"  # type: ignore[index]

    @pytest.mark.usefixtures("unreachable")
    def test_an_invalid_wait_setting_fails_before_the_first_poke(self) -> None:
        sensor = _sensor("a" * 32, deferrable=True, min_delay=0)

        with pytest.raises(
            AirflowFailException, match=r"^InvalidInputError: min_delay must be > 0"
        ):
            sensor.execute(context_of(RecordingTaskInstance()))

    def test_an_invalid_job_id_fails_before_deferring(self, service: EntityResolutionMock) -> None:
        with pytest.raises(AirflowFailException, match=r"^InvalidInputError: job_id"):
            _sensor("not-an-id!", deferrable=True).execute(context_of(RecordingTaskInstance()))


def test_template_fields_cover_the_workflow_and_the_job_id() -> None:
    for sensor in (MatchingJobSensor, IdMappingJobSensor):
        assert {"workflow_name", "job_id", "aws_conn_id", "region_name"} <= set(
            sensor.template_fields
        )
