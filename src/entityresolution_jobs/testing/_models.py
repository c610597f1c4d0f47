"""The fake Entity Resolution service: workflows, jobs and their lifecycle.

Laid out like one of moto's own services (``models.py``): one
``EntityResolutionBackend`` per account and region in a ``BackendDict``.
Job state is computed from the backend's clock when it is read, so a job
moves on without any thread, and a test that swaps the clock or pins a
job's state never sleeps.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, ClassVar

import botocore.session
from moto.core.base_backend import BackendDict, BaseBackend
from moto.moto_api._internal import mock_random
from moto.utilities.paginator import paginate

from ._exceptions import FAULTS, ConflictException, ResourceNotFoundException

if TYPE_CHECKING:
    from collections.abc import Callable

QUEUED, RUNNING, SUCCEEDED, FAILED = "QUEUED", "RUNNING", "SUCCEEDED", "FAILED"
IN_PROGRESS = frozenset({QUEUED, RUNNING})


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class JobTimeline:
    """How a started job moves on its own: QUEUED, then RUNNING, then SUCCEEDED.

    While RUNNING, every count grows in proportion to the time elapsed; at
    the end, processed plus not processed equals the input records.

    Attributes:
        queued_seconds: How long a job stays QUEUED.
        running_seconds: How long it then stays RUNNING.
        input_records: The job's ``inputRecords``.
        records_not_processed: Its final ``recordsNotProcessed``.
        match_ids: Its final ``matchIDs``.
    """

    queued_seconds: float = 0.5
    running_seconds: float = 2.0
    input_records: int = 1000
    records_not_processed: int = 10
    match_ids: int = 400


@dataclass(frozen=True)
class JobState:
    """A job's state at one moment, as GetMatchingJob reports it."""

    status: str
    end_time: datetime | None = None
    metrics: dict[str, int] | None = None
    error_message: str | None = None


@dataclass
class FakeMatchingJob:
    """One matching job of the fake service."""

    job_id: str
    workflow_name: str
    start_time: datetime
    timeline: JobTimeline
    output_source_config: list[dict[str, Any]]
    pinned: JobState | None = None

    def state(self, now: datetime) -> JobState:
        """The job's state at ``now``: pinned by a test, or from its timeline."""
        if self.pinned is not None:
            return self.pinned
        line = self.timeline
        elapsed = (now - self.start_time).total_seconds() - line.queued_seconds
        if elapsed < 0:
            return JobState(QUEUED)
        if elapsed < line.running_seconds:
            return JobState(RUNNING, metrics=_metrics(line, elapsed / line.running_seconds))
        end = self.start_time + timedelta(seconds=line.queued_seconds + line.running_seconds)
        return JobState(SUCCEEDED, end_time=end, metrics=_metrics(line, 1.0))

    def describe(self, now: datetime) -> dict[str, Any]:
        """The GetMatchingJob reply."""
        state = self.state(now)
        reply = {**self.summary(now), "outputSourceConfig": self.output_source_config}
        if state.metrics is not None:
            reply["metrics"] = state.metrics
        if state.error_message is not None:
            reply["errorDetails"] = {"errorMessage": state.error_message}
        return reply

    def summary(self, now: datetime) -> dict[str, Any]:
        """The job's entry in a ListMatchingJobs reply."""
        state = self.state(now)
        reply: dict[str, Any] = {
            "jobId": self.job_id,
            "status": state.status,
            "startTime": self.start_time,
        }
        if state.end_time is not None:
            reply["endTime"] = state.end_time
        return reply


def _metrics(line: JobTimeline, done: float) -> dict[str, int]:
    processed = line.input_records - line.records_not_processed
    return {
        "inputRecords": line.input_records,
        "totalRecordsProcessed": math.floor(processed * done),
        "recordsNotProcessed": math.floor(line.records_not_processed * done),
        "deleteRecordsProcessed": 0,
        "matchIDs": math.floor(line.match_ids * done),
    }


def _job_output(config: dict[str, Any]) -> list[dict[str, Any]]:
    # A job reports where it writes (JobOutputSource: the workflow's role and
    # its first output location), not the workflow's whole output config.
    sources: list[dict[str, Any]] = config.get("outputSourceConfig") or []
    reported: list[dict[str, Any]] = []
    for source in sources[:1]:
        output = {"roleArn": config.get("roleArn"), "outputS3Path": source.get("outputS3Path")}
        if source.get("KMSArn"):
            output["KMSArn"] = source["KMSArn"]
        reported.append(output)
    return reported


@dataclass
class MatchingWorkflow:
    """One matching workflow of the fake service, as it was created."""

    name: str
    arn: str
    created_at: datetime
    config: dict[str, Any]
    jobs: dict[str, FakeMatchingJob] = field(default_factory=dict[str, FakeMatchingJob])

    def describe(self) -> dict[str, Any]:
        """The GetMatchingWorkflow reply."""
        return {
            **self.config,
            "workflowName": self.name,
            "workflowArn": self.arn,
            "createdAt": self.created_at,
            "updatedAt": self.created_at,
        }

    def summary(self) -> dict[str, Any]:
        """The workflow's entry in a ListMatchingWorkflows reply."""
        techniques: dict[str, Any] = self.config.get("resolutionTechniques") or {}
        summary = {
            "workflowName": self.name,
            "workflowArn": self.arn,
            "createdAt": self.created_at,
            "updatedAt": self.created_at,
        }
        if "resolutionType" in techniques:
            summary["resolutionType"] = techniques["resolutionType"]
        return summary


