"""Application code that polls a matching job: the kind of code the test double is for.

docs/testing.md walks through examples/test_polling.py, which tests this
against the moto backend.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from entityresolution_jobs import EntityResolutionJobs, JobStatus, MatchingJob, ThrottlingError


class ReportFailedError(Exception):
    """The matching job behind a report failed."""


def wait_for_report(
    er: EntityResolutionJobs,
    workflow_name: str,
    job_id: str,
    *,
    poll_seconds: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
) -> MatchingJob:
    """Poll a job until it ends; return it if it succeeded, raise ReportFailedError if not."""
    while True:
        try:
            job = er.get_matching_job(workflow_name, job_id)
        except ThrottlingError:
            sleep(poll_seconds * 2)  # still throttled after botocore's retries: back off
            continue
        if job.status is JobStatus.SUCCEEDED:
            return job
        if job.status is JobStatus.FAILED:
            raise ReportFailedError(job.error_message or "no reason given")
        sleep(poll_seconds)
