"""er-jobs: check, start and wait on AWS Entity Resolution matching jobs from a shell.

A thin shell over the library's public API (``pip install
'entityresolution-jobs[cli]'``). Exit codes:

    0  succeeded / ok
    1  the job FAILED
    2  usage error or invalid input
    3  the wait timed out
    4  workflow or job not found
    5  access denied, or no credentials
    6  throttled, service or network error (after retries)
"""

from __future__ import annotations

import functools
import json
import logging
import os
import platform
import re
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, ParamSpec

import botocore
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import (
    AccessDeniedError,
    ConfigurationError,
    CredentialsError,
    EntityResolutionError,
    EntityResolutionJobs,
    InvalidInputError,
    JobFailedError,
    ResourceNotFoundError,
    ServiceValidationError,
    WaitTimeoutError,
)
from ._version import __version__
from ._waiting import DEFAULT_MAX_DELAY, DEFAULT_MIN_DELAY, DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Mapping

    from . import MatchingJob, MatchingJobSummary

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_TIMEOUT, EXIT_NOT_FOUND, EXIT_DENIED, EXIT_SERVICE = range(7)

# The exit code of an error: the first class on its MRO found here.
EXIT_CODES: Mapping[type[BaseException], int] = {
    JobFailedError: EXIT_FAILED,
    InvalidInputError: EXIT_USAGE,
    ServiceValidationError: EXIT_USAGE,
    ConfigurationError: EXIT_USAGE,
    WaitTimeoutError: EXIT_TIMEOUT,
    ResourceNotFoundError: EXIT_NOT_FOUND,
    AccessDeniedError: EXIT_DENIED,
    CredentialsError: EXIT_DENIED,
    EntityResolutionError: EXIT_SERVICE,
}

EPILOG = (
    "Exit codes: 0 ok; 1 the job FAILED; 2 usage error or invalid input; 3 wait timed out; "
    "4 workflow or job not found; 5 access denied or no credentials; "
    "6 throttled, service or network error after retries."
)

