"""A moto backend for AWS Entity Resolution, and the controls tests need.

Importing this module teaches moto the Entity Resolution service; after
that, plain ``moto.mock_aws()`` and moto's server mode answer
CreateMatchingWorkflow, GetMatchingWorkflow, ListMatchingWorkflows,
DeleteMatchingWorkflow, StartMatchingJob, GetMatchingJob and
ListMatchingJobs, next to moto's own services. Install with the ``testing``
extra (``pip install entityresolution-jobs[testing]``).

A started job moves on by itself (QUEUED, RUNNING with growing metrics,
SUCCEEDED) on a short `JobTimeline`. `EntityResolutionMock` lets a test
change that timeline, pin a job to any state with no sleeping, and make the
next calls of an operation fail.

Example:
    ```python
    import boto3
    from moto import mock_aws
    from entityresolution_jobs.testing import EntityResolutionMock

    with mock_aws():
        fake = EntityResolutionMock()              # us-east-1, moto's default account
        fake.create_workflow("customers")
        client = boto3.client("entityresolution", region_name="us-east-1")
        job_id = client.start_matching_job(workflowName="customers")["jobId"]
        fake.job("customers", job_id).fail("input table is empty")
    ```

The pytest plugin installed with the package offers the same as a fixture,
``entity_resolution``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from moto.core.models import DEFAULT_ACCOUNT_ID

from . import _registration
from ._models import (
    FAILED,
    SUCCEEDED,
    EntityResolutionBackend,
    FakeMatchingJob,
    JobState,
    JobTimeline,
    entityresolution_backends,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

__all__ = [
    "EntityResolutionBackend",
    "EntityResolutionMock",
    "Fault",
    "JobControl",
    "JobTimeline",
    "Status",
    "entityresolution_backends",
]

_registration.register()

Status = Literal["QUEUED", "RUNNING", "SUCCEEDED", "FAILED"]
"""A job status the fake service reports."""

Fault = Literal["ThrottlingException", "InternalServerException", "AccessDeniedException"]
"""An error a test can inject."""

EXAMPLE_ROLE_ARN = "arn:aws:iam::123456789012:role/entity-resolution"


class JobControl:
    """Drives one job of the fake service.

    Setting a state pins the job: it no longer follows its timeline.
    """

    def __init__(self, backend: EntityResolutionBackend, job: FakeMatchingJob) -> None:
        self._backend = backend
        self._job = job

    def __repr__(self) -> str:
        return f"JobControl({self.workflow_name!r}, {self.job_id!r}, status={self.status!r})"

    @property
    def job_id(self) -> str:
        """The job's id."""
        return self._job.job_id

    @property
    def workflow_name(self) -> str:
        """The workflow the job belongs to."""
        return self._job.workflow_name

    @property
    def status(self) -> str:
        """The status GetMatchingJob would report now."""
        return self._job.state(self._backend.clock()).status

    def set(
        self,
        status: Status,
        *,
        input_records: int | None = None,
        processed: int | None = None,
        not_processed: int | None = None,
        match_ids: int | None = None,
        delete_records_processed: int | None = None,
        error_message: str | None = None,
    ) -> None:
        """Pin the job to ``status`` with these metrics (those left None are not reported).

        A SUCCEEDED or FAILED job gets an end time: the backend clock's now.
        """
        counts = {
            "inputRecords": input_records,
            "totalRecordsProcessed": processed,
            "recordsNotProcessed": not_processed,
            "deleteRecordsProcessed": delete_records_processed,
            "matchIDs": match_ids,
        }
        metrics = {name: value for name, value in counts.items() if value is not None}
        ended = status in {SUCCEEDED, FAILED}
        self._job.pinned = JobState(
            status,
            end_time=self._backend.clock() if ended else None,
            metrics=metrics or None,
            error_message=error_message,
        )

    def succeed(self, *, match_ids: int | None = None) -> None:
        """Pin the job as SUCCEEDED with its timeline's final metrics."""
        line = self._job.timeline
        self.set(
            "SUCCEEDED",
            input_records=line.input_records,
            processed=line.input_records - line.records_not_processed,
            not_processed=line.records_not_processed,
            delete_records_processed=0,
            match_ids=line.match_ids if match_ids is None else match_ids,
        )

    def fail(self, error_message: str) -> None:
        """Pin the job as FAILED with ``error_message``."""
        self.set("FAILED", error_message=error_message)


