"""How er-jobs shows jobs: field lists, tables, JSON and progress, for either kind."""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING

import typer

# Rich is imported where it draws: a command that prints JSON or plain lines
# starts without it (a fifth of er-jobs' own start-up).
if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterable
    from datetime import datetime

    from rich.console import Console

    from .. import (
        IdMappingJob,
        IdMappingJobSummary,
        JobEstimate,
        JobRun,
        MatchingJob,
        MatchingJobSummary,
    )

    Job = MatchingJob | IdMappingJob
    Summary = MatchingJobSummary | IdMappingJobSummary

    from ._formats import Rendering

Rows = list[tuple[str, str]]


def show_job(job: Job, workflow: str, details: Rows, *, render: Rendering) -> None:
    """Print a job on stdout: its fields, ``details`` (its kind's) among them, or a document."""
    if render.machine:
        render.emit(job.to_service_dict())
        return
    output = job.output_source
    rows = [
        ("Job", job.job_id),
        ("Workflow", workflow),
        ("Status", job.raw_status),
        ("Started", when(job.start_time)),
        ("Ended", when(job.end_time)),
        ("Duration", took(job)),
        *details,
        ("Error", job.error_message or "-"),
        ("Output", output.output_s3_path if output else "-"),
    ]
    if output is not None:
        rows.append(("Output role", output.role_arn))
        if output.kms_arn:
            rows.append(("Output KMS key", output.kms_arn))
    width = max(len(name) for name, _ in rows) + 2
    for name, value in rows:
        typer.echo(f"{name:<{width}}{value}")


def show_jobs(jobs: Iterable[Summary], *, render: Rendering) -> None:
    """Print a workflow's jobs as a table, or as ``aws entityresolution list-*-jobs`` would."""
    if render.machine:
        render.emit({"jobs": [job.to_service_dict() for job in jobs]})
        return
    from rich.table import Table  # noqa: PLC0415 - see the imports

    table = Table()
    table.add_column("job id", no_wrap=True, min_width=32)
    for title in ("status", "started", "ended", "duration"):
        table.add_column(title, no_wrap=True)
    for job in jobs:
        table.add_row(
            job.job_id, job.raw_status, when(job.start_time), when(job.end_time), took(job)
        )
    stdout().print(table)


def show_history(runs: list[JobRun], *, id_mapping: bool, render: Rendering) -> None:
    """Print a workflow's runs as a table (with a chart on a terminal), or as a document.

    The document is ``{"runs": [...]}``, one object a run in the service's
    naming style (``jobId``, ``startTime``, ``durationSeconds``, ...).
    """
    if render.machine:
        other_kinds = {"match_ids"} if id_mapping else {"total_mapped_records"}
        render.emit(
            {
                "runs": [
                    run.model_dump(mode="json", by_alias=True, exclude=other_kinds) for run in runs
                ]
            }
        )
        return
    from rich.bar import Bar  # noqa: PLC0415 - see the imports
    from rich.table import Table  # noqa: PLC0415

    console = stdout()
    chart = console.is_terminal
    longest = max((run.duration_seconds or 0.0 for run in runs), default=0.0)
    fastest = max((run.records_per_second or 0.0 for run in runs), default=0.0)
    table = Table()
    titles = ["started (UTC)", "ended", "status", "duration", "records in", "processed"]
    titles += ["not processed", "mapped" if id_mapping else "match IDs", "records/s", "% not"]
    for title in titles:
        table.add_column(title, no_wrap=True, justify="left" if title in titles[:3] else "right")
    if chart:
        table.add_column("duration chart", width=16)
        table.add_column("records/s chart", width=16)
    for run in runs:
        found = run.total_mapped_records if id_mapping else run.match_ids
        row: list[object] = [
            _minute(run.start_time),
            _minute(run.end_time),
            run.status.value,
            "-"
            if run.duration_seconds is None
            else str(timedelta(seconds=round(run.duration_seconds))),
            _count(run.input_records),
            _count(run.total_records_processed),
            _count(run.records_not_processed),
            _count(found),
            "-" if run.records_per_second is None else f"{run.records_per_second:,.0f}",
            "-" if run.not_processed_share is None else f"{run.not_processed_share:.2%}",
        ]
        if chart:
            row.append(Bar(longest or 1.0, 0, run.duration_seconds or 0.0, width=16))
            row.append(Bar(fastest or 1.0, 0, run.records_per_second or 0.0, width=16))
        table.add_row(*row)  # type: ignore[arg-type]
    console.print(table)
    if not runs:
        typer.echo("No runs yet.")


def _minute(moment: datetime | None) -> str:
    return "-" if moment is None else moment.strftime("%Y-%m-%d %H:%M")


