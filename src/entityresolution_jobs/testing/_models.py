"""The fake Entity Resolution service: workflows, jobs and their lifecycle.

Laid out like one of moto's own services (``models.py``): one
``EntityResolutionBackend`` per account and region in a ``BackendDict``.
Matching and ID mapping workflows live in two stores of one backend; their
jobs share one lifecycle and differ in their metrics and job type.
Job state is computed from the backend's clock when it is read, so a job
moves on without any thread, and a test that swaps the clock or pins a
job's state never sleeps.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict, deque
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, ClassVar

import botocore.session
from moto.core.base_backend import BackendDict, BaseBackend
from moto.moto_api._internal import mock_random
from moto.utilities.paginator import paginate

from ._exceptions import FAULTS, ConflictException, ResourceNotFoundException
from ._output import write_output

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
        match_ids: A matching job's final ``matchIDs``.
        mapped_records: An ID mapping job's final ``totalMappedRecords``:
            half of them (rounded up) source records, the rest target
            records. The ``new*`` counts equal the totals (the fake keeps no
            mapping between runs) and the ``*Removed`` counts are 0.
    """

    queued_seconds: float = 0.5
    running_seconds: float = 2.0
    input_records: int = 1000
    records_not_processed: int = 10
    match_ids: int = 400
    mapped_records: int = 600
    error_message: str | None = None


@dataclass(frozen=True)
class JobState:
    """A job's state at one moment, as GetMatchingJob or GetIdMappingJob reports it."""

    status: str
    end_time: datetime | None = None
    metrics: dict[str, int] | None = None
    error_message: str | None = None


def _no_quota(job: FakeJob) -> datetime:
    """When a job leaves QUEUED with no quota: its timeline's ``queued_seconds`` after its start."""
    return job.start_time + timedelta(seconds=job.timeline.queued_seconds)


@dataclass
class FakeJob:
    """One job of the fake service: the lifecycle both kinds share.

    ``leaves_queue`` says when the job leaves QUEUED (None: not foreseeable,
    it waits behind a job pinned in progress); the backend sets it to its
    quota's schedule.
    """

    job_id: str
    workflow_name: str
    start_time: datetime
    timeline: JobTimeline
    output_source_config: list[dict[str, Any]]
    # The workflow's configuration when the job started: where and what it writes.
    workflow_config: dict[str, Any] = field(default_factory=dict[str, Any], repr=False)
    pinned: JobState | None = None
    output_written: bool = False
    sequence: int = 0  # the order jobs were started in, across the backend's workflows
    leaves_queue: Callable[[FakeJob], datetime | None] = field(default=_no_quota, repr=False)

    def state(self, now: datetime) -> JobState:
        """The job's state at ``now``: pinned by a test, or from its timeline.

        The timeline's RUNNING phase starts when the job leaves QUEUED.
        """
        if self.pinned is not None:
            return self.pinned
        line = self.timeline
        running_from = self.leaves_queue(self)
        if running_from is None or now < running_from:
            return JobState(QUEUED)
        elapsed = (now - running_from).total_seconds()
        if elapsed < line.running_seconds:
            return JobState(RUNNING, metrics=self.metrics(elapsed / line.running_seconds))
        end = running_from + timedelta(seconds=line.running_seconds)
        if line.error_message is not None:
            return JobState(FAILED, end, self.metrics(1.0), line.error_message)
        return JobState(SUCCEEDED, end_time=end, metrics=self.metrics(1.0))

    def metrics(self, done: float) -> dict[str, int]:
        """The counts reported when ``done`` (0.0 to 1.0) of the timeline has run."""
        line = self.timeline
        processed = line.input_records - line.records_not_processed
        return {
            "inputRecords": line.input_records,
            "totalRecordsProcessed": math.floor(processed * done),
            "recordsNotProcessed": math.floor(line.records_not_processed * done),
            "deleteRecordsProcessed": 0,
        }

    def describe(self, now: datetime) -> dict[str, Any]:
        """The Get*Job reply."""
        state = self.state(now)
        reply = self.summary(now)
        if state.metrics is not None:
            reply["metrics"] = state.metrics
        if state.error_message is not None:
            reply["errorDetails"] = {"errorMessage": state.error_message}
        if self.output_source_config:
            reply["outputSourceConfig"] = self.output_source_config
        return reply

    def summary(self, now: datetime) -> dict[str, Any]:
        """The job's entry in a List*Jobs reply."""
        state = self.state(now)
        reply: dict[str, Any] = {
            "jobId": self.job_id,
            "status": state.status,
            "startTime": self.start_time,
        }
        if state.end_time is not None:
            reply["endTime"] = state.end_time
        return reply


