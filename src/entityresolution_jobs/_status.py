"""The service's enumerations, forward compatible with values AWS adds later.

Kept apart from the pydantic models so that importing the package does not
import pydantic's model machinery before a model is used.
"""

from __future__ import annotations

from enum import Enum

__all__ = ["IdMappingJobType", "JobStatus"]


class _OpenEnum(str, Enum):
    """A service enumeration: any text it does not list becomes ``UNKNOWN``."""

    @classmethod
    def _missing_(cls, value: object) -> _OpenEnum | None:
        # Any other text is a value AWS added after this version.
        return cls._value2member_map_["UNKNOWN"] if isinstance(value, str) else None  # type: ignore[return-value]


class JobStatus(_OpenEnum):
    """The state of a job, of either kind.

    ``UNKNOWN`` stands for any status this version of the library does not
    know (AWS adds values): ``JobStatus("PAUSED") is JobStatus.UNKNOWN``. The
    service's own text is kept in the job's ``raw_status``. Parsing
    never fails on a new status.

    Example:
        ```python
        match job.status:
            case JobStatus.QUEUED | JobStatus.RUNNING:
                ...
            case JobStatus.SUCCEEDED:
                ...
            case JobStatus.FAILED:
                ...
            case JobStatus.UNKNOWN:
                ...
            case _:
                assert_never(job.status)
        ```
    """

    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    UNKNOWN = "UNKNOWN"

    @property
    def is_terminal(self) -> bool:
        """Whether a job in this state will not change again (SUCCEEDED or FAILED)."""
        return self is JobStatus.SUCCEEDED or self is JobStatus.FAILED


class IdMappingJobType(_OpenEnum):
    """What an ID mapping job does: the service's ``jobType``.

    ``BATCH`` maps every record again, ``INCREMENTAL`` only what changed
    since the last run, ``DELETE_ONLY`` only processes deletions.
    ``UNKNOWN`` stands for a type this version does not know; the
    service's own text is kept in `IdMappingJob.raw_job_type`. It cannot
    be passed to ``start_id_mapping_job``.
    """

    BATCH = "BATCH"
    INCREMENTAL = "INCREMENTAL"
    DELETE_ONLY = "DELETE_ONLY"
    UNKNOWN = "UNKNOWN"
