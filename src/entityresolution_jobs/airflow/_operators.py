"""StartMatchingJobOperator and StartIdMappingJobOperator: start a job, and wait for it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, cast

from airflow.providers.amazon.aws.operators.base_aws import AwsBaseOperator
from airflow.providers.amazon.aws.utils.mixins import aws_template_fields
from pydantic import ValidationError

from .._core import validation_problems
from .._defaults import DEFAULT_MIN_DELAY, DEFAULT_TIMEOUT
from .._errors import ConflictError, EntityResolutionError, InvalidInputError, ResourceNotFoundError
from .._models import JobId, OutputSource
from .._status import JobStatus
from ._compat import default_deferrable
from ._hook import EntityResolutionHook
from ._jobs import (
    JOB_TITLES,
    ExpectedEndLog,
    check_wait_settings,
    describe,
    get_job,
    job_in_progress,
    output_folder_of,
    wait_for_job,
    wait_settings_of,
)
from ._outcome import event_payload, finish, task_failure
from ._triggers import trigger_for

if TYPE_CHECKING:
    from airflow.sdk import Context

    from .._client import EntityResolutionJobs
    from .._status import IdMappingJobType
    from ._jobs import Job, JobKindName


# Where a start task keeps its job's id in Airflow's task state store (3.3+).
STATE_KEY = "entity_resolution_job_id"
# Starts tried when each meets a job in progress that has ended by the listing.
START_ATTEMPTS = 3


class TaskStateStore(Protocol):
    """What the operators use of Airflow 3.3's ``context["task_state_store"]``."""

    def get(self, key: str) -> object:
        """The value stored under ``key``, or None."""
        ...

    def set(self, key: str, value: str) -> None:
        """Store ``value`` under ``key`` for later tries of this task instance."""
        ...


