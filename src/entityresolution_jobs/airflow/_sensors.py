"""MatchingJobSensor and IdMappingJobSensor: wait for a job someone else started."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from airflow.providers.amazon.aws.sensors.base_aws import AwsBaseSensor
from airflow.providers.amazon.aws.utils.mixins import aws_template_fields

from .._defaults import DEFAULT_MIN_DELAY
from .._errors import EntityResolutionError
from .._status import JobStatus
from .._waiting import is_transient
from ._compat import default_deferrable
from ._hook import EntityResolutionHook
from ._jobs import (
    ExpectedEndLog,
    check_wait_settings,
    describe,
    failed_error,
    get_job,
    output_folder_of,
    wait_settings_of,
)
from ._outcome import event_payload, finish, task_failure
from ._triggers import trigger_for

if TYPE_CHECKING:
    from collections.abc import Sequence

    from airflow.sdk import Context

    from ._jobs import Job, JobKindName


class _JobSensor(AwsBaseSensor[EntityResolutionHook]):
    """Succeed when a job of ``job_kind`` SUCCEEDED; fail when it FAILED."""

    aws_hook_class = EntityResolutionHook
    job_kind: ClassVar[JobKindName]
    template_fields: Sequence[str] = aws_template_fields("workflow_name", "job_id")
    ui_color = "#ff9900"

    def __init__(
        self,
        *,
        workflow_name: str,
        job_id: str,
        deferrable: bool = default_deferrable(),
        min_delay: float = DEFAULT_MIN_DELAY,
        max_delay: float | None = None,
        expected_duration: float | None = None,
        use_history: bool = True,
        push_output_folder: bool = True,
        **kwargs: Any,
    ) -> None:
        # The provider's base class leaves **kwargs (BaseSensorOperator's) untyped.
        super().__init__(**kwargs)  # pyright: ignore[reportUnknownMemberType]
        self.workflow_name = workflow_name
        self.job_id = job_id
        self.deferrable = deferrable
        self.min_delay = min_delay
        self.max_delay = max_delay
        self.expected_duration = expected_duration
        self.use_history = use_history
        self.push_output_folder = push_output_folder
        self._expected_end: ExpectedEndLog | None = None

    def execute(self, context: Context) -> Any:
        """Poke (or reschedule) as the mode says; deferrable: one poke, then the triggerer."""
        if not self.deferrable:
            return super().execute(context)
        try:
            check_wait_settings(wait_settings_of(self, self.timeout))
        except EntityResolutionError as error:
            raise task_failure(error) from error
        if not self.poke(context):
            trigger = trigger_for(self, self.job_id, self.timeout)
            self.defer(trigger=trigger, method_name="execute_complete")
        return None

    def execute_complete(self, context: Context, event: dict[str, Any] | None = None) -> None:
        """Resume after the trigger's event: succeed, or fail the task."""
        finish(context, event, self.log, output_folder_of(self.hook, self.push_output_folder))

    def poke(self, context: Context) -> bool:
        """One ``Get*Job`` request: True once SUCCEEDED; a FAILED job fails the task.

        Throttling, 5xx and connection errors count as "not yet"; any other
        error fails the task, naming its class.
        """
        try:
            job = get_job(self.hook.jobs, self.job_kind, self.workflow_name, self.job_id)
        except EntityResolutionError as error:
            if not is_transient(error):
                raise task_failure(error) from error
            self.log.warning("%s: %s (will poke again)", type(error).__name__, error)
            return False
        self.log.info(describe(self.job_kind, job))
        if not job.status.is_terminal:
            self._log_expected_end(job)
            return False
        ended = (
            failed_error(self.job_kind, self.workflow_name, job)
            if job.status is JobStatus.FAILED
            else job
        )
        payload = event_payload(self.job_kind, self.workflow_name, self.job_id, ended)
        finish(context, payload, self.log, output_folder_of(self.hook, self.push_output_folder))
        return True

    def _log_expected_end(self, job: Job) -> None:
        # The library's estimate after each poke (one List*Jobs request,
        # unless expected_duration is given), logged when it is news; a
        # listing that fails only leaves it unsaid.
        if self._expected_end is None:
            self._expected_end = ExpectedEndLog(self.log, self.job_kind, self.job_id)
        try:
            estimate = self.hook.jobs.estimate_job_end(
                self.workflow_name, job, expected_duration=self.expected_duration,
                use_history=self.use_history,
            )  # fmt: skip
        except EntityResolutionError as error:
            self.log.debug("no expected end: %s: %s", type(error).__name__, error)
            return
        self._expected_end(estimate)


class MatchingJobSensor(_JobSensor):
    """Wait for a matching job to end: succeed if it SUCCEEDED, fail if it FAILED.

    Works in each of Airflow's sensor modes: ``poke`` (one request every
    ``poke_interval``, holding a worker slot), ``reschedule`` (freeing the
    slot between pokes) and ``deferrable=True``: one poke, then this
    library's planned wait in the triggerer, within the sensor's
    ``timeout``. The final job is pushed to XCom under ``job`` as JSON
    data in the service's names, and once it SUCCEEDED, its output folder
    under ``output_folder``, as `StartMatchingJobOperator` does.

    The connection is chosen as for the provider's AWS sensors, by
    ``aws_conn_id`` (default ``aws_default``), with ``region_name``,
    ``verify`` and ``botocore_config`` (a dict) overriding what it says.

    Args:
        workflow_name: The matching workflow (name or ARN); templated.
        job_id: The job's id; templated (e.g. from the starting task's XCom).
        deferrable: Wait in the triggerer. Defaults to Airflow's
            ``[operators] default_deferrable``.
        min_delay: Deferrable mode: as the library's wait.
        max_delay: Deferrable mode: as the library's wait.
        expected_duration: Deferrable mode: as the library's wait.
        use_history: Deferrable mode: as the library's wait.
        push_output_folder: Push a SUCCEEDED job's output folder to XCom
            (default), as `StartMatchingJobOperator`.
        **kwargs: The connection arguments, and `BaseSensorOperator`'s
            (``mode``, ``poke_interval``, ``timeout``, ...).
    """

    job_kind: ClassVar[JobKindName] = "matching"


class IdMappingJobSensor(_JobSensor):
    """Wait for an ID mapping job to end; as `MatchingJobSensor`.

    Args:
        workflow_name: The ID mapping workflow (name or ARN); templated.
        job_id: The job's id; templated.
        **kwargs: As `MatchingJobSensor`.
    """

    job_kind: ClassVar[JobKindName] = "id_mapping"
