"""The I/O-free core shared by the sync and async shells.

A shell does three things around each botocore call, all of them here:
check the arguments (`RequestChecker`), translate what
the call raises (`translate`), and read the reply into a model
(`Operation.read`). Only the call itself, awaited or not, is the shell's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, Generic, Literal, NoReturn, TypeVar, cast

from pydantic_core import ValidationError

from ._config import SERVICE_NAME
from ._errors import (
    IdMappingJobFailedError,
    IdMappingJobWaitTimeoutError,
    InvalidInputError,
    JobFailedError,
    JobT,
    MatchingJobFailedError,
    MatchingJobWaitTimeoutError,
    ResponseError,
    WaitTimeoutError,
    reply_metadata,
    translate,
    translate_s3,
)
from ._status import IdMappingJobType
from ._validation import RequestChecker

if TYPE_CHECKING:
    from types import TracebackType

    from botocore.client import BaseClient
    from botocore.config import Config
    from botocore.model import ServiceModel

    from ._models import (
        IdMappingJob,
        IdMappingJobSummary,
        JobId,
        MatchingJob,
        MatchingJobSummary,
        OutputSource,
        WorkflowOutput,
    )

ResultT = TypeVar("ResultT")
ResultT_co = TypeVar("ResultT_co", covariant=True)
SummaryT_co = TypeVar("SummaryT_co", covariant=True)
SessionT = TypeVar("SessionT")
Reader = Callable[[Mapping[str, object], Mapping[str, object]], ResultT]


# The three classes below are plain classes, not dataclasses: a dataclass
# costs about 3 million instructions to define (its methods are generated
# with exec), which a process that makes one call pays at import.


class Operation(Generic[ResultT_co]):
    """One service operation: its model name, boto3 method, and how its reply is read.

    The reply is validated into the `_models` class named ``model``, which
    is imported on first use so that the package imports without pydantic's
    model machinery. ``returns`` says what the caller gets: that model
    (``"model"``), the new job's id from it as a `JobId` (``"job id"``), or
    the summaries in its ``jobs`` (``"jobs"``); each carries the reply's
    request id, and a job or summary the workflow named in the request.
    The variable holding an operation declares its result type.
    """

    def __init__(
        self,
        name: str,
        method: str,
        model: str,
        returns: Literal["model", "job id", "jobs"] = "model",
    ) -> None:
        self.name = name
        self.method = method
        self.model = model
        self.returns = returns

    @cached_property
    def read(self) -> Reader[ResultT_co]:
        """Turn a reply (to the request ``params``) into the result, or raise `ResponseError`.

        One call, as it runs per call.
        """
        from . import _models  # noqa: PLC0415  # pyright: ignore[reportPrivateUsage] - see above

        # The model's own pydantic-core validator, called directly: the same
        # validation as model_validate() without its Python wrapper, which
        # costs about a fifth of reading a reply.
        validate: Callable[[object], Any] = getattr(
            _models, self.model
        ).__pydantic_validator__.validate_python
        returns, name, job_id = self.returns, self.name, _models.JobId
        key, workflow_key = _models.REQUEST_ID_KEY, _models.WORKFLOW_KEY

        def read(reply: Mapping[str, object], params: Mapping[str, object]) -> Any:
            try:
                result = validate(reply)
            except ValidationError as error:
                raise _unreadable(name, reply, error) from error
            # The request id, inline: a helper's call would cost more than this.
            metadata = reply.get("ResponseMetadata")
            request_id: object = None
            if type(metadata) is dict:  # botocore's own; a Stubber's reply has none
                request_id = cast("dict[str, object]", metadata).get("RequestId")
            if type(request_id) is not str or not request_id:
                request_id = None
            if returns == "job id":
                return job_id(result.job_id, request_id)
            workflow = params.get("workflowName")
            if returns == "model":
                result.__dict__[key] = request_id
                result.__dict__[workflow_key] = workflow
                return result
            for job in result.jobs:
                job.__dict__[key] = request_id
                job.__dict__[workflow_key] = workflow
            return result.jobs

        return read


class JobKind(Generic[JobT, SummaryT_co]):
    """One kind of job the service runs: its operations and its errors.

    Matching and ID mapping jobs differ only in these: the shells and the
    waiter take a kind, and reading replies and translating errors are the
    same for both.
    """

    __slots__ = ("failed", "get", "list", "noun", "start", "timed_out", "workflow")

    def __init__(
        self,
        *,
        noun: str,
        get: Operation[JobT],
        start: Operation[JobId],
        list: Operation[tuple[SummaryT_co, ...]],
        workflow: Operation[WorkflowOutput],
        failed: type[JobFailedError],
        timed_out: type[WaitTimeoutError],
    ) -> None:
        self.noun = noun
        self.get = get
        self.start = start
        self.list = list
        self.workflow = workflow
        self.failed = failed
        self.timed_out = timed_out


MATCHING: JobKind[MatchingJob, MatchingJobSummary] = JobKind(
    noun="matching job",
    get=Operation("GetMatchingJob", "get_matching_job", "MatchingJob"),
    start=Operation("StartMatchingJob", "start_matching_job", "StartedJob", "job id"),
    list=Operation("ListMatchingJobs", "list_matching_jobs", "MatchingJobsPage", "jobs"),
    workflow=Operation("GetMatchingWorkflow", "get_matching_workflow", "WorkflowOutput"),
    failed=MatchingJobFailedError,
    timed_out=MatchingJobWaitTimeoutError,
)
ID_MAPPING: JobKind[IdMappingJob, IdMappingJobSummary] = JobKind(
    noun="ID mapping job",
    get=Operation("GetIdMappingJob", "get_id_mapping_job", "IdMappingJob"),
    start=Operation("StartIdMappingJob", "start_id_mapping_job", "StartedJob", "job id"),
    list=Operation("ListIdMappingJobs", "list_id_mapping_jobs", "IdMappingJobsPage", "jobs"),
    workflow=Operation("GetIdMappingWorkflow", "get_id_mapping_workflow", "WorkflowOutput"),
    failed=IdMappingJobFailedError,
    timed_out=IdMappingJobWaitTimeoutError,
)


def kind_of(job: object) -> JobKind[Any, Any]:
    """The kind of ``job``: `MATCHING` for a `MatchingJob`, `ID_MAPPING` for an `IdMappingJob`.

    Raises:
        InvalidInputError: ``job`` is neither.
    """
    from ._models import IdMappingJob, MatchingJob  # noqa: PLC0415 - models load on first use

    if isinstance(job, MatchingJob):
        return MATCHING
    if isinstance(job, IdMappingJob):
        return ID_MAPPING
    raise InvalidInputError(
        "job must be a MatchingJob or IdMappingJob, as get_* and wait_for_* return; "
        f"got {type(job).__name__}",
        parameter="job",
    )


def id_mapping_start_params(
    workflow_name: str,
    job_type: IdMappingJobType | None,
    output_source: OutputSource | None,
) -> dict[str, object]:
    """The StartIdMappingJob request, with only the arguments given.

    Raises:
        InvalidInputError: ``job_type`` is not a type a job can be started
            with, or ``output_source`` is not an `OutputSource`.
    """
    params: dict[str, object] = {"workflowName": workflow_name}
    # Checked as objects: callers without a type checker pass anything.
    given_type, given_output = cast("object", job_type), cast("object", output_source)
    if given_type is not None:
        known = IdMappingJobType(given_type) if isinstance(given_type, str) else None
        if known is None or known is IdMappingJobType.UNKNOWN:
            choices = ", ".join(t for t in IdMappingJobType if t is not IdMappingJobType.UNKNOWN)
            raise InvalidInputError(
                f"job_type must be one of {choices}; got {job_type!r}", parameter="job_type"
            )
        params["jobType"] = known.value
    if given_output is not None:
        from ._models import OutputSource  # noqa: PLC0415 - models load on first use

        if not isinstance(given_output, OutputSource):
            raise InvalidInputError(
                f"output_source must be an OutputSource; got {type(given_output).__name__}",
                parameter="output_source",
            )
        params["outputSourceConfig"] = [given_output.to_service_dict()]
    return params


class Connection:
    """A client the shells call, its service model, and the checker for that model."""

    __slots__ = ("checker", "client", "service_model")

    def __init__(
        self, client: BaseClient, checker: RequestChecker, service_model: ServiceModel
    ) -> None:
        self.client = client
        self.checker = checker
        self.service_model = service_model


def connect_to(client: BaseClient) -> Connection:
    """Wrap a botocore or aiobotocore client; TypeError if it is not Entity Resolution's."""
    service_model = client.meta.service_model
    if service_model.service_name != SERVICE_NAME:
        raise TypeError(
            f"expected an {SERVICE_NAME!r} client, got a {service_model.service_name!r} client"
        )
    return Connection(client, RequestChecker(service_model), service_model)


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
        s3_client: BaseClient | None = None,
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
        if session is not None:
            self._check_session(session)
        self._session: SessionT | None = session
        self._profile_name = profile_name
        self._region_name = region_name
        self._endpoint_url = endpoint_url
        self._config = config
        self._owns_client = client is None
        self._connection = None if client is None else connect_to(client)
        if s3_client is not None and s3_client.meta.service_model.service_name != "s3":
            raise TypeError(
                f"expected an 's3' client, got a {s3_client.meta.service_model.service_name!r} "
                "client"
            )
        self._s3_client: BaseClient | None = s3_client  # else built on first use
        self._owns_s3_client = s3_client is None

    def _prepare(self) -> None:
        """Set up what the shell's I/O needs (its lock); first thing in ``__init__``."""
        raise NotImplementedError

    def _check_session(self, session: SessionT) -> None:
        """Refuse a session of the right type that cannot build this shell's clients."""

    def __repr__(self) -> str:
        # Where requests go (from the client once built); never credentials.
        connection = self._connection
        region, endpoint = self._region_name, self._endpoint_url
        if connection is not None:
            region = connection.client.meta.region_name
            endpoint = connection.client.meta.endpoint_url
        elif region is None:
            region = self._configured_region()
        # The nearest public class: the Airflow hook's private subclasses show as the shell.
        name = next(c.__name__ for c in type(self).__mro__ if not c.__name__.startswith("_"))
        return f"{name}(region_name={region!r}, endpoint_url={endpoint!r})"

    def _configured_region(self) -> str | None:
        """The region a client built now would use, before one is built; None if unknown.

        Read from the session's configuration (the environment, the profile),
        as botocore reads it when it builds the client; nothing is built.
        """
        import sys  # noqa: PLC0415 - only for a repr before the first call

        from botocore.exceptions import BotoCoreError  # noqa: PLC0415
        from botocore.session import Session as BotocoreSession  # noqa: PLC0415

        session: object = self._session
        boto3 = sys.modules.get("boto3")
        if session is None and self._profile_name is None and boto3 is not None:
            session = boto3.DEFAULT_SESSION  # the one the client would be built on, if made
        if session is None:
            session = BotocoreSession(profile=self._profile_name)
        if not isinstance(session, BotocoreSession):
            session = getattr(session, "_session", None)  # a boto3 session keeps botocore's
        if not isinstance(session, BotocoreSession):
            return None
        try:
            region = session.get_config_variable("region")
        except BotoCoreError:  # a missing profile, a broken config file: unknown here
            return None
        return region if isinstance(region, str) else None


