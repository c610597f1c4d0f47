"""The exception hierarchy, and the translation of botocore's errors into it.

Every error this library raises is an `EntityResolutionError`:

```text
EntityResolutionError                 every error of this library
├── ServiceError                      the service answered with an error
│   ├── AccessDeniedError             AccessDeniedException (403)
│   ├── ConflictError                 ConflictException (400)
│   ├── ExceedsLimitError             ExceedsLimitException (402)
│   ├── InternalServerError           InternalServerException (500)
│   ├── ResourceNotFoundError         ResourceNotFoundException (404)
│   ├── ServiceValidationError        ValidationException (400)
│   └── ThrottlingError               ThrottlingException (429)
├── InvalidInputError (ValueError)    bad arguments; nothing was sent
│   └── JobNotSucceededError          output asked of a job that has not SUCCEEDED (.job)
├── ResponseError                     a reply that cannot be read
├── TransportError                    no reply: connection refused, reset, ...
│   └── RequestTimeoutError           connect or read timed out
├── CredentialsError                  no usable AWS credentials
├── ConfigurationError                e.g. no region configured
├── JobFailedError                    a waited-for job FAILED (.job)
│   ├── MatchingJobFailedError        ... a matching job (.job: MatchingJob)
│   └── IdMappingJobFailedError       ... an ID mapping job (.job: IdMappingJob)
├── WaitTimeoutError (TimeoutError)   a wait ran out of time (.job: last state seen)
│   ├── MatchingJobWaitTimeoutError   ... on a matching job
│   └── IdMappingJobWaitTimeoutError  ... on an ID mapping job
├── WatchJobsError                    jobs a many-job watch could not follow (.errors)
└── OutputNotFoundError               a SUCCEEDED job's output folder is nowhere (.locations)
    └── OutputNotInS3Error            the workflow writes to Customer Profiles, not S3
```

Reading a job's output calls S3, whose errors are translated by the same
classes, named after the bucket: ``AccessDenied`` is an
`AccessDeniedError`, ``NoSuchBucket`` and ``NoSuchKey`` are
`ResourceNotFoundError`, ``SlowDown`` a `ThrottlingError`.

One ``except JobFailedError`` catches a failed wait of either kind; the
subclass of each kind types ``error.job`` exactly, so ``except
IdMappingJobFailedError as error`` gives an `IdMappingJob` without a cast.

A service error whose code this version does not know is raised as a plain
`ServiceError` carrying that code. Translation is a lookup: each
service error class declares its AWS ``code`` and registers itself; botocore
exception types map to our classes through a table walked along the raised
exception's method resolution order. The botocore exception is kept as
``__cause__``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar, TypeVar, cast

from botocore import exceptions as botocore_errors

if TYPE_CHECKING:
    from types import TracebackType

    from botocore.model import ServiceModel

    from ._models import IdMappingJob, MatchingJob

__all__ = [
    "AccessDeniedError",
    "ConfigurationError",
    "ConflictError",
    "CredentialsError",
    "EntityResolutionError",
    "ExceedsLimitError",
    "IdMappingJobFailedError",
    "IdMappingJobWaitTimeoutError",
    "InternalServerError",
    "InvalidInputError",
    "JobFailedError",
    "JobNotSucceededError",
    "MatchingJobFailedError",
    "MatchingJobWaitTimeoutError",
    "OutputNotFoundError",
    "OutputNotInS3Error",
    "RequestTimeoutError",
    "ResourceNotFoundError",
    "ResponseError",
    "ServiceError",
    "ServiceValidationError",
    "ThrottlingError",
    "TransportError",
    "WaitTimeoutError",
    "WatchJobsError",
]

JobT = TypeVar("JobT", bound="MatchingJob | IdMappingJob")
"""The kind of job a wait is about."""


class EntityResolutionError(Exception):
    """Base class of every error raised by this library.

    Attributes:
        code: The AWS error code (``"ResourceNotFoundException"``), or for
            errors raised on this side of the wire a short name of our own
            (``"InvalidInput"``, ``"TransportError"``, ...).
        message: The human-readable message, as the service sent it where
            there is one.
        http_status: The HTTP status of the reply, or ``None`` when there was
            no reply.
        request_id: The service's request id (``x-amzn-RequestId``), the
            handle AWS support asks for, or ``None`` when there was no reply.
        is_retryable: Whether botocore's retry logic (``standard`` mode)
            would send the request again: throttling, a 5xx reply, an error
            the service model marks retryable, a dropped connection or a
            timeout. Errors raised here after the client's own retries keep
            the verdict, for callers who retry on their own. ``False`` for
            errors raised on this side of the wire.
        is_throttling: Whether botocore counts it as throttling (the codes
            its retry logic lists, and errors the service model marks so),
            the kind to back off from harder.

    Example:
        ```python
        try:
            job = er.get_matching_job("customers", job_id)
        except EntityResolutionError as error:
            log.error("lookup failed: %s (request id %s)", error, error.request_id)
        ```
    """

    code: str = "EntityResolutionError"
    is_retryable: bool = False
    is_throttling: bool = False

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        http_status: int | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.http_status = http_status
        self.request_id = request_id

    def __str__(self) -> str:
        # Errors raised on this side of the wire have only their message;
        # those from a reply add what identifies it for AWS support.
        if self.http_status is None and self.request_id is None:
            return self.message
        details = [self.code]
        if self.http_status is not None:
            details.append(f"HTTP {self.http_status}")
        if self.request_id:
            details.append(f"request id {self.request_id}")
        return f"{self.message} ({', '.join(details)})"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, code={self.code!r}, "
            f"http_status={self.http_status!r}, request_id={self.request_id!r})"
        )

    def __reduce__(self) -> tuple[object, ...]:
        # Exception pickles as cls(*args), which loses the keyword-only
        # attributes; rebuild from the instance dictionary instead.
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


def _rebuild(
    cls: type[EntityResolutionError], args: tuple[object, ...], state: dict[str, object]
) -> EntityResolutionError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class ServiceError(EntityResolutionError):
    """The service answered with an error.

    Subclasses stand for the error codes the service model declares; a code
    this version does not know is raised as a plain ``ServiceError`` with
    `code` set to it.
    """

    code = "ServiceError"
    _registry: ClassVar[dict[str, type[ServiceError]]] = {}

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "code" in cls.__dict__:
            ServiceError._registry[cls.code] = cls

    @classmethod
    def for_code(cls, code: str) -> type[ServiceError]:
        """Return the class registered for an AWS error code (``ServiceError`` if none)."""
        return cls._registry.get(code, ServiceError)


class AccessDeniedError(ServiceError):
    """The caller's credentials do not allow the operation (HTTP 403)."""

    code = "AccessDeniedException"