class EntityResolutionMock:
    """Controls for the fake Entity Resolution service of one account and region.

    Use it while moto is mocking (inside ``mock_aws()``), or with a moto
    server running in this process. Everything it controls is reset when
    the mock ends, as moto resets its own backends.

    Args:
        region_name: The region whose service to control.
        account_id: The account whose service to control (moto's default
            account unless you configured another).
    """

    def __init__(
        self, region_name: str = "us-east-1", account_id: str = DEFAULT_ACCOUNT_ID
    ) -> None:
        self.region_name = region_name
        self.account_id = account_id

    def __repr__(self) -> str:
        return (
            f"EntityResolutionMock(region_name={self.region_name!r}, "
            f"account_id={self.account_id!r})"
        )

    @property
    def backend(self) -> EntityResolutionBackend:
        """The backend itself, for what these controls do not offer."""
        return entityresolution_backends[self.account_id][self.region_name]

    @property
    def timeline(self) -> JobTimeline:
        """The timeline jobs started from now on follow."""
        return self.backend.timeline

    @timeline.setter
    def timeline(self, timeline: JobTimeline) -> None:
        self.backend.timeline = timeline

    @property
    def clock(self) -> Callable[[], datetime]:
        """What job states are computed from: a callable returning an aware datetime."""
        return self.backend.clock

    @clock.setter
    def clock(self, clock: Callable[[], datetime]) -> None:
        self.backend.clock = clock

    def create_workflow(
        self,
        name: str,
        *,
        role_arn: str = EXAMPLE_ROLE_ARN,
        output_s3_path: str = "s3://example-bucket/entity-resolution/output/",
        kms_arn: str | None = None,
    ) -> str:
        """Create a matching workflow with a minimal valid configuration; return its ARN."""
        output: dict[str, object] = {"outputS3Path": output_s3_path, "output": [{"name": "id"}]}
        if kms_arn is not None:
            output["KMSArn"] = kms_arn
        config = {
            "inputSourceConfig": [
                {
                    "inputSourceARN": f"arn:aws:glue:{self.region_name}:{self.account_id}:"
                    "table/example/customers",
                    "schemaName": "customers",
                }
            ],
            "outputSourceConfig": [output],
            "resolutionTechniques": {"resolutionType": "RULE_MATCHING"},
            "roleArn": role_arn,
        }
        return self.backend.create_matching_workflow(name, config).arn

    def job(self, workflow_name: str, job_id: str) -> JobControl:
        """Controls for one job; KeyError if there is no such job."""
        workflow = self.backend.workflows[workflow_name]
        return JobControl(self.backend, workflow.jobs[job_id])

    def jobs(self, workflow_name: str) -> list[JobControl]:
        """Controls for every job of a workflow, oldest first."""
        workflow = self.backend.workflows[workflow_name]
        return [JobControl(self.backend, job) for job in workflow.jobs.values()]

    def inject_fault(
        self,
        operation: str,
        error: Fault = "ThrottlingException",
        *,
        times: int = 1,
        message: str = "Injected by entityresolution_jobs.testing",
    ) -> None:
        """Make the next ``times`` calls of ``operation`` (e.g. "GetMatchingJob") fail.

        The fault counts down per call the service receives, retries
        included: a client in standard retry mode that makes 3 attempts
        uses up 3.
        """
        self.backend.inject_fault(operation, error, times, message)
