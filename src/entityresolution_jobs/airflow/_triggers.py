"""EntityResolutionJobTrigger: the library's async wait, run by Airflow's triggerer."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from airflow.triggers.base import BaseTrigger, TriggerEvent

from .._defaults import DEFAULT_MIN_DELAY, DEFAULT_TIMEOUT, utc_now
from .._errors import EntityResolutionError
from ._hook import EntityResolutionHook
from ._jobs import ExpectedEndLog, WaitOptions, describe, wait_for_job_async, wait_settings_of
from ._outcome import event_payload
from ._shared_clients import connection_key, shared_jobs

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from ._jobs import Job, JobKindName


class WaitingTask(WaitOptions, Protocol):
    """What an operator or sensor waiting on a job has: the job, wait options, connection."""

    job_kind: ClassVar[JobKindName]
    workflow_name: str
    aws_conn_id: str | None
    region_name: str | None
    verify: bool | str | None
    botocore_config: dict[str, Any] | None


def trigger_for(task: WaitingTask, job_id: str, timeout: float) -> EntityResolutionJobTrigger:
    """The trigger that waits, in the triggerer, as ``task`` would have waited in the worker."""
    return EntityResolutionJobTrigger(
        job_kind=task.job_kind,
        workflow_name=task.workflow_name,
        job_id=job_id,
        aws_conn_id=task.aws_conn_id,
        region_name=task.region_name,
        verify=task.verify,
        botocore_config=task.botocore_config,
        **wait_settings_of(task, timeout),
    )


# Where serialize() says the class lives: the public name, which stays put
# when private modules move (the path is stored with deferred tasks).
CLASSPATH = "entityresolution_jobs.airflow.EntityResolutionJobTrigger"


class EntityResolutionJobTrigger(BaseTrigger):
    """Wait for a matching or ID mapping job in the triggerer, then fire one event.

    The wait is `AsyncEntityResolutionJobs`' own, with its rules: planned
    gaps from the workflow's history and the job's progress, the Smithy
    backoff otherwise, throttling and 5xx ridden out. The event's payload
    is JSON data: ``status`` (``success``, ``failed`` or ``error``),
    ``job_kind``, ``workflow_name``, ``job_id``, ``job`` (the final job in
    the service's names, when there is one), and for ``failed``/``error``
    the ``error`` class name and ``message``.

    The wait ends by ``deadline``, a fixed time, so that a trigger the
    triggerer restarts from its serialized form keeps the original deadline.

    Triggers with the same connection settings in one triggerer share one
    client, built by the first and closed when the last is done, and its
    request budget: at most 5 requests a second (the library's many-job
    default) however many jobs wait.

    Args:
        job_kind: ``"matching"`` or ``"id_mapping"``.
        workflow_name: The job's workflow (name or ARN).
        job_id: The job's id.
        timeout: Seconds from now the wait may last; ignored when
            ``deadline`` is given. Defaults to the library's (24 hours).
        deadline: When the wait gives up (timezone-aware).
        min_delay: As the library's wait (shortest gap between polls).
        max_delay: As the library's wait (longest gap).
        expected_duration: As the library's wait (seconds the job should take).
        use_history: As the library's wait (plan from the workflow's past jobs).
        aws_conn_id: The Airflow AWS connection.
        region_name: Overrides the connection's region.
        verify: Overrides the connection's TLS verification.
        botocore_config: Overrides the connection's botocore config (a dict).
    """

    def __init__(
        self,
        *,
        job_kind: JobKindName,
        workflow_name: str,
        job_id: str,
        timeout: float | None = None,
        deadline: datetime | None = None,
        min_delay: float = DEFAULT_MIN_DELAY,
        max_delay: float | None = None,
        expected_duration: float | None = None,
        use_history: bool = True,
        aws_conn_id: str | None = "aws_default",
        region_name: str | None = None,
        verify: bool | str | None = None,
        botocore_config: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # Airflow leaves it untyped
        self.job_kind: JobKindName = job_kind
        self.workflow_name = workflow_name
        self.job_id = job_id
        if deadline is None:
            deadline = utc_now() + timedelta(
                seconds=DEFAULT_TIMEOUT if timeout is None else timeout
            )
        self.deadline = deadline
        self.min_delay = min_delay
        self.max_delay = max_delay
        self.expected_duration = expected_duration
        self.use_history = use_history
        self.aws_conn_id = aws_conn_id
        self.region_name = region_name
        self.verify = verify
        self.botocore_config = botocore_config

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """The class path and the keyword arguments that rebuild this trigger."""
        return CLASSPATH, {
            "job_kind": self.job_kind,
            "workflow_name": self.workflow_name,
            "job_id": self.job_id,
            "deadline": self.deadline,
            "min_delay": self.min_delay,
            "max_delay": self.max_delay,
            "expected_duration": self.expected_duration,
            "use_history": self.use_history,
            "aws_conn_id": self.aws_conn_id,
            "region_name": self.region_name,
            "verify": self.verify,
            "botocore_config": self.botocore_config,
        }

    def hook(self) -> EntityResolutionHook:
        """The hook the wait's client comes from, as the deferring task had it."""
        return EntityResolutionHook(
            aws_conn_id=self.aws_conn_id,
            region_name=self.region_name,
            verify=self.verify,
            config=self.botocore_config,
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Wait for the job and yield one event with how it ended."""
        settings = wait_settings_of(self, max((self.deadline - utc_now()).total_seconds(), 0.0))
        outcome: Job | EntityResolutionError
        try:
            async with shared_jobs(self._connection_key(), self.hook) as jobs:
                outcome = await wait_for_job_async(
                    jobs, self.job_kind, self.workflow_name, self.job_id,
                    settings=settings, on_update=self._log_update,
                    on_estimate=ExpectedEndLog(self.log, self.job_kind, self.job_id),
                )  # fmt: skip
        except EntityResolutionError as error:
            outcome = error
        payload = event_payload(self.job_kind, self.workflow_name, self.job_id, outcome)
        yield TriggerEvent(payload)  # type: ignore[no-untyped-call]  # Airflow leaves it untyped

    def _connection_key(self) -> tuple[str | None, ...]:
        return connection_key(self.aws_conn_id, self.region_name, self.verify, self.botocore_config)

    def _log_update(self, job: Job) -> None:
        self.log.info(describe(self.job_kind, job))
