"""Import cost of entityresolution_jobs against ``import boto3, pydantic``.

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
OURS = "import entityresolution_jobs"


def _sample(statement: str, env: dict[str, str]) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    )
    return float(out.stdout)


def main(samples: int = 15) -> float:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for statement in (BASELINE, OURS):  # write the bytecode caches
        _sample(statement, env)
    base, ours = [], []
    for index in range(samples):
        pair = (BASELINE, OURS) if index % 2 else (OURS, BASELINE)
        times = {statement: _sample(statement, env) for statement in pair}
        base.append(times[BASELINE])
        ours.append(times[OURS])
    ratio = statistics.median(ours) / statistics.median(base)
    print(f"import time, median of {samples} fresh interpreters each:")
    print(f"  {BASELINE:30} {statistics.median(base) * 1e3:7.1f} ms")
    print(f"  {OURS:30} {statistics.median(ours) * 1e3:7.1f} ms")
    verdict = "ok" if ratio <= TARGET else "OVER TARGET"
    print(f"  ratio                          {ratio:.3f}  target <= {TARGET}: {verdict}")
    return ratio


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:2]))