class ConflictError(ServiceError):
    """The request conflicts with the resource's state (HTTP 400)."""

    code = "ConflictException"


class ExceedsLimitError(ServiceError):
    """An account or workflow limit was reached (HTTP 402)."""

    code = "ExceedsLimitException"


class InternalServerError(ServiceError):
    """The service failed internally (HTTP 500); retrying may succeed."""

    code = "InternalServerException"


class ResourceNotFoundError(ServiceError):
    """The workflow or job does not exist, or is not visible (HTTP 404)."""

    code = "ResourceNotFoundException"


class ServiceValidationError(ServiceError):
    """The service rejected the request's parameters (HTTP 400).

    Named so as not to clash with ``pydantic.ValidationError``. Arguments
    that break the service model's constraints are caught before sending, as
    `InvalidInputError`; this is what the service itself refused.
    """

    code = "ValidationException"


class ThrottlingError(ServiceError):
    """The request was throttled (HTTP 429) and retries were exhausted."""

    code = "ThrottlingException"


class InvalidInputError(EntityResolutionError, ValueError):
    """An argument breaks the service model's constraints; nothing was sent.

    Also a ``ValueError``, so code that already guards against bad values
    catches it.

    Attributes:
        parameter: The name of the offending argument, as the caller wrote it
            (``"job_id"``).
    """

    code = "InvalidInput"

    def __init__(self, message: str, *, parameter: str) -> None:
        super().__init__(message)
        self.parameter = parameter


class JobNotSucceededError(InvalidInputError):
    """The output of a job that has not SUCCEEDED was asked for; nothing was read.

    A QUEUED, RUNNING or FAILED job's output is incomplete or absent; pass
    ``partial=True`` to ``get_job_output`` to see what it has written so far.

    Attributes:
        job: The job, as it was passed in.
    """

    code = "JobNotSucceeded"

    def __init__(self, job: MatchingJob | IdMappingJob) -> None:
        super().__init__(
            f"job {job.job_id} is {job.raw_status}, not SUCCEEDED: its output is not complete "
            "(pass partial=True to see what it has written so far)",
            parameter="job",
        )
        self.job = job


