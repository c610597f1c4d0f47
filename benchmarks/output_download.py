"""Downloading a job's output through a modelled network, against ``aws s3 sync``.

``er-jobs fake-server`` runs in a child process with a SUCCEEDED matching
job whose output folder holds ``MIB`` MiB of part files (16 parts). Between
the downloaders and the fake's S3 sits ``tests/network_proxy.py``'s proxy,
which makes loopback behave like a network: each connection carries at
most ``BANDWIDTH`` bytes a second and every reply waits ``LATENCY`` seconds
for its first byte (as one TCP stream to S3 carries tens of MB/s, with
tens of ms to first byte). Three downloaders fetch the same folder, each a
fresh process, interleaved round after round:

- the library: ``EntityResolutionJobs().download_job_output(...)``;
- ``er-jobs output WORKFLOW JOB_ID --download DIR``;
- ``aws s3 sync s3://BUCKET/FOLDER DIR`` (the AWS CLI: s3transfer).

Printed per downloader: the median wall time, the throughput it gives
(MB/s), and its peak resident memory (the child's ``ru_maxrss``); then the
library's and er-jobs' throughput as a ratio of the AWS CLI's. Target: at
least the AWS CLI's throughput, with no more memory.

Needs the AWS CLI (``make bench-download`` installs it into ``.venv-awscli``):
``python benchmarks/output_download.py AWS [MIB] [ROUNDS]``.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import boto3

from _fake_server import fake_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.network_proxy import NetworkProxy

BANDWIDTH = float(os.environ.get("BENCH_BANDWIDTH", "25e6"))  # bytes a second, per connection
LATENCY = float(os.environ.get("BENCH_LATENCY", "0.030"))  # seconds to the first byte of each reply
PARTS = int(os.environ.get("BENCH_PARTS", "16"))
WORKFLOW = "customers"
BUCKET = "out-bucket"
CREATE = {
    "inputSourceConfig": [
        {"inputSourceARN": "arn:aws:glue:us-east-1:123456789012:table/db/t", "schemaName": "s"}
    ],
    "outputSourceConfig": [{"outputS3Path": f"s3://{BUCKET}/r/", "output": [{"name": "id"}]}],
    "resolutionTechniques": {"resolutionType": "RULE_MATCHING"},
    "roleArn": "arn:aws:iam::123456789012:role/er",
}
LIBRARY = """
import sys
from entityresolution_jobs import EntityResolutionJobs
er = EntityResolutionJobs()
job = er.get_matching_job(sys.argv[1], sys.argv[2])
er.download_job_output(er.get_job_output(job), sys.argv[3])
"""


def _environment(endpoint: str, s3_endpoint: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ENDPOINT_URL=endpoint,
        AWS_ENDPOINT_URL_S3=s3_endpoint,
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    return env


def _job_with_output(endpoint: str, mib: int) -> tuple[str, str]:
    """A SUCCEEDED job and its output folder (``r/customers/JOB_ID/``) holding ``mib`` MiB."""
    settings = {
        "endpoint_url": endpoint,
        "region_name": "us-east-1",
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    er = boto3.client("entityresolution", **settings)  # type: ignore[call-overload]
    s3 = boto3.client("s3", **settings)  # type: ignore[call-overload]
    er.create_matching_workflow(workflowName=WORKFLOW, **CREATE)
    job_id: str = er.start_matching_job(workflowName=WORKFLOW)["jobId"]
    body = json.dumps({"workflowName": WORKFLOW, "jobId": job_id}).encode()
    request = urllib.request.Request(
        f"{endpoint}/moto-api/entityresolution/jobs/succeed", data=body, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        reply.read()
    s3.create_bucket(Bucket=BUCKET)
    folder = f"r/{WORKFLOW}/{job_id}/"
    part = os.urandom(mib * 1024 * 1024 // PARTS)
    for index in range(PARTS):
        s3.put_object(Bucket=BUCKET, Key=f"{folder}success/part-{index:05d}.csv", Body=part)
    return job_id, folder


def _run(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and peak resident KiB of one child process.

    The peak is the child's own ``VmHWM``, read every 10 ms while it runs:
    ``ru_maxrss`` would not do, as Linux carries a forked child's peak
    (this process's size) across ``exec``.
    """
    start = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    peak = 0
    while child.poll() is None:
        peak = max(peak, _high_water_kib(child.pid))
        time.sleep(0.01)
    if child.returncode:
        raise subprocess.CalledProcessError(child.returncode, command)
    return time.perf_counter() - start, peak


def _high_water_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass  # it has just ended
    return 0


def compare(aws: str, endpoint: str, mib: int, rounds: int) -> dict[str, float]:
    """Print and return each of ours' throughput as a ratio of the AWS CLI's."""
    job_id, folder = _job_with_output(endpoint, mib)
    upstream = endpoint.removeprefix("http://")
    er_jobs = str(Path(sys.executable).with_name("er-jobs"))
    with NetworkProxy(upstream, bandwidth=BANDWIDTH, first_byte_delay=LATENCY).running() as proxy:
        env = _environment(endpoint, proxy.url)
        target = Path(tempfile.mkdtemp(prefix="er-download-"))
        commands = {
            "library download_job_output": [sys.executable, "-c", LIBRARY, WORKFLOW, job_id],
            "er-jobs output --download": [er_jobs, "output", WORKFLOW, job_id, "--download"],
            "aws s3 sync": [aws, "s3", "sync", "--only-show-errors", f"s3://{BUCKET}/{folder}"],
        }
        seconds: dict[str, list[float]] = {name: [] for name in commands}
        memory: dict[str, list[int]] = {name: [] for name in commands}
        try:
            for _ in range(rounds):
                for name, command in commands.items():
                    shutil.rmtree(target, ignore_errors=True)
                    wall, peak = _run([*command, str(target)], env)
                    seconds[name].append(wall)
                    memory[name].append(peak)
        finally:
            shutil.rmtree(target, ignore_errors=True)
    size = mib * 1024 * 1024
    print(
        f"{mib} MiB in {PARTS} parts through a proxy of {BANDWIDTH / 1e6:.0f} MB/s per "
        f"connection and {LATENCY * 1e3:.0f} ms to first byte; median of {rounds} "
        "interleaved rounds, fresh processes:"
    )
    rates = {}
    for name in commands:
        wall = statistics.median(seconds[name])
        rates[name] = size / wall / 1e6
        print(
            f"  {name:<30} {wall:6.2f} s  {rates[name]:7.1f} MB/s  "
            f"peak {max(memory[name]) / 1024:6.0f} MiB"
        )
    base, base_memory = rates["aws s3 sync"], max(memory["aws s3 sync"])
    ratios = {}
    for name in ("library download_job_output", "er-jobs output --download"):
        ratios[name] = ratio = rates[name] / base
        lighter = max(memory[name]) <= base_memory
        verdict = "ok" if ratio >= 1.0 and lighter else "MISSED"
        print(
            f"  {name}: {ratio:.2f}x the AWS CLI's throughput, "
            f"{'no more' if lighter else 'more'} memory ({verdict}; target >= 1.0x, no more)"
        )
    return ratios


def main(aws: str, mib: int = 512, rounds: int = 3) -> dict[str, float]:
    with fake_server() as endpoint:
        return compare(aws, endpoint, mib, rounds)


if __name__ == "__main__":
    main(sys.argv[1], *(int(arg) for arg in sys.argv[2:4]))
