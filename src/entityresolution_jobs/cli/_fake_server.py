"""``er-jobs fake-server``: the fake Entity Resolution over HTTP, for any client.

moto's server application with this package's backend registered, and the
fake's controls as a JSON API under ``/moto-api/entityresolution/``
(`testing._server`), served by waitress until Ctrl-C or SIGTERM. Any AWS
client pointed at it (the AWS CLI, another SDK, a container) sees both
kinds of workflow and job, with the timeline and quota given here, and the
workflows ``--workflow`` and ``--id-mapping-workflow`` name, ready to run.
"""

from __future__ import annotations

import logging
import signal
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from ._common import EXIT_USAGE, settings
from ._help import PlainCommand

if TYPE_CHECKING:
    from types import FrameType

HostOpt = Annotated[
    str,
    typer.Option(metavar="HOST", help="The address to listen on (127.0.0.1: this machine only)."),
]
PortOpt = Annotated[
    int, typer.Option(metavar="PORT", min=0, max=65535, help="The port (0: any free one).")
]


def add_command(app: typer.Typer, name: str, *, id_mapping: bool) -> None:
    """Add ``fake-server`` (the one command here, ``name``) to ``app``; it serves both kinds."""
    assert (name, id_mapping) == ("fake-server", False), (name, id_mapping)
    app.command("fake-server", cls=PlainCommand)(fake_server)


def fake_server(  # noqa: PLR0917 - Typer passes a command's parameters by position
    ctx: typer.Context,
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 4566,
    queued_seconds: Annotated[
        float, typer.Option(metavar="SECONDS", min=0, help="How long a started job stays QUEUED.")
    ] = 0.5,
    running_seconds: Annotated[
        float,
        typer.Option(metavar="SECONDS", min=0, help="How long it then stays RUNNING."),
    ] = 2.0,
    concurrent_jobs: Annotated[
        int,
        typer.Option(
            metavar="N",
            min=0,
            help="Jobs of each kind that may run at once per account and region "
            "(the service's quota: 1; 0: no limit). The others wait QUEUED, in order.",
        ),
    ] = 1,
    workflows: Annotated[
        list[str] | None,
        typer.Option(
            "--workflow",
            metavar="NAME",
            help="A matching workflow to create, ready to run, with its output bucket "
            "(repeatable).",
        ),
    ] = None,
    id_mapping_workflows: Annotated[
        list[str] | None,
        typer.Option(
            "--id-mapping-workflow",
            metavar="NAME",
            help="An ID mapping workflow to create, the same way (repeatable).",
        ),
    ] = None,
) -> None:
    """Serve a fake Entity Resolution over HTTP until interrupted (Ctrl-C or SIGTERM).

    Both kinds of workflow and job, as the testing extra's moto backend
    answers them; point any AWS client at the endpoint it prints, with any
    credentials. The workflows named are created in moto's default account,
    in --region's region (default us-east-1).
    """
    try:
        from ..testing import EntityResolutionBackend, JobTimeline  # noqa: PLC0415
        from ..testing._control_api import PREFIX  # noqa: PLC0415
        from ..testing._server import FakeServer  # noqa: PLC0415
    except ImportError as error:
        typer.echo(
            "er-jobs: the fake server needs moto: pip install 'entityresolution-jobs[cli,testing]'",
            err=True,
        )
        raise typer.Exit(EXIT_USAGE) from error
    EntityResolutionBackend.default_timeline = JobTimeline(
        queued_seconds=queued_seconds, running_seconds=running_seconds
    )
    EntityResolutionBackend.default_concurrent_jobs = concurrent_jobs or None
    region = settings(ctx).region or "us-east-1"
    created = _create_workflows(region, workflows or [], id_mapping_workflows or [])
    try:
        server = FakeServer(host, port)
    except OSError as error:
        typer.echo(f"er-jobs: cannot listen on {host}:{port}: {error.strerror or error}", err=True)
        raise typer.Exit(EXIT_USAGE) from error
    if not logging.getLogger().handlers:  # --debug installs one
        # waitress warns when requests wait for a thread: a busy fake, not a fault.
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    endpoint = server.url
    typer.echo(f"Fake Entity Resolution listening on {endpoint}")
    for line in created:
        typer.echo(line)
    typer.echo(
        "Try: AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing "
        f"aws entityresolution list-matching-workflows --endpoint-url {endpoint} "
        f"--region {region}"
    )
    typer.echo(
        "It serves moto's S3 too, where jobs write their output: "
        f"export AWS_ENDPOINT_URL={endpoint} points every AWS client and service at it, "
        "er-jobs output included."
    )
    typer.echo(
        f"Its controls (pin, fail, faults, quota, timeline, workflows, reset): "
        f"POST {endpoint}{PREFIX}..."
    )
    sys.stdout.flush()
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        signal.signal(signal.SIGTERM, previous)
    typer.echo("Fake Entity Resolution stopped.", err=True)


def _create_workflows(region: str, matching: list[str], id_mapping: list[str]) -> list[str]:
    """Create the workflows named, through the control API's own check; a line for each.

    Raises:
        typer.Exit: A name the service would refuse, or given twice (exit 2).
    """
    from ..testing import EntityResolutionMock  # noqa: PLC0415 - loaded by the caller already
    from ..testing._control_api import ControlError, create_workflow  # noqa: PLC0415

    fake = EntityResolutionMock(region_name=region)
    lines: list[str] = []
    for kind, names in (("matching", matching), ("idMapping", id_mapping)):
        for name in names:
            try:
                made = create_workflow(fake, {"workflowName": name, "kind": kind})
            except ControlError as error:
                typer.echo(f"er-jobs: cannot create workflow {name!r}: {error}", err=True)
                raise typer.Exit(EXIT_USAGE) from error
            noun = "Matching" if kind == "matching" else "ID mapping"
            lines.append(f"{noun} workflow {name} in {region}, writing to {made['outputS3Path']}")
    return lines


def _interrupt(signum: int, frame: FrameType | None) -> None:
    # SIGTERM ends the server as Ctrl-C does: out of serve_forever, cleanly.
    raise KeyboardInterrupt
