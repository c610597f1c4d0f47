"""The errors the fake service answers with, in the service's own codes.

moto serializes a ``ServiceException`` with the HTTP status its error shape
declares in botocore's model, and the code in ``x-amzn-ErrorType``.
"""

from __future__ import annotations

from moto.core.exceptions import ServiceException


class ValidationException(ServiceException):
    """A request breaks the service model's constraints (400)."""

    code = "ValidationException"


class ResourceNotFoundException(ServiceException):
    """No such workflow or job in this account and region (404)."""

    code = "ResourceNotFoundException"


class ConflictException(ServiceException):
    """A duplicate workflow name, or a job already in progress (400)."""

    code = "ConflictException"


class ThrottlingException(ServiceException):
    """An injected fault: the request was throttled (429)."""

    code = "ThrottlingException"


class InternalServerException(ServiceException):
    """An injected fault: the service failed (500)."""

    code = "InternalServerException"


class AccessDeniedException(ServiceException):
    """An injected fault: the caller may not do this (403)."""

    code = "AccessDeniedException"


FAULTS: dict[str, type[ServiceException]] = {
    cls.code: cls for cls in (ThrottlingException, InternalServerException, AccessDeniedException)
}
"""The error codes a test may inject, by code."""