class EntityResolutionBackend(BaseBackend):
    """The fake Entity Resolution service of one account and region.

    Besides the service's operations it holds what tests control: the
    ``timeline`` new jobs follow, the ``clock`` job states are computed
    from, and the queue of injected ``faults``. ``entityresolution_jobs.testing``
    wraps these in `EntityResolutionMock`; reach for the backend itself
    only for what that does not offer.
    """

    PAGINATION_MODEL: ClassVar[dict[str, dict[str, Any]]] = {
        "list_matching_workflows": {
            "input_token": "next_token",
            "limit_key": "max_results",
            "limit_default": 25,
            "unique_attribute": "arn",
        },
        "list_matching_jobs": {
            "input_token": "next_token",
            "limit_key": "max_results",
            "limit_default": 25,
            "unique_attribute": "job_id",
        },
    }

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.workflows: dict[str, MatchingWorkflow] = {}
        self.timeline = JobTimeline()
        self.clock: Callable[[], datetime] = _utc_now
        self.faults: defaultdict[str, deque[tuple[str, str]]] = defaultdict(deque)

    # Test controls

    def inject_fault(self, operation: str, code: str, times: int, message: str) -> None:
        """Make the next ``times`` calls of ``operation`` fail with ``code``."""
        if code not in FAULTS:
            raise ValueError(f"cannot inject {code!r}; choose one of {sorted(FAULTS)}")
        self.faults[operation].extend([(code, message)] * times)

    def raise_injected_fault(self, operation: str) -> None:
        """Raise the next fault queued for ``operation``, if any."""
        queue = self.faults.get(operation)
        if queue:
            code, message = queue.popleft()
            raise FAULTS[code](message)

    # The service's operations

    def create_matching_workflow(self, name: str, config: dict[str, Any]) -> MatchingWorkflow:
        """Create a workflow; a name already in use is a ConflictException."""
        if name in self.workflows:
            raise ConflictException(f"Workflow {name} already exists.")
        arn = (
            f"arn:{self.partition}:entityresolution:{self.region_name}:"
            f"{self.account_id}:matchingworkflow/{name}"
        )
        workflow = MatchingWorkflow(name, arn, self.clock(), config)
        self.workflows[name] = workflow
        return workflow

    def get_matching_workflow(self, name: str) -> MatchingWorkflow:
        """Return a workflow, or raise ResourceNotFoundException."""
        workflow = self.workflows.get(name)
        if workflow is None:
            raise ResourceNotFoundException(f"The workflow {name} could not be found.")
        return workflow

    @paginate(pagination_model=PAGINATION_MODEL)
    def list_matching_workflows(self) -> list[MatchingWorkflow]:
        """Every workflow, oldest first (paginated)."""
        return list(self.workflows.values())

    def delete_matching_workflow(self, name: str) -> None:
        """Delete a workflow and its jobs; like the service, a missing name is not an error."""
        self.workflows.pop(name, None)

    def start_matching_job(self, workflow_name: str) -> FakeMatchingJob:
        """Start a job; one already QUEUED or RUNNING is a ConflictException."""
        workflow = self.get_matching_workflow(workflow_name)
        now = self.clock()
        if any(job.state(now).status in IN_PROGRESS for job in workflow.jobs.values()):
            raise ConflictException(f"Workflow {workflow_name} has a job in progress.")
        job = FakeMatchingJob(
            job_id=mock_random.uuid4().hex,
            workflow_name=workflow_name,
            start_time=now,
            timeline=replace(self.timeline),
            output_source_config=_job_output(workflow.config),
        )
        workflow.jobs[job.job_id] = job
        return job

    def get_matching_job(self, workflow_name: str, job_id: str) -> FakeMatchingJob:
        """Return a job, or raise ResourceNotFoundException."""
        job = self.get_matching_workflow(workflow_name).jobs.get(job_id)
        if job is None:
            raise ResourceNotFoundException(f"The job {job_id} could not be found.")
        return job

    @paginate(pagination_model=PAGINATION_MODEL)
    def list_matching_jobs(self, workflow_name: str) -> list[FakeMatchingJob]:
        """A workflow's jobs, oldest first (paginated)."""
        return list(self.get_matching_workflow(workflow_name).jobs.values())


def _all_regions() -> list[str]:
    # botocore's endpoint list names no region for Entity Resolution (its
    # endpoints come from rules), so serve every region botocore knows.
    session = botocore.session.get_session()
    return [
        region
        for partition in session.get_available_partitions()
        for region in session.get_available_regions("ec2", partition_name=partition)
    ]


entityresolution_backends = BackendDict(
    EntityResolutionBackend,
    "entityresolution",
    use_boto3_regions=False,
    additional_regions=_all_regions(),
)
