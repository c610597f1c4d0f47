"""A TCP proxy on 127.0.0.1 that makes loopback behave like a network, or break like one.

In front of a local server (the fake's S3), each connection it accepts gets
its own upstream connection and, as set: a bandwidth cap (bytes a second,
each way, per connection, as one TCP stream to S3 carries tens of MB/s), a
delay before the first byte of each reply (the time to first byte a
request pays), and a cut (the connection reset once it has carried so
many bytes of reply) for the first connections that reach it. Used by the
download tests (a connection cut midway) and by
``benchmarks/output_download.py`` (a network's bandwidth and latency).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

READ_SIZE = 64 * 1024


class NetworkProxy:
    """Forwards 127.0.0.1:``port`` to ``upstream`` (a ``host:port``), shaped as told.

    Attributes:
        port: The port it listens on (after `running` has started it).
        connections: Connections accepted so far.
        gets: GET requests forwarded so far (a client sends the next request on
            a kept-alive connection only after the last reply: no pipelining).
        cut: Connections it has cut so far.
    """

    def __init__(
        self,
        upstream: str,
        *,
        bandwidth: float | None = None,
        first_byte_delay: float = 0.0,
        cut_after: int | None = None,
        cuts: int = 0,
    ) -> None:
        host, _, port = upstream.rpartition(":")
        self._upstream = (host, int(port))
        self._bandwidth = bandwidth
        self._delay = first_byte_delay
        self._cut_after = cut_after
        self._cuts_left = cuts
        self.port = 0
        self.connections = 0
        self.gets = 0
        self.cut = 0
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._open: set[asyncio.Task[None]] = set()

    @contextlib.contextmanager
    def running(self) -> Iterator[NetworkProxy]:
        """Serve in a thread of its own until the block ends."""
        started = threading.Event()
        thread = threading.Thread(target=self._serve, args=(started,), daemon=True)
        thread.start()
        started.wait(10)
        try:
            yield self
        finally:
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
            thread.join(10)
            self._loop.close()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    def _serve(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._connection, "127.0.0.1", 0)
        )
        self.port = self._server.sockets[0].getsockname()[1]
        started.set()
        self._loop.run_forever()

    async def _shutdown(self) -> None:
        # Connections a client keeps open end as a reset would end them; their
        # tasks then finish on their own (cancelling them would log errors).
        if self._server is not None:
            self._server.close()
        for writer in self._writers:
            writer.transport.abort()
        if self._open:
            await asyncio.wait(self._open, timeout=5)

    async def _connection(
        self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> None:
        self.connections += 1
        task = asyncio.current_task()
        assert task is not None
        self._open.add(task)
        self._writers.add(client_writer)
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self._upstream)
        except OSError:
            client_writer.close()
            self._writers.discard(client_writer)
            self._open.discard(task)
            return
        self._writers.add(upstream_writer)
        awaiting_reply = asyncio.Event()

        async def requests() -> None:
            while data := await client_reader.read(READ_SIZE):
                self.gets += data.startswith(b"GET ")
                awaiting_reply.set()
                upstream_writer.write(data)
                await upstream_writer.drain()

        async def replies() -> None:
            sent, began = 0, time.monotonic()
            while data := await upstream_reader.read(READ_SIZE):
                if awaiting_reply.is_set():
                    awaiting_reply.clear()
                    await asyncio.sleep(self._delay)
                    sent, began = 0, time.monotonic()
                cut_after = self._cut_after
                if cut_after is not None and self._cuts_left > 0 and sent + len(data) > cut_after:
                    self._cuts_left -= 1
                    client_writer.write(data[: max(0, cut_after - sent)])
                    await client_writer.drain()
                    self.cut += 1
                    client_writer.transport.abort()  # a reset, mid-reply
                    return
                client_writer.write(data)
                await client_writer.drain()
                sent += len(data)
                if self._bandwidth:
                    ahead = began + sent / self._bandwidth - time.monotonic()
                    if ahead > 0:
                        await asyncio.sleep(ahead)
            client_writer.close()

        forwarding = asyncio.ensure_future(requests())
        try:
            await replies()  # when the replies end, so does the connection
        except OSError:
            pass
        finally:
            upstream_writer.transport.abort()
            client_writer.transport.abort()
            with contextlib.suppress(OSError):
                await forwarding  # ends as its reader does
            self._writers -= {client_writer, upstream_writer}
            self._open.discard(task)
