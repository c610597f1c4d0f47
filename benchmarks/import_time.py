"""Import cost of entityresolution_jobs against ``import boto3, pydantic``.

Two statements are measured: the bare ``import entityresolution_jobs``
(the package loads its clients and models on first use, so this is cheap),
and what application code actually writes, importing the client and the
models, which loads boto3 and pydantic's model machinery. The target is
checked on both.

Each sample is a fresh interpreter that times its own import with
perf_counter, so interpreter start-up is left out. The two imports
alternate, and bytecode caches are written by a warm-up run first (this
workplace sets PYTHONDONTWRITEBYTECODE, which would otherwise make every
sample compile its sources). Reported: the ratio of the medians.

Run: make bench   (or: python benchmarks/import_time.py [samples])
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys

TARGET = 1.2
BASELINE = "import boto3, pydantic"
OURS = (
    "import entityresolution_jobs",
    "from entityresolution_jobs import EntityResolutionJobs, MatchingJob, JobStatus",
)


def _sample(statement: str, env: dict[str, str]) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    )
    return float(out.stdout)


def main(samples: int = 15) -> list[float]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    statements = (BASELINE, *OURS)
    for statement in statements:  # write the bytecode caches
        _sample(statement, env)
    times: dict[str, list[float]] = {statement: [] for statement in statements}
    for index in range(samples):
        shift = index % len(statements)
        for statement in statements[shift:] + statements[:shift]:
            times[statement].append(_sample(statement, env))
    base = statistics.median(times[BASELINE])
    print(f"import time, median of {samples} fresh interpreters each:")
    print(f"  {BASELINE:80} {base * 1e3:7.1f} ms")
    ratios = []
    for statement in OURS:
        ours = statistics.median(times[statement])
        ratio = ours / base
        ratios.append(ratio)
        verdict = "ok" if ratio <= TARGET else "OVER TARGET"
        print(f"  {statement:80} {ours * 1e3:7.1f} ms  ratio {ratio:.3f} ({verdict})")
    print(f"  target: ratio <= {TARGET}")
    return ratios


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:2]))
