"""JobStatus: the state of a matching job, forward compatible with new states.

Kept apart from the pydantic models so that importing the package does not
import pydantic's model machinery before a model is used.
"""

from __future__ import annotations

from enum import Enum

__all__ = ["JobStatus"]


class JobStatus(str, Enum):
    """The state of a matching job.

    ``UNKNOWN`` stands for any status this version of the library does not
    know (AWS adds values): ``JobStatus("PAUSED") is JobStatus.UNKNOWN``. The
    service's own text is kept in `MatchingJob.raw_status`. Parsing
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

    @classmethod
    def _missing_(cls, value: object) -> JobStatus | None:
        # Any other text is a status AWS added after this version.
        return cls.UNKNOWN if isinstance(value, str) else None

    @property
    def is_terminal(self) -> bool:
        """Whether a job in this state will not change again (SUCCEEDED or FAILED)."""
        return self is JobStatus.SUCCEEDED or self is JobStatus.FAILED
