"""Instructions of a whole short-lived process: import, client, one call, read the reply.

A script or a CLI run pays for imports and the first call, not for a warm
loop. This counts, with valgrind's callgrind, every instruction of a fresh
interpreter that imports the library, wraps a boto3 client whose HTTP is
answered in memory (``_canned.py``) and reads one ``get_matching_job``,
against one that imports boto3 and pydantic, defines the smallest
pydantic model of the reply (six untyped fields) and reads the same call
into it: the least a typed reply costs a process.

Each side runs once unmeasured first, so bytecode caches exist; the hash
seed is fixed. It runs in the interpreter that runs it and, given
``--newest PYTHON``, in that one too (``make bench-instructions`` passes
the newest botocore's environment).

Run: make bench-instructions   (or: python benchmarks/cold_process.py [--newest PYTHON])
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from call_instructions import botocore_version

TARGET = 1.04
HERE = Path(__file__).parent

BASELINE = """
from typing import Any
import boto3
from pydantic import BaseModel
from _canned import JOB_ID, WORKFLOW, canned_client

class Job(BaseModel):
    jobId: Any
    status: Any
    startTime: Any
    endTime: Any = None
    metrics: Any = None
    outputSourceConfig: Any = None

client = canned_client()
Job.model_validate(client.get_matching_job(workflowName=WORKFLOW, jobId=JOB_ID))
"""

FACADE = """
from entityresolution_jobs import EntityResolutionJobs
from _canned import JOB_ID, WORKFLOW, canned_client

EntityResolutionJobs(canned_client()).get_matching_job(WORKFLOW, JOB_ID)
"""


def count(valgrind: str, python: str, script: str) -> int:
    """Instructions of a fresh ``python -c script`` (in this directory)."""
    environment = {
        name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"
    }
    environment.update(PYTHONHASHSEED="0", AWS_EC2_METADATA_DISABLED="true")
    subprocess.run([python, "-c", script], env=environment, cwd=HERE, check=True)
    result = subprocess.run(
        [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", python, "-c", script],
        env=environment, cwd=HERE, capture_output=True, text=True, check=True,
    )  # fmt: skip
    match = re.search(r"Collected : (\d+)", result.stderr)
    if match is None:
        raise RuntimeError(f"callgrind printed no total:\n{result.stderr}")
    return int(match.group(1))


def main(newest: str | None = None) -> dict[str, float] | None:
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("cold process: valgrind not found; skipped")
        return None
    ratios = {}
    print("A fresh process: import, client, one get_matching_job read (callgrind)")
    print(f"  {'botocore':<10} {'boto3 + smallest model':>23} {'facade':>15} {'ratio':>7}  target")
    for python in (sys.executable, *([newest] if newest else [])):
        version = botocore_version(python)
        base, ours = count(valgrind, python, BASELINE), count(valgrind, python, FACADE)
        ratios[version] = ratio = ours / base
        verdict = "ok" if ratio <= TARGET else "OVER TARGET"
        print(f"  {version:<10} {base:23,} {ours:15,} {ratio:7.4f}  <= {TARGET}: {verdict}")
    return ratios


if __name__ == "__main__":
    arguments = sys.argv[1:]
    main(arguments[arguments.index("--newest") + 1] if "--newest" in arguments else None)
