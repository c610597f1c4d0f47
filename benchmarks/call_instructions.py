"""Instructions per get_matching_job call, facade against raw boto3, counted by callgrind.

CPU time on this shared VM drifts by several percent; instruction counts do
not. This runs the same workload as ``call_overhead.py`` (one boto3 client,
HTTP answered in memory by a ``before-send`` handler) under valgrind's
callgrind, which counts every instruction the process executes, whatever
else the machine is doing. Each side runs twice, with 0 and with ``calls``
measured calls after the same warm-up; the difference divided by ``calls``
is that side's cost per call. Hash randomisation is fixed so that the runs
execute the same instructions.

Instructions are not time: they leave out cache misses, which is where the
facade's remaining CPU-time overhead goes (see docs/performance.md).

Run: make bench   (or: python benchmarks/call_instructions.py [calls])
Needs valgrind; prints a note and exits 0 without it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

TARGET = 1.03
WARM_UP = 50


def workload(side: str, calls: int) -> None:
    """Warm both sides up, then make ``calls`` calls on one side (run under callgrind)."""
    from _canned import JOB_ID, WORKFLOW, canned_client
    from entityresolution_jobs import EntityResolutionJobs

    client = canned_client()
    facade = EntityResolutionJobs(client)

    def raw() -> object:
        return client.get_matching_job(workflowName=WORKFLOW, jobId=JOB_ID)

    def typed() -> object:
        return facade.get_matching_job(WORKFLOW, JOB_ID)

    for _ in range(WARM_UP):
        raw()
        typed()
    call = raw if side == "raw" else typed
    for _ in range(calls):
        call()


def count(valgrind: str, side: str, calls: int) -> int:
    """Instructions the whole process executed for ``calls`` calls on ``side``."""
    result = subprocess.run(
        [
            valgrind,
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            __file__,
            "--workload",
            side,
            str(calls),
        ],
        env={**os.environ, "PYTHONHASHSEED": "0"},
        cwd=Path(__file__).parent,
        capture_output=True,
        text=True,
        check=True,
    )
    match = re.search(r"Collected : (\d+)", result.stderr)
    if match is None:
        raise RuntimeError(f"callgrind printed no total:\n{result.stderr}")
    return int(match.group(1))


def per_call(valgrind: str, calls: int) -> dict[str, float]:
    """Instructions of one call per side: the runs with and without the calls, subtracted.

    The four runs are independent, so they share the machine's cores.
    """
    runs = [(side, n) for side in ("raw", "facade") for n in (0, calls)]
    with ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:
        totals = dict(zip(runs, pool.map(lambda run: count(valgrind, *run), runs), strict=True))
    return {side: (totals[side, calls] - totals[side, 0]) / calls for side in ("raw", "facade")}


def main(calls: int = 100) -> float | None:
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("get_matching_job instructions: valgrind not found; skipped")
        return None
    costs = per_call(valgrind, calls)
    raw, typed = costs["raw"], costs["facade"]
    ratio = typed / raw
    print(f"get_matching_job: instructions per call (callgrind, {calls} calls per side)")
    print(f"  raw boto3 call       {raw:11,.0f}")
    print(f"  EntityResolutionJobs {typed:11,.0f}  (+{typed - raw:,.0f})")
    verdict = "ok" if ratio <= TARGET else "OVER TARGET"
    print(f"  ratio facade/raw     {ratio:.4f}  target <= {TARGET}: {verdict}")
    return ratio


if __name__ == "__main__":
    if sys.argv[1:2] == ["--workload"]:
        workload(sys.argv[2], int(sys.argv[3]))
    else:
        main(*(int(arg) for arg in sys.argv[1:2]))
