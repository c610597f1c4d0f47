"""StartMatchingJobOperator and StartIdMappingJobOperator, called as Airflow calls them."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from airflow_support import (
    JOB_TYPE_SENDABLE,
    TEST_DAGS,
    RecordingTaskInstance,
    context_of,
    run_dag,
    run_trigger,
    succeeded,
    task_log_lines,
    task_state,
    xcom,
)
from conftest import ID_MAPPING_WORKFLOW, REGION, WORKFLOW
from entityresolution_jobs import IdMappingJobType, OutputSource
from entityresolution_jobs.airflow import (
    EntityResolutionJobTrigger,
    StartIdMappingJobOperator,
    StartMatchingJobOperator,
)
from entityresolution_jobs.airflow._compat import (
    AirflowException,
    AirflowFailException,
    TaskDeferred,
)
from entityresolution_jobs.testing import EntityResolutionMock, JobTimeline

FAST = {"min_delay": 0.1}


def _operator(**kwargs: object) -> StartMatchingJobOperator:
    arguments: dict[str, object] = {"task_id": "match", "workflow_name": WORKFLOW, **kwargs}
    return StartMatchingJobOperator(**arguments)  # type: ignore[arg-type]


class TestDeferral:
    def test_the_task_defers_to_the_trigger_then_resumes_with_the_job_id(
        self, service: EntityResolutionMock
    ) -> None:
        operator = _operator(deferrable=True, **FAST)
        ti = RecordingTaskInstance()

        with pytest.raises(TaskDeferred) as deferred:
            operator.execute(context_of(ti))
        trigger = deferred.value.trigger
        assert isinstance(trigger, EntityResolutionJobTrigger)
        assert deferred.value.method_name == "execute_complete"
        (started,) = service.jobs(WORKFLOW)
        assert trigger.job_id == started.job_id
        assert trigger.min_delay == 0.1
        (event,) = run_trigger(trigger)
        job_id = operator.execute_complete(context_of(ti), event.payload)

        assert job_id == started.job_id
        assert ti.pushed["job"]["status"] == "SUCCEEDED"  # type: ignore[index]

    def test_the_trigger_gets_the_tasks_connection_settings(
        self, service: EntityResolutionMock
    ) -> None:
        operator = _operator(
            deferrable=True, aws_conn_id="aws_default", region_name=REGION, verify=False,
            botocore_config={"read_timeout": 7}, wait_timeout=120, max_delay=30,
            expected_duration=60, use_history=False,
        )  # fmt: skip

        with pytest.raises(TaskDeferred) as deferred:
            operator.execute(context_of(RecordingTaskInstance()))
        _, kwargs = deferred.value.trigger.serialize()

        assert kwargs["region_name"] == REGION
        assert kwargs["verify"] is False
        assert kwargs["botocore_config"] == {"read_timeout": 7}
        assert (kwargs["max_delay"], kwargs["expected_duration"]) == (30, 60)
        assert kwargs["use_history"] is False

    def test_an_error_event_fails_the_resumed_task_naming_the_error_class(
        self, service: EntityResolutionMock
    ) -> None:
        trigger = EntityResolutionJobTrigger(
            job_kind="matching", workflow_name=WORKFLOW, job_id="f" * 32, min_delay=0.1
        )
        (event,) = run_trigger(trigger)
        ti = RecordingTaskInstance()

        with pytest.raises(AirflowException, match=r"^ResourceNotFoundError: ") as failed:
            _operator().execute_complete(context_of(ti), event.payload)

        assert not isinstance(failed.value, AirflowFailException)
        assert ti.pushed == {}  # there is no job to push

    def test_an_unreadable_event_fails_the_task(self) -> None:
        with pytest.raises(AirflowException, match="cannot read"):
            _operator().execute_complete(context_of(RecordingTaskInstance()), None)

    @pytest.mark.parametrize("configured", ["True", "False"])
    def test_the_default_follows_airflows_default_deferrable_setting(self, configured: str) -> None:
        code = (
            "from entityresolution_jobs.airflow import StartMatchingJobOperator as O, "
            "MatchingJobSensor as S\n"
            "print(O(task_id='t', workflow_name='w').deferrable, "
            "S(task_id='s', workflow_name='w', job_id='j').deferrable)"
        )
        env = {**os.environ, "AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE": configured}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )

        assert out.stdout.split() == [configured, configured]


class TestWaitingInTheWorker:
    def test_a_dag_run_starts_and_waits_and_pushes_the_job(
        self, service: EntityResolutionMock
    ) -> None:
        run = run_dag(TEST_DAGS, "matching_in_worker")

        assert succeeded(run)
        (job,) = service.jobs(WORKFLOW)
        assert xcom(run, "match") == job.job_id
        pushed = xcom(run, "match", "job")
        assert isinstance(pushed, dict)
        assert pushed["jobId"] == job.job_id
        assert pushed["metrics"]["matchIDs"] == 400

    def test_a_failed_job_fails_the_task_with_its_message_and_id_in_the_log(
        self,
        service: EntityResolutionMock,
        capfd: pytest.CaptureFixture[str],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        service.timeline = JobTimeline(
            queued_seconds=0.1, running_seconds=0.2, error_message="bad rows"
        )
        ti = RecordingTaskInstance()

        with pytest.raises(AirflowException, match=r"MatchingJobFailedError: .*bad rows") as failed:
            _operator(deferrable=False, **FAST).execute(context_of(ti))

        (job,) = service.jobs(WORKFLOW)
        assert job.job_id in str(failed.value)
        assert not isinstance(failed.value, AirflowFailException)  # a retry starts a new run
        logged = [line for line in task_log_lines(capfd, caplog) if "[error" in line]
        assert any(job.job_id in line and "bad rows" in line for line in logged)
        assert ti.pushed["job"]["status"] == "FAILED"  # type: ignore[index]

    def test_a_failed_job_fails_the_dag_run(self, service: EntityResolutionMock) -> None:
        service.timeline = JobTimeline(
            queued_seconds=0.1, running_seconds=0.2, error_message="bad rows"
        )

        run = run_dag(TEST_DAGS, "matching_in_worker")

        assert not succeeded(run)
        assert task_state(run, "match") == "failed"

    def test_without_waiting_the_task_returns_the_id_of_the_running_job(
        self, service: EntityResolutionMock
    ) -> None:
        service.timeline = JobTimeline(queued_seconds=60, running_seconds=60)
        ti = RecordingTaskInstance()

        job_id = _operator(wait_for_completion=False).execute(context_of(ti))

        assert service.job(WORKFLOW, job_id).status == "QUEUED"
        assert ti.pushed == {}

    def test_throttling_is_ridden_out(self, service: EntityResolutionMock) -> None:
        service.inject_fault("GetMatchingJob", "ThrottlingException", times=8)

        job_id = _operator(deferrable=False, **FAST).execute(context_of(RecordingTaskInstance()))

        assert service.job(WORKFLOW, job_id).status == "SUCCEEDED"


class TestBadInput:
    @pytest.mark.usefixtures("unreachable")
    def test_an_invalid_workflow_name_fails_at_once_without_retries_or_a_request(self) -> None:
        with pytest.raises(AirflowFailException, match="InvalidInputError: workflow_name"):
            _operator(workflow_name="no spaces allowed").execute(
                context_of(RecordingTaskInstance())
            )

    def test_an_invalid_wait_setting_fails_before_the_job_is_started(
        self, service: EntityResolutionMock
    ) -> None:
        with pytest.raises(AirflowFailException, match="InvalidInputError: min_delay must be > 0"):
            _operator(min_delay=-1).execute(context_of(RecordingTaskInstance()))

        assert service.jobs(WORKFLOW) == []

    def test_a_service_error_fails_the_task_naming_its_class(
        self, service: EntityResolutionMock
    ) -> None:
        with pytest.raises(AirflowException, match=r"^ResourceNotFoundError: ") as failed:
            _operator(workflow_name="missing").execute(context_of(RecordingTaskInstance()))

        assert not isinstance(failed.value, AirflowFailException)


class TestIdMapping:
    def test_the_job_type_and_output_are_sent_and_the_job_pushed(
        self, service: EntityResolutionMock
    ) -> None:
        ti = RecordingTaskInstance()
        output = {
            "roleArn": "arn:aws:iam::123456789012:role/er",
            "outputS3Path": "s3://bucket/ids/",
        }
        operator = StartIdMappingJobOperator(
            task_id="map", workflow_name=ID_MAPPING_WORKFLOW, job_type="INCREMENTAL",
            output_source=output, deferrable=False, **FAST,
        )  # fmt: skip

        if not JOB_TYPE_SENDABLE:  # fails at once, naming the botocore that can send it
            with pytest.raises(AirflowFailException, match=r"job_type needs botocore >= 1\.40\.37"):
                operator.execute(context_of(ti))
            assert service.id_mapping_jobs(ID_MAPPING_WORKFLOW) == []
            return
        job_id = operator.execute(context_of(ti))

        assert service.id_mapping_job(ID_MAPPING_WORKFLOW, job_id).job_type == "INCREMENTAL"
        pushed = ti.pushed["job"]
        assert pushed["jobType"] == "INCREMENTAL"  # type: ignore[index]
        assert pushed["outputSourceConfig"] == [output]  # type: ignore[index]

    def test_an_output_source_model_is_taken_as_it_is(self, service: EntityResolutionMock) -> None:
        output = OutputSource(
            role_arn="arn:aws:iam::123456789012:role/er", output_s3_path="s3://bucket/x/"
        )
        operator = StartIdMappingJobOperator(
            task_id="map", workflow_name=ID_MAPPING_WORKFLOW, output_source=output,
            job_type=IdMappingJobType.BATCH if JOB_TYPE_SENDABLE else None,
            wait_for_completion=False,
        )  # fmt: skip

        job_id = operator.execute(context_of(RecordingTaskInstance()))

        assert service.id_mapping_job(ID_MAPPING_WORKFLOW, job_id).job_type == "BATCH"

    def test_an_unknown_job_type_fails_at_once_naming_the_choices(
        self, service: EntityResolutionMock
    ) -> None:
        operator = StartIdMappingJobOperator(
            task_id="map", workflow_name=ID_MAPPING_WORKFLOW, job_type="SOMETIMES"
        )

        with pytest.raises(
            AirflowFailException, match="BATCH, INCREMENTAL, DELETE_ONLY; got 'SOMETIMES'"
        ):
            operator.execute(context_of(RecordingTaskInstance()))
        assert service.id_mapping_jobs(ID_MAPPING_WORKFLOW) == []

    def test_an_output_source_dict_missing_a_field_fails_with_a_clear_message(
        self, service: EntityResolutionMock
    ) -> None:
        operator = StartIdMappingJobOperator(
            task_id="map", workflow_name=ID_MAPPING_WORKFLOW, output_source={"roleArn": "x"}
        )

        with pytest.raises(AirflowFailException) as failed:
            operator.execute(context_of(RecordingTaskInstance()))

        assert str(failed.value) == (
            "InvalidInputError: output_source is not an output location: "
            "outputS3Path: Field required"
        )
        assert failed.value.__cause__ is not None
        assert "pydantic" not in type(failed.value.__cause__).__module__

    def test_a_templated_job_type_is_rendered_and_the_sensor_reads_the_id_from_xcom(
        self,
        service: EntityResolutionMock,
        capfd: pytest.CaptureFixture[str],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        run = run_dag(TEST_DAGS, "id_mapping_then_sensor", job_type="DELETE_ONLY")

        if not JOB_TYPE_SENDABLE:  # the rendered type is refused, naming the botocore needed
            assert not succeeded(run)
            assert service.id_mapping_jobs(ID_MAPPING_WORKFLOW) == []
            assert any(
                "job_type needs botocore >= 1.40.37" in line
                for line in task_log_lines(capfd, caplog)
            )
            return
        assert succeeded(run)
        (job,) = service.id_mapping_jobs(ID_MAPPING_WORKFLOW)
        assert job.job_type == "DELETE_ONLY"
        assert xcom(run, "map") == job.job_id
        assert xcom(run, "sense", "job")["jobId"] == job.job_id  # type: ignore[index]


def test_template_fields_cover_every_name_and_id() -> None:
    assert {"workflow_name", "aws_conn_id", "region_name"} <= set(
        StartMatchingJobOperator.template_fields
    )
    assert {"workflow_name", "job_type", "output_source"} <= set(
        StartIdMappingJobOperator.template_fields
    )


def test_the_providers_fixed_interval_arguments_are_rejected_when_the_dag_is_defined() -> None:
    # The wait is planned (min_delay, wait_timeout, ...): waiter_delay would silently mean nothing.
    # Airflow 3 raises TypeError; Airflow 2 its own "Invalid arguments were passed".
    with pytest.raises((TypeError, AirflowException), match="waiter_delay"):
        StartMatchingJobOperator(task_id="match", workflow_name=WORKFLOW, waiter_delay=30)
