"""A moto backend for AWS Entity Resolution, and the controls tests need.

Importing this module teaches moto the Entity Resolution service; after
that, plain ``moto.mock_aws()`` and moto's server mode answer
CreateMatchingWorkflow, GetMatchingWorkflow, ListMatchingWorkflows,
DeleteMatchingWorkflow, StartMatchingJob, GetMatchingJob and
ListMatchingJobs, and the same seven operations for ID mapping workflows
and jobs (CreateIdMappingWorkflow ... ListIdMappingJobs), next to moto's
own services. Install with the ``testing``
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

from typing import TYPE_CHECKING, Literal, TypeVar, cast

from moto.core.models import DEFAULT_ACCOUNT_ID

from . import _registration
from ._models import (
    FAILED,
    SUCCEEDED,
    EntityResolutionBackend,
    FakeIdMappingJob,
    FakeJob,
    JobState,
    JobTimeline,
    entityresolution_backends,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import datetime

    from ._models import FakeWorkflow

__all__ = [
    "EntityResolutionBackend",
    "EntityResolutionMock",
    "Fault",
    "IdMappingJobControl",
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
MATCHING_OUTPUT = "s3://example-bucket/entity-resolution/output/"
"""Where a matching workflow made by `EntityResolutionMock.create_workflow` writes by default."""
ID_MAPPING_OUTPUT = "s3://example-bucket/entity-resolution/id-mapping/"
"""Where an ID mapping workflow made by `create_id_mapping_workflow` writes by default."""


class _JobControl:
    """What the controls of both kinds of job share."""

    def __init__(self, backend: EntityResolutionBackend, job: FakeJob) -> None:
        self._backend = backend
        self._job = job

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.workflow_name!r}, {self.job_id!r}, "
            f"status={self.status!r})"
        )

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
        """The status the service would report now."""
        return self._job.state(self._backend.clock()).status

    def fail(self, error_message: str) -> None:
        """Pin the job as FAILED with ``error_message``."""
        self._pin("FAILED", {}, error_message)

    def _pin(self, status: Status, counts: Mapping[str, int | None], error: str | None) -> None:
        """Pin the job's state; counts left None are not reported."""
        metrics = {name: value for name, value in counts.items() if value is not None}
        ended = status in {SUCCEEDED, FAILED}
        self._job.pinned = JobState(
            status,
            end_time=self._backend.clock() if ended else None,
            metrics=metrics or None,
            error_message=error,
        )


class JobControl(_JobControl):
    """Drives one matching job of the fake service.

    Setting a state pins the job: it no longer follows its timeline.
    """

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
        self._pin(status, counts, error_message)

    def succeed(self, *, match_ids: int | None = None) -> None:
        """Pin the job as SUCCEEDED with its timeline's final metrics."""
        counts = self._job.metrics(1.0)
        if match_ids is not None:
            counts["matchIDs"] = match_ids
        self._pin("SUCCEEDED", counts, None)


class IdMappingJobControl(_JobControl):
    """Drives one ID mapping job of the fake service.

    Setting a state pins the job: it no longer follows its timeline.
    """

    @property
    def job_type(self) -> str:
        """The job's type: what it was started with, BATCH by default."""
        job = self._job
        assert isinstance(job, FakeIdMappingJob)
        return job.job_type

    def set(
        self,
        status: Status,
        *,
        input_records: int | None = None,
        processed: int | None = None,
        not_processed: int | None = None,
        mapped_records: int | None = None,
        counts: Mapping[str, int] | None = None,
        error_message: str | None = None,
    ) -> None:
        """Pin the job to ``status`` with these metrics (those left None are not reported).

        ``mapped_records`` is ``totalMappedRecords``; ``counts`` sets any of
        the 15 counts by its service name (``{"newMappedRecords": 5}``).
        A SUCCEEDED or FAILED job gets an end time: the backend clock's now.
        """
        named = {
            "inputRecords": input_records,
            "totalRecordsProcessed": processed,
            "recordsNotProcessed": not_processed,
            "totalMappedRecords": mapped_records,
        }
        self._pin(status, {**named, **(counts or {})}, error_message)

    def succeed(self, *, mapped_records: int | None = None) -> None:
        """Pin the job as SUCCEEDED with its timeline's final metrics."""
        counts = self._job.metrics(1.0)
        if mapped_records is not None:
            counts["totalMappedRecords"] = mapped_records
        self._pin("SUCCEEDED", counts, None)