app = typer.Typer(
    name="er-jobs",
    help="Check, start and wait on AWS Entity Resolution matching jobs.",
    epilog=EPILOG,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

log = logging.getLogger("entityresolution_jobs.cli")

P = ParamSpec("P")


def _exits(command: Callable[P, None]) -> Callable[P, None]:
    """Turn the library's errors into one line on stderr and the documented exit code."""

    @functools.wraps(command)
    def run_command(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            command(*args, **kwargs)
        except EntityResolutionError as error:
            if _DEBUG.enabled:
                log.exception("er-jobs %s failed", command.__name__)
            typer.echo(f"er-jobs: {error}", err=True)
            raise typer.Exit(_exit_code(error)) from error

    return run_command


@dataclass
class _DebugFlag:
    enabled: bool = False


_DEBUG = _DebugFlag()


@dataclass(frozen=True)
class _Settings:
    region: str | None
    profile: str | None
    endpoint_url: str | None

    def client(self) -> EntityResolutionJobs:
        return EntityResolutionJobs(
            profile_name=self.profile, region_name=self.region, endpoint_url=self.endpoint_url
        )


def _show_version(asked: bool) -> None:
    # What a bug report needs: this library's version and the botocore and
    # Python it runs on (botocore's version decides which fields it parses).
    if asked:
        python = platform.python_version()
        typer.echo(f"er-jobs {__version__} (botocore {botocore.__version__}, Python {python})")
        raise typer.Exit


@app.callback(epilog=EPILOG)
def _common(
    ctx: typer.Context,
    *,
    region: Annotated[
        str | None, typer.Option(help="AWS region (default: your AWS configuration's).")
    ] = None,
    profile: Annotated[str | None, typer.Option(help="AWS profile to use.")] = None,
    endpoint_url: Annotated[
        str | None, typer.Option(help="Send requests here, e.g. a local test server.")
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks and botocore's logs.")
    ] = False,
    # Acted on by its callback, before any command; never read here.
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    ctx.obj = _Settings(region, profile, endpoint_url)
    _DEBUG.enabled = debug
    if debug:
        _log_everything()


WorkflowArg = Annotated[str, typer.Argument(help="The matching workflow's name.")]
JobIdArg = Annotated[str, typer.Argument(help="The job's id (32 hex characters).")]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print JSON as `aws entityresolution` would.")
]
TimeoutOpt = Annotated[float, typer.Option(help="Seconds to wait at most.", min=0)]


@app.command()
@_exits
def get(
    ctx: typer.Context, workflow: WorkflowArg, job_id: JobIdArg, as_json: JsonOpt = False
) -> None:
    """Show a matching job: status, times, metrics, error and output location."""
    job = _settings(ctx).client().get_matching_job(workflow, job_id)
    _show_job(job, workflow, as_json=as_json)


@app.command()
@_exits
def wait(
    ctx: typer.Context,
    workflow: WorkflowArg,
    job_id: JobIdArg,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    as_json: JsonOpt = False,
) -> None:
    """Wait for a job to end, with a progress bar; exit 1 if it FAILED, 3 on timeout."""
    _wait_and_show(_settings(ctx).client(), workflow, job_id, timeout=timeout, as_json=as_json)


@app.command("list")
@_exits
def list_jobs(ctx: typer.Context, workflow: WorkflowArg, as_json: JsonOpt = False) -> None:
    """List every job of a workflow."""
    jobs = list(_settings(ctx).client().list_matching_jobs(workflow))
    if as_json:
        _print_json({"jobs": [job.to_service_dict() for job in jobs]})
        return
    table = Table()
    table.add_column("job id", no_wrap=True, min_width=32)
    for title in ("status", "started", "ended", "duration"):
        table.add_column(title, no_wrap=True)
    for job in jobs:
        table.add_row(
            job.job_id, job.raw_status, _when(job.start_time), _when(job.end_time), _took(job)
        )
    _stdout().print(table)


@app.command()
@_exits
def start(
    ctx: typer.Context,
    workflow: WorkflowArg,
    and_wait: Annotated[
        bool, typer.Option("--wait", help="Wait for the job too, as `er-jobs wait` does.")
    ] = False,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
) -> None:
    """Start a job of a workflow and print its id."""
    er = _settings(ctx).client()
    job_id = er.start_matching_job(workflow)
    typer.echo(job_id)
    if and_wait:
        _wait_and_show(er, workflow, job_id, timeout=timeout, as_json=False)


@app.command()
@_exits
def demo() -> None:
    """Run a job end to end against a fake service in this process: no AWS account needed."""
    try:
        from moto import mock_aws  # noqa: PLC0415 - the demo alone needs moto

        from .testing import EntityResolutionMock, JobTimeline  # noqa: PLC0415
    except ImportError as error:
        typer.echo(
            "er-jobs: the demo needs moto: pip install 'entityresolution-jobs[cli,testing]'",
            err=True,
        )
        raise typer.Exit(EXIT_USAGE) from error
    with _fake_aws_environment(), mock_aws():
        fake = EntityResolutionMock("us-east-1")
        fake.timeline = JobTimeline(
            queued_seconds=1.0,
            running_seconds=4.0,
            input_records=250_000,
            records_not_processed=1_250,
            match_ids=98_765,
        )
        fake.create_workflow("demo-customers")
        er = EntityResolutionJobs(region_name="us-east-1")
        job_id = er.start_matching_job("demo-customers")
        _stderr().print(f"Started job {job_id} of workflow demo-customers (a fake service).")
        # The demo's job lasts seconds: poll often enough to show its progress.
        _wait_and_show(er, "demo-customers", job_id, timeout=60, as_json=False, delays=(0.25, 0.5))


def _wait_and_show(
    er: EntityResolutionJobs,
    workflow: str,
    job_id: str,
    *,
    timeout: float,
    as_json: bool,
    delays: tuple[float, float] = (DEFAULT_MIN_DELAY, DEFAULT_MAX_DELAY),
) -> None:
    """Wait for the job, showing its progress on stderr, then print it.

    A FAILED job is printed too, before its JobFailedError reaches
    ``_exits``.
    """
    min_delay, max_delay = delays
    console = _stderr()
    progress = _progress_bar if console.is_terminal else _progress_lines
    try:
        with progress(console) as on_update:
            job = er.wait_for_matching_job(
                workflow,
                job_id,
                timeout=timeout,
                min_delay=min_delay,
                max_delay=max_delay,
                on_update=on_update,
            )
    except JobFailedError as failed:
        _show_job(failed.job, workflow, as_json=as_json)
        raise
    _show_job(job, workflow, as_json=as_json)


@contextmanager
def _progress_bar(console: Console) -> Generator[Callable[[MatchingJob], None], None, None]:
    """Show a live progress bar while the job runs; yield what updates it."""
    columns = (
        TextColumn("{task.fields[status]:<9}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("records"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("job", total=None, status="...")

        def update(job: MatchingJob) -> None:
            done, total = _records(job)
            progress.update(task, total=total, completed=done, status=job.raw_status)

        yield update


@contextmanager
def _progress_lines(console: Console) -> Generator[Callable[[MatchingJob], None], None, None]:
    """Print a line whenever the status or the progress changes; yield what does it."""
    started = time.monotonic()
    shown: str | None = None

    def update(job: MatchingJob) -> None:
        nonlocal shown
        done, total = _records(job)
        line = f"{job.raw_status} {done}/{total or '?'} records"
        if line != shown:
            elapsed = timedelta(seconds=round(time.monotonic() - started))
            console.print(f"{elapsed} {line}", highlight=False, soft_wrap=True)
            shown = line

    yield update


def _records(job: MatchingJob) -> tuple[int, int | None]:
    metrics = job.metrics
    done = (metrics.total_records_processed or 0) + (metrics.records_not_processed or 0)
    return done, metrics.input_records


def _show_job(job: MatchingJob, workflow: str, *, as_json: bool) -> None:
    if as_json:
        _print_json(job.to_service_dict())
        return
    metrics = job.metrics
    output = job.output_source
    rows = [
        ("Job", job.job_id),
        ("Workflow", workflow),
        ("Status", job.raw_status),
        ("Started", _when(job.start_time)),
        ("Ended", _when(job.end_time)),
        ("Duration", _took(job)),
        ("Input records", _count(metrics.input_records)),
        ("Processed", _count(metrics.total_records_processed)),
        ("Not processed", _count(metrics.records_not_processed)),
        ("Deletes processed", _count(metrics.delete_records_processed)),
        ("Match IDs", _count(metrics.match_ids)),
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


def _print_json(document: Mapping[str, object]) -> None:
    # The AWS CLI's shape: 4-space indent, ISO 8601 time stamps.
    typer.echo(json.dumps(document, indent=4, default=_iso))


def _iso(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _took(job: MatchingJobSummary) -> str:
    duration = job.duration
    return "-" if duration is None else str(duration)


def _count(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _settings(ctx: typer.Context) -> _Settings:
    # Set by the _common callback, which runs before every command.
    settings: _Settings = ctx.obj
    return settings


def _stdout() -> Console:
    return Console(highlight=False, soft_wrap=True)


def _stderr() -> Console:
    return Console(stderr=True, highlight=False)


@contextmanager
def _fake_aws_environment() -> Generator[None]:
    """Fake credentials and a region for the demo; the real ones are restored after."""
    fake = {
        "AWS_ACCESS_KEY_ID": "demo",
        "AWS_SECRET_ACCESS_KEY": "demo",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    hidden = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")
    saved = {name: os.environ.get(name) for name in (*fake, *hidden)}
    os.environ.update(fake)
    for name in hidden:
        os.environ.pop(name, None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# Values of these, in botocore's debug output (request headers, dumped
# configuration), are replaced before any line is written.
_SECRET_FIELDS = re.compile(
    r"(?i)(x-amz-security-token|authorization|x-amz-credential|signature|"
    r"aws_secret_access_key|aws_session_token|secret_key|session_token|token)"
    r"(['\"]?\s*[:=]\s*b?['\"]?)([^'\",}\s]+)"
)


class _RedactSecrets(logging.Filter):
    """Scrubs credentials from log records: known field names, and the live secrets."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = _SECRET_FIELDS.sub(r"\1\2***", record.getMessage())
        for secret in _live_secrets():
            message = message.replace(secret, "***")
        record.msg, record.args = message, None
        return True


def _live_secrets() -> tuple[str, ...]:
    secrets = (os.environ.get("AWS_SECRET_ACCESS_KEY"), os.environ.get("AWS_SESSION_TOKEN"))
    # Real secrets are long; a short placeholder ("demo") would blank out words.
    return tuple(secret for secret in secrets if secret and len(secret) >= 8)


def _log_everything() -> None:
    root = logging.getLogger()
    if any(isinstance(f, _RedactSecrets) for h in root.handlers for f in h.filters):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_RedactSecrets())
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)


def run(argv: list[str] | None = None) -> int:
    """Run er-jobs with ``argv`` (default: the process's arguments); return the exit code."""
    try:
        app(args=argv, prog_name="er-jobs")
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else EXIT_OK if code is None else EXIT_USAGE
    finally:
        _DEBUG.enabled = False
    return EXIT_OK  # pragma: no cover - in standalone mode Typer always exits


def _exit_code(error: EntityResolutionError) -> int:
    # EntityResolutionError itself is in the table, so every error finds a code.
    return next(EXIT_CODES[klass] for klass in type(error).__mro__ if klass in EXIT_CODES)


def main() -> None:
    """The ``er-jobs`` console script."""
    sys.exit(run())


if __name__ == "__main__":
    main()