@dataclass
class FakeMatchingJob(FakeJob):
    """One matching job of the fake service."""

    def metrics(self, done: float) -> dict[str, int]:
        """The five counts reported when ``done`` (0.0 to 1.0) of the timeline has run."""
        return {**super().metrics(done), "matchIDs": math.floor(self.timeline.match_ids * done)}


@dataclass
class FakeIdMappingJob(FakeJob):
    """One ID mapping job of the fake service, with its type."""

    job_type: str = "BATCH"

    def metrics(self, done: float) -> dict[str, int]:
        """The 15 counts reported when ``done`` (0.0 to 1.0) of the timeline has run."""
        counts = super().metrics(done)
        mapped = math.floor(self.timeline.mapped_records * done)
        source = (mapped + 1) // 2
        totals = {"Records": mapped, "SourceRecords": source, "TargetRecords": mapped - source}
        for name, count in totals.items():
            counts[f"totalMapped{name}"] = count
            counts[f"newMapped{name}"] = count
            counts[f"mapped{name}Removed"] = 0
        counts["uniqueRecordsLoaded"] = counts["newUniqueRecordsLoaded"] = counts[
            "totalRecordsProcessed"
        ]
        return counts

    def describe(self, now: datetime) -> dict[str, Any]:
        """The GetIdMappingJob reply."""
        return {**super().describe(now), "jobType": self.job_type}


def _job_output(config: dict[str, Any]) -> list[dict[str, Any]]:
    # A job reports where it writes (JobOutputSource: the workflow's role and
    # its first output location), not the workflow's whole output config.
    sources: list[dict[str, Any]] = config.get("outputSourceConfig") or []
    role: str | None = config.get("roleArn")
    reported: list[dict[str, Any]] = []
    for source in sources[:1]:
        # An ID mapping workflow may have no role, a matching workflow that
        # writes to Customer Profiles no S3 path: the job then reports none.
        if not role or not source.get("outputS3Path"):
            break
        output = {"roleArn": role, "outputS3Path": source.get("outputS3Path")}
        if source.get("KMSArn"):
            output["KMSArn"] = source["KMSArn"]
        reported.append(output)
    return reported


@dataclass
class FakeWorkflow:
    """One workflow of the fake service, of either kind, as it was created."""

    name: str
    arn: str
    created_at: datetime
    config: dict[str, Any]
    jobs: dict[str, FakeJob] = field(default_factory=dict[str, FakeJob])

    def describe(self) -> dict[str, Any]:
        """The Get*Workflow reply."""
        return {
            **self.config,
            "workflowName": self.name,
            "workflowArn": self.arn,
            "createdAt": self.created_at,
            "updatedAt": self.created_at,
        }

    def summary(self) -> dict[str, Any]:
        """The workflow's entry in a List*Workflows reply."""
        summary = {
            "workflowName": self.name,
            "workflowArn": self.arn,
            "createdAt": self.created_at,
            "updatedAt": self.created_at,
        }
        techniques: dict[str, Any] = self.config.get("resolutionTechniques") or {}
        if "resolutionType" in techniques:
            summary["resolutionType"] = techniques["resolutionType"]
        return summary


@dataclass(frozen=True)
class _WorkflowKind:
    """What the two kinds of workflow differ in, in the fake service."""

    noun: str
    arn_type: str
    job: type[FakeJob]


_MATCHING = _WorkflowKind("matching workflow", "matchingworkflow", FakeMatchingJob)
_ID_MAPPING = _WorkflowKind("ID mapping workflow", "idmappingworkflow", FakeIdMappingJob)
_WORKFLOW_ARN = re.compile(
    r"arn:[\w-]+:entityresolution:(?P<region>[\w-]+):(?P<account>\d{12}):"
    r"(?P<type>\w+)/(?P<name>[\w-]+)"
)


