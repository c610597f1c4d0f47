"""The commands of one job kind: get, wait, list and start.

The same command functions serve matching jobs (the top-level commands) and
ID mapping jobs (``er-jobs id-mapping ...``); a `CliKind` names the public
methods and the rows each kind adds. Each command is defined per kind, when
its group asks for it (`add_command`), so its positional arguments take
their help, which names the kind's workflow, as ``typer.Argument`` defaults.
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
    JobStatus,
    MatchingJob,
    MatchingJobSummary,
    WatchJobsError,
)
from .._defaults import DEFAULT_MIN_DELAY, DEFAULT_TIMEOUT
from ._common import JOB_ID_HELP, TimeoutOpt, WaitOpt, exit_code, exits, settings
from ._debug import log_request_id
from ._formats import HUMAN, JsonOpt, OutputOpt, QueryOpt, Rendering, rendering
from ._help import PlainCommand
from ._render import (
    Rows,
    counts,
    per_job_progress,
    progress_bar,
    progress_lines,
    show_history,
    show_job,
    show_jobs,
    show_outcomes,
    terminal_stderr,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from .. import JobEstimate, JobId

JobT = TypeVar("JobT", MatchingJob, IdMappingJob)
JobT_co = TypeVar("JobT_co", MatchingJob, IdMappingJob, covariant=True)
SummaryT = TypeVar("SummaryT", MatchingJobSummary, IdMappingJobSummary)


class WatchMany(Protocol[JobT_co]):
    """A ``watch_*_jobs`` method of `EntityResolutionJobs`, unbound."""

    def __call__(
        self,
        er: EntityResolutionJobs,
        jobs: Iterable[tuple[str, str]],
        /,
        *,
        timeout: float,
        on_update: Callable[[JobT_co], object] | None,
        on_estimate: Callable[[JobEstimate], object] | None,
    ) -> Iterator[JobT_co]: ...


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
        max_delay: float | None,
        on_update: Callable[[JobT_co], object] | None,
        on_estimate: Callable[[JobEstimate], object] | None,
    ) -> JobT_co: ...


@dataclass(frozen=True)
class CliKind(Generic[JobT, SummaryT]):
    """One job kind, as the command line sees it: public methods and what to show."""

    noun: str  # with its article: "a matching job"
    workflow_help: str
    get: Callable[[EntityResolutionJobs, str, str], JobT]
    list: Callable[[EntityResolutionJobs, str], Iterator[SummaryT]]
    wait: WaitFor[JobT]
    watch_many: WatchMany[JobT]
    details: Callable[[JobT], Rows]
    id_mapping: bool = False


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
    watch_many=EntityResolutionJobs.watch_matching_jobs,
    details=lambda job: counts(job.metrics, MATCHING_COUNTS),
)
ID_MAPPING = CliKind[IdMappingJob, IdMappingJobSummary](
    noun="an ID mapping job",
    workflow_help="The ID mapping workflow's name, or its ARN.",
    get=EntityResolutionJobs.get_id_mapping_job,
    list=EntityResolutionJobs.list_id_mapping_jobs,
    wait=EntityResolutionJobs.wait_for_id_mapping_job,
    watch_many=EntityResolutionJobs.watch_id_mapping_jobs,
    details=lambda job: [
        ("Job type", job.raw_job_type or "-"),
        *counts(job.metrics, ID_MAPPING_COUNTS),
    ],
    id_mapping=True,
)


class JobTypeChoice(str, Enum):
    """The job types ``id-mapping start --job-type`` offers: `IdMappingJobType` less UNKNOWN."""

    BATCH = IdMappingJobType.BATCH.value
    INCREMENTAL = IdMappingJobType.INCREMENTAL.value
    DELETE_ONLY = IdMappingJobType.DELETE_ONLY.value


JobTypeOpt = Annotated[
    JobTypeChoice | None,
    typer.Option(
        "--job-type",
        metavar="TYPE",
        help="BATCH, INCREMENTAL or DELETE_ONLY (default: the service's).",
    ),
]


WAIT_HELP = (
    "Wait for a job to end, with a progress bar; exit 1 if it FAILED, 3 on timeout. "
    "With several JOB_IDs or --running, wait for them all under one request budget, "
    "a progress line each, and exit with the worst outcome's code."
)


def add_command(app: typer.Typer, name: str, *, id_mapping: bool) -> None:
    """Add command ``name`` (get, wait, list, history or start) of a job kind to ``app``."""
    if name == "start":
        (add_id_mapping_start if id_mapping else add_matching_start)(app)
    elif id_mapping:
        KIND_COMMANDS[name](app, ID_MAPPING)
    else:
        KIND_COMMANDS[name](app, MATCHING)


def add_get(app: typer.Typer, kind: CliKind[JobT, SummaryT]) -> None:
    """Add ``get`` for ``kind`` to ``app``."""
    what = f"Show {kind.noun}: status, times, metrics, error and output location."

    @app.command(help=what, cls=PlainCommand)
    @exits
    def get(  # noqa: PLR0917 - Typer passes a command's parameters by position
        ctx: typer.Context,
        workflow: str = typer.Argument(help=kind.workflow_help, metavar="WORKFLOW"),
        job_id: str = typer.Argument(help=JOB_ID_HELP, metavar="JOB_ID"),
        as_json: JsonOpt = False,
        output: OutputOpt = None,
        query: QueryOpt = None,
    ) -> None:
        render = rendering(as_json, output, query)
        job = kind.get(settings(ctx).client(), workflow, job_id)
        log_request_id("read", job.job_id, job.request_id)
        show_job(job, workflow, kind.details(job), render=render)


def add_wait(app: typer.Typer, kind: CliKind[JobT, SummaryT]) -> None:
    """Add ``wait`` for ``kind`` to ``app``."""

    @app.command(help=WAIT_HELP, cls=PlainCommand)
    @exits
    def wait(  # noqa: PLR0917 - Typer passes a command's parameters by position
        ctx: typer.Context,
        workflow: str = typer.Argument(help=kind.workflow_help, metavar="WORKFLOW"),
        job_ids: list[str] | None = typer.Argument(
            None, help="The jobs' ids (32 hex characters each).", metavar="JOB_ID"
        ),
        running: bool = typer.Option(
            False, "--running", help="Wait for every QUEUED or RUNNING job of the workflow too."
        ),
        timeout: TimeoutOpt = DEFAULT_TIMEOUT,
        as_json: JsonOpt = False,
        output: OutputOpt = None,
        query: QueryOpt = None,
    ) -> None:
        render = rendering(as_json, output, query)
        er = settings(ctx).client()
        ids = list(dict.fromkeys(job_ids or []))
        if running:
            in_progress = (job for job in kind.list(er, workflow) if job.status in IN_PROGRESS)
            ids.extend(job.job_id for job in in_progress if job.job_id not in ids)
        if len(ids) == 1 and not running:
            wait_and_show(er, kind, workflow, ids[0], timeout=timeout, render=render)
        elif ids:
            wait_for_many(er, kind, workflow, ids, timeout=timeout, render=render)
        elif running:
            typer.echo(f"No job of workflow {workflow} is in progress.", err=True)
        else:
            raise typer.BadParameter("give at least one JOB_ID, or --running")


def add_list(app: typer.Typer, kind: CliKind[JobT, SummaryT]) -> None:
    """Add ``list`` for ``kind`` to ``app``."""

    @app.command("list", help="List every job of a workflow.", cls=PlainCommand)
    @exits
    def list_jobs(
        ctx: typer.Context,
        workflow: str = typer.Argument(help=kind.workflow_help, metavar="WORKFLOW"),
        as_json: JsonOpt = False,
        output: OutputOpt = None,
        query: QueryOpt = None,
    ) -> None:
        render = rendering(as_json, output, query)
        show_jobs(list(kind.list(settings(ctx).client(), workflow)), render=render)


def add_history(app: typer.Typer, kind: CliKind[JobT, SummaryT]) -> None:
    """Add ``history`` for ``kind`` to ``app``."""

    @app.command(
        help="How the workflow's recent runs went, newest first: times, counts, rates, a chart.",
        cls=PlainCommand,
    )
    @exits
    def history(  # noqa: PLR0917 - Typer passes a command's parameters by position
        ctx: typer.Context,
        workflow: str = typer.Argument(help=kind.workflow_help, metavar="WORKFLOW"),
        last: int = typer.Option(10, "--last", min=1, metavar="N", help="How many runs, at most."),
        as_json: JsonOpt = False,
        output: OutputOpt = None,
        query: QueryOpt = None,
    ) -> None:
        render = rendering(as_json, output, query)
        runs = settings(ctx).client().job_history(workflow, last=last, id_mapping=kind.id_mapping)
        show_history(runs, id_mapping=kind.id_mapping, render=render)


def add_matching_start(app: typer.Typer) -> None:
    """Add ``start`` for matching jobs."""

    @app.command(help="Start a job of a workflow and print its id.", cls=PlainCommand)
    @exits
    def start(  # noqa: PLR0917 - Typer passes a command's parameters by position
        ctx: typer.Context,
        workflow: str = typer.Argument(help=MATCHING.workflow_help, metavar="WORKFLOW"),
        and_wait: WaitOpt = False,
        timeout: TimeoutOpt = DEFAULT_TIMEOUT,
        as_json: JsonOpt = False,
        output: OutputOpt = None,
        query: QueryOpt = None,
    ) -> None:
        render = rendering(as_json, output, query)
        er = settings(ctx).client()
        job_id = er.start_matching_job(workflow)
        started(er, MATCHING, workflow, job_id, and_wait=and_wait, timeout=timeout, render=render)


def add_id_mapping_start(app: typer.Typer) -> None:
    """Add ``start`` for ID mapping jobs, which also takes ``--job-type``."""

    @app.command(help="Start a job of a workflow and print its id.", cls=PlainCommand)
    @exits
    def start(  # noqa: PLR0917 - Typer passes a command's parameters by position
        ctx: typer.Context,
        workflow: str = typer.Argument(help=ID_MAPPING.workflow_help, metavar="WORKFLOW"),
        job_type: JobTypeOpt = None,
        and_wait: WaitOpt = False,
        timeout: TimeoutOpt = DEFAULT_TIMEOUT,
        as_json: JsonOpt = False,
        output: OutputOpt = None,
        query: QueryOpt = None,
    ) -> None:
        render = rendering(as_json, output, query)
        er = settings(ctx).client()
        chosen = None if job_type is None else IdMappingJobType(job_type.value)
        job_id = er.start_id_mapping_job(workflow, job_type=chosen)
        started(er, ID_MAPPING, workflow, job_id, and_wait=and_wait, timeout=timeout, render=render)


class AddKindCommand(Protocol):
    """An ``add_*`` function above that serves either kind."""

    def __call__(self, app: typer.Typer, kind: CliKind[JobT, SummaryT], /) -> None: ...


KIND_COMMANDS: dict[str, AddKindCommand] = {
    "get": add_get,
    "wait": add_wait,
    "list": add_list,
    "history": add_history,
}


def started(
    er: EntityResolutionJobs,
    kind: CliKind[JobT, SummaryT],
    workflow: str,
    job_id: JobId,
    *,
    and_wait: bool,
    timeout: float,
    render: Rendering = HUMAN,
) -> None:
    """Print a started job's id, and wait for it if asked.

    With a machine format the document is the started job's id
    (``{"jobId": ...}``, as ``aws entityresolution start-matching-job``
    prints) or, with ``--wait``, the final job alone, as ``get`` prints it:
    one document a script can parse.
    """
    log_request_id("started", job_id, job_id.request_id)
    if not render.machine:
        typer.echo(job_id)
    elif not and_wait:
        render.emit({"jobId": str(job_id)})
    if and_wait:
        wait_and_show(er, kind, workflow, job_id, timeout=timeout, render=render)


def wait_and_show(
    er: EntityResolutionJobs,
    kind: CliKind[JobT, SummaryT],
    workflow: str,
    job_id: str,
    *,
    timeout: float,
    render: Rendering,
    delays: tuple[float, float | None] = (DEFAULT_MIN_DELAY, None),
) -> None:
    """Wait for the job, showing its progress on stderr, then print it.

    A FAILED job is printed too (the last state the waiter handed on),
    before its JobFailedError reaches `exits`.
    """
    min_delay, max_delay = delays
    console = terminal_stderr()
    last: list[JobT] = []
    try:
        with progress_lines() if console is None else progress_bar(console) as show_progress:

            def on_update(job: JobT) -> None:
                log_request_id("read", job.job_id, job.request_id)
                last[:] = [job]

            def on_estimate(estimate: JobEstimate) -> None:
                show_progress(last[0], estimate)  # after on_update, for each poll

            job = kind.wait(
                er,
                workflow,
                job_id,
                timeout=timeout,
                min_delay=min_delay,
                max_delay=max_delay,
                on_update=on_update,
                on_estimate=on_estimate,
            )
    except JobFailedError:
        show_job(last[0], workflow, kind.details(last[0]), render=render)
        raise
    show_job(job, workflow, kind.details(job), render=render)


IN_PROGRESS = (JobStatus.QUEUED, JobStatus.RUNNING)


def wait_for_many(
    er: EntityResolutionJobs,
    kind: CliKind[JobT, SummaryT],
    workflow: str,
    job_ids: list[str],
    *,
    timeout: float,
    render: Rendering,
) -> None:
    """Wait for several jobs of a workflow under one request budget; a line per job.

    Progress goes to stderr, one line per job; the jobs, as they ended, to
    stdout (a line each, or JSON). Exits with the worst outcome's code: 0 if
    every job SUCCEEDED, else the highest of 1 (a job FAILED) and the codes
    of the errors that stopped the others being followed.
    """
    ended: list[JobT] = []
    worst = 0
    try:
        with per_job_progress(terminal_stderr(), job_ids) as show_progress:
            states: dict[str, JobT] = {}

            def on_update(job: JobT) -> None:
                states[job.job_id] = job

            def on_estimate(estimate: JobEstimate) -> None:
                show_progress(states[estimate.job_id], estimate)  # after its on_update

            for job in kind.watch_many(
                er, [(workflow, job_id) for job_id in job_ids], timeout=timeout,
                on_update=on_update, on_estimate=on_estimate,
            ):  # fmt: skip
                ended.append(job)
                worst = max(worst, 1 if job.status is JobStatus.FAILED else 0)
    except WatchJobsError as incomplete:
        for (_, job_id), error in incomplete.errors.items():
            typer.echo(f"er-jobs: job {job_id}: {error}", err=True)
            worst = max(worst, exit_code(error))
    finally:
        show_outcomes(ended, render=render)
    if worst:
        raise typer.Exit(worst)