def _count(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def show_outcomes(jobs: Iterable[Job], *, render: Rendering) -> None:
    """Print ended jobs, a line each (id, status, duration, error), or a document as `show_jobs`."""
    if render.machine:
        render.emit({"jobs": [job.to_service_dict() for job in jobs]})
        return
    for job in jobs:
        error = f"  {job.error_message}" if job.error_message else ""
        typer.echo(f"{job.job_id}  {job.raw_status:<9}  {took(job)}{error}")


def counts(metrics: object, labels: Iterable[tuple[str, str]]) -> Rows:
    """Rows of record counts: each label with its attribute of ``metrics``, or "-"."""
    rows: Rows = []
    for label, name in labels:
        value: int | None = getattr(metrics, name)
        rows.append((label, "-" if value is None else f"{value:,}"))
    return rows


@contextmanager
def progress_bar(console: Console) -> Generator[Callable[[Job, JobEstimate], None], None, None]:
    """Show a live progress bar while the job runs, its expected end beside it; yield the update."""
    from rich.progress import (  # noqa: PLC0415 - see the imports
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (
        TextColumn("{task.fields[status]:<9}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("records"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[estimate]}"),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("job", total=None, status="...", estimate="")

        def update(job: Job, estimate: JobEstimate) -> None:
            done, total = _records(job)
            progress.update(
                task, total=total, completed=done, status=job.raw_status,
                estimate=estimate.describe(),
            )  # fmt: skip

        yield update


@contextmanager
def progress_lines() -> Generator[Callable[[Job, JobEstimate], None], None, None]:
    """Print a line to stderr whenever the status or the progress changes; yield what does it.

    The expected end is printed when it first becomes known, and again when
    it moves by more than a tenth of the time that was left.
    """
    started = time.monotonic()
    shown: str | None = None
    told: JobEstimate | None = None

    def update(job: Job, estimate: JobEstimate) -> None:
        nonlocal shown, told
        done, total = _records(job)
        line = f"{job.raw_status} {done}/{total or '?'} records"
        text = estimate.describe()
        if text and estimate.moved(told):
            told = estimate
            line += f"; {text}"
        elif line == shown:
            return
        elapsed = timedelta(seconds=round(time.monotonic() - started))
        typer.echo(f"{elapsed} {line}", err=True)
        shown = line

    yield update


@contextmanager
def per_job_progress(
    console: Console | None, job_ids: list[str]
) -> Generator[Callable[[Job, JobEstimate], None], None, None]:
    """One progress line per job, its expected end beside it; yield the update.

    Live bars on a terminal (``console``, from `terminal_stderr`); else a
    line on stderr whenever a job's status or progress changes, with its
    expected end when that first becomes known or moves by more than a
    tenth of the time that was left.
    """
    if console is not None:
        from rich.progress import (  # noqa: PLC0415 - see the imports
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
        )

        columns = (
            TextColumn("{task.description} {task.fields[status]:<9}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("records"),
            TextColumn("{task.fields[estimate]}"),
        )
        with Progress(*columns, console=console) as progress:
            tasks = {
                job_id: progress.add_task(job_id, total=None, status="...", estimate="")
                for job_id in job_ids
            }

            def update_bar(job: Job, estimate: JobEstimate) -> None:
                done, total = _records(job)
                progress.update(
                    tasks[job.job_id], total=total, completed=done, status=job.raw_status,
                    estimate=estimate.describe(),
                )  # fmt: skip

            yield update_bar
        return
    started = time.monotonic()
    shown: dict[str, str] = {}
    told: dict[str, JobEstimate] = {}

    def update_line(job: Job, estimate: JobEstimate) -> None:
        done, total = _records(job)
        line = f"{job.raw_status} {done}/{total or '?'} records"
        text = estimate.describe()
        if text and estimate.moved(told.get(job.job_id)):
            told[job.job_id] = estimate
            line += f"; {text}"
        elif shown.get(job.job_id) == line:
            return
        elapsed = timedelta(seconds=round(time.monotonic() - started))
        typer.echo(f"{elapsed} {job.job_id} {line}", err=True)
        shown[job.job_id] = line

    yield update_line


def _records(job: Job) -> tuple[int, int | None]:
    metrics = job.metrics
    done = (metrics.total_records_processed or 0) + (metrics.records_not_processed or 0)
    return done, metrics.input_records


def when(moment: datetime | None) -> str:
    """A time stamp as er-jobs shows it, or "-"."""
    return "-" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def took(job: Summary) -> str:
    """How long a job ran, to the second ("0:00:03"), or "-" while it runs."""
    duration = job.duration
    return "-" if duration is None else str(timedelta(seconds=round(duration.total_seconds())))


PIPED_WIDTH = 10_000
"""The width of standard output when it is not a terminal: a table keeps every column whole."""


def stdout() -> Console:
    """Where results go: as wide as the terminal, or, piped, as wide as the table needs."""
    from rich.console import Console  # noqa: PLC0415 - see the imports

    console = Console(highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console.width = PIPED_WIDTH  # rather than squeezing cells to 80 columns with an ellipsis
    return console


def stderr() -> Console:
    """Where progress and errors go."""
    from rich.console import Console  # noqa: PLC0415 - see the imports

    return Console(stderr=True, highlight=False)


def terminal_stderr() -> Console | None:
    """Rich's console on standard error if that is a terminal, else None.

    Rich (a fifth of ``er-jobs wait``'s start-up) loads only to draw: not
    when standard error is plainly no terminal.
    """
    if not may_be_terminal():
        return None
    console = stderr()
    return console if console.is_terminal else None


def may_be_terminal() -> bool:
    """False when standard error is plainly no terminal: then Rich need not load to say so.

    Rich counts it a terminal when it is a TTY, or when ``FORCE_COLOR`` or
    ``TTY_COMPATIBLE`` says so; anything else is not one.
    """
    isatty = getattr(sys.stderr, "isatty", None)
    if callable(isatty) and isatty():
        return True
    return any(os.environ.get(name) for name in ("FORCE_COLOR", "TTY_COMPATIBLE"))
