"""EntityResolutionJobs: the synchronous facade over a boto3 client.

Each public method names its job kind (`MATCHING` or `ID_MAPPING` from
`_core`) and hands on to one private method that serves both kinds.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TYPE_CHECKING, Any, TypeVar

from botocore.session import Session as BotocoreSession

from ._config import SERVICE_NAME, client_config
from ._core import (
    ID_MAPPING,
    MATCHING,
    Shell,
    connect_to,
    id_mapping_start_params,
    kind_of,
    raise_translated,
    translating,
    translating_s3,
)
from ._defaults import DEFAULT_MAX_RATE, DEFAULT_MIN_DELAY, DEFAULT_TIMEOUT, utc_now
from ._errors import EntityResolutionError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence
    from datetime import datetime
    from os import PathLike
    from pathlib import Path
    from types import TracebackType

    import boto3
    from botocore.client import BaseClient
    from typing_extensions import Self

    from ._core import Connection, JobKind, Operation
    from ._downloads import PieceFetch
    from ._errors import JobT
    from ._estimates import JobEstimate
    from ._history import JobRun, Pacing
    from ._models import (
        IdMappingJob,
        IdMappingJobSummary,
        JobId,
        MatchingJob,
        MatchingJobSummary,
        OutputSource,
    )
    from ._output import JobOutput, Listing, OutputFile
    from ._scheduling import Scheduler
    from ._status import IdMappingJobType
    from ._waiting import Clock, JobSummary, Sleep, Waiter

ResultT = TypeVar("ResultT")
SummaryT = TypeVar("SummaryT")


class EntityResolutionJobs(Shell["boto3.session.Session | BotocoreSession"]):
    """A typed client for AWS Entity Resolution jobs: matching and ID mapping.

    It wraps one boto3 ``entityresolution`` client: either one you pass in,
    used as it is, or one it builds on first use (once, thread-safely) from
    the session, region, endpoint and config given here. A client it builds
    retries in botocore's ``standard`` mode unless your AWS configuration
    names another mode.

    Args:
        client: A boto3 ``entityresolution`` client to use as it is. Cannot
            be combined with the other arguments.
        session: The session to build the client from: a boto3 session,
            or a botocore one (as the AWS CLI builds on, sparing the import
            of boto3); defaults to boto3's default session.
        profile_name: A profile to build a new session from, instead of
            ``session``.
        region_name: The AWS region; defaults to the session's.
        endpoint_url: A custom endpoint, e.g. a local test server.
        config: A botocore ``Config``; its settings win over this library's
            defaults.
        s3_client: A boto3 ``s3`` client for reading jobs' output
            (`get_job_output` and the methods after it), used as it is. By
            default one is built on first use: from the same session,
            region and config as the Entity Resolution client (for a
            ``client`` passed in, from boto3's default session in that
            client's region, with its config). Its endpoint is botocore's
            choice: ``AWS_ENDPOINT_URL_S3``, ``AWS_ENDPOINT_URL`` or the
            profile's, never ``endpoint_url``.

    Raises:
        TypeError: ``client`` is not an Entity Resolution client, or is
            combined with the other arguments.

    Example:
        ```python
        from entityresolution_jobs import EntityResolutionJobs, JobStatus

        with EntityResolutionJobs(region_name="us-east-1") as er:
            job = er.get_matching_job("customers", "0123456789abcdef0123456789abcdef")
            if job.status is JobStatus.SUCCEEDED:
                print(job.metrics.match_ids)
        ```
    """

    _lock: threading.Lock

    def _prepare(self) -> None:
        self._lock = threading.Lock()

    def _check_session(self, session: boto3.session.Session | BotocoreSession) -> None:
        # aiobotocore's session is a botocore one to type checkers, but its
        # clients are async. Loaded only if aiobotocore is.
        aio = sys.modules.get("aiobotocore.session")
        if aio is not None and isinstance(session, aio.AioSession):
            raise TypeError(
                "an aiobotocore session builds async clients: pass it to "
                "AsyncEntityResolutionJobs, or pass a boto3 or botocore session here"
            )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def client(self) -> BaseClient:
        """The underlying boto3 client, built now if it has not been yet."""
        return self._connect().client

    def close(self) -> None:
        """Close the HTTP connections of the clients this object built.

        That is the Entity Resolution client and, once output was read, the
        S3 client; a client passed in is the caller's to close. After
        closing, the next call builds a new client.
        """
        with self._lock:
            connection = s3 = None
            if self._owns_client:
                connection, self._connection = self._connection, None
            if self._owns_s3_client:
                s3, self._s3_client = self._s3_client, None
        if connection is not None:
            connection.client.close()
        if s3 is not None:
            s3.close()

    def get_matching_job(self, workflow_name: str, job_id: str) -> MatchingJob:
        """Return the current state of a matching job.

        Args:
            workflow_name: The matching workflow the job belongs to.
            job_id: The job's id: 32 lowercase hexadecimal characters.

        Returns:
            The job's state, metrics, error and output location.

        Raises:
            InvalidInputError: An argument breaks the service's constraints;
                nothing was sent.
            ResourceNotFoundError: No such workflow or job.
            AccessDeniedError: The credentials may not read the job.
            ThrottlingError: Still throttled after the client's retries.
            InternalServerError: The service failed, after retries.
            ResponseError: The reply could not be read as a job.
            TransportError: No reply was received.
            CredentialsError: No usable credentials were found.
        """
        return self._call(MATCHING.get, workflowName=workflow_name, jobId=job_id)

    def start_matching_job(self, workflow_name: str) -> JobId:
        """Start a run of a matching workflow and return the new job's id.

        Args:
            workflow_name: The matching workflow to run.

        Returns:
            The job id: 32 lowercase hexadecimal characters.

        Raises:
            InvalidInputError: The name breaks the service's constraints;
                nothing was sent.
            ResourceNotFoundError: No such workflow.
            ConflictError: The workflow already has a job in progress.
            ExceedsLimitError: An account limit on jobs was reached.
            EntityResolutionError: Any other failure, as for
                `get_matching_job`.
        """
        return self._call(MATCHING.start, workflowName=workflow_name)

    def list_matching_jobs(self, workflow_name: str) -> Iterator[MatchingJobSummary]:
        """Iterate over every job of a workflow, fetching pages as they are needed.

        The argument is checked now; requests are sent as the iterator is
        consumed, one page (botocore's paginator) at a time, and errors are
        raised from the iteration as for `get_matching_job`.

        Args:
            workflow_name: The matching workflow whose jobs to list.

        Returns:
            A lazy iterator of job summaries.

        Raises:
            InvalidInputError: The name breaks the service's constraints.
        """
        return self._list(MATCHING, workflow_name)

    def watch_matching_job(
        self,
        workflow_name: str,
        job_id: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        min_delay: float = DEFAULT_MIN_DELAY,
        max_delay: float | None = None,
        expected_duration: float | None = None,
        use_history: bool = True,
        on_estimate: Callable[[JobEstimate], object] | None = None,
        clock: Clock = time.monotonic,
        now: Callable[[], datetime] = utc_now,
        sleep: Sleep = time.sleep,
    ) -> Iterator[MatchingJob]:
        """Poll a job until it ends, yielding every state fetched.

        The last state yielded is the terminal one (SUCCEEDED or FAILED);
        a FAILED job is yielded, not raised. Polls are spaced by the same
        rules as `wait_for_matching_job`, which describes the arguments;
        ``on_estimate`` is called with each state's `JobEstimate` before
        the state is yielded.

        Raises:
            InvalidInputError: An argument is invalid (checked at once).
            WaitTimeoutError: The job had not ended when time ran out.
            EntityResolutionError: A non-transient error of a poll.
        """
        from ._waiting import waiter_for  # noqa: PLC0415 - loads on first wait

        waiter = waiter_for(
            MATCHING, workflow_name, job_id, timeout=timeout, min_delay=min_delay,
            max_delay=max_delay, expected_duration=expected_duration, use_history=use_history,
            clock=clock, now=now,
        )  # fmt: skip
        return self._watch(waiter, sleep, on_estimate)

    def wait_for_matching_job(
        self,
        workflow_name: str,
        job_id: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        min_delay: float = DEFAULT_MIN_DELAY,
        max_delay: float | None = None,
        expected_duration: float | None = None,
        use_history: bool = True,
        on_update: Callable[[MatchingJob], object] | None = None,
        on_estimate: Callable[[JobEstimate], object] | None = None,
        clock: Clock = time.monotonic,
        now: Callable[[], datetime] = utc_now,
        sleep: Sleep = time.sleep,
    ) -> MatchingJob:
        """Wait for a job to end; return it if it SUCCEEDED.

        The first poll comes at once; the waiter then plans each gap from
        what it knows about when the job will end, most specific first:

        - its **progress**: once two RUNNING polls show the record counts
          growing towards ``input_records``, the rate predicts the end, and
          each gap is half the time predicted to be left;
        - an **estimate** of its duration: ``expected_duration``, or, with
          ``use_history``, the durations of the workflow's recent SUCCEEDED
          jobs (one page of ``ListMatchingJobs``, read once, after the
          first poll; fewer than two finished jobs, or a listing that fails,
          give none). Polls are rare long before the likely end and about
          ``10 * min_delay`` apart around it;
        - **neither**, or a prediction proved wrong (the job runs past the
          estimate's window of three standard deviations, or past the end
          its counts promised): the Smithy waiter retry rules
          (https://smithy.io/2.0/additional-specs/waiters.html#waiter-retries),
          delays doubling from ``min_delay`` up to ``max_delay``, each drawn
          at random up to that cap (jitter), counted from the job's start
          time, so that a wait on a job that has run for hours does not
          begin at 2 s.

        The deadline rule is the same for all: the last delay is shortened
        so that the final poll comes ``min_delay`` before the deadline
        rather than after it.

        Throttling, 5xx and connection errors during the wait are retried
        within the deadline, after botocore's own retries; any other error
        ends the wait at once. A status this version does not know
        (``UNKNOWN``) keeps the wait going, with one logged warning: the job
        may still end, and only SUCCEEDED and FAILED are known to be final.

        Args:
            workflow_name: The matching workflow the job belongs to.
            job_id: The job's id.
            timeout: Seconds to wait at most (default 24 hours).
            min_delay: Seconds before the first re-poll, and the least
                between two polls.
            max_delay: The most seconds between two polls, a hard cap. By
                default 64 s under the Smithy rule, and for a planned gap a
                quarter of the predicted duration, from ``min_delay`` to 15
                minutes.
            expected_duration: Your estimate of the job's whole duration,
                in seconds from its start; it wins over the history.
            use_history: Estimate the duration from the workflow's recent
                finished jobs (one extra list call per wait).
            on_update: Called with every state fetched, in order.
            on_estimate: Called after each of them with the job's
                `JobEstimate`: when the waiter now expects it to end, the
                prediction its polls are planned by (no extra request).
            clock: Monotonic seconds; injectable for tests.
            now: The current time (an aware datetime), which the job's age
                is measured against; injectable for tests.
            sleep: Sleeps for the given seconds; injectable for tests.

        Returns:
            The SUCCEEDED job.

        Raises:
            JobFailedError: The job FAILED; ``.job`` holds it.
            WaitTimeoutError: Time ran out; ``.job`` is the last state seen.
            InvalidInputError: An argument is invalid; nothing was sent.
            EntityResolutionError: A non-transient error of a poll, such
                as ResourceNotFoundError or AccessDeniedError.
        """
        from ._waiting import waiter_for  # noqa: PLC0415 - loads on first wait

        waiter = waiter_for(
            MATCHING, workflow_name, job_id, timeout=timeout, min_delay=min_delay,
            max_delay=max_delay, expected_duration=expected_duration, use_history=use_history,
            clock=clock, now=now,
        )  # fmt: skip
        return self._wait(waiter, on_update, sleep, on_estimate)

    def estimate_job_end(
        self,
        workflow_name: str,
        job: MatchingJob | IdMappingJob,
        *,
        expected_duration: float | None = None,
        use_history: bool = True,
        now: Callable[[], datetime] = utc_now,
    ) -> JobEstimate:
        """When a job of either kind is expected to end, with a range and its basis.

        The waiter's own prediction, as a wait on the job would plan its
        polls by: from ``expected_duration`` if given, else from the
        durations of the workflow's recent SUCCEEDED jobs (one page of
        ``ListMatchingJobs`` or ``ListIdMappingJobs``, the request this
        sends; none for a job that has ended or with ``use_history=False``).
        One state of the job shows no progress: a wait's ``on_estimate``
        sees the estimate sharpen once the counts grow.

        Args:
            workflow_name: The job's workflow (an ID mapping workflow's ARN
                works too).
            job: The job, as ``get_*``, ``list_*`` or ``wait_for_*`` read it.
            expected_duration: Your estimate of its whole duration, in
                seconds from its start; it wins over the history.
            use_history: Read the workflow's recent jobs.
            now: The current time (an aware datetime); injectable for tests.

        Returns:
            The estimate: the job's end if it has ended; for a QUEUED job,
            the times as if its run began now (``queued`` is true).

        Raises:
            InvalidInputError: ``job`` is not a job, or an argument is
                invalid; nothing was sent.
            EntityResolutionError: Listing the workflow's jobs failed, as
                for `list_matching_jobs`.

        Example:
            ```python
            estimate = er.estimate_job_end("customers", er.get_matching_job("customers", job_id))
            print(estimate.basis, estimate.expected_end, estimate.remaining)
            ```
        """
        from ._waiting import estimating_waiter  # noqa: PLC0415 - loads on first use

        waiter = estimating_waiter(
            kind_of(job), workflow_name, job, expected_duration=expected_duration,
            use_history=use_history, now=now,
        )  # fmt: skip
        if waiter.needs_history:
            waiter.take_history(self._call(waiter.kind.list, **waiter.history_params))
        return waiter.estimate()

    def job_history(
        self,
        workflow_name: str,
        *,
        last: int = 10,
        id_mapping: bool = False,
        max_rate: int = DEFAULT_MAX_RATE,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
    ) -> list[JobRun]:
        """How a workflow's recent runs went: one `JobRun` per run, newest first.

        Lists the workflow's jobs (every page of ``ListMatchingJobs``, or
        ``ListIdMappingJobs`` with ``id_mapping``), then reads each of the
        ``last`` most recently started once (``Get*Job``: the list has no
        counts), at most ``max_rate`` reads a second, as a watch would.

        Args:
            workflow_name: The workflow.
            last: How many runs, at most.
            id_mapping: The workflow is an ID mapping workflow.
            max_rate: Reads a second, at most.
            clock: Monotonic seconds; injectable for tests.
            sleep: Sleeps for the given seconds; injectable for tests.

        Returns:
            The runs, newest first: start, end, status, duration, counts,
            records per second and the share of records not processed.

        Raises:
            InvalidInputError: ``last`` or ``max_rate`` is not a whole
                number of at least 1, or the workflow name is invalid;
                nothing was sent.
            EntityResolutionError: As for `list_matching_jobs`.

        Example:
            ```python
            for run in er.job_history("customers", last=5):
                print(run.start_time, run.status, run.duration_seconds, run.records_per_second)
            ```
        """
        from ._history import JobRun, Pacing  # noqa: PLC0415 - loads on first use

        pacing = Pacing(last, max_rate)
        if id_mapping:
            mapped = self._read_newest(
                ID_MAPPING, workflow_name, last=last, pacing=pacing, clock=clock, sleep=sleep
            )
            return [JobRun.of(job) for job in mapped]
        matched = self._read_newest(
            MATCHING, workflow_name, last=last, pacing=pacing, clock=clock, sleep=sleep
        )
        return [JobRun.of(job) for job in matched]

    def _read_newest(
        self,
        kind: JobKind[JobT, JobSummary],
        workflow_name: str,
        *,
        last: int,
        pacing: Pacing,
        clock: Clock,
        sleep: Sleep,
    ) -> list[JobT]:
        from ._history import newest  # noqa: PLC0415

        jobs: list[JobT] = []
        for job_id in newest(self._list(kind, workflow_name), last):
            if (wait := pacing.delay(clock())) > 0:
                sleep(wait)
            pacing.sent(clock())
            jobs.append(self._call(kind.get, workflowName=workflow_name, jobId=job_id))
        return jobs

    def watch_matching_jobs(
        self,
        jobs: Iterable[tuple[str, str]],
        *,
        max_rate: int = DEFAULT_MAX_RATE,
        timeout: float = DEFAULT_TIMEOUT,
        min_delay: float = DEFAULT_MIN_DELAY,
        max_delay: float | None = None,
        use_history: bool = True,
        on_update: Callable[[MatchingJob], object] | None = None,
        on_estimate: Callable[[JobEstimate], object] | None = None,
        clock: Clock = time.monotonic,
        now: Callable[[], datetime] = utc_now,
        sleep: Sleep = time.sleep,
    ) -> Iterator[MatchingJob]:
        """Watch many jobs at once under one request budget; yield each as it ends.

        Each job is yielded once, when it reaches SUCCEEDED or FAILED, in the
        order the jobs end (a FAILED job is yielded, not raised). Every job
        is planned as by `wait_for_matching_job` (each workflow's history is
        listed once for all its jobs), and all requests share one budget:
        never more than ``max_rate`` in any one-second window, the most
        overdue job first. botocore's own retries of a request are not
        counted.

        A job whose poll fails with an error a wait does not ride out (not
        found, access denied) is dropped at once, and so is a job still
        running at the deadline; the others go on. When every other job has
        been yielded, the iterator raises `WatchJobsError`, whose ``errors``
        holds each dropped job's error by ``(workflow_name, job_id)``.

        Args:
            jobs: ``(workflow_name, job_id)`` pairs; duplicates are watched once.
            max_rate: The most requests in any one-second window (default 5).
            on_update: Called with every state fetched, of any job, in order.
            on_estimate: Called with a job's `JobEstimate` after each of
                its polls (once its workflow's history is in, with
                ``use_history``); ``JobEstimate.job_id`` says which job.
                No extra request.
            timeout: Seconds to watch at most.
            min_delay: As for `wait_for_matching_job`.
            max_delay: As for `wait_for_matching_job`.
            use_history: As for `wait_for_matching_job`.
            clock: Monotonic seconds; injectable for tests.
            now: The current time (an aware datetime); injectable for tests.
            sleep: Sleeps for the given seconds; injectable for tests.

        Raises:
            InvalidInputError: A setting or id is invalid (checked at once).
            WatchJobsError: At the end: jobs that could not be followed.
        """
        from ._scheduling import scheduler_for  # noqa: PLC0415 - loads on first watch

        scheduler = scheduler_for(
            MATCHING, jobs, max_rate=max_rate, timeout=timeout, min_delay=min_delay,
            max_delay=max_delay, use_history=use_history, clock=clock, now=now,
        )  # fmt: skip
        return self._watch_many(scheduler, on_update, sleep, on_estimate)

    def get_id_mapping_job(self, workflow_name: str, job_id: str) -> IdMappingJob:
        """Return the current state of an ID mapping job.

        Args:
            workflow_name: The ID mapping workflow the job belongs to: its
                name, or its ARN
                (``arn:aws:entityresolution:REGION:ACCOUNT:idmappingworkflow/NAME``)
                for a workflow shared from another account.
            job_id: The job's id: 32 lowercase hexadecimal characters.

        Returns:
            The job's state, type, 15 metrics, error and output location.

        Raises:
            InvalidInputError: An argument breaks the service's constraints;
                nothing was sent.
            EntityResolutionError: As for `get_matching_job`.
        """
        return self._call(ID_MAPPING.get, workflowName=workflow_name, jobId=job_id)

    def start_id_mapping_job(
        self,
        workflow_name: str,
        *,
        job_type: IdMappingJobType | None = None,
        output_source: OutputSource | None = None,
    ) -> JobId:
        """Start a run of an ID mapping workflow and return the new job's id.

        Args:
            workflow_name: The ID mapping workflow to run (name or ARN).
            job_type: ``BATCH``, ``INCREMENTAL`` or ``DELETE_ONLY``; not
                sent if omitted, so the service's default applies. Needs
                botocore 1.40.37 or newer, whose model has it.
            output_source: Where this run writes its output, instead of
                the workflow's; not sent if omitted.

        Returns:
            The job id: 32 lowercase hexadecimal characters.

        Raises:
            InvalidInputError: An argument breaks the service's constraints
                (``job_type`` ``UNKNOWN``, an output path that is not
                ``s3://...``, ...), or this botocore cannot send it (a
                ``job_type`` before botocore 1.40.37: the message names the
                version); nothing was sent.
            EntityResolutionError: As for `start_matching_job`.
        """
        params = id_mapping_start_params(workflow_name, job_type, output_source)
        return self._call(ID_MAPPING.start, **params)

    def list_id_mapping_jobs(self, workflow_name: str) -> Iterator[IdMappingJobSummary]:
        """Iterate over every job of an ID mapping workflow, fetching pages as needed.

        As `list_matching_jobs`: the argument is checked now, and pages are
        fetched (and their errors raised) as the iterator is consumed.

        Args:
            workflow_name: The ID mapping workflow (name or ARN).

        Returns:
            A lazy iterator of job summaries.

        Raises:
            InvalidInputError: The name breaks the service's constraints.
        """
        return self._list(ID_MAPPING, workflow_name)

    def watch_id_mapping_job(
        self,
        workflow_name: str,
        job_id: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        min_delay: float = DEFAULT_MIN_DELAY,
        max_delay: float | None = None,
        expected_duration: float | None = None,
        use_history: bool = True,
        on_estimate: Callable[[JobEstimate], object] | None = None,
        clock: Clock = time.monotonic,
        now: Callable[[], datetime] = utc_now,
        sleep: Sleep = time.sleep,
    ) -> Iterator[IdMappingJob]:
        """Poll an ID mapping job until it ends, yielding every state fetched.

        The same rules and arguments as `watch_matching_job`.

        Raises:
            InvalidInputError: An argument is invalid (checked at once).
            IdMappingJobWaitTimeoutError: The job had not ended when time
                ran out.
            EntityResolutionError: A non-transient error of a poll.
        """
        from ._waiting import waiter_for  # noqa: PLC0415 - loads on first wait

        waiter = waiter_for(
            ID_MAPPING, workflow_name, job_id, timeout=timeout, min_delay=min_delay,
            max_delay=max_delay, expected_duration=expected_duration, use_history=use_history,
            clock=clock, now=now,
        )  # fmt: skip
        return self._watch(waiter, sleep, on_estimate)

    def wait_for_id_mapping_job(
        self,
        workflow_name: str,
        job_id: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        min_delay: float = DEFAULT_MIN_DELAY,
        max_delay: float | None = None,
        expected_duration: float | None = None,
        use_history: bool = True,
        on_update: Callable[[IdMappingJob], object] | None = None,
        on_estimate: Callable[[JobEstimate], object] | None = None,
        clock: Clock = time.monotonic,
        now: Callable[[], datetime] = utc_now,
        sleep: Sleep = time.sleep,
    ) -> IdMappingJob:
        """Wait for an ID mapping job to end; return it if it SUCCEEDED.

        The same polling rules, arguments, logging and errors as
        `wait_for_matching_job`, which describes them.

        Returns:
            The SUCCEEDED job.

        Raises:
            IdMappingJobFailedError: The job FAILED; ``.job`` holds it.
            IdMappingJobWaitTimeoutError: Time ran out; ``.job`` is the
                last state seen.
            InvalidInputError: An argument is invalid; nothing was sent.
            EntityResolutionError: A non-transient error of a poll.
        """
        from ._waiting import waiter_for  # noqa: PLC0415 - loads on first wait

        waiter = waiter_for(
            ID_MAPPING, workflow_name, job_id, timeout=timeout, min_delay=min_delay,
            max_delay=max_delay, expected_duration=expected_duration, use_history=use_history,
            clock=clock, now=now,
        )  # fmt: skip
        return self._wait(waiter, on_update, sleep, on_estimate)

    def watch_id_mapping_jobs(
        self,
        jobs: Iterable[tuple[str, str]],
        *,
        max_rate: int = DEFAULT_MAX_RATE,
        timeout: float = DEFAULT_TIMEOUT,
        min_delay: float = DEFAULT_MIN_DELAY,
        max_delay: float | None = None,
        use_history: bool = True,
        on_update: Callable[[IdMappingJob], object] | None = None,
        on_estimate: Callable[[JobEstimate], object] | None = None,
        clock: Clock = time.monotonic,
        now: Callable[[], datetime] = utc_now,
        sleep: Sleep = time.sleep,
    ) -> Iterator[IdMappingJob]:
        """Watch many ID mapping jobs at once; yield each as it ends.

        The same rules, budget and errors as `watch_matching_jobs`.
        """
        from ._scheduling import scheduler_for  # noqa: PLC0415 - loads on first watch

        scheduler = scheduler_for(
            ID_MAPPING, jobs, max_rate=max_rate, timeout=timeout, min_delay=min_delay,
            max_delay=max_delay, use_history=use_history, clock=clock, now=now,
        )  # fmt: skip
        return self._watch_many(scheduler, on_update, sleep, on_estimate)

    def get_job_output(
        self,
        job: MatchingJob | IdMappingJob,
        *,
        partial: bool = False,
        workflow_name: str | None = None,
    ) -> JobOutput:
        """Find what a job wrote to S3: its success and error part files.

        The service writes each run in a folder named after the job id,
        which AWS's sample reads in a folder named after the workflow:
        ``OUTPUT_S3_PATH/WORKFLOW/JOB_ID/``. A job this library read (get,
        wait, watch) knows its workflow, so that folder costs one listing
        (``ListObjectsV2``); then this looks right under the location and,
        only if the job is not there either, in each of its subfolders.
        Nothing is read but the listings (and, when the job's reply names
        no output location, the workflow's description:
        ``GetMatchingWorkflow`` or ``GetIdMappingWorkflow``).

        Args:
            job: A job of either kind, as ``get_*`` or ``wait_for_*`` return it.
            partial: Look even if the job has not SUCCEEDED (what a running
                or failed job has written so far); a folder not found then
                gives an empty output rather than an error.
            workflow_name: The job's workflow, for a job built otherwise
                (from JSON, say) that does not know it (`workflow_name`
                of the job is ``None``).

        Returns:
            The job's output files, in key order, with totals. A SUCCEEDED
            run that wrote nothing (its counts say no record was processed,
            or an ID mapping ``DELETE_ONLY`` run) gives an output whose
            ``empty`` is true.

        Raises:
            JobNotSucceededError: The job has not SUCCEEDED and ``partial``
                is false; nothing was sent.
            OutputNotInS3Error: The workflow writes to Customer Profiles.
            OutputNotFoundError: No folder of the job was found though its
                counts say it wrote records (the message names every folder
                searched), or the job names no location and its workflow
                is not known.
            AccessDeniedError: The credentials may not list the bucket
                (named in the message) or read the workflow.
            ResourceNotFoundError: The bucket does not exist.
            EntityResolutionError: Any other failure, as for
                `get_matching_job`.

        Example:
            ```python
            job = er.wait_for_matching_job("customers", er.start_matching_job("customers"))
            output = er.get_job_output(job)
            for record in er.iter_output_records(output, errors=True):
                print(record["RecordId"], record)
            ```
        """
        from ._output import OutputSearch  # noqa: PLC0415 - loads with the first use

        search = OutputSearch(job, partial=partial, workflow_name=workflow_name)
        if search.workflow_to_read is not None:
            kind = MATCHING if search.is_matching else ID_MAPPING
            search.take_workflow(self._call(kind.workflow, workflowName=search.workflow_to_read))
        while (listing := search.next_listing()) is not None:
            for page in self._s3_pages(listing):
                search.take(page)
        return search.result()

    def iter_output_records(
        self, output: JobOutput, *, errors: bool = False
    ) -> Iterator[dict[str, str]]:
        """Stream the records of a job's success parts (or error parts) as dicts.

        Each part file is fetched in turn and read a chunk at a time, so
        memory stays the same whatever the parts' size; a gzip-compressed
        part is decompressed as it streams. Keys are the header row's
        column names; the values are text, as the file has them.

        Args:
            output: What `get_job_output` returned.
            errors: Read the error parts (the records not processed, with
                the reason) instead of the success parts.

        Returns:
            A lazy iterator: requests are sent as it is consumed.

        Raises:
            InvalidInputError: ``output`` is not a `JobOutput` (at once).
            ResponseError: A part is not CSV (Parquet, say), not UTF-8, or
                malformed; the message names its key (from the iteration).
            EntityResolutionError: As `get_job_output` (from the iteration).
        """
        from ._output import checked_output  # noqa: PLC0415

        checked = checked_output(output)
        return self._records(checked.errors if errors else checked.success)

    def download_job_output(
        self,
        output: JobOutput,
        directory: str | PathLike[str],
        *,
        on_progress: Callable[[OutputFile, int], object] | None = None,
        max_concurrency: int = 10,
    ) -> list[Path]:
        """Download a job's part files into a local folder; return their paths.

        As ``aws s3 sync`` does: the files are fetched concurrently, up to
        ``max_concurrency`` GETs (and connections) at once, a file larger
        than 16 MiB in ranges of 16 MiB; a read that breaks midway is read
        again from where it broke (five attempts). Each file goes to its
        path below the job's folder (``DIRECTORY/success/part-00000.csv``,
        ``DIRECTORY/error/...``), written as ``NAME.download`` and renamed
        once complete and checked against S3's listing (every byte, every
        range asked of the version listed, and for a file fetched in one GET
        its MD5 where the ETag is one). A file already there with the same size is not fetched
        again; one an interrupted download left half-written (an error,
        Ctrl-C) resumes with the bytes missing (``NAME.done`` records the
        ranges written). Memory
        stays at ``max_concurrency`` reads of 256 KiB, whatever the size.

        Args:
            output: What `get_job_output` returned.
            directory: The local folder; created if missing.
            on_progress: Called with a file and the bytes just written (a
                file or range already there counts at once), e.g. to move
                a progress bar whose total is ``output.total_size``. Calls
                come from the download threads, one at a time.
            max_concurrency: GETs in flight at once.

        Returns:
            The local path of every part file, success parts first.

        Raises:
            InvalidInputError: ``output`` is not a `JobOutput`, or
                ``max_concurrency`` is below 1 (nothing is sent).
            ResponseError: A file changed in S3 since it was listed, or
                what arrived is not what S3 listed.
            EntityResolutionError: As `get_job_output`; a broken stream
                once its attempts are spent (as `TransportError`).
            OSError: The folder or a file could not be written.
        """
        from concurrent.futures import ThreadPoolExecutor, as_completed  # noqa: PLC0415

        from ._downloads import Download, PieceFetch  # noqa: PLC0415 - loads with the first use

        download = Download(
            output, directory, on_progress=on_progress, max_concurrency=max_concurrency
        )
        pieces = download.pieces()
        if not pieces:
            return download.paths
        s3 = self._s3()
        workers = min(download.max_concurrency, len(pieces))
        with ThreadPoolExecutor(workers, thread_name_prefix="er-jobs-download") as pool:
            futures = [
                pool.submit(self._fetch, s3, PieceFetch(piece, download)) for piece in pieces
            ]
            try:
                for future in as_completed(futures):
                    future.result()
            except BaseException:
                download.stop()  # the pieces in flight stop at their next write
                for future in futures:
                    future.cancel()
                raise
        return download.paths

    @staticmethod
    def _fetch(s3: Any, fetch: PieceFetch) -> None:
        try:
            while fetch.wants_more():
                try:
                    reply = s3.get_object(**fetch.request())
                    fetch.check(reply)
                    body = reply["Body"]
                    try:
                        while chunk := body.read(fetch.read_size):
                            fetch.write(chunk)
                    finally:
                        body.close()
                except Exception as error:
                    fetch.failed(error)  # returns to read the rest; raises what is no broken stream
            fetch.complete()
        finally:
            fetch.abandon()  # an unfinished piece journals what it wrote

    def _records(self, files: tuple[OutputFile, ...]) -> Iterator[dict[str, str]]:
        from ._records import CHUNK, RecordDecoder  # noqa: PLC0415

        for part in files:
            decoder = RecordDecoder(part.key)
            for chunk in self._chunks(part, CHUNK):
                yield from decoder.feed(chunk)
            yield from decoder.close()

    def _chunks(self, part: OutputFile, size: int) -> Iterator[bytes]:
        s3 = self._s3()
        with translating_s3("GetObject", part.s3_uri):
            body = s3.get_object(Bucket=part.bucket, Key=part.key)["Body"]
        try:
            while True:
                with translating_s3("GetObject", part.s3_uri):
                    chunk: bytes = body.read(size)
                if not chunk:
                    return
                yield chunk
        finally:
            body.close()

    def _s3_pages(self, listing: Listing) -> Iterator[dict[str, object]]:
        subject = listing.location.uri
        with translating_s3("ListObjectsV2", subject):
            paginator = self._s3().get_paginator("list_objects_v2")
            pages = iter(paginator.paginate(**listing.params))
        while True:
            with translating_s3("ListObjectsV2", subject):
                page: dict[str, object] | None = next(pages, None)
            if page is None:
                return
            yield page

    def _s3(self) -> Any:
        # Any: boto3's S3 client is typed only by boto3-stubs' s3 extra,
        # which this package does not need; get_object and a paginator are used.
        s3 = self._s3_client
        if s3 is not None:
            return s3
        er = self._connect().client  # the region (and, passed in, the config) to follow
        with self._lock:
            if self._s3_client is None:
                with translating("CreateClient"):
                    self._s3_client = self._build_s3_client(er)
            return self._s3_client

    def _build_s3_client(self, er: BaseClient) -> BaseClient:
        """The S3 client to use from now on (the Airflow hook's builds its connection's)."""
        if self._owns_client:
            session, config = self._session_to_build_on(), None
        else:
            import boto3  # noqa: PLC0415 - only here, for a client passed in

            session, config = boto3.session.Session(), er.meta.config
        botocore_session = _botocore_session(session)
        settings = config or client_config(botocore_session, self._config)
        return botocore_session.create_client(
            "s3", region_name=er.meta.region_name, config=settings
        )

    def _call(self, operation: Operation[ResultT], **params: object) -> ResultT:
        connection = self._connection or self._connect()
        connection.checker.check(operation.name, params)
        try:
            reply = getattr(connection.client, operation.method)(**params)
        except Exception as error:
            raise_translated(error, operation.name, connection.service_model)
        return operation.read(reply, params)

    def _checked(self, operation: Operation[object], params: dict[str, object]) -> Connection:
        connection = self._connection or self._connect()
        connection.checker.check(operation.name, params)
        return connection

    def _list(self, kind: JobKind[JobT, SummaryT], workflow_name: str) -> Iterator[SummaryT]:
        params: dict[str, object] = {"workflowName": workflow_name}
        return self._walk_pages(kind.list, self._checked(kind.list, params), params)

    def _walk_pages(
        self,
        operation: Operation[tuple[SummaryT, ...]],
        connection: Connection,
        params: dict[str, object],
    ) -> Iterator[SummaryT]:
        with translating(operation.name, connection.service_model):
            paginator = connection.client.get_paginator(operation.method)
            pages = iter(paginator.paginate(**params))
        while True:
            with translating(operation.name, connection.service_model):
                page = next(pages, None)
            if page is None:
                return
            yield from operation.read(page, params)

    def _wait(
        self,
        waiter: Waiter[JobT],
        on_update: Callable[[JobT], object] | None,
        sleep: Sleep,
        on_estimate: Callable[[JobEstimate], object] | None = None,
    ) -> JobT:
        for job in self._watch(waiter, sleep):
            if on_update is not None:
                on_update(job)
            if on_estimate is not None:
                on_estimate(waiter.estimate())
        return waiter.outcome()

    def _watch(
        self,
        waiter: Waiter[JobT],
        sleep: Sleep,
        on_estimate: Callable[[JobEstimate], object] | None = None,
    ) -> Iterator[JobT]:
        self._checked(waiter.kind.get, waiter.params)  # at once, before iteration
        return self._polls(waiter, sleep, on_estimate)

    def _watch_many(
        self,
        scheduler: Scheduler[JobT],
        on_update: Callable[[JobT], object] | None,
        sleep: Sleep,
        on_estimate: Callable[[JobEstimate], object] | None = None,
    ) -> Iterator[JobT]:
        for waiter in scheduler.waiters:  # at once, before iteration
            self._checked(waiter.kind.get, waiter.params)
        return self._polls_of_many(scheduler, on_update, sleep, on_estimate)

    def _polls_of_many(
        self,
        scheduler: Scheduler[JobT],
        on_update: Callable[[JobT], object] | None,
        sleep: Sleep,
        on_estimate: Callable[[JobEstimate], object] | None,
    ) -> Iterator[JobT]:
        for step in scheduler:
            if step.delay:
                sleep(step.delay)
            if step.history:
                scheduler.take_history(step.waiter, self._history(step.waiter))
                if on_estimate is not None:
                    on_estimate(step.waiter.estimate())
                continue
            polled = self._poll(step.waiter)
            if on_update is not None and not isinstance(polled, EntityResolutionError):
                on_update(polled)
            job = scheduler.record(step.waiter, polled)
            if on_estimate is not None:
                estimate = scheduler.estimate_after(step.waiter, polled)
                if estimate is not None:
                    on_estimate(estimate)
            if job is not None:
                yield job
        scheduler.finish()

    def _polls(
        self,
        waiter: Waiter[JobT],
        sleep: Sleep,
        on_estimate: Callable[[JobEstimate], object] | None,
    ) -> Iterator[JobT]:
        for delay in waiter:
            if delay:
                sleep(delay)
            if (job := waiter.record(self._poll(waiter))) is not None:
                if waiter.needs_history:
                    waiter.take_history(self._history(waiter))
                if on_estimate is not None:
                    on_estimate(waiter.estimate())
                yield job

    def _poll(self, waiter: Waiter[JobT]) -> JobT | EntityResolutionError:
        try:
            return self._call(waiter.kind.get, **waiter.params)
        except EntityResolutionError as error:
            return error

    def _history(self, waiter: Waiter[JobT]) -> Sequence[JobSummary] | EntityResolutionError:
        try:
            return self._call(waiter.kind.list, **waiter.history_params)
        except EntityResolutionError as error:
            return error

    def _connect(self) -> Connection:
        with self._lock:
            if self._connection is None:
                with translating("CreateClient"):
                    self._connection = connect_to(self._build_client())
            return self._connection

    def _session_to_build_on(self) -> boto3.session.Session | BotocoreSession:
        session = self._session
        if session is None:
            # boto3 loads here, on first use: a caller passing a botocore
            # session never imports it (nor s3transfer, which it imports).
            import boto3  # noqa: PLC0415

            if self._profile_name is not None:
                session = self._session = boto3.session.Session(profile_name=self._profile_name)
            else:
                if boto3.DEFAULT_SESSION is None:
                    boto3.setup_default_session()
                session = boto3.DEFAULT_SESSION
                assert session is not None
        return session

    def _build_client(self) -> BaseClient:
        session = _botocore_session(self._session_to_build_on())
        return session.create_client(
            SERVICE_NAME,
            region_name=self._region_name,
            endpoint_url=self._endpoint_url,
            config=client_config(session, self._config),
        )


def _botocore_session(session: boto3.session.Session | BotocoreSession) -> BotocoreSession:
    """The botocore session under ``session`` (itself, if it is one).

    Clients are made by it either way: boto3's ``Session.client`` hands its
    arguments on to it unchanged.
    """
    if isinstance(session, BotocoreSession):
        return session
    return session._session  # pyright: ignore[reportPrivateUsage] - boto3 keeps no public one