class EntityResolutionBackend(BaseBackend):
    """The fake Entity Resolution service of one account and region.

    Besides the service's operations it holds what tests control: the
    ``timeline`` new jobs follow, the ``clock`` job states are computed
    from, and the queue of injected ``faults``. ``entityresolution_jobs.testing``
    wraps these in `EntityResolutionMock`; reach for the backend itself
    only for what that does not offer.
    """

    PAGINATION_MODEL: ClassVar[dict[str, dict[str, Any]]] = {
        operation: {
            "input_token": "next_token",
            "limit_key": "max_results",
            "limit_default": 25,
            "unique_attribute": "job_id" if operation.endswith("_jobs") else "arn",
        }
        for operation in (
            "list_matching_workflows",
            "list_matching_jobs",
            "list_id_mapping_workflows",
            "list_id_mapping_jobs",
        )
    }

    default_timeline: ClassVar[JobTimeline] = JobTimeline()
    """The timeline of every backend created from now on (``er-jobs fake-server`` sets it)."""
    default_concurrent_jobs: ClassVar[int | None] = 1
    """The quota of every backend created from now on (``er-jobs fake-server`` sets it)."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.workflows: dict[str, FakeWorkflow] = {}
        self.id_mapping_workflows: dict[str, FakeWorkflow] = {}
        self.timeline = self.default_timeline
        self.clock: Callable[[], datetime] = _utc_now
        self.faults: defaultdict[str, deque[tuple[str, str]]] = defaultdict(deque)
        # The service's quota: "Concurrent matching jobs: 1" and "Concurrent
        # ID mapping jobs: 1" per account and region. None lifts it.
        self.concurrent_jobs: int | None = self.default_concurrent_jobs
        self._started = 0

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

    # The service's operations: matching workflows and jobs

    def create_matching_workflow(self, name: str, config: dict[str, Any]) -> FakeWorkflow:
        """Create a workflow; a name already in use is a ConflictException."""
        return self._create(_MATCHING, self.workflows, name, config)

    def get_matching_workflow(self, name: str) -> FakeWorkflow:
        """Return a workflow, or raise ResourceNotFoundException."""
        return self._workflow(_MATCHING, self.workflows, name)

    @paginate(pagination_model=PAGINATION_MODEL)
    def list_matching_workflows(self) -> list[FakeWorkflow]:
        """Every workflow, oldest first (paginated)."""
        return list(self.workflows.values())

    def delete_matching_workflow(self, name: str) -> None:
        """Delete a workflow and its jobs; like the service, a missing name is not an error."""
        self.workflows.pop(name, None)

    def start_matching_job(self, workflow_name: str) -> FakeJob:
        """Start a job; one already QUEUED or RUNNING is a ConflictException."""
        return self._start(self.get_matching_workflow(workflow_name), _MATCHING.job)

    def get_matching_job(self, workflow_name: str, job_id: str) -> FakeJob:
        """Return a job, or raise ResourceNotFoundException."""
        return self._published(_job(self.get_matching_workflow(workflow_name), job_id))

    @paginate(pagination_model=PAGINATION_MODEL)
    def list_matching_jobs(self, workflow_name: str) -> list[FakeJob]:
        """A workflow's jobs, oldest first (paginated)."""
        jobs = self.get_matching_workflow(workflow_name).jobs.values()
        return [self._published(job) for job in jobs]

    # ID mapping workflows and jobs: the same, in their own store. Their
    # jobs' operations also take a workflow's ARN, and follow it to the
    # account and region that own the workflow.

    def create_id_mapping_workflow(self, name: str, config: dict[str, Any]) -> FakeWorkflow:
        """Create an ID mapping workflow; a name already in use is a ConflictException."""
        return self._create(_ID_MAPPING, self.id_mapping_workflows, name, config)

    def get_id_mapping_workflow(self, name: str) -> FakeWorkflow:
        """Return an ID mapping workflow by name or ARN, or raise ResourceNotFoundException."""
        backend, name = self._owner_of(name)
        return backend._workflow(_ID_MAPPING, backend.id_mapping_workflows, name)

    @paginate(pagination_model=PAGINATION_MODEL)
    def list_id_mapping_workflows(self) -> list[FakeWorkflow]:
        """Every ID mapping workflow, oldest first (paginated)."""
        return list(self.id_mapping_workflows.values())

    def delete_id_mapping_workflow(self, name: str) -> None:
        """Delete an ID mapping workflow and its jobs; a missing name is not an error."""
        self.id_mapping_workflows.pop(name, None)

    def start_id_mapping_job(
        self,
        workflow_name: str,
        job_type: str | None = None,
        output_source_config: list[dict[str, Any]] | None = None,
    ) -> FakeIdMappingJob:
        """Start an ID mapping job (BATCH unless told); one in progress is a ConflictException."""
        job = self._start(self.get_id_mapping_workflow(workflow_name), _ID_MAPPING.job)
        assert isinstance(job, FakeIdMappingJob)
        job.job_type = job_type or job.job_type
        if output_source_config:
            job.output_source_config = output_source_config
        return job

    def get_id_mapping_job(self, workflow_name: str, job_id: str) -> FakeJob:
        """Return an ID mapping job, or raise ResourceNotFoundException."""
        return self._published(_job(self.get_id_mapping_workflow(workflow_name), job_id))

    @paginate(pagination_model=PAGINATION_MODEL)
    def list_id_mapping_jobs(self, workflow_name: str) -> list[FakeJob]:
        """An ID mapping workflow's jobs, oldest first (paginated)."""
        jobs = self.get_id_mapping_workflow(workflow_name).jobs.values()
        return [self._published(job) for job in jobs]

    # What both kinds share

    def _published(self, job: FakeJob) -> FakeJob:
        """``job``, its output written into moto's S3 once it has SUCCEEDED (see _output.py).

        Written when the job is next read after it ended, as the service's
        files appear once the run is done; not at all while the bucket is
        missing from moto's S3.
        """
        written_to = _written_to(job)
        if job.output_written or written_to is None:
            return job
        state = job.state(self.clock())
        if state.status != SUCCEEDED or state.metrics is None:
            return job
        if isinstance(job, FakeIdMappingJob) and job.job_type == "DELETE_ONLY":
            job.output_written = True  # it removes mappings and writes no file
            return job
        from moto.s3.models import s3_backends  # noqa: PLC0415 - S3 only for jobs that write

        job.output_written = write_output(
            s3_backends[self.account_id][self.partition],
            workflow_name=job.workflow_name,
            job_id=job.job_id,
            output_s3_path=written_to,
            metrics=state.metrics,
            config=job.workflow_config,
            matching=isinstance(job, FakeMatchingJob),
        )
        return job

    def _create(
        self,
        kind: _WorkflowKind,
        store: dict[str, FakeWorkflow],
        name: str,
        config: dict[str, Any],
    ) -> FakeWorkflow:
        if name in store:
            raise ConflictException(f"Workflow {name} already exists.")
        arn = (
            f"arn:{self.partition}:entityresolution:{self.region_name}:"
            f"{self.account_id}:{kind.arn_type}/{name}"
        )
        workflow = store[name] = FakeWorkflow(name, arn, self.clock(), config)
        return workflow

    @staticmethod
    def _workflow(kind: _WorkflowKind, store: dict[str, FakeWorkflow], name: str) -> FakeWorkflow:
        workflow = store.get(name)
        if workflow is None:
            raise ResourceNotFoundException(f"The {kind.noun} {name} could not be found.")
        return workflow

    def _start(self, workflow: FakeWorkflow, job_type: type[FakeJob]) -> FakeJob:
        now = self.clock()
        if any(job.state(now).status in IN_PROGRESS for job in workflow.jobs.values()):
            raise ConflictException(f"Workflow {workflow.name} has a job in progress.")
        self._started += 1
        job = job_type(
            job_id=mock_random.uuid4().hex,
            workflow_name=workflow.name,
            start_time=now,
            timeline=replace(self.timeline),
            output_source_config=_job_output(workflow.config),
            workflow_config=workflow.config,
            sequence=self._started,
            leaves_queue=self._leaves_queue,
        )
        workflow.jobs[job.job_id] = job
        return job

    def _leaves_queue(self, job: FakeJob) -> datetime | None:
        """When ``job`` leaves QUEUED under the quota (None: not foreseeable).

        The jobs of its kind in this account and region leave QUEUED one
        quota slot at a time, in the order they were started: each no
        earlier than its timeline's ``queued_seconds`` after its start, than
        a slot frees up (a job ends), or than the job started before it
        left QUEUED. A job pinned QUEUED or RUNNING holds its slot (and so
        the jobs behind it) until it is pinned to an end.
        """
        if self.concurrent_jobs is None:
            return _no_quota(job)
        store = self.workflows if isinstance(job, FakeMatchingJob) else self.id_mapping_workflows
        queue = sorted(
            (other for workflow in store.values() for other in workflow.jobs.values()),
            key=lambda other: other.sequence,
        )
        never = datetime.max.replace(tzinfo=timezone.utc)
        free = [datetime.min.replace(tzinfo=timezone.utc)] * self.concurrent_jobs
        previous = free[0]
        for other in queue:
            slot = free.index(min(free))
            if other.pinned is not None:  # its state is the pin's; it holds a slot
                ended = other.pinned.status not in IN_PROGRESS and other.pinned.end_time
                free[slot] = ended or never
                continue
            leaves = max(_no_quota(other), free[slot], previous)
            if other is job:
                return None if leaves == never else leaves
            previous = leaves
            running = timedelta(seconds=other.timeline.running_seconds)
            free[slot] = never if leaves == never else leaves + running
        return None  # pragma: no cover - the job is always in its own queue

    def _owner_of(self, name: str) -> tuple[EntityResolutionBackend, str]:
        """The backend that holds the ID mapping workflow ``name`` names, and its plain name."""
        arn = _WORKFLOW_ARN.fullmatch(name)
        if arn is None or arn["type"] != _ID_MAPPING.arn_type:
            return self, name
        return entityresolution_backends[arn["account"]][arn["region"]], arn["name"]


def _written_to(job: FakeJob) -> str | None:
    """Where ``job`` writes its files: the location it reports, else its workflow's (None: none)."""
    for config in (job.output_source_config, job.workflow_config.get("outputSourceConfig") or []):
        path: str | None = config[0].get("outputS3Path") if config else None
        if path:
            return path
    return None


def _job(workflow: FakeWorkflow, job_id: str) -> FakeJob:
    job = workflow.jobs.get(job_id)
    if job is None:
        raise ResourceNotFoundException(f"The job {job_id} could not be found.")
    return job


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
