"""What every er-jobs command shares: exit codes, options, settings, error handling."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, ParamSpec

import typer
from botocore.session import Session as BotocoreSession

from .. import (
    AccessDeniedError,
    ConfigurationError,
    CredentialsError,
    EntityResolutionError,
    EntityResolutionJobs,
    InvalidInputError,
    JobFailedError,
    OutputNotFoundError,
    ResourceNotFoundError,
    ServiceValidationError,
    WaitTimeoutError,
)
from ._debug import DEBUG

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_TIMEOUT, EXIT_NOT_FOUND, EXIT_DENIED, EXIT_SERVICE = range(7)

# The exit code of an error: the first class on its MRO found here.
EXIT_CODES: Mapping[type[BaseException], int] = {
    JobFailedError: EXIT_FAILED,
    InvalidInputError: EXIT_USAGE,
    ServiceValidationError: EXIT_USAGE,
    ConfigurationError: EXIT_USAGE,
    WaitTimeoutError: EXIT_TIMEOUT,
    ResourceNotFoundError: EXIT_NOT_FOUND,
    OutputNotFoundError: EXIT_NOT_FOUND,
    AccessDeniedError: EXIT_DENIED,
    CredentialsError: EXIT_DENIED,
    EntityResolutionError: EXIT_SERVICE,
}

EPILOG = (
    "The global options (--region, --profile, --endpoint-url, --debug) may also come after "
    "the command, as with the AWS CLI; given twice, the later value wins. "
    "Exit codes: 0 ok; 1 the job FAILED; 2 usage error or invalid input; 3 wait timed out; "
    "4 workflow, job, bucket or output not found; 5 access denied or no credentials; "
    "6 throttled, service or network error after retries."
)

log = logging.getLogger("entityresolution_jobs.cli")

P = ParamSpec("P")

JOB_ID_HELP = "The job's id (32 hex characters)."
TimeoutOpt = Annotated[
    float, typer.Option(help="Seconds to wait at most.", min=0, metavar="SECONDS")
]
WaitOpt = Annotated[
    bool, typer.Option("--wait", help="Wait for the job too, as the wait command does.")
]


@dataclass(frozen=True)
class Settings:
    """The global options, as the callback read them."""

    region: str | None
    profile: str | None
    endpoint_url: str | None

    def session(self) -> BotocoreSession:
        """A botocore session with the profile, if one was named.

        botocore's, as the AWS CLI builds on: the same credentials, region,
        profile and endpoint resolution as boto3's, without importing boto3
        (and s3transfer), which no command needs.
        """
        return BotocoreSession(profile=self.profile)

    def client(self) -> EntityResolutionJobs:
        """A client built from these settings."""
        return EntityResolutionJobs(
            session=self.session(), region_name=self.region, endpoint_url=self.endpoint_url
        )


def settings(ctx: typer.Context) -> Settings:
    """The settings the root callback stored (it runs before every command)."""
    found: Settings = ctx.find_root().obj
    return found


def exits(command: Callable[P, None]) -> Callable[P, None]:
    """Turn the library's errors into one line on stderr and the documented exit code."""

    @functools.wraps(command)
    def run_command(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            command(*args, **kwargs)
        except EntityResolutionError as error:
            if DEBUG.enabled:
                log.exception("er-jobs %s failed", command.__name__)
            typer.echo(f"er-jobs: {error}", err=True)
            raise typer.Exit(exit_code(error)) from error

    return run_command


def exit_code(error: EntityResolutionError) -> int:
    """The documented exit code of ``error``."""
    # EntityResolutionError itself is in the table, so every error finds a code.
    return next(EXIT_CODES[klass] for klass in type(error).__mro__ if klass in EXIT_CODES)
