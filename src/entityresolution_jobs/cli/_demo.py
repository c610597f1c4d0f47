"""``er-jobs demo``: a matching job run end to end against the fake service, in-process."""

from __future__ import annotations

import os
from contextlib import contextmanager
from itertools import islice
from typing import TYPE_CHECKING

import typer

from .. import EntityResolutionJobs
from ._common import EXIT_USAGE, exits
from ._formats import HUMAN
from ._help import PlainCommand
from ._jobs import MATCHING, wait_and_show
from ._output import show_files, show_records
from ._render import stderr, stdout

DEMO_OUTPUT = "s3://demo-output/entity-resolution/demo-customers/"

if TYPE_CHECKING:
    from collections.abc import Generator


def add_command(app: typer.Typer, name: str, *, id_mapping: bool) -> None:
    """Add ``demo`` (the one command here, ``name``) to ``app``; there is no ID mapping demo."""
    assert (name, id_mapping) == ("demo", False), (name, id_mapping)
    app.command(cls=PlainCommand)(demo)


@exits
def demo() -> None:
    """Run a job end to end against a fake service in this process: no AWS account needed.

    Start, wait with progress, then what the job wrote to (moto's) S3: its
    files and its first error records.
    """
    try:
        import boto3  # noqa: PLC0415 - the demo alone makes a bucket
        from moto import mock_aws  # noqa: PLC0415 - the demo alone needs moto

        from ..testing import EntityResolutionMock, JobTimeline  # noqa: PLC0415
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
        fake.create_workflow("demo-customers", output_s3_path=DEMO_OUTPUT)
        # boto3's S3 client is typed only by boto3-stubs' s3 extra, not installed here.
        s3 = boto3.client("s3", region_name="us-east-1")  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
        s3.create_bucket(Bucket="demo-output")  # pyright: ignore[reportUnknownMemberType]
        er = EntityResolutionJobs(region_name="us-east-1")
        job_id = er.start_matching_job("demo-customers")
        stderr().print(f"Started job {job_id} of workflow demo-customers (a fake service).")
        # The demo's job lasts seconds: poll often enough to show its progress.
        wait_and_show(
            er, MATCHING, "demo-customers", job_id, timeout=60, render=HUMAN, delays=(0.25, 0.5)
        )
        output = er.get_job_output(er.get_matching_job("demo-customers", job_id))
        stdout().print()
        show_files(output, render=HUMAN)
        stdout().print("\nIts first error records (er.iter_output_records(output, errors=True)):")
        show_records(list(islice(er.iter_output_records(output, errors=True), 5)), render=HUMAN)


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
