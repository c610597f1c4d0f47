"""The I/O-free core shared by the sync and async shells.

A shell does three things around each botocore call, all of them here:
check the arguments (`RequestChecker`), translate what
the call raises (`translating`), and read the reply into a model
(`read_reply`). Only the call itself, awaited or not, is the shell's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from pydantic_core import ValidationError

from ._config import SERVICE_NAME
from ._errors import ResponseError, reply_metadata, translate
from ._validation import RequestChecker

if TYPE_CHECKING:
    from types import TracebackType

    from botocore.client import BaseClient
    from botocore.config import Config
    from pydantic import BaseModel

    from ._models import MatchingJob, MatchingJobsPage, MatchingJobSummary, StartedJob

ResultT = TypeVar("ResultT")
SessionT = TypeVar("SessionT")
Reader = Callable[[Mapping[str, object]], ResultT]


@dataclass(eq=False)
class Operation(Generic[ResultT]):
    """One service operation: its model name, boto3 method and reply reader.

    ``load_reader`` is called once, on first use, so that the pydantic
    models are imported only when a reply is first read.
    """

    name: str
    method: str
    load_reader: Callable[[], Reader[ResultT]]

    @cached_property
    def read(self) -> Reader[ResultT]:
        """Turn a reply into the result; pydantic errors escape as they are."""
        return self.load_reader()


# The readers import the models on first use: see Operation.


def _validator(model: type[BaseModel]) -> Callable[[object], Any]:
    # The model's own pydantic-core validator, called directly: the same
    # validation as model_validate() without its Python wrapper, which costs
    # about a fifth of reading a reply.
    return model.__pydantic_validator__.validate_python


def _matching_job_reader() -> Reader[MatchingJob]:
    from ._models import MatchingJob  # noqa: PLC0415

    return _validator(MatchingJob)


def _started_job_reader() -> Reader[str]:
    from ._models import StartedJob  # noqa: PLC0415

    validate = _validator(StartedJob)
    return lambda reply: cast("StartedJob", validate(reply)).job_id


def _jobs_page_reader() -> Reader[tuple[MatchingJobSummary, ...]]:
    from ._models import MatchingJobsPage  # noqa: PLC0415

    validate = _validator(MatchingJobsPage)
    return lambda reply: cast("MatchingJobsPage", validate(reply)).jobs


GET_MATCHING_JOB = Operation("GetMatchingJob", "get_matching_job", _matching_job_reader)
START_MATCHING_JOB = Operation("StartMatchingJob", "start_matching_job", _started_job_reader)
LIST_MATCHING_JOBS = Operation("ListMatchingJobs", "list_matching_jobs", _jobs_page_reader)


@dataclass(frozen=True)
class Connection:
    """A client the shells call, and the checker for its service model."""

    client: BaseClient
    checker: RequestChecker


def connect_to(client: BaseClient) -> Connection:
    """Wrap a botocore or aiobotocore client; TypeError if it is not Entity Resolution's."""
    service_model = client.meta.service_model
    if service_model.service_name != SERVICE_NAME:
        raise TypeError(
            f"expected an {SERVICE_NAME!r} client, got a {service_model.service_name!r} client"
        )
    return Connection(client, RequestChecker(service_model))


class Shell(Generic[SessionT]):
    """What the sync and async shells share: their arguments, connection and repr.

    The arguments are documented on the shells; ``SessionT`` is the type of
    session each builds its client from.
    """

    def __init__(
        self,
        client: BaseClient | None = None,
        *,
        session: SessionT | None = None,
        profile_name: str | None = None,
        region_name: str | None = None,
        endpoint_url: str | None = None,
        config: Config | None = None,
    ) -> None:
        self._prepare()
        building = (session, profile_name, region_name, endpoint_url, config)
        if client is not None and any(value is not None for value in building):
            raise TypeError(
                "pass either client= or the arguments to build one "
                "(session, profile_name, region_name, endpoint_url, config), not both"
            )
        if session is not None and profile_name is not None:
            raise TypeError("pass either session= or profile_name=, not both")
        self._session = session
        self._profile_name = profile_name
        self._region_name = region_name
        self._endpoint_url = endpoint_url
        self._config = config
        self._owns_client = client is None
        self._connection = None if client is None else connect_to(client)

    def _prepare(self) -> None:
        """Set up what the shell's I/O needs (its lock); first thing in ``__init__``."""
        raise NotImplementedError

    def __repr__(self) -> str:
        # Where requests go (from the client once built); never credentials.
        connection = self._connection
        region, endpoint = self._region_name, self._endpoint_url
        if connection is not None:
            region = connection.client.meta.region_name
            endpoint = connection.client.meta.endpoint_url
        return f"{type(self).__name__}(region_name={region!r}, endpoint_url={endpoint!r})"


def read_reply(operation: Operation[ResultT], reply: Mapping[str, object]) -> ResultT:
    """Turn a botocore reply into the operation's result, or raise `ResponseError`."""
    try:
        return operation.read(reply)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc']) or 'reply'}: {problem['msg']}"
            for problem in error.errors(include_url=False, include_input=False)
        )
        http_status, request_id = reply_metadata(reply)
        raise ResponseError(
            f"{operation.name} returned a reply that is not a valid result: {problems}",
            http_status=http_status,
            request_id=request_id,
        ) from error


class translating:  # noqa: N801 - used as a statement, like contextlib's helpers
    """Context manager: re-raise a botocore call's errors as this library's.

    A plain class rather than ``@contextmanager``: it runs on every call, and
    this is the cheaper of the two. It works around awaited calls as well.
    """

    __slots__ = ("_operation",)

    def __init__(self, operation: str) -> None:
        self._operation = operation

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if not isinstance(error, Exception):  # None, or KeyboardInterrupt and the like
            return
        translated = translate(error, self._operation)
        if translated is not error:
            raise translated from error