ControlT = TypeVar("ControlT", bound=_JobControl)


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
    def concurrent_jobs(self) -> int | None:
        """How many jobs of each kind may run at once here; None: no limit.

        The service's quota, "Concurrent matching jobs: 1" and "Concurrent
        ID mapping jobs: 1" per account and region, is the default: a job
        started while another of its kind runs stays QUEUED, and jobs
        leave QUEUED one at a time in the order they were started. Set
        None to let every workflow's job run at once.
        """
        return self.backend.concurrent_jobs

    @concurrent_jobs.setter
    def concurrent_jobs(self, limit: int | None) -> None:
        value = cast("object", limit)  # callers without a type checker pass anything
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 1
        ):
            raise ValueError(f"concurrent_jobs must be a positive int or None; got {limit!r}")
        self.backend.concurrent_jobs = limit

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
        output_s3_path: str = MATCHING_OUTPUT,
        kms_arn: str | None = None,
        create_bucket: bool = False,
    ) -> str:
        """Create a matching workflow with a minimal valid configuration; return its ARN.

        With ``create_bucket=True`` the output location's bucket is created
        too, in moto's S3 of this account (kept if it is there already), so
        that the workflow's jobs write their output: without it they write
        nothing.
        """
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
        arn = self.backend.create_matching_workflow(name, config).arn
        if create_bucket:
            self._create_bucket(output_s3_path)
        return arn

    def create_id_mapping_workflow(
        self,
        name: str,
        *,
        role_arn: str | None = EXAMPLE_ROLE_ARN,
        output_s3_path: str = ID_MAPPING_OUTPUT,
        kms_arn: str | None = None,
        create_bucket: bool = False,
    ) -> str:
        """Create a rule-based ID mapping workflow with a minimal valid configuration.

        Returns its ARN, which the ID mapping operations also accept as the
        workflow's name. With ``role_arn=None`` the workflow has no role (the
        service allows it), and its jobs report no ``outputSourceConfig``.
        ``create_bucket=True`` creates the output's bucket too, as for
        `create_workflow`.
        """
        output: dict[str, object] = {"outputS3Path": output_s3_path}
        if kms_arn is not None:
            output["KMSArn"] = kms_arn
        table = f"arn:aws:glue:{self.region_name}:{self.account_id}:table/example"
        config: dict[str, object] = {
            "inputSourceConfig": [
                {"inputSourceARN": f"{table}/customers", "schemaName": "customers"},
                {"inputSourceARN": f"{table}/partners", "type": "TARGET"},
            ],
            "outputSourceConfig": [output],
            "idMappingTechniques": {
                "idMappingType": "RULE_BASED",
                "ruleBasedProperties": {
                    "rules": [{"ruleName": "email", "matchingKeys": ["email"]}],
                    "ruleDefinitionType": "SOURCE",
                    "attributeMatchingModel": "ONE_TO_ONE",
                    "recordMatchingModel": "ONE_SOURCE_TO_ONE_TARGET",
                },
            },
        }
        if role_arn is not None:
            config["roleArn"] = role_arn
        arn = self.backend.create_id_mapping_workflow(name, config).arn
        if create_bucket:
            self._create_bucket(output_s3_path)
        return arn

    def _create_bucket(self, s3_path: str) -> None:
        """Create the bucket of ``s3_path`` in moto's S3 of this account, unless it is there."""
        from moto.s3.models import s3_backends  # noqa: PLC0415 - S3 only when asked for

        bucket = s3_path.removeprefix("s3://").partition("/")[0]
        s3 = s3_backends[self.account_id][self.backend.partition]
        if bucket not in s3.buckets:
            s3.create_bucket(bucket, self.region_name)

    def job(self, workflow_name: str, job_id: str) -> JobControl:
        """Controls for one matching job; KeyError if there is no such job."""
        return self._control(JobControl, self.backend.workflows[workflow_name], job_id)

    def jobs(self, workflow_name: str) -> list[JobControl]:
        """Controls for every job of a matching workflow, oldest first."""
        return self._controls(JobControl, self.backend.workflows[workflow_name])

    def id_mapping_job(self, workflow_name: str, job_id: str) -> IdMappingJobControl:
        """Controls for one ID mapping job; KeyError if there is no such job."""
        workflow = self.backend.id_mapping_workflows[workflow_name]
        return self._control(IdMappingJobControl, workflow, job_id)

    def id_mapping_jobs(self, workflow_name: str) -> list[IdMappingJobControl]:
        """Controls for every job of an ID mapping workflow, oldest first."""
        workflow = self.backend.id_mapping_workflows[workflow_name]
        return self._controls(IdMappingJobControl, workflow)

    def _control(self, control: type[ControlT], workflow: FakeWorkflow, job_id: str) -> ControlT:
        return control(self.backend, workflow.jobs[job_id])

    def _controls(self, control: type[ControlT], workflow: FakeWorkflow) -> list[ControlT]:
        return [control(self.backend, job) for job in workflow.jobs.values()]

    def inject_fault(
        self,
        operation: str,
        error: Fault = "ThrottlingException",
        *,
        times: int = 1,
        message: str = "Injected by entityresolution_jobs.testing",
    ) -> None:
        """Make the next ``times`` calls of ``operation`` (e.g. "GetIdMappingJob") fail.

        The fault counts down per call the service receives, retries
        included: a client in standard retry mode that makes 3 attempts
        uses up 3.
        """
        self.backend.inject_fault(operation, error, times, message)
