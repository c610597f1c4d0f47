"""A typed client for AWS Entity Resolution matching jobs.

Example:
    ```python
    from entityresolution_jobs import EntityResolutionJobs, JobStatus, ResourceNotFoundError

    er = EntityResolutionJobs()
    try:
        job = er.get_matching_job("customers", "0123456789abcdef0123456789abcdef")
    except ResourceNotFoundError:
        ...
    else:
        if job.status is JobStatus.SUCCEEDED:
            print(job.metrics.match_ids, job.duration)
    ```
"""

from ._client import EntityResolutionJobs
from ._errors import (
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
from ._models import JobMetrics, JobStatus, MatchingJob, OutputSource
from ._version import __version__

__all__ = [
    "AccessDeniedError",
    "ConfigurationError",
    "ConflictError",
    "CredentialsError",
    "EntityResolutionError",
    "EntityResolutionJobs",
    "ExceedsLimitError",
    "InternalServerError",
    "InvalidInputError",
    "JobMetrics",
    "JobStatus",
    "MatchingJob",
    "OutputSource",
    "RequestTimeoutError",
    "ResourceNotFoundError",
    "ResponseError",
    "ServiceError",
    "ServiceValidationError",
    "ThrottlingError",
    "TransportError",
    "__version__",
]
