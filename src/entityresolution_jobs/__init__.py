"""A typed client for AWS Entity Resolution jobs: matching and ID mapping jobs.

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

import importlib
from typing import TYPE_CHECKING

from ._errors import (
    AccessDeniedError,
    ConfigurationError,
    ConflictError,
    CredentialsError,
    EntityResolutionError,
    ExceedsLimitError,
    IdMappingJobFailedError,
    IdMappingJobWaitTimeoutError,
    InternalServerError,
    InvalidInputError,
    JobFailedError,
    JobNotSucceededError,
    MatchingJobFailedError,
    MatchingJobWaitTimeoutError,
    OutputNotFoundError,
    OutputNotInS3Error,
    RequestTimeoutError,
    ResourceNotFoundError,
    ResponseError,
    ServiceError,
    ServiceValidationError,
    ThrottlingError,
    TransportError,
    WaitTimeoutError,
    WatchJobsError,
)
from ._status import IdMappingJobType, JobStatus
from ._version import __version__

if TYPE_CHECKING:
    from ._aio import AsyncEntityResolutionJobs
    from ._client import EntityResolutionJobs
    from ._estimates import EstimateBasis, JobEstimate
    from ._history import JobRun
    from ._models import (
        IdMappingJob,
        IdMappingJobMetrics,
        IdMappingJobSummary,
        JobId,
        JobMetrics,
        MatchingJob,
        MatchingJobSummary,
        OutputSource,
    )
    from ._output import JobOutput, OutputFile

__all__ = [
    "AccessDeniedError",
    "AsyncEntityResolutionJobs",
    "ConfigurationError",
    "ConflictError",
    "CredentialsError",
    "EntityResolutionError",
    "EntityResolutionJobs",
    "EstimateBasis",
    "ExceedsLimitError",
    "IdMappingJob",
    "IdMappingJobFailedError",
    "IdMappingJobMetrics",
    "IdMappingJobSummary",
    "IdMappingJobType",
    "IdMappingJobWaitTimeoutError",
    "InternalServerError",
    "InvalidInputError",
    "JobEstimate",
    "JobFailedError",
    "JobId",
    "JobMetrics",
    "JobNotSucceededError",
    "JobOutput",
    "JobRun",
    "JobStatus",
    "MatchingJob",
    "MatchingJobFailedError",
    "MatchingJobSummary",
    "MatchingJobWaitTimeoutError",
    "OutputFile",
    "OutputNotFoundError",
    "OutputNotInS3Error",
    "OutputSource",
    "RequestTimeoutError",
    "ResourceNotFoundError",
    "ResponseError",
    "ServiceError",
    "ServiceValidationError",
    "ThrottlingError",
    "TransportError",
    "WaitTimeoutError",
    "WatchJobsError",
    "__version__",
]

# The clients and models load on first access (PEP 562): importing the
# package (as pytest does for its plugin) should not pay for boto3,
# pydantic's model machinery or asyncio before they are used.
# Defined for the runtime only, so type checkers still reject unknown names.
_LAZY = {
    "AsyncEntityResolutionJobs": "_aio",
    "EntityResolutionJobs": "_client",
    "IdMappingJob": "_models",
    "IdMappingJobMetrics": "_models",
    "IdMappingJobSummary": "_models",
    "JobId": "_models",
    "JobMetrics": "_models",
    "MatchingJob": "_models",
    "MatchingJobSummary": "_models",
    "OutputSource": "_models",
    "JobOutput": "_output",
    "OutputFile": "_output",
    "EstimateBasis": "_estimates",
    "JobEstimate": "_estimates",
    "JobRun": "_history",
}

if not TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f".{module}", __name__), name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(globals()) | set(_LAZY))
