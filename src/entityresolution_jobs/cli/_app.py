"""The er-jobs command tree, its global options, and running it."""

from __future__ import annotations

import platform
import sys
from typing import TYPE_CHECKING, Annotated, ClassVar

import botocore
import typer

from .._version import __version__
from ._common import EPILOG, EXIT_OK, EXIT_USAGE, Settings
from ._debug import DEBUG, log_everything
from ._lazy import LazyGroup

if TYPE_CHECKING:
    from collections.abc import Mapping

# Each command's module, in the order help lists them; built when used.
JOB_COMMANDS = {
    "get": "._jobs",
    "wait": "._jobs",
    "list": "._jobs",
    "history": "._jobs",
    "start": "._jobs",
    "output": "._output",
}


class MatchingCommands(LazyGroup):
    """The top-level commands: matching jobs', then the demo and the fake server."""

    lazy_commands: ClassVar[Mapping[str, str]] = {
        **JOB_COMMANDS,
        "demo": "._demo",
        "fake-server": "._fake_server",
    }


class IdMappingCommands(LazyGroup):
    """``er-jobs id-mapping ...``: the same commands for ID mapping jobs."""

    lazy_commands = JOB_COMMANDS
    id_mapping = True


app = typer.Typer(
    name="er-jobs",
    cls=MatchingCommands,
    rich_markup_mode=None,
    help="Check, start and wait on AWS Entity Resolution jobs: matching and ID mapping.",
    epilog=EPILOG,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
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
        str | None,
        typer.Option(
            help="AWS region (default: your AWS configuration's).",
            metavar="REGION",
            envvar=["AWS_REGION", "AWS_DEFAULT_REGION"],
        ),
    ] = None,
    # No envvar: AWS_PROFILE is left to boto3's default session, as the AWS
    # CLI leaves it, so that keys in the environment still win over the
    # profile's. Only a profile named here makes its own credentials win.
    profile: Annotated[
        str | None,
        typer.Option(
            help="AWS profile to use, its credentials too (AWS_PROFILE is read as boto3 reads it).",
            metavar="PROFILE",
        ),
    ] = None,
    endpoint_url: Annotated[
        str | None,
        typer.Option(
            help="Send requests here, e.g. a local test server.",
            metavar="URL",
            envvar=["AWS_ENDPOINT_URL_ENTITYRESOLUTION", "AWS_ENDPOINT_URL"],
        ),
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
    ctx.obj = Settings(region, profile, endpoint_url)
    DEBUG.enabled = debug
    if debug:
        log_everything()


id_mapping = typer.Typer(
    name="id-mapping",
    cls=IdMappingCommands,
    rich_markup_mode=None,
    help="The same commands for ID mapping jobs: get, wait, list, history, start, output.",
    epilog=EPILOG,
    no_args_is_help=True,
)
app.add_typer(id_mapping)


# The options of the root callback, and whether each takes a value.
GLOBAL_OPTIONS = {"--region": True, "--profile": True, "--endpoint-url": True, "--debug": False}


def hoist_global_options(argv: list[str]) -> list[str]:
    """Move the global options found anywhere on the line to its front, in their order.

    AWS CLI users type them last (``er-jobs get wf ID --region eu-west-1``);
    Click reads them only before the command. Kept in order, a value given
    after the command still wins over one before it (the last one counts).
    Everything after a ``--`` stays where it is.

    Raises:
        ValueError: An option that takes a value ends the line.
    """
    front: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(argv):
        argument = argv[index]
        if argument == "--":
            rest.extend(argv[index:])
            break
        name, equals, _ = argument.partition("=")
        if name in GLOBAL_OPTIONS:
            takes = 2 if GLOBAL_OPTIONS[name] and not equals else 1
            if index + takes > len(argv):
                raise ValueError(f"option {name} requires a value")
            front.extend(argv[index : index + takes])
            index += takes
            continue
        rest.append(argument)
        index += 1
    return front + rest


def run(argv: list[str] | None = None) -> int:
    """Run er-jobs with ``argv`` (default: the process's arguments); return the exit code."""
    arguments = sys.argv[1:] if argv is None else argv
    try:
        hoisted = hoist_global_options(arguments)
    except ValueError as error:
        typer.echo(f"er-jobs: {error}", err=True)
        return EXIT_USAGE
    try:
        app(args=hoisted, prog_name="er-jobs")
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else EXIT_OK if code is None else EXIT_USAGE
    finally:
        DEBUG.enabled = False
    return EXIT_OK  # pragma: no cover - in standalone mode Typer always exits


def main() -> None:
    """The ``er-jobs`` console script."""
    sys.exit(run())