def validation_problems(error: ValidationError, whole: str) -> str:
    """Pydantic's complaints in one line (``where: what; ...``), without the input's values.

    ``whole`` names a complaint about the whole document rather than a field.
    """
    return "; ".join(
        f"{'.'.join(str(part) for part in problem['loc']) or whole}: {problem['msg']}"
        for problem in error.errors(include_url=False, include_input=False)
    )


def _unreadable(
    operation: str, reply: Mapping[str, object], error: ValidationError
) -> ResponseError:
    problems = validation_problems(error, "reply")
    http_status, request_id = reply_metadata(reply)
    return ResponseError(
        f"{operation} returned a reply that is not a valid result: {problems}",
        http_status=http_status,
        request_id=request_id,
    )


def raise_translated(
    error: Exception, operation: str, service_model: ServiceModel | None = None
) -> NoReturn:
    """Raise this library's exception for ``error`` (from it), or ``error`` itself.

    For an ``except`` clause around a call on the per-call path, where
    entering `translating` would cost three Python calls.
    """
    translated = translate(error, operation, service_model)
    if translated is error:
        raise error
    raise translated from error


class translating:  # noqa: N801 - used as a statement, like contextlib's helpers
    """Context manager: re-raise a botocore call's errors as this library's.

    A plain class rather than ``@contextmanager``: it runs on every call, and
    this is the cheaper of the two. It works around awaited calls as well.
    """

    __slots__ = ("_operation", "_service_model")

    def __init__(self, operation: str, service_model: ServiceModel | None = None) -> None:
        self._operation = operation
        self._service_model = service_model

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
        translated = self._translate(error)
        if translated is not error:
            raise translated from error

    def _translate(self, error: Exception) -> BaseException:
        # Only on an error: the call's own path pays nothing for the hook.
        return translate(error, self._operation, self._service_model)


class translating_s3(translating):  # noqa: N801 - a statement, as `translating`
    """Context manager: re-raise an S3 call's errors as this library's, naming ``subject``.

    ``subject`` is what the call was about (``s3://bucket/prefix``), which
    the message of an error S3 answered with names.
    """

    __slots__ = ("_subject",)

    def __init__(self, operation: str, subject: str) -> None:
        super().__init__(operation)
        self._subject = subject

    def _translate(self, error: Exception) -> BaseException:
        return translate_s3(error, self._operation, self._subject)
