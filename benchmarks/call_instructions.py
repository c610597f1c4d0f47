"""Instructions per get_matching_job / get_id_mapping_job call, facade against raw (callgrind).

CPU time on this shared VM drifts by several percent; instruction counts do
not. This runs the workloads of the two CPU benchmarks under valgrind's
callgrind, which counts every instruction the process executes, whatever
else the machine is doing:

- sync: one boto3 client whose HTTP is answered in memory by a
  ``before-send`` handler (as ``call_overhead.py``), raw and through
  ``EntityResolutionJobs``, for get_matching_job and get_id_mapping_job
  (whose reply has 15 counts and a job type);
- async: one aiobotocore client against the keep-alive server of
  ``async_concurrency.py`` (in its own process, not counted), N calls at a
  time with ``asyncio.gather``, raw and through
  ``AsyncEntityResolutionJobs``.

Each case runs once with no measured calls and once per side with
``calls`` of them, after the same warm-up of both sides; a side's cost per
call is the difference divided by ``calls``. Hash randomisation is fixed
so that runs execute the same instructions (runs repeat within about 0.1%).
After the warm-up, ``gc.freeze()`` moves everything alive to the permanent
generation: a full collection walks the whole heap (botocore's loaded
models: some ten million instructions), and whether one falls among a
side's measured calls is chance, not that side's cost.

Instructions are not time: they leave out cache misses, which is where the
rest of the facade's CPU-time overhead goes (see docs/performance.md).

It runs on two botocores: the one of the interpreter running it (the
``async`` extra's pin, which aiobotocore holds back) and, given
``--newest PYTHON``, the sync cases again in that interpreter's
environment, which has the newest botocore (``make bench-instructions``
builds it). The newer botocore does less per call, so the same facade
weighs more there.

Run: make bench-instructions   (or: python benchmarks/call_instructions.py
[calls] [--newest PYTHON]). Needs valgrind; prints a note and exits 0 without it.
"""

from __future__ import annotations

import asyncio
import gc
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

TARGETS = {"sync": 1.015, "async": 1.05}
WARM_UP = 50
HERE = Path(__file__).parent


def sync_workload(side: str, calls: int, method: str) -> None:
    """Warm both sides up, then make ``calls`` calls of ``method`` on one side, HTTP stubbed."""
    from _canned import raw_and_facade

    raw, typed = raw_and_facade(method)
    for _ in range(WARM_UP):
        raw()
        typed()
    gc.collect()
    gc.freeze()
    call = raw if side == "raw" else typed
    for _ in range(calls):
        call()