class OutputNotFoundError(EntityResolutionError):
    """A SUCCEEDED job's output was not found, or the job names nowhere to look.

    The service writes a run's files in a folder named after the job id;
    the library looks under the output location (``outputS3Path``) in the
    workflow's folder, right under the location, then one level deeper.
    The message names every folder searched, or says why none could be.

    Attributes:
        job_id: The job whose output was looked for.
        locations: The S3 folders searched (``s3://bucket/prefix/``).
    """

    code = "OutputNotFound"

    def __init__(self, job_id: str, locations: tuple[str, ...], reason: str = "") -> None:
        if reason:
            message = f"no output of job {job_id} can be looked for: {reason}"
        else:
            message = (
                f"no output folder of job {job_id} was found, though its counts say it wrote "
                f"records; searched {', '.join(locations)} and one level below each location"
            )
        super().__init__(message)
        self.job_id = job_id
        self.locations = locations


class OutputNotInS3Error(OutputNotFoundError):
    """The job's workflow writes its output to Customer Profiles, not to S3.

    Its output location (``outputS3Path``) is empty: the records went to an
    Amazon Connect Customer Profiles domain, which this library does not
    read.
    """

    code = "OutputNotInS3"

    def __init__(self, job_id: str, workflow_name: str) -> None:
        super().__init__(
            job_id,
            (),
            f"workflow {workflow_name} writes its output to Amazon Connect Customer Profiles, "
            "not to S3 (its outputS3Path is empty)",
        )


class ResponseError(EntityResolutionError):
    """A reply arrived but cannot be read as the operation's result.

    For instance a required field is missing, a timestamp or number cannot be
    parsed, or the body is not JSON at all.
    """

    code = "InvalidResponse"


class TransportError(EntityResolutionError):
    """No reply was received: the connection failed, was refused or reset."""

    code = "TransportError"


class RequestTimeoutError(TransportError):
    """Connecting to the service, or reading its reply, timed out."""

    code = "RequestTimeout"


class CredentialsError(EntityResolutionError):
    """No usable AWS credentials were found, or they could not be loaded."""

    code = "CredentialsError"


class ConfigurationError(EntityResolutionError):
    """The client cannot be configured, e.g. because no region is set."""

    code = "ConfigurationError"


class JobFailedError(EntityResolutionError):
    """A job that was waited for ended FAILED.

    Waits raise the subclass of their job's kind, `MatchingJobFailedError`
    or `IdMappingJobFailedError`, whose ``job`` has the kind's exact type;
    catch this class to handle either kind.

    Attributes:
        job: The job as last fetched; its ``error_message`` says why. This
            class types it as a `MatchingJob`, as it was before ID mapping
            jobs, so that matching-job code type-checks unchanged. A handler
            of both kinds should use only what every job has (``job_id``,
            ``status``, ``error_message``, times, ``metrics.progress``), or
            catch the subclasses.
    """

    code = "JobFailed"
    job: MatchingJob

    def __init__(self, job: MatchingJob | IdMappingJob, *, description: str | None = None) -> None:
        what = description or f"job {job.job_id}"
        super().__init__(f"{what} FAILED: {job.error_message or 'the service gave no reason'}")
        # Typed by the class attribute: MatchingJob here, exact in each subclass.
        self.job = cast("MatchingJob", job)


class MatchingJobFailedError(JobFailedError):
    """A matching job that was waited for ended FAILED; ``job`` is a `MatchingJob`."""


class IdMappingJobFailedError(JobFailedError):
    """An ID mapping job that was waited for ended FAILED; ``job`` is an `IdMappingJob`."""

    # Narrower than the base's on purpose: see JobFailedError.job.
    job: IdMappingJob  # type: ignore[assignment]  # pyright: ignore[reportIncompatibleVariableOverride]


class WaitTimeoutError(EntityResolutionError, TimeoutError):
    """A wait ran out of time before the job ended. Also a ``TimeoutError``.

    Waits raise the subclass of their job's kind,
    `MatchingJobWaitTimeoutError` or `IdMappingJobWaitTimeoutError`, whose
    ``job`` has the kind's exact type; catch this class to handle either.

    Attributes:
        job: The last state fetched, or ``None`` if no poll succeeded. Typed
            as in `JobFailedError`: a `MatchingJob` here, exact in the
            subclasses.
    """

    code = "WaitTimeout"
    job: MatchingJob | None

    def __init__(self, message: str, *, job: MatchingJob | IdMappingJob | None) -> None:
        super().__init__(message)
        self.job = cast("MatchingJob | None", job)


