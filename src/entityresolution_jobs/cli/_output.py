"""``er-jobs output`` (and ``er-jobs id-mapping output``): what a job wrote to S3.

A table of the job's part files by default; ``--errors`` or ``--head N``
print records instead (the first error records answer "why were records
not processed?"); ``--download DIR`` fetches the files, with a progress
bar on a terminal. All through the library's `get_job_output` and the
methods after it.
"""

from __future__ import annotations

from contextlib import contextmanager
from itertools import islice
from pathlib import Path  # noqa: TC003 - Typer reads the annotation at runtime
from typing import TYPE_CHECKING

import typer

from .. import EntityResolutionJobs, JobNotSucceededError, JobOutput, JobStatus, OutputFile
from .._config import client_config
from ._common import EXIT_USAGE, JOB_ID_HELP, Settings, exits, settings
from ._formats import JsonOpt, OutputOpt, QueryOpt, Rendering, rendering
from ._help import PlainCommand
from ._jobs import ID_MAPPING, MATCHING
from ._render import stdout, terminal_stderr, when

if TYPE_CHECKING:
    from collections.abc import Callable, Generator

    from rich.console import Console

    from ._jobs import CliKind, JobT, SummaryT

DEFAULT_HEAD = 20

OUTPUT_HELP = (
    "Show what a job wrote to S3: its success and error part files, sizes and total. "
    "--errors shows its first error records (why records were not processed), --head N "
    "the first N records, --download DIR fetches the files."
)


def add_command(app: typer.Typer, name: str, *, id_mapping: bool) -> None:
    """Add ``output`` (the one command here, ``name``) of a job kind to ``app``."""
    assert name == "output", name
    if id_mapping:
        add_output(app, ID_MAPPING)
    else:
        add_output(app, MATCHING)


def add_output(app: typer.Typer, kind: CliKind[JobT, SummaryT]) -> None:
    """Add ``output`` for ``kind`` to ``app``."""

    @app.command(help=OUTPUT_HELP, cls=PlainCommand)
    @exits
    def output(  # noqa: PLR0917 - Typer passes a command's parameters by position
        ctx: typer.Context,
        workflow: str = typer.Argument(help=kind.workflow_help, metavar="WORKFLOW"),
        job_id: str = typer.Argument(help=JOB_ID_HELP, metavar="JOB_ID"),
        errors: bool = typer.Option(
            False,
            "--errors",
            help=f"Print the first error records (--head N, default {DEFAULT_HEAD}).",
        ),
        head: int | None = typer.Option(
            None,
            "--head",
            min=1,
            metavar="N",
            help="Print the first N records (success, or with --errors error).",
        ),
        download: Path | None = typer.Option(
            None,
            "--download",
            metavar="DIR",
            file_okay=False,
            help="Download the part files into DIR (a file already there with the same size "
            "is skipped).",
        ),
        partial: bool = typer.Option(
            False, "--partial", help="Show what a job that has not SUCCEEDED has written so far."
        ),
        s3_endpoint_url: str | None = typer.Option(
            None,
            "--s3-endpoint-url",
            metavar="URL",
            help="Read S3 here (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL or AWS's).",
        ),
        as_json: JsonOpt = False,
        output: OutputOpt = None,
        query: QueryOpt = None,
    ) -> None:
        render = rendering(as_json, output, query)
        options = settings(ctx)
        er = _client(options, s3_endpoint_url)
        job = kind.get(er, workflow, job_id)
        try:
            found = er.get_job_output(job, partial=partial)
        except JobNotSucceededError as error:
            typer.echo(
                f"er-jobs: job {job_id} is {error.job.raw_status}, not SUCCEEDED: its output is "
                "not complete (--partial shows what it has written so far)",
                err=True,
            )
            raise typer.Exit(EXIT_USAGE) from error
        if download is not None:
            fetch(er, found, download, render=render)
        elif errors or head is not None:
            records = er.iter_output_records(found, errors=errors)
            show_records(list(islice(records, head or DEFAULT_HEAD)), render=render)
        else:
            show_files(found, render=render)


def _client(options: Settings, s3_endpoint_url: str | None) -> EntityResolutionJobs:
    if s3_endpoint_url is None:
        return options.client()
    # The same profile and region as the Entity Resolution client, another endpoint.
    session = options.session()
    s3 = session.create_client(
        "s3",
        region_name=options.region,
        endpoint_url=s3_endpoint_url,
        config=client_config(session, None),
    )
    return EntityResolutionJobs(
        session=session,
        region_name=options.region,
        endpoint_url=options.endpoint_url,
        s3_client=s3,
    )


def show_files(found: JobOutput, *, render: Rendering) -> None:
    """Print the job's part files as a table with a total line, or as a document."""
    if render.machine:
        render.emit(found.model_dump(mode="json", by_alias=True))
        return
    console = stdout()
    if found.folder is None:
        if found.status is JobStatus.SUCCEEDED:  # its counts say no record was processed
            console.print(f"Job {found.job_id} (SUCCEEDED) wrote no files.")
        else:
            console.print(f"Job {found.job_id} ({found.status.value}) has written nothing yet.")
        return
    from rich.table import Table  # noqa: PLC0415 - Rich loads where it draws

    table = Table()
    table.add_column("file", no_wrap=True)
    table.add_column("size", no_wrap=True, justify="right")
    table.add_column("last modified", no_wrap=True)
    for part in found.files:
        table.add_row(found.relative_key(part), f"{part.size:,}", when(part.last_modified))
    console.print(f"Output of job {found.job_id} in {found.folder}")
    console.print(table)
    console.print(
        f"{len(found.success)} success part(s), {found.success_size:,} bytes; "
        f"{len(found.errors)} error part(s), {found.errors_size:,} bytes; "
        f"total {found.total_files} file(s), {found.total_size:,} bytes"
    )


def show_records(records: list[dict[str, str]], *, render: Rendering) -> None:
    """Print records as a table (columns in the files' order), or as a document."""
    if render.machine:
        render.emit({"records": records})
        return
    if not records:
        stdout().print("No records.")
        return
    from rich.table import Table  # noqa: PLC0415 - Rich loads where it draws

    columns = list(dict.fromkeys(name for record in records for name in record))
    table = Table()
    for name in columns:
        table.add_column(name, overflow="fold")
    for record in records:
        table.add_row(*(record.get(name, "") for name in columns))
    stdout().print(table)


def fetch(
    er: EntityResolutionJobs, found: JobOutput, directory: Path, *, render: Rendering
) -> None:
    """Download the part files, with a progress bar on a terminal; a line per file after."""
    with _progress(terminal_stderr(), found.total_size) as advance:
        paths = er.download_job_output(found, directory, on_progress=advance)
    if render.machine:
        render.emit(
            {"files": [
                {"s3Uri": part.s3_uri, "path": str(path), "size": part.size}
                for part, path in zip(found.files, paths, strict=True)
            ]}
        )  # fmt: skip
        return
    for part, path in zip(found.files, paths, strict=True):
        typer.echo(f"download: {part.s3_uri} to {path}")
    typer.echo(f"{len(paths)} file(s), {found.total_size:,} bytes in {directory}")


@contextmanager
def _progress(
    console: Console | None, total: int
) -> Generator[Callable[[OutputFile, int], object]]:
    """A download progress bar on a terminal (bytes, speed, time left); nothing elsewhere."""
    if console is None:
        yield lambda _part, _done: None
        return
    from rich.progress import (  # noqa: PLC0415 - Rich loads where it draws
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    columns = (
        TextColumn("downloading"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("download", total=total)
        yield lambda _part, done: bar.advance(task, done)
