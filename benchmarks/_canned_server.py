"""A minimal HTTP/1.1 keep-alive server that answers every request with one GetMatchingJob reply.

Run in its own process by benchmarks/async_concurrency.py, so that the
server's CPU is not counted as the client's and the server is never the
bottleneck (moto's server closes every connection and serves ~150 calls/s
here). Prints its URL once listening.
"""

from __future__ import annotations

import asyncio
import sys

from _canned import REPLY


async def _serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        b"x-amzn-RequestId: bench\r\nContent-Length: %d\r\n\r\n" % len(REPLY)
    )
    try:
        while True:
            request = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in request.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length:
                await reader.readexactly(length)
            writer.write(head + REPLY)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()


async def main() -> None:
    server = await asyncio.start_server(_serve, "127.0.0.1", 0, backlog=2048)
    host, port = server.sockets[0].getsockname()[:2]
    print(f"http://{host}:{port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
