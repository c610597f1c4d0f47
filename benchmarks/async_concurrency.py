"""N concurrent get_matching_job calls against a local server, four ways.

A minimal keep-alive HTTP server (``_canned_server.py``) answers every
request with one GetMatchingJob reply, in a separate process on 127.0.0.1,
so that its CPU is not the client's and it is never the bottleneck. For
N = 1, 10, 100 and 1000 calls in flight, each way makes rounds of N calls;
the ways take turns round by round, in an order that rotates, so drift on this noisy machine and the
after-effects of one way on the next hit them alike. Reported per way:
calls per second (wall clock) and CPU per call in this process.

- AsyncEntityResolutionJobs: ``asyncio.gather`` of N calls;
- raw aiobotocore: the same gather, on the very client the facade wraps;
- EntityResolutionJobs on a pool of 64 threads.

All clients retry in standard mode and allow 64 pooled connections.

Run: make bench   (or: python benchmarks/async_concurrency.py [calls_per_way])
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.config import Config

from _canned import JOB_ID, WORKFLOW
from entityresolution_jobs import AsyncEntityResolutionJobs, EntityResolutionJobs

TARGET = 1.05
POOL = 64


def _start_server() -> tuple[subprocess.Popen[str], str]:
    script = Path(__file__).with_name("_canned_server.py")
    process = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=script.parent
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def main(calls_per_way: int = 2000) -> dict[int, dict[str, tuple[float, float]]]:
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
) -> dict[int, dict[str, tuple[float, float]]]:
    results: dict[int, dict[str, tuple[float, float]]] = {}
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

        def sync_threads(n: int) -> None:
            list(pool.map(lambda _: sync.get_matching_job(workflow, job_id), range(n)))

        ways: dict[str, Any] = {
            "AsyncEntityResolutionJobs": async_facade,
            "raw aiobotocore": raw_aiobotocore,
            "EntityResolutionJobs + threads": sync_threads,
        }
        for way in ways.values():  # warm up: connections, schemas, caches
            result = way(20)
            if asyncio.iscoroutine(result):
                await result
        for n in (1, 10, 100, 1000):
            rounds = max(1, calls_per_way // n)
            wall = dict.fromkeys(ways, 0.0)
            cpu = dict.fromkeys(ways, 0.0)
            order = list(ways.items())
            for index in range(rounds):
                # Rotate who goes first: each way follows each other way equally often.
                shift = index % len(order)
                for name, way in order[shift:] + order[:shift]:
                    started, started_cpu = time.perf_counter(), time.process_time()
                    result = way(n)
                    if asyncio.iscoroutine(result):
                        await result
                    wall[name] += time.perf_counter() - started
                    cpu[name] += time.process_time() - started_cpu
            calls = rounds * n
            results[n] = {name: (calls / wall[name], cpu[name] / calls * 1e6) for name in ways}
        pool.shutdown()
    _report(results)
    return results


def _report(results: dict[int, dict[str, tuple[float, float]]]) -> None:
    print("| calls in flight | way | calls/s | CPU per call (us) |")
    print("|---:|---|---:|---:|")
    for n, ways in results.items():
        for name, (rate, cpu) in ways.items():
            print(f"| {n} | {name} | {rate:,.0f} | {cpu:,.0f} |")
    print()
    for n, ways in results.items():
        ours, raw = ways["AsyncEntityResolutionJobs"], ways["raw aiobotocore"]
        cpu_ratio, rate_ratio = ours[1] / raw[1], raw[0] / ours[0]
        verdict = "ok" if max(cpu_ratio, rate_ratio) <= TARGET else "OVER TARGET"
        print(
            f"N={n}: async facade / raw aiobotocore: CPU per call {cpu_ratio:.3f}, "
            f"time per call {rate_ratio:.3f} (target <= {TARGET}) {verdict}"
        )


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:2]))
