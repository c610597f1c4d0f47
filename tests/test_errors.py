"""The exception hierarchy and the translation of botocore's errors."""

from __future__ import annotations

import pickle

import botocore.session
import pytest
from botocore import exceptions as botocore_errors

import entityresolution_jobs as erj
from entityresolution_jobs import (
    AccessDeniedError,
    ConfigurationError,
    ConflictError,
    CredentialsError,
    EntityResolutionError,
    ExceedsLimitError,
    InternalServerError,
    InvalidInputError,
    RequestTimeoutError,
    ResourceNotFoundError,
    ResponseError,
    ServiceError,
    ServiceValidationError,
    ThrottlingError,
    TransportError,
)
from entityresolution_jobs._errors import translate

SERVICE_ERRORS: list[tuple[type[ServiceError], str]] = [
    (AccessDeniedError, "AccessDeniedException"),
    (ConflictError, "ConflictException"),
    (ExceedsLimitError, "ExceedsLimitException"),
    (InternalServerError, "InternalServerException"),
    (ResourceNotFoundError, "ResourceNotFoundException"),
    (ServiceValidationError, "ValidationException"),
    (ThrottlingError, "ThrottlingException"),
]

ALL_ERRORS = [
    EntityResolutionError,
    ServiceError,
    *(cls for cls, _ in SERVICE_ERRORS),
    ResponseError,
    TransportError,
    RequestTimeoutError,
    CredentialsError,
    ConfigurationError,
]


def _client_error(code: str, status: int = 400, request_id: str = "rid-7") -> Exception:
    response = {
        "Error": {"Code": code, "Message": f"{code} happened"},
        "ResponseMetadata": {"HTTPStatusCode": status, "RequestId": request_id},
    }
    return botocore_errors.ClientError(response, "GetMatchingJob")  # type: ignore[arg-type]


@pytest.mark.parametrize(("cls", "code"), SERVICE_ERRORS)
def test_each_service_error_declares_its_aws_code(cls: type[ServiceError], code: str) -> None:
    assert cls.code == code
    assert ServiceError.for_code(code) is cls


def test_every_error_the_service_model_declares_has_a_class() -> None:
    model = botocore.session.get_session().get_service_model("entityresolution")

    declared = {shape.name for shape in model.error_shapes}

    assert declared <= {code for _, code in SERVICE_ERRORS}


def test_an_unknown_code_falls_back_to_service_error() -> None:
    assert ServiceError.for_code("BrandNewException") is ServiceError


@pytest.mark.parametrize("cls", ALL_ERRORS)
def test_every_error_is_an_entity_resolution_error_and_exported(
    cls: type[EntityResolutionError],
) -> None:
    assert issubclass(cls, EntityResolutionError)
    assert cls.__name__ in erj.__all__
    assert getattr(erj, cls.__name__) is cls


def test_invalid_input_is_also_a_value_error() -> None:
    error = InvalidInputError("job_id is wrong", parameter="job_id")

    assert isinstance(error, ValueError)
    assert error.parameter == "job_id"


@pytest.mark.parametrize("cls", ALL_ERRORS)
def test_every_error_survives_pickle(cls: type[EntityResolutionError]) -> None:
    error = cls("it broke", http_status=503, request_id="rid-1")

    again = pickle.loads(pickle.dumps(error))

    assert type(again) is cls
    assert (again.code, again.message, again.http_status, again.request_id) == (
        error.code,
        "it broke",
        503,
        "rid-1",
    )
    assert str(again) == str(error)


def test_invalid_input_survives_pickle_with_its_parameter() -> None:
    again = pickle.loads(pickle.dumps(InvalidInputError("bad", parameter="workflow_name")))

    assert again.parameter == "workflow_name"
    assert str(again) == "bad"


def test_an_error_from_a_reply_says_its_code_status_and_request_id() -> None:
    error = ResourceNotFoundError("no such job", http_status=404, request_id="abc-123")

    assert str(error) == "no such job (ResourceNotFoundException, HTTP 404, request id abc-123)"
    assert repr(error) == (
        "ResourceNotFoundError('no such job', code='ResourceNotFoundException', "
        "http_status=404, request_id='abc-123')"
    )


def test_an_error_raised_before_any_reply_is_just_its_message() -> None:
    assert str(TransportError("connection refused")) == "connection refused"


@pytest.mark.parametrize(("cls", "code"), SERVICE_ERRORS)
def test_a_client_error_becomes_the_class_of_its_code(cls: type[ServiceError], code: str) -> None:
    raised = _client_error(code, status=418, request_id="rid-9")

    error = translate(raised, "GetMatchingJob")

    assert type(error) is cls
    assert isinstance(error, ServiceError)
    assert (error.code, error.message, error.http_status, error.request_id) == (
        code,
        f"{code} happened",
        418,
        "rid-9",
    )


def test_a_client_error_with_an_unmodeled_code_keeps_that_code() -> None:
    error = translate(_client_error("QuotaWentAwayException", 409), "GetMatchingJob")

    assert type(error) is ServiceError
    assert isinstance(error, ServiceError)
    assert error.code == "QuotaWentAwayException"
    assert error.http_status == 409


def test_a_client_error_without_details_still_translates() -> None:
    raised = botocore_errors.ClientError({}, "GetMatchingJob")

    error = translate(raised, "GetMatchingJob")

    assert type(error) is ServiceError
    assert isinstance(error, ServiceError)
    assert error.code == "Unknown"
    assert error.request_id is None
    assert error.http_status is None


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (botocore_errors.EndpointConnectionError(endpoint_url="http://x"), TransportError),
        (botocore_errors.ConnectionClosedError(endpoint_url="http://x"), TransportError),
        (botocore_errors.ConnectTimeoutError(endpoint_url="http://x"), RequestTimeoutError),
        (botocore_errors.ReadTimeoutError(endpoint_url="http://x"), RequestTimeoutError),
        (botocore_errors.NoCredentialsError(), CredentialsError),
        (botocore_errors.PartialCredentialsError(provider="env", cred_var="key"), CredentialsError),
        (botocore_errors.CredentialRetrievalError(provider="sso", error_msg="x"), CredentialsError),
        (botocore_errors.TokenRetrievalError(provider="sso", error_msg="x"), CredentialsError),
        (botocore_errors.NoRegionError(), ConfigurationError),
        (botocore_errors.ProfileNotFound(profile="missing"), ConfigurationError),
        (botocore_errors.InvalidConfigError(error_msg="bad"), ConfigurationError),
    ],
)
def test_botocore_errors_map_to_their_classes(
    raised: Exception, expected: type[EntityResolutionError]
) -> None:
    error = translate(raised, "GetMatchingJob")

    assert type(error) is expected
    assert isinstance(error, EntityResolutionError)
    assert error.message == str(raised)
    assert error.http_status is None


def test_any_other_botocore_error_is_an_entity_resolution_error_named_for_it() -> None:
    error = translate(
        botocore_errors.UnknownServiceError(service_name="x", known_service_names="y"),
        "GetMatchingJob",
    )

    assert type(error) is EntityResolutionError
    assert isinstance(error, EntityResolutionError)
    assert error.code == "UnknownServiceError"


def test_botocore_parameter_validation_becomes_invalid_input() -> None:
    raised = botocore_errors.ParamValidationError(report="Invalid length for parameter jobId")

    error = translate(raised, "GetMatchingJob")

    assert isinstance(error, InvalidInputError)
    assert "jobId" in str(error)


def test_a_value_error_not_raised_by_botocore_parsers_is_left_alone() -> None:
    raised = ValueError("a bug elsewhere")

    assert translate(raised, "GetMatchingJob") is raised
