"""The commands of one job kind: get, wait, list and start.

The same command functions serve matching jobs (the top-level commands) and
ID mapping jobs (``er-jobs id-mapping ...``); a `CliKind` names the public
methods and the rows each kind adds. The commands are defined per kind in
`add_commands`, so their positional arguments take their help, which names
the kind's workflow, as ``typer.Argument`` defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Generic, Protocol, TypeVar

import typer

from .. import (
    EntityResolutionJobs,
    IdMappingJob,
    IdMappingJobSummary,
    IdMappingJobType,
    JobFailedError,
    MatchingJob,
    MatchingJobSummary,
)
from .._waiting import DEFAULT_MAX_DELAY, DEFAULT_MIN_DELAY, DEFAULT_TIMEOUT
from ._common import JOB_ID_HELP, JsonOpt, TimeoutOpt, WaitOpt, exits, settings
from ._render import Rows, counts, progress_bar, progress_lines, show_job, show_jobs, stderr

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

JobT = TypeVar("JobT", MatchingJob, IdMappingJob)
JobT_co = TypeVar("JobT_co", MatchingJob, IdMappingJob, covariant=True)
SummaryT = TypeVar("SummaryT", MatchingJobSummary, IdMappingJobSummary)


class WaitFor(Protocol[JobT_co]):
    """A ``wait_for_*_job`` method of `EntityResolutionJobs`, unbound."""

    def __call__(
        self,
        er: EntityResolutionJobs,
        workflow_name: str,
        job_id: str,
        /,
        *,
        timeout: float,
        min_delay: float,
        max_delay: float,
        on_update: Callable[[JobT_co], object] | None,
    ) -> JobT_co: ...


@dataclass(frozen=True)
class CliKind(Generic[JobT, SummaryT]):
    """One job kind, as the command line sees it: public methods and what to show."""

    noun: str  # with its article: "a matching job"
    workflow_help: str
    get: Callable[[EntityResolutionJobs, str, str], JobT]
    list: Callable[[EntityResolutionJobs, str], Iterator[SummaryT]]
    wait: WaitFor[JobT]
    details: Callable[[JobT], Rows]


MATCHING_COUNTS = (
    ("Input records", "input_records"),
    ("Processed", "total_records_processed"),
    ("Not processed", "records_not_processed"),
    ("Deletes processed", "delete_records_processed"),
    ("Match IDs", "match_ids"),
)
ID_MAPPING_COUNTS = (
    ("Input records", "input_records"),
    ("Processed", "total_records_processed"),
    ("Not processed", "records_not_processed"),
    ("Deletes processed", "delete_records_processed"),
    ("Mapped records", "total_mapped_records"),
    ("Mapped source records", "total_mapped_source_records"),
    ("Mapped target records", "total_mapped_target_records"),
    ("Unique records loaded", "unique_records_loaded"),
    ("New mapped records", "new_mapped_records"),
    ("New mapped source", "new_mapped_source_records"),
    ("New mapped target", "new_mapped_target_records"),
    ("New unique loaded", "new_unique_records_loaded"),
    ("Mapped removed", "mapped_records_removed"),
    ("Source removed", "mapped_source_records_removed"),
    ("Target removed", "mapped_target_records_removed"),
)

MATCHING = CliKind[MatchingJob, MatchingJobSummary](
    noun="a matching job",
    workflow_help="The matching workflow's name.",
    get=EntityResolutionJobs.get_matching_job,
    list=EntityResolutionJobs.list_matching_jobs,
    wait=EntityResolutionJobs.wait_for_matching_job,
    details=lambda job: counts(job.metrics, MATCHING_COUNTS),
)
ID_MAPPING = CliKind[IdMappingJob, IdMappingJobSummary](
    noun="an ID mapping job",
    workflow_help="The ID mapping workflow's name, or its ARN.",
    get=EntityResolutionJobs.get_id_mapping_job,
    list=EntityResolutionJobs.list_id_mapping_jobs,
    wait=EntityResolutionJobs.wait_for_id_mapping_job,
    details=lambda job: [
        ("Job type", job.raw_job_type or "-"),
        *counts(job.metrics, ID_MAPPING_COUNTS),
    ],
)


class JobTypeChoice(str, Enum):
    """The job types ``id-mapping start --job-type`` offers: `IdMappingJobType` less UNKNOWN."""

    BATCH = IdMappingJobType.BATCH.value
    INCREMENTAL = IdMappingJobType.INCREMENTAL.value
    DELETE_ONLY = IdMappingJobType.DELETE_ONLY.value


JobTypeOpt = Annotated[
    JobTypeChoice | None,
    typer.Option("--job-type", help="The kind of run (default: the service's)."),
]


WAIT_HELP = "Wait for a job to end, with a progress bar; exit 1 if it FAILED, 3 on timeout."


def add_commands(app: typer.Typer, kind: CliKind[JobT, SummaryT]) -> None:
    """Add get, wait and list for ``kind`` to ``app`` (start is per kind: see below)."""
    what = f"Show {kind.noun}: status, times, metrics, error and output location."

    @app.command(help=what)
    @exits
    def get(
        ctx: typer.Context,
        workflow: str = typer.Argument(help=kind.workflow_help),
        job_id: str = typer.Argument(help=JOB_ID_HELP),
        as_json: JsonOpt = False,
    ) -> None:
        job = kind.get(settings(ctx).client(), workflow, job_id)
        show_job(job, workflow, kind.details(job), as_json=as_json)

    @app.command(help=WAIT_HELP)
    @exits
    def wait(
        ctx: typer.Context,
        workflow: str = typer.Argument(help=kind.workflow_help),
        job_id: str = typer.Argument(help=JOB_ID_HELP),
        timeout: TimeoutOpt = DEFAULT_TIMEOUT,
        as_json: JsonOpt = False,
    ) -> None:
        er = settings(ctx).client()
        wait_and_show(er, kind, workflow, job_id, timeout=timeout, as_json=as_json)

    @app.command("list", help="List every job of a workflow.")
    @exits
    def list_jobs(
        ctx: typer.Context,
        workflow: str = typer.Argument(help=kind.workflow_help),
        as_json: JsonOpt = False,
    ) -> None:
        show_jobs(list(kind.list(settings(ctx).client(), workflow)), as_json=as_json)


def add_matching_start(app: typer.Typer) -> None:
    """Add ``start`` for matching jobs."""

    @app.command(help="Start a job of a workflow and print its id.")
    @exits
    def start(
        ctx: typer.Context,
        workflow: str = typer.Argument(help=MATCHING.workflow_help),
        and_wait: WaitOpt = False,
        timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    ) -> None:
        er = settings(ctx).client()
        job_id = er.start_matching_job(workflow)
        started(er, MATCHING, workflow, job_id, and_wait=and_wait, timeout=timeout)


def add_id_mapping_start(app: typer.Typer) -> None:
    """Add ``start`` for ID mapping jobs, which also takes ``--job-type``."""

    @app.command(help="Start a job of a workflow and print its id.")
    @exits
    def start(
        ctx: typer.Context,
        workflow: str = typer.Argument(help=ID_MAPPING.workflow_help),
        job_type: JobTypeOpt = None,
        and_wait: WaitOpt = False,
        timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    ) -> None:
        er = settings(ctx).client()
        chosen = None if job_type is None else IdMappingJobType(job_type.value)
        job_id = er.start_id_mapping_job(workflow, job_type=chosen)
        started(er, ID_MAPPING, workflow, job_id, and_wait=and_wait, timeout=timeout)


def started(
    er: EntityResolutionJobs,
    kind: CliKind[JobT, SummaryT],
    workflow: str,
    job_id: str,
    *,
    and_wait: bool,
    timeout: float,
) -> None:
    """Print a started job's id, and wait for it if asked."""
    typer.echo(job_id)
    if and_wait:
        wait_and_show(er, kind, workflow, job_id, timeout=timeout, as_json=False)


def wait_and_show(
    er: EntityResolutionJobs,
    kind: CliKind[JobT, SummaryT],
    workflow: str,
    job_id: str,
    *,
    timeout: float,
    as_json: bool,
    delays: tuple[float, float] = (DEFAULT_MIN_DELAY, DEFAULT_MAX_DELAY),
) -> None:
    """Wait for the job, showing its progress on stderr, then print it.

    A FAILED job is printed too (the last state the waiter handed on),
    before its JobFailedError reaches `exits`.
    """
    min_delay, max_delay = delays
    console = stderr()
    progress = progress_bar if console.is_terminal else progress_lines
    last: list[JobT] = []
    try:
        with progress(console) as show_progress:

            def on_update(job: JobT) -> None:
                last[:] = [job]
                show_progress(job)

            job = kind.wait(
                er,
                workflow,
                job_id,
                timeout=timeout,
                min_delay=min_delay,
                max_delay=max_delay,
                on_update=on_update,
            )
    except JobFailedError:
        show_job(last[0], workflow, kind.details(last[0]), as_json=as_json)
        raise
    show_job(job, workflow, kind.details(job), as_json=as_json)