class MatchingJobWaitTimeoutError(WaitTimeoutError):
    """A wait on a matching job ran out of time; ``job`` is a `MatchingJob` or ``None``."""


class IdMappingJobWaitTimeoutError(WaitTimeoutError):
    """A wait on an ID mapping job ran out of time; ``job`` is an `IdMappingJob` or ``None``."""

    # Narrower than the base's on purpose: see JobFailedError.job.
    job: IdMappingJob | None  # type: ignore[assignment]  # pyright: ignore[reportIncompatibleVariableOverride]


class WatchJobsError(EntityResolutionError):
    """Some jobs of a ``watch_*_jobs`` call could not be followed to their end.

    Raised when the iteration is over, after every other job was yielded:
    a job whose poll failed with an error a wait does not ride out (not
    found, access denied, ...) was dropped at once, and a job still running
    at the deadline was dropped then.

    Attributes:
        errors: Each dropped job's error, by ``(workflow_name, job_id)``:
            the service's error class, or the kind's ``WaitTimeoutError``.
    """

    code = "WatchIncomplete"

    def __init__(self, errors: Mapping[tuple[str, str], EntityResolutionError]) -> None:
        listed = "; ".join(
            f"{job_id} of {workflow}: {error}" for (workflow, job_id), error in errors.items()
        )
        super().__init__(f"{len(errors)} job(s) could not be watched to their end: {listed}")
        self.errors = dict(errors)


# botocore's exception types mapped to ours; the first class on the raised
# exception's MRO that appears here wins, so subclasses may be refined above
# their bases. BotoCoreError is the catch-all.
_BOTOCORE_ERRORS: Mapping[type[BaseException], type[EntityResolutionError]] = {
    botocore_errors.ConnectTimeoutError: RequestTimeoutError,
    botocore_errors.ReadTimeoutError: RequestTimeoutError,
    botocore_errors.ConnectionError: TransportError,
    botocore_errors.HTTPClientError: TransportError,
    # A reply's body that broke off midway: the connection failed, as above.
    botocore_errors.ResponseStreamingError: TransportError,
    botocore_errors.IncompleteReadError: TransportError,
    botocore_errors.NoCredentialsError: CredentialsError,
    botocore_errors.PartialCredentialsError: CredentialsError,
    botocore_errors.CredentialRetrievalError: CredentialsError,
    botocore_errors.UnknownCredentialError: CredentialsError,
    botocore_errors.NoAuthTokenError: CredentialsError,
    botocore_errors.TokenRetrievalError: CredentialsError,
    botocore_errors.SSOError: CredentialsError,
    botocore_errors.NoRegionError: ConfigurationError,
    # The named profile is not in the config files: the caller's setting is wrong.
    botocore_errors.ProfileNotFound: ConfigurationError,
    botocore_errors.InvalidConfigError: ConfigurationError,
    botocore_errors.BotoCoreError: EntityResolutionError,
}

# An exception that is not botocore's own but passed through these modules
# means "the reply could not be parsed": botocore raises ValueError for a bad
# timestamp or number, RuntimeError for an out-of-range time stamp, and
# TypeError or AttributeError for a body that is JSON but not an object.
_PARSER_MODULES = ("botocore.parsers", "aiobotocore.parsers")


def translate(
    error: BaseException, operation: str, service_model: ServiceModel | None = None
) -> BaseException:
    """Return our exception for an error raised by a botocore call.

    ``error`` is returned unchanged when it is neither botocore's nor a
    failure of botocore's reply parser: a bug elsewhere is not masked.
    The caller raises the result ``from error``.

    Args:
        error: What the botocore call raised.
        operation: The operation's name, for the message.
        service_model: The client's service model, whose retryable traits
            `is_retryable` and `is_throttling` take into account.
    """
    translated = _translated(error, operation)
    if isinstance(translated, EntityResolutionError):
        translated.is_retryable, translated.is_throttling = _retry_verdict(
            error, operation, service_model
        )
    return translated


