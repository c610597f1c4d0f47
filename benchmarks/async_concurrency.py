"""N concurrent get_matching_job calls against a local server, four ways.

A minimal keep-alive HTTP server (``_canned_server.py``) answers every
request with one GetMatchingJob reply, in a separate process on 127.0.0.1,
so that its CPU is not the client's and it is never the bottleneck. For
N = 1, 10, 100 and 1000 calls in flight, each way makes rounds of N calls
(6000 calls per way, or 15 rounds where that is more); the ways take turns
round by round, in a random order, so that drift on this noisy machine and
the after-effects of one way on the next hit them alike. Reported per way:
calls per second (wall clock) and CPU per call in this process; and the
facade's CPU against raw aiobotocore's as the median of the per-round
ratios (raw aiobotocore runs twice a round; the facade is compared with
the mean of the two), beside the ratio of those two raw runs (the method's
own error).

- AsyncEntityResolutionJobs: ``asyncio.gather`` of N calls;
- raw aiobotocore: the same gather, on the very client the facade wraps;
- EntityResolutionJobs on a pool of 64 threads (blocking the loop: it is
  measured alone, and only for the table).

All clients retry in standard mode and allow 64 pooled connections.

Run: make bench   (or: python benchmarks/async_concurrency.py [calls_per_way])
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.config import Config

from _canned import JOB_ID, WORKFLOW
from entityresolution_jobs import AsyncEntityResolutionJobs, EntityResolutionJobs

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

TARGET = 1.05
POOL = 64
MIN_ROUNDS = 15
FACADE = "AsyncEntityResolutionJobs"
RAW = "raw aiobotocore"
CONTROL = "raw aiobotocore, again"
THREADS = "EntityResolutionJobs + threads"


def _start_server() -> tuple[subprocess.Popen[str], str]:
    script = Path(__file__).with_name("_canned_server.py")
    process = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=script.parent
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


Results = dict[int, dict[str, tuple[float, float]]]


def main(calls_per_way: int = 6000) -> tuple[Results, dict[int, tuple[float, float]]]:
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",
    )
    process, url = _start_server()
    try:
        return asyncio.run(_measure(url, WORKFLOW, JOB_ID, calls_per_way))
    finally:
        process.kill()
        process.wait()


async def _measure(
    url: str, workflow: str, job_id: str, calls_per_way: int
) -> tuple[Results, dict[int, tuple[float, float]]]:
    results: Results = {}
    ratios: dict[int, tuple[float, float]] = {}
    settings = {"max_pool_connections": POOL, "retries": {"mode": "standard"}}
    async with get_session().create_client(
        "entityresolution", endpoint_url=url, config=AioConfig(**settings)
    ) as raw:
        facade = AsyncEntityResolutionJobs(raw)
        sync = EntityResolutionJobs(endpoint_url=url, config=Config(**settings))

        async def async_facade(n: int) -> None:
            await asyncio.gather(*(facade.get_matching_job(workflow, job_id) for _ in range(n)))

        async def raw_aiobotocore(n: int) -> None:
            await asyncio.gather(
                *(raw.get_matching_job(workflowName=workflow, jobId=job_id) for _ in range(n))
            )

        pool = ThreadPoolExecutor(max_workers=POOL)

        async def sync_threads(n: int) -> None:
            list(pool.map(lambda _: sync.get_matching_job(workflow, job_id), range(n)))

        ways: dict[str, Callable[[int], Awaitable[None]]] = {
            FACADE: async_facade,
            RAW: raw_aiobotocore,
            CONTROL: raw_aiobotocore,  # raw against raw: the method's own error
            THREADS: sync_threads,
        }
        for way in ways.values():  # warm up: connections, schemas, caches
            await way(20)
        for n in (1, 10, 100, 1000):
            rounds = max(MIN_ROUNDS, calls_per_way // n)
            wall = {name: [0.0] * rounds for name in ways}
            cpu = {name: [0.0] * rounds for name in ways}
            paired = [FACADE, RAW, CONTROL]
            shuffle = random.Random(n).shuffle
            for index in range(rounds):
                # The paired ways in a random order, so that each goes first, and
                # follows each other, equally often; threads last, as they block.
                shuffle(paired)
                for name in [*paired, THREADS]:
                    way = ways[name]
                    started, started_cpu = time.perf_counter(), time.process_time()
                    await way(n)
                    wall[name][index] = time.perf_counter() - started
                    cpu[name][index] = time.process_time() - started_cpu
            calls = rounds * n
            results[n] = {
                name: (calls / sum(wall[name]), sum(cpu[name]) / calls * 1e6) for name in ways
            }
            # Against both raw runs of the round, which halves the noise of
            # the denominator; the control compares those two with each other.
            raw_cpu = [(a + b) / 2 for a, b in zip(cpu[RAW], cpu[CONTROL], strict=True)]
            ratios[n] = (_paired(cpu[FACADE], raw_cpu), _paired(cpu[CONTROL], cpu[RAW]))
        pool.shutdown()
    _report(results, ratios)
    return results, ratios


def _paired(ours: list[float], theirs: list[float]) -> float:
    """The median of the round-by-round ratios: drift between rounds cancels out."""
    return statistics.median(a / b for a, b in zip(ours, theirs, strict=True))


def _report(results: Results, ratios: dict[int, tuple[float, float]]) -> None:
    print("| calls in flight | way | calls/s | CPU per call (us) |")
    print("|---:|---|---:|---:|")
    for n, ways in results.items():
        for name, (rate, cpu) in ways.items():
            if name != CONTROL:
                print(f"| {n} | {name} | {rate:,.0f} | {cpu:,.0f} |")
    print()
    print("CPU per call, async facade / raw aiobotocore:")
    print("  median of per-round ratios (control: raw/raw), and ratio of the totals")
    for n, (ratio, control) in ratios.items():
        verdict = "ok" if ratio <= TARGET else "OVER TARGET"
        totals = results[n][FACADE][1] / results[n][RAW][1]
        print(
            f"  N={n:<5} {ratio:.3f}  target <= {TARGET}: {verdict:<11}"
            f"  (control {control:.3f})  totals {totals:.3f}"
        )


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:2]))