async def async_workload(side: str, calls: int, in_flight: int, url: str) -> None:
    """Warm both sides up, then make ``calls`` calls on one side, ``in_flight`` at a time."""
    from aiobotocore.config import AioConfig
    from aiobotocore.session import get_session

    from _canned import JOB_ID, WORKFLOW
    from entityresolution_jobs import AsyncEntityResolutionJobs

    config = AioConfig(max_pool_connections=64, retries={"mode": "standard"})
    async with get_session().create_client(
        "entityresolution", endpoint_url=url, config=config
    ) as raw:
        facade = AsyncEntityResolutionJobs(raw)

        async def typed_round() -> None:
            await asyncio.gather(
                *(facade.get_matching_job(WORKFLOW, JOB_ID) for _ in range(in_flight))
            )

        async def raw_round() -> None:
            await asyncio.gather(
                *(
                    raw.get_matching_job(workflowName=WORKFLOW, jobId=JOB_ID)
                    for _ in range(in_flight)
                )
            )

        for _ in range(max(1, WARM_UP // in_flight)):
            await raw_round()
            await typed_round()
        gc.collect()
        gc.freeze()
        one_round = raw_round if side == "raw" else typed_round
        for _ in range(calls // in_flight):
            await one_round()


def count(valgrind: str, python: str, arguments: list[str]) -> int:
    """Instructions the whole process executed running this script in ``python``."""
    environment = {
        **os.environ,
        "PYTHONHASHSEED": "0",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    result = subprocess.run(
        [
            valgrind,
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            python,
            __file__,
            "--workload",
            *arguments,
        ],
        env=environment,
        cwd=HERE,
        capture_output=True,
        text=True,
        check=True,
    )
    match = re.search(r"Collected : (\d+)", result.stderr)
    if match is None:
        raise RuntimeError(f"callgrind printed no total:\n{result.stderr}")
    return int(match.group(1))


def measure(
    valgrind: str, cases: dict[tuple[str, str], list[str]], calls: int
) -> dict[tuple[str, str], tuple[float, float]]:
    """Per (python, case), instructions per call of (raw, facade), runs sharing the cores."""
    sides = (("raw", 0), ("raw", calls), ("facade", calls))
    runs = [(case, side, n) for case in cases for side, n in sides]
    with ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:
        counted = pool.map(
            lambda run: count(valgrind, run[0][0], [run[1], str(run[2]), *cases[run[0]]]), runs
        )
        totals = dict(zip(runs, counted, strict=True))

    def per_call(case: tuple[str, str], side: str) -> float:
        return (totals[case, side, calls] - totals[case, "raw", 0]) / calls

    return {case: (per_call(case, "raw"), per_call(case, "facade")) for case in cases}


def botocore_version(python: str) -> str:
    """The botocore version ``python`` imports."""
    return subprocess.run(
        [python, "-c", "import botocore; print(botocore.__version__)"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip


def _start_server() -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "_canned_server.py"], stdout=subprocess.PIPE, text=True, cwd=HERE
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


SYNC_CASES = {
    "sync, HTTP stubbed": ["sync", "get_matching_job"],
    "sync, ID mapping job": ["sync", "get_id_mapping_job"],
}


def main(calls: int = 200, newest: str | None = None) -> dict[tuple[str, str], float] | None:
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("instructions per call: valgrind not found; skipped")
        return None
    calls = max(100, calls - calls % 100)  # whole rounds of 100 calls in flight
    server, url = _start_server()
    try:
        cases = {(sys.executable, name): arguments for name, arguments in SYNC_CASES.items()}
        cases[sys.executable, "async, 1 in flight"] = ["async", "1", url]
        cases[sys.executable, "async, 100 in flight"] = ["async", "100", url]
        for name, arguments in SYNC_CASES.items() if newest else ():
            cases[newest, name] = arguments
        costs = measure(valgrind, cases, calls)
    finally:
        server.kill()
        server.wait()
    ratios = {}
    for python in dict.fromkeys(python for python, _ in cases):
        print(
            f"Get*Job: instructions per call, botocore {botocore_version(python)}"
            f" (callgrind, {calls} calls per side)"
        )
        print(f"  {'case':<22} {'raw':>11} {'facade':>11} {'added':>8} {'ratio':>7}  target")
        for (where, case), (raw, typed) in costs.items():
            if where != python:
                continue
            target = TARGETS[cases[where, case][0]]
            ratios[where, case] = ratio = typed / raw
            verdict = "ok" if ratio <= target else "OVER TARGET"
            print(
                f"  {case:<22} {raw:11,.0f} {typed:11,.0f} {typed - raw:8,.0f} {ratio:7.4f}"
                f"  <= {target}: {verdict}"
            )
    return ratios


if __name__ == "__main__":
    if sys.argv[1:2] == ["--workload"]:
        side, calls, kind, *rest = sys.argv[2:]
        if kind == "sync":
            sync_workload(side, int(calls), rest[0])
        else:
            asyncio.run(async_workload(side, int(calls), int(rest[0]), rest[1]))
    else:
        arguments = sys.argv[1:]
        newest = None
        if "--newest" in arguments:
            at = arguments.index("--newest")
            newest = arguments[at + 1]
            del arguments[at : at + 2]
        main(*(int(arg) for arg in arguments[:1]), newest=newest)
