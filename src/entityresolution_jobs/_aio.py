"""AsyncEntityResolutionJobs: the asyncio shell, on aiobotocore, for both job kinds.

Everything but the awaited calls is the sync shell's code: argument checks,
error translation, reply models and the waiter's rules live in `_core`,
`_validation` and `_waiting`. aiobotocore is imported when a client is
first built, so the package imports without the ``async`` extra.
"""

from __future__ import annotations

import asyncio
import importlib.util
import inspect
import time
from typing import TYPE_CHECKING, Any, TypeVar, cast

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
    from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
    from contextlib import AbstractAsyncContextManager
    from datetime import datetime
    from os import PathLike
    from pathlib import Path
    from types import TracebackType

    from aiobotocore.config import AioConfig
    from aiobotocore.session import AioSession
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
    from ._waiting import Clock, JobSummary, Waiter

    AsyncSleep = Callable[[float], Awaitable[object]]

ResultT = TypeVar("ResultT")
SummaryT = TypeVar("SummaryT")

INSTALL_HINT = (
    "AsyncEntityResolutionJobs needs aiobotocore: pip install 'entityresolution-jobs[async]'"
)


class AsyncEntityResolutionJobs(Shell["AioSession"]):
    """The asyncio flavour of `EntityResolutionJobs`: the same methods, awaited.

    Use it as an async context manager, which closes the aiobotocore client
    it built on exit, or call `aclose` yourself. A client passed in (an
    aiobotocore ``entityresolution`` client the app already has) is used as
    it is and left open.

    Args:
        client: An aiobotocore ``entityresolution`` client to use as it is.
        session: The aiobotocore session to build the client from.
        profile_name: A profile to build a new session from.
        region_name: The AWS region.
        endpoint_url: A custom endpoint, e.g. a local test server.
        config: A botocore ``Config``; its settings win over the defaults
            (standard retries unless your AWS configuration names a mode).
        s3_client: An aiobotocore ``s3`` client for reading jobs' output,
            used as it is; by default one is built on first use, as
            `EntityResolutionJobs` describes, and closed with this object.

    Raises:
        ImportError: aiobotocore is not installed (the ``async`` extra).
        TypeError: ``client`` is not an Entity Resolution client, or is
            combined with the other arguments.

    Example:
        ```python
        async with AsyncEntityResolutionJobs(region_name="us-east-1") as er:
            jobs = await asyncio.gather(*(er.get_matching_job(w, j) for w, j in pairs))
        ```
    """

    _lock: asyncio.Lock
    _owned: AbstractAsyncContextManager[Any] | None
    _owned_s3: AbstractAsyncContextManager[Any] | None

    def _prepare(self) -> None:
        if importlib.util.find_spec("aiobotocore") is None:
            raise ImportError(INSTALL_HINT)
        self._lock = asyncio.Lock()
        self._owned = self._owned_s3 = None

    async def __aenter__(self) -> Self:
        await self._connect()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the client this object built (a client passed in is the caller's)."""
        async with self._lock:
            owned, self._owned = self._owned, None
            owned_s3, self._owned_s3 = self._owned_s3, None
            if owned is not None:
                self._connection = None
                await owned.__aexit__(None, None, None)
            if owned_s3 is not None:
                self._s3_client = None
                await owned_s3.__aexit__(None, None, None)

    async def get_matching_job(self, workflow_name: str, job_id: str) -> MatchingJob:
        """Return the current state of a matching job (see `EntityResolutionJobs`)."""
        return await self._call(MATCHING.get, workflowName=workflow_name, jobId=job_id)

    async def start_matching_job(self, workflow_name: str) -> JobId:
        """Start a run of a matching workflow and return the new job's id."""
        return await self._call(MATCHING.start, workflowName=workflow_name)

    def list_matching_jobs(self, workflow_name: str) -> AsyncIterator[MatchingJobSummary]:
        """Iterate asynchronously over every job of a workflow, a page at a time.

        The argument is checked when iteration starts, before any request.
        """
        return self._walk_pages(MATCHING, workflow_name)

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
        sleep: AsyncSleep = asyncio.sleep,
    ) -> AsyncIterator[MatchingJob]:
        """Poll a job until it ends, yielding every state fetched (see the sync class).

        The wait settings are checked at once; the ids when iteration starts.
        """
        from ._waiting import waiter_for  # noqa: PLC0415 - loads on first wait

        waiter = waiter_for(
            MATCHING, workflow_name, job_id, timeout=timeout, min_delay=min_delay,
            max_delay=max_delay, expected_duration=expected_duration, use_history=use_history,
            clock=clock, now=now,
        )  # fmt: skip
        return self._watch(waiter, sleep, on_estimate)

    async def wait_for_matching_job(
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
        sleep: AsyncSleep = asyncio.sleep,
    ) -> MatchingJob:
        """Wait for a job to end; return it if it SUCCEEDED.

        The same rules, defaults and errors as
        `EntityResolutionJobs.wait_for_matching_job`; cancelling the task
        stops the wait at its next await.
        """
        from ._waiting import waiter_for  # noqa: PLC0415 - loads on first wait

        waiter = waiter_for(
            MATCHING, workflow_name, job_id, timeout=timeout, min_delay=min_delay,
            max_delay=max_delay, expected_duration=expected_duration, use_history=use_history,
            clock=clock, now=now,
        )  # fmt: skip
        return await self._wait(waiter, on_update, sleep, on_estimate)

    async def estimate_job_end(
        self,
        workflow_name: str,
        job: MatchingJob | IdMappingJob,
        *,
        expected_duration: float | None = None,
        use_history: bool = True,
        now: Callable[[], datetime] = utc_now,
    ) -> JobEstimate:
        """When a job is expected to end (see `EntityResolutionJobs.estimate_job_end`)."""
        from ._waiting import estimating_waiter  # noqa: PLC0415 - loads on first use

        waiter = estimating_waiter(
            kind_of(job), workflow_name, job, expected_duration=expected_duration,
            use_history=use_history, now=now,
        )  # fmt: skip
        if waiter.needs_history:
            waiter.take_history(await self._call(waiter.kind.list, **waiter.history_params))
        return waiter.estimate()

    async def job_history(
        self,
        workflow_name: str,
        *,
        last: int = 10,
        id_mapping: bool = False,
        max_rate: int = DEFAULT_MAX_RATE,
        clock: Clock = time.monotonic,
        sleep: AsyncSleep = asyncio.sleep,
    ) -> list[JobRun]:
        """How a workflow's recent runs went (see `EntityResolutionJobs.job_history`)."""
        from ._history import JobRun, Pacing  # noqa: PLC0415 - loads on first use

        pacing = Pacing(last, max_rate)
        if id_mapping:
            mapped = await self._read_newest(
                ID_MAPPING, workflow_name, last=last, pacing=pacing, clock=clock, sleep=sleep
            )
            return [JobRun.of(job) for job in mapped]
        matched = await self._read_newest(
            MATCHING, workflow_name, last=last, pacing=pacing, clock=clock, sleep=sleep
        )
        return [JobRun.of(job) for job in matched]

    async def _read_newest(
        self,
        kind: JobKind[JobT, JobSummary],
        workflow_name: str,
        *,
        last: int,
        pacing: Pacing,
        clock: Clock,
        sleep: AsyncSleep,
    ) -> list[JobT]:
        from ._history import newest  # noqa: PLC0415

        summaries = [summary async for summary in self._walk_pages(kind, workflow_name)]
        jobs: list[JobT] = []
        for job_id in newest(summaries, last):
            if (wait := pacing.delay(clock())) > 0:
                await sleep(wait)
            pacing.sent(clock())
            jobs.append(await self._call(kind.get, workflowName=workflow_name, jobId=job_id))
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
        sleep: AsyncSleep = asyncio.sleep,
    ) -> AsyncIterator[MatchingJob]:
        """Watch many jobs under one request budget; yield each as it ends (see the sync class).

        The settings are checked at once; the ids when iteration starts.
        """
        from ._scheduling import scheduler_for  # noqa: PLC0415 - loads on first watch

        scheduler = scheduler_for(
            MATCHING, jobs, max_rate=max_rate, timeout=timeout, min_delay=min_delay,
            max_delay=max_delay, use_history=use_history, clock=clock, now=now,
        )  # fmt: skip
        return self._watch_many(scheduler, on_update, sleep, on_estimate)

    async def get_id_mapping_job(self, workflow_name: str, job_id: str) -> IdMappingJob:
        """Return the current state of an ID mapping job (see `EntityResolutionJobs`)."""
        return await self._call(ID_MAPPING.get, workflowName=workflow_name, jobId=job_id)

    async def start_id_mapping_job(
        self,
        workflow_name: str,
        *,
        job_type: IdMappingJobType | None = None,
        output_source: OutputSource | None = None,
    ) -> JobId:
        """Start a run of an ID mapping workflow and return the new job's id.

        The arguments are those of `EntityResolutionJobs.start_id_mapping_job`.
        """
        params = id_mapping_start_params(workflow_name, job_type, output_source)
        return await self._call(ID_MAPPING.start, **params)

    def list_id_mapping_jobs(self, workflow_name: str) -> AsyncIterator[IdMappingJobSummary]:
        """Iterate asynchronously over every job of an ID mapping workflow, a page at a time.

        The argument is checked when iteration starts, before any request.
        """
        return self._walk_pages(ID_MAPPING, workflow_name)

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
        sleep: AsyncSleep = asyncio.sleep,
    ) -> AsyncIterator[IdMappingJob]:
        """Poll an ID mapping job until it ends, yielding every state fetched.

        The wait settings are checked at once; the ids when iteration starts.
        """
        from ._waiting import waiter_for  # noqa: PLC0415 - loads on first wait

        waiter = waiter_for(
            ID_MAPPING, workflow_name, job_id, timeout=timeout, min_delay=min_delay,
            max_delay=max_delay, expected_duration=expected_duration, use_history=use_history,
            clock=clock, now=now,
        )  # fmt: skip
        return self._watch(waiter, sleep, on_estimate)

    async def wait_for_id_mapping_job(
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
        sleep: AsyncSleep = asyncio.sleep,
    ) -> IdMappingJob:
        """Wait for an ID mapping job to end; return it if it SUCCEEDED.

        The same rules, defaults and errors as
        `EntityResolutionJobs.wait_for_id_mapping_job`; cancelling the task
        stops the wait at its next await.
        """
        from ._waiting import waiter_for  # noqa: PLC0415 - loads on first wait

        waiter = waiter_for(
            ID_MAPPING, workflow_name, job_id, timeout=timeout, min_delay=min_delay,
            max_delay=max_delay, expected_duration=expected_duration, use_history=use_history,
            clock=clock, now=now,
        )  # fmt: skip
        return await self._wait(waiter, on_update, sleep, on_estimate)

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
        sleep: AsyncSleep = asyncio.sleep,
    ) -> AsyncIterator[IdMappingJob]:
        """Watch many ID mapping jobs under one request budget; yield each as it ends."""
        from ._scheduling import scheduler_for  # noqa: PLC0415 - loads on first watch

        scheduler = scheduler_for(
            ID_MAPPING, jobs, max_rate=max_rate, timeout=timeout, min_delay=min_delay,
            max_delay=max_delay, use_history=use_history, clock=clock, now=now,
        )  # fmt: skip
        return self._watch_many(scheduler, on_update, sleep, on_estimate)

    async def get_job_output(
        self,
        job: MatchingJob | IdMappingJob,
        *,
        partial: bool = False,
        workflow_name: str | None = None,
    ) -> JobOutput:
        """Find what a job wrote to S3 (see `EntityResolutionJobs.get_job_output`)."""
        from ._output import OutputSearch  # noqa: PLC0415 - loads with the first use

        search = OutputSearch(job, partial=partial, workflow_name=workflow_name)
        if search.workflow_to_read is not None:
            kind = MATCHING if search.is_matching else ID_MAPPING
            search.take_workflow(
                await self._call(kind.workflow, workflowName=search.workflow_to_read)
            )
        while (listing := search.next_listing()) is not None:
            async for page in self._s3_pages(listing):
                search.take(page)
        return search.result()

    def iter_output_records(
        self, output: JobOutput, *, errors: bool = False
    ) -> AsyncIterator[dict[str, str]]:
        """Stream a job's records (see `EntityResolutionJobs.iter_output_records`).

        ``output`` is checked at once; parts are fetched as the iteration
        goes, a chunk at a time.
        """
        from ._output import checked_output  # noqa: PLC0415

        checked = checked_output(output)
        return self._records(checked.errors if errors else checked.success)

    async def download_job_output(
        self,
        output: JobOutput,
        directory: str | PathLike[str],
        *,
        on_progress: Callable[[OutputFile, int], object] | None = None,
        max_concurrency: int = 10,
    ) -> list[Path]:
        """Download a job's part files (see `EntityResolutionJobs.download_job_output`).

        The same pieces, checks and resumption, fetched by tasks on the
        event loop, ``max_concurrency`` at a time; files are written with
        plain (blocking) writes of at most 256 KiB.
        """
        from ._downloads import Download, PieceFetch  # noqa: PLC0415 - loads with the first use

        download = Download(
            output, directory, on_progress=on_progress, max_concurrency=max_concurrency
        )
        pieces = download.pieces()
        if not pieces:
            return download.paths
        s3 = await self._s3()
        slots = asyncio.Semaphore(download.max_concurrency)

        async def fetch(piece_fetch: PieceFetch) -> None:
            async with slots:
                await self._fetch(s3, piece_fetch)

        tasks = [asyncio.ensure_future(fetch(PieceFetch(piece, download))) for piece in pieces]
        try:
            for done in asyncio.as_completed(tasks):
                await done
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        return download.paths

    @staticmethod
    async def _fetch(s3: Any, fetch: PieceFetch) -> None:
        try:
            while fetch.wants_more():
                try:
                    reply = await s3.get_object(**fetch.request())
                    fetch.check(reply)
                    body = reply["Body"]
                    try:
                        while chunk := await body.read(fetch.read_size):
                            fetch.write(chunk)
                    finally:
                        closed = body.close()
                        if inspect.isawaitable(closed):  # pragma: no cover - httpx bodies
                            await closed
                except Exception as error:
                    fetch.failed(error)  # returns to read the rest; raises what is no broken stream
            fetch.complete()
        finally:
            fetch.abandon()  # an unfinished (or cancelled) piece journals what it wrote

    async def _records(self, files: tuple[OutputFile, ...]) -> AsyncIterator[dict[str, str]]:
        from ._records import CHUNK, RecordDecoder  # noqa: PLC0415

        for part in files:
            decoder = RecordDecoder(part.key)
            async for chunk in self._chunks(part, CHUNK):
                for record in decoder.feed(chunk):
                    yield record
            for record in decoder.close():
                yield record

    async def _chunks(self, part: OutputFile, size: int) -> AsyncIterator[bytes]:
        s3 = await self._s3()
        with translating_s3("GetObject", part.s3_uri):
            reply = await s3.get_object(Bucket=part.bucket, Key=part.key)  # pyright: ignore[reportUnknownMemberType]
        body = reply["Body"]
        try:
            while True:
                with translating_s3("GetObject", part.s3_uri):
                    chunk: bytes = await body.read(size)
                if not chunk:
                    return
                yield chunk
        finally:
            closed = body.close()
            if inspect.isawaitable(closed):  # pragma: no cover - aiobotocore's httpx bodies
                await closed

    async def _s3_pages(self, listing: Listing) -> AsyncIterator[Mapping[str, object]]:
        subject = listing.location.uri
        with translating_s3("ListObjectsV2", subject):
            paginator = (await self._s3()).get_paginator("list_objects_v2")
            # An aiobotocore paginator; botocore-stubs type it as the sync one.
            pages: AsyncIterator[Mapping[str, object]] = aiter(paginator.paginate(**listing.params))
        while True:
            with translating_s3("ListObjectsV2", subject):
                page: Mapping[str, object] | None = await anext(pages, None)
            if page is None:
                return
            yield page

    async def _s3(self) -> Any:
        # Any: aiobotocore's clients are untyped (their stubs type them as
        # botocore's sync ones); only get_object and the paginator are used.
        s3 = self._s3_client
        if s3 is not None:
            return s3
        er = (await self._connect()).client
        async with self._lock:
            if self._s3_client is None:
                with translating("CreateClient"):
                    self._s3_client = await self._build_s3_client(er)
            return self._s3_client

    async def _build_s3_client(self, er: BaseClient) -> BaseClient:
        creator = self._s3_client_context(er)
        client = await creator.__aenter__()
        self._owned_s3 = creator  # closed by aclose()
        return client

    def _s3_client_context(self, er: BaseClient) -> AbstractAsyncContextManager[BaseClient]:
        """The S3 client to open on first use (the Airflow hook's opens its connection's)."""
        from aiobotocore.session import get_session  # noqa: PLC0415

        if self._owns_client:
            session, config = self._aio_session(), None
        else:
            session, config = get_session(), cast("AioConfig", er.meta.config)
        return cast(
            "AbstractAsyncContextManager[BaseClient]",
            session.create_client(  # pyright: ignore[reportUnknownMemberType]
                "s3", region_name=er.meta.region_name, config=config or self._aio_config(session)
            ),
        )

    async def _call(self, operation: Operation[ResultT], **params: object) -> ResultT:
        connection = self._connection or await self._connect()
        connection.checker.check(operation.name, params)
        try:
            reply = await getattr(connection.client, operation.method)(**params)
        except Exception as error:
            raise_translated(error, operation.name, connection.service_model)
        return operation.read(reply, params)

    async def _checked(self, operation: Operation[object], params: dict[str, object]) -> Connection:
        connection = self._connection or await self._connect()
        connection.checker.check(operation.name, params)
        return connection

    async def _walk_pages(
        self, kind: JobKind[JobT, SummaryT], workflow_name: str
    ) -> AsyncIterator[SummaryT]:
        operation = kind.list
        params: dict[str, object] = {"workflowName": workflow_name}
        connection = await self._checked(operation, params)
        with translating(operation.name, connection.service_model):
            paginator = connection.client.get_paginator(operation.method)
            # An aiobotocore paginator; botocore-stubs type it as the sync one.
            pages = cast("AsyncIterator[Mapping[str, object]]", aiter(paginator.paginate(**params)))  # type: ignore[arg-type]
        while True:
            with translating(operation.name, connection.service_model):
                page: Mapping[str, object] | None = await anext(pages, None)
            if page is None:
                return
            for summary in operation.read(page, params):
                yield summary

    async def _wait(
        self,
        waiter: Waiter[JobT],
        on_update: Callable[[JobT], object] | None,
        sleep: AsyncSleep,
        on_estimate: Callable[[JobEstimate], object] | None = None,
    ) -> JobT:
        async for job in self._watch(waiter, sleep):
            if on_update is not None:
                on_update(job)
            if on_estimate is not None:
                on_estimate(waiter.estimate())
        return waiter.outcome()

    async def _watch_many(
        self,
        scheduler: Scheduler[JobT],
        on_update: Callable[[JobT], object] | None,
        sleep: AsyncSleep,
        on_estimate: Callable[[JobEstimate], object] | None = None,
    ) -> AsyncIterator[JobT]:
        for waiter in scheduler.waiters:
            await self._checked(waiter.kind.get, waiter.params)
        for step in scheduler:
            if step.delay:
                await sleep(step.delay)
            if step.history:
                scheduler.take_history(step.waiter, await self._history(step.waiter))
                if on_estimate is not None:
                    on_estimate(step.waiter.estimate())
                continue
            polled = await self._poll(step.waiter)
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

    async def _watch(
        self,
        waiter: Waiter[JobT],
        sleep: AsyncSleep,
        on_estimate: Callable[[JobEstimate], object] | None = None,
    ) -> AsyncIterator[JobT]:
        await self._checked(waiter.kind.get, waiter.params)
        for delay in waiter:
            if delay:
                await sleep(delay)
            if (job := waiter.record(await self._poll(waiter))) is not None:
                if waiter.needs_history:
                    waiter.take_history(await self._history(waiter))
                if on_estimate is not None:
                    on_estimate(waiter.estimate())
                yield job

    async def _poll(self, waiter: Waiter[JobT]) -> JobT | EntityResolutionError:
        try:
            return await self._call(waiter.kind.get, **waiter.params)
        except EntityResolutionError as error:
            return error

    async def _history(self, waiter: Waiter[JobT]) -> Sequence[JobSummary] | EntityResolutionError:
        try:
            return await self._call(waiter.kind.list, **waiter.history_params)
        except EntityResolutionError as error:
            return error

    async def _connect(self) -> Connection:
        async with self._lock:
            if self._connection is None:
                with translating("CreateClient"):
                    self._connection = connect_to(await self._build_client())
            return self._connection

    async def _build_client(self) -> BaseClient:
        session = self._aio_session()
        creator: AbstractAsyncContextManager[BaseClient] = session.create_client(  # pyright: ignore[reportUnknownMemberType]
            SERVICE_NAME,
            region_name=self._region_name,
            endpoint_url=self._endpoint_url,
            config=self._aio_config(session),
        )
        client = await creator.__aenter__()
        self._owned = creator
        return client

    def _aio_session(self) -> AioSession:
        # Imported here, not at module level: see the module docstring.
        from aiobotocore.session import AioSession, get_session  # noqa: PLC0415

        session = self._session
        if session is None:
            session = self._session = (
                get_session()
                if self._profile_name is None
                else AioSession(profile=self._profile_name)
            )
        return session

    def _aio_config(self, session: AioSession) -> AioConfig:
        from aiobotocore.config import AioConfig  # noqa: PLC0415

        # aiobotocore wants its own Config subclass; its merge copies every
        # setting of any botocore Config, whatever its stubs say.
        return AioConfig().merge(cast("AioConfig", client_config(session, self._config)))
