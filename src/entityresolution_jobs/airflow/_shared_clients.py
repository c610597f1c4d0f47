"""One async client per connection in a triggerer, shared by every trigger waiting through it.

Airflow's triggerer runs every deferred wait as an asyncio task in one
event loop. Under the service's quota of one running job per kind, jobs
queue and their waits pile up there; a client of their own each would cost
about a megabyte apiece (aiobotocore's session, service model and HTTP
pool) and poll with no common limit. Triggers with the same connection
settings in the same event loop share one `AsyncEntityResolutionJobs`
instead: built by the first, closed when the last is done (credentials
refresh as aiobotocore refreshes them), with one request budget, a sliding
one-second window (`RequestBudget`), on every request it sends.
"""

from __future__ import annotations

import asyncio
import json
import time
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from .._defaults import DEFAULT_MAX_RATE
from .._scheduling import RequestWindow

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, Awaitable, Callable, Hashable
    from contextlib import AbstractAsyncContextManager

    from .._aio import AsyncEntityResolutionJobs
    from ._hook import EntityResolutionHook


class RequestBudget:
    """At most ``max_rate`` requests in any one-second window, in the order they asked.

    Its `before_send` is an (async) botocore ``before-send`` handler: each
    HTTP request a client sends, retries included, waits for a slot first.

    Args:
        max_rate: The most requests in any one-second window.
        clock: Monotonic seconds.
        sleep: Waits a number of seconds.
    """

    def __init__(
        self,
        max_rate: int = DEFAULT_MAX_RATE,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.max_rate = max_rate
        self._clock = clock
        self._sleep = sleep
        self._window = RequestWindow(max_rate)  # the many-job watches' own rule
        self._turn = asyncio.Lock()  # first come, first sent

    async def acquire(self) -> None:
        """Wait until a request may be sent within the budget, and count it."""
        async with self._turn:
            # Again after each sleep: asyncio may wake a timer a clock tick
            # early, which would let a request in a hair inside the second.
            while (wait := self._window.allowed_at() - self._clock()) > 0:
                await self._sleep(wait)
            self._window.spend(self._clock())

    async def before_send(self, **_: object) -> None:
        """The ``before-send`` handler: None lets botocore send the request itself."""
        await self.acquire()


class _SharedClient:
    """A client some triggers use: opened by the first, closed by the last."""

    def __init__(self, opener: AbstractAsyncContextManager[AsyncEntityResolutionJobs]) -> None:
        self.users = 0
        self._opener = opener
        self._jobs: AsyncEntityResolutionJobs | None = None
        self._failure: Exception | None = None
        self._opening = asyncio.Lock()

    async def open(self) -> AsyncEntityResolutionJobs:
        async with self._opening:
            # An opener is entered once: users waiting while it failed get its error too.
            if self._failure is not None:
                raise self._failure
            if self._jobs is None:
                try:
                    self._jobs = await self._opener.__aenter__()
                except Exception as error:
                    self._failure = error
                    raise
            return self._jobs

    async def close(self) -> None:
        if self._jobs is not None:
            self._jobs = None
            await self._opener.__aexit__(None, None, None)


_CLIENTS: dict[Hashable, _SharedClient] = {}


def connection_key(
    aws_conn_id: str | None,
    region_name: str | None,
    verify: bool | str | None,
    botocore_config: dict[str, object] | None,
) -> tuple[str | None, ...]:
    """What tells two triggers' clients apart: the connection and its overrides."""
    config = None if botocore_config is None else json.dumps(botocore_config, sort_keys=True)
    return (aws_conn_id, region_name, json.dumps(verify), config)


@asynccontextmanager
async def shared_jobs(
    key: tuple[str | None, ...], hook: Callable[[], EntityResolutionHook]
) -> AsyncGenerator[AsyncEntityResolutionJobs, None]:
    """The client of ``key`` in this event loop, built from ``hook()`` by its first user."""
    loop_key = (asyncio.get_running_loop(), *key)
    shared = _CLIENTS.get(loop_key)
    if shared is None:
        shared = _CLIENTS[loop_key] = _SharedClient(hook().async_jobs(max_rate=DEFAULT_MAX_RATE))
    shared.users += 1
    try:
        yield await shared.open()
    finally:
        shared.users -= 1
        if shared.users == 0:
            del _CLIENTS[loop_key]  # a trigger arriving now builds a new one
            await shared.close()


def shared_client_count() -> int:
    """How many shared clients are open (in every event loop)."""
    return len(_CLIENTS)