class _StartJobOperator(AwsBaseOperator[EntityResolutionHook]):
    """Start a job of ``job_kind``; wait for it in the worker or the triggerer."""

    aws_hook_class = EntityResolutionHook
    job_kind: ClassVar[JobKindName]
    template_fields: Sequence[str] = aws_template_fields("workflow_name")
    ui_color = "#ff9900"

    def __init__(
        self,
        *,
        workflow_name: str,
        wait_for_completion: bool = True,
        deferrable: bool = default_deferrable(),
        wait_timeout: float = DEFAULT_TIMEOUT,
        min_delay: float = DEFAULT_MIN_DELAY,
        max_delay: float | None = None,
        expected_duration: float | None = None,
        use_history: bool = True,
        reattach: bool = True,
        push_output_folder: bool = True,
        **kwargs: Any,
    ) -> None:
        # The provider's base class leaves **kwargs (BaseOperator's) untyped.
        super().__init__(**kwargs)  # pyright: ignore[reportUnknownMemberType]
        self.workflow_name = workflow_name
        self.reattach = reattach
        self.wait_for_completion = wait_for_completion
        self.deferrable = deferrable
        self.wait_timeout = wait_timeout
        self.min_delay = min_delay
        self.max_delay = max_delay
        self.expected_duration = expected_duration
        self.use_history = use_history
        self.push_output_folder = push_output_folder

    def _start(self, jobs: EntityResolutionJobs) -> JobId:
        raise NotImplementedError

    def execute(self, context: Context) -> str:
        """Start the job (or reattach to it); return its id once it SUCCEEDED, or at once."""
        try:
            if self.wait_for_completion:
                check_wait_settings(wait_settings_of(self, self.wait_timeout))  # before the start
            job_id = self._start_or_reattach(context)
        except EntityResolutionError as error:
            raise task_failure(error) from error
        if not self.wait_for_completion:
            return job_id
        if self.deferrable:
            trigger = trigger_for(self, job_id, self.wait_timeout)
            self.defer(trigger=trigger, method_name="execute_complete")
        outcome: Job | EntityResolutionError
        try:
            outcome = wait_for_job(
                self.hook.jobs, self.job_kind, self.workflow_name, job_id,
                settings=wait_settings_of(self, self.wait_timeout),
                on_update=lambda job: self.log.info(describe(self.job_kind, job)),
                on_estimate=ExpectedEndLog(self.log, self.job_kind, job_id),
            )  # fmt: skip
        except EntityResolutionError as error:
            outcome = error
        payload = event_payload(self.job_kind, self.workflow_name, job_id, outcome)
        finish(context, payload, self.log, output_folder_of(self.hook, self.push_output_folder))
        return job_id

    def _start_or_reattach(self, context: Context) -> str:
        """The job this try waits on: an earlier try's, the workflow's running one, or a new one.

        With ``reattach``, the job id is kept in the task state store where
        Airflow has one (3.3+), so that a retry finds the job its earlier
        try started; everywhere, a start that meets the service's one job
        per workflow (``ConflictException``) waits on the job in progress.
        """
        jobs = self.hook.jobs
        # Airflow 3.3+ gives a task its state store; older ones have no such key.
        store = cast("Mapping[str, object]", context).get("task_state_store")
        if not self.reattach or store is None:
            return self._start_or_join(jobs)
        state = cast("TaskStateStore", store)
        earlier = state.get(STATE_KEY)
        job_id = self._earlier_job(jobs, earlier) if isinstance(earlier, str) else None
        if job_id is None:
            job_id = self._start_or_join(jobs)
            state.set(STATE_KEY, job_id)
        return job_id

    def _earlier_job(self, jobs: EntityResolutionJobs, job_id: str) -> str | None:
        """``job_id`` (an earlier try's job) unless it FAILED or is gone: then None."""
        title = JOB_TITLES[self.job_kind]
        try:
            job = get_job(jobs, self.job_kind, self.workflow_name, job_id)
        except ResourceNotFoundError:
            self.log.warning("%s %s of an earlier try is gone; starting a new one", title, job_id)
            return None
        if job.status is JobStatus.FAILED:
            self.log.warning("%s %s of an earlier try FAILED; starting a new one", title, job_id)
            return None
        self.log.info(
            "Reattached to %s %s of workflow %s, started by an earlier try of this task (%s)",
            title, job_id, self.workflow_name, job.raw_status,
        )  # fmt: skip
        return job_id

    def _start_or_join(self, jobs: EntityResolutionJobs) -> str:
        """Start a job; if the workflow has one in progress, that one (``reattach``) or fail."""
        title = JOB_TITLES[self.job_kind]
        attempts = 0
        while True:
            attempts += 1
            try:
                job_id = self._start(jobs)
            except ConflictError as conflict:
                if not self.reattach or attempts == START_ATTEMPTS:
                    raise
                running = job_in_progress(jobs, self.job_kind, self.workflow_name)
                if running is None:  # it ended between the start and the listing
                    continue
                self.log.warning(
                    "Workflow %s already has %s %s %s (%s: %s). Waiting on that job instead of "
                    "starting another; reattach=False fails instead",
                    self.workflow_name, title, running.job_id, running.raw_status,
                    type(conflict).__name__, conflict,
                )  # fmt: skip
                return running.job_id
            self.log.info(
                "Started %s %s of workflow %s (request id %s)",
                title, job_id, self.workflow_name, job_id.request_id,
            )  # fmt: skip
            return str(job_id)  # XCom holds the plain id

    def execute_complete(self, context: Context, event: dict[str, Any] | None = None) -> str:
        """Resume after the trigger's event: return the job id, or fail the task."""
        finish(context, event, self.log, output_folder_of(self.hook, self.push_output_folder))
        return str(cast("Mapping[str, object]", event)["job_id"])