def _retry_verdict(
    error: BaseException, operation: str, service_model: ServiceModel | None
) -> tuple[bool, bool]:
    """(retryable, throttling) as botocore's standard retry mode decides for ``error``.

    Its own checkers, on the context its retry handler would build: error
    codes it treats as transient or throttling, 5xx statuses, connection
    errors, and the service model's retryable traits. (Its two special
    cases, STS's IDPCommunicationError and DynamoDB's checksum, cannot
    arise here.)
    """
    from botocore.retries import standard  # noqa: PLC0415 - only when something failed

    response = error.response if isinstance(error, botocore_errors.ClientError) else None
    status = None if response is None else reply_metadata(response)[0]
    operation_model = None
    if service_model is not None and operation in service_model.operation_names:
        operation_model = service_model.operation_model(operation)
    context = standard.RetryContext(
        attempt_number=1,
        operation_model=operation_model,
        parsed_response=response,
        http_response=None if status is None else _HttpStatus(status),
        caught_exception=error if response is None and isinstance(error, Exception) else None,
    )
    throttled = standard.ThrottledRetryableChecker().is_retryable(context)
    modeled = standard.ModeledRetryErrorDetector()
    kind = modeled.detect_error_type(context)
    retryable = (
        throttled or kind is not None or standard.TransientRetryableChecker().is_retryable(context)
    )
    return retryable, throttled or kind == modeled.THROTTLING_ERROR


class _HttpStatus:
    """The part of an HTTP response botocore's retry checkers read: its status."""

    __slots__ = ("status_code",)

    def __init__(self, status_code: int) -> None:
        self.status_code = status_code


def _translated(error: BaseException, operation: str) -> BaseException:
    if isinstance(error, botocore_errors.ClientError):
        return _from_client_error(error)
    if isinstance(error, botocore_errors.ParamValidationError):
        return InvalidInputError(str(error), parameter="")
    for klass in type(error).__mro__:
        target = _BOTOCORE_ERRORS.get(klass)
        if target is not None:
            # The catch-all keeps botocore's class name as the code.
            code = type(error).__name__ if target is EntityResolutionError else None
            return target(str(error), code=code)
    if _raised_by_parser(error.__traceback__):
        return ResponseError(f"{operation} returned a reply that could not be parsed: {error}")
    return error


# S3's error codes, which differ from Entity Resolution's, mapped to our classes.
_S3_ERRORS: Mapping[str, type[ServiceError]] = {
    "AccessDenied": AccessDeniedError,
    "AllAccessDisabled": AccessDeniedError,
    "403": AccessDeniedError,
    "NoSuchBucket": ResourceNotFoundError,
    "NoSuchKey": ResourceNotFoundError,
    "404": ResourceNotFoundError,
    "SlowDown": ThrottlingError,
    "503": ThrottlingError,
    "InternalError": InternalServerError,
    "ServiceUnavailable": InternalServerError,
}


def translate_s3(error: BaseException, operation: str, subject: str) -> BaseException:
    """As `translate`, for an S3 call about ``subject`` (``s3://bucket/key``).

    An error S3 answered with becomes the class of its S3 code, its message
    naming the operation and the subject (so that an access denied says
    which bucket); the S3 code is kept as ``code``.
    """
    translated = translate(error, operation)
    if not isinstance(translated, ServiceError):
        return translated  # no reply (its message names the URL), or not botocore's
    s3_error = _S3_ERRORS.get(translated.code, ServiceError)(
        f"S3 {operation} of {subject}: {translated.message}",
        code=translated.code,
        http_status=translated.http_status,
        request_id=translated.request_id,
    )
    s3_error.is_retryable, s3_error.is_throttling = (
        translated.is_retryable,
        translated.is_throttling,
    )
    return s3_error


def reply_metadata(reply: Mapping[str, object]) -> tuple[int | None, str | None]:
    """Return the HTTP status and request id of a botocore reply, where it has them."""
    metadata = reply.get("ResponseMetadata")
    if not isinstance(metadata, Mapping):
        return None, None
    fields = cast("Mapping[str, object]", metadata)
    status = fields.get("HTTPStatusCode")
    request_id = fields.get("RequestId")
    return (
        status if isinstance(status, int) else None,
        request_id if isinstance(request_id, str) and request_id else None,
    )


def _from_client_error(error: botocore_errors.ClientError) -> ServiceError:
    response: Mapping[str, object] = error.response
    details = response.get("Error")
    if not isinstance(details, Mapping):
        details = {}
    fields = cast("Mapping[str, object]", details)
    code = str(fields.get("Code") or "Unknown")
    message = str(fields.get("Message") or error)
    http_status, request_id = reply_metadata(response)
    return ServiceError.for_code(code)(
        message, code=code, http_status=http_status, request_id=request_id
    )


def _raised_by_parser(traceback: TracebackType | None) -> bool:
    while traceback is not None:
        if traceback.tb_frame.f_globals.get("__name__", "") in _PARSER_MODULES:
            return True
        traceback = traceback.tb_next
    return False