class StartMatchingJobOperator(_StartJobOperator):
    """Start a run of a matching workflow; by default, wait until it SUCCEEDED.

    The task's return value (XCom ``return_value``) is the job id; once the
    job ended, the final job is pushed to XCom under ``job`` as JSON data in
    the service's names (``jobId``, ``status``, ``metrics``,
    ``outputSourceConfig``, ...), and once it SUCCEEDED, the folder it wrote
    its output to under ``output_folder`` (``s3://bucket/.../JOB_ID/``, found
    with the task's connection), for a downstream task to read. A FAILED
    job fails the task, with its error message and id in the log.

    The wait is this library's (not the provider's fixed-interval
    ``waiter_delay``/``waiter_max_attempts``): gaps planned from the
    workflow's past jobs and the job's progress, throttling and 5xx ridden
    out. Its arguments are the library's, with ``timeout`` named
    ``wait_timeout`` here.

    A retry rejoins the job its earlier try started (``reattach``), as the
    provider's ``EcsRunTaskOperator(reattach=True)`` and durable
    ``GlueJobOperator`` do, instead of failing on the service's one job per
    workflow.

    The connection is chosen as for the provider's AWS operators, by
    ``aws_conn_id`` (default ``aws_default``), with ``region_name``,
    ``verify`` and ``botocore_config`` (a dict) overriding what it says.

    Args:
        workflow_name: The matching workflow (name or ARN); templated.
        wait_for_completion: Wait for the job to end (default); if False,
            the task ends once the job is started.
        deferrable: Wait in the triggerer instead of holding a worker slot.
            Defaults to Airflow's ``[operators] default_deferrable``.
        wait_timeout: Seconds the wait may last (default 24 hours).
        min_delay: Shortest gap between polls, in seconds (default 2).
        max_delay: Longest gap between polls; by default 64 s, or a
            quarter of the predicted run time when the wait is planned.
        expected_duration: Seconds the job should take, if you know.
        use_history: Plan the wait from the workflow's past jobs (default).
        reattach: When the workflow already has a job in progress (the
            service runs one at a time and answers a second start with
            ``ConflictException``, as a retried or re-run task meets its
            earlier job), wait on that job and return its id (default);
            on Airflow 3.3+ a retry also finds the job its earlier try
            started in the task state store. If False, such a start fails
            the task with `ConflictError`.
        push_output_folder: Once the job SUCCEEDED, find its output folder
            (S3 listings, with the connection's credentials: ``s3:ListBucket``
            on the output bucket) and push it to XCom under ``output_folder``
            (default). If it cannot be found, a warning says why and the
            task still succeeds.
        **kwargs: The connection arguments, and `BaseOperator`'s.

    Example:
        ```python
        run = StartMatchingJobOperator(task_id="match", workflow_name="customers",
                                       deferrable=True)
        ```
    """

    job_kind: ClassVar[JobKindName] = "matching"

    def _start(self, jobs: EntityResolutionJobs) -> JobId:
        return jobs.start_matching_job(self.workflow_name)


class StartIdMappingJobOperator(_StartJobOperator):
    """Start a run of an ID mapping workflow; by default, wait until it SUCCEEDED.

    As `StartMatchingJobOperator`, with the run's job type and output
    location.

    ``workflow_name`` (templated) names the ID mapping workflow, by name or
    ARN.

    Args:
        job_type: ``BATCH``, ``INCREMENTAL`` or ``DELETE_ONLY`` (an
            `IdMappingJobType` or its text); templated. Not sent if None,
            so the service's default applies. Needs botocore 1.40.37 or
            newer (MWAA's lines before Airflow 2.11.2 pin older ones): on an
            older botocore the task fails at once, naming that version.
        output_source: Where this run writes its output, instead of the
            workflow's: an `OutputSource`, or a dict in the service's names
            (``roleArn``, ``outputS3Path``, ``KMSArn``); templated.
        **kwargs: ``workflow_name`` and the rest, as `StartMatchingJobOperator`.
    """

    job_kind: ClassVar[JobKindName] = "id_mapping"
    template_fields: Sequence[str] = aws_template_fields(
        "workflow_name", "job_type", "output_source"
    )

    def __init__(
        self,
        *,
        job_type: IdMappingJobType | str | None = None,
        output_source: OutputSource | Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.job_type = job_type
        self.output_source = output_source

    def _start(self, jobs: EntityResolutionJobs) -> JobId:
        return jobs.start_id_mapping_job(
            self.workflow_name,
            # Text is checked by the library, which names the choices.
            job_type=cast("IdMappingJobType | None", self.job_type),
            output_source=_output_source(self.output_source),
        )


def _output_source(value: OutputSource | Mapping[str, str] | None) -> OutputSource | None:
    if not isinstance(value, Mapping):
        return value
    try:
        return OutputSource.model_validate(value)
    except ValidationError as error:
        problems = validation_problems(error, "output_source")
        raise InvalidInputError(
            f"output_source is not an output location: {problems}", parameter="output_source"
        ) from None
