"""Wall time of ``er-jobs`` commands against the AWS CLI's, on the same local fake.

``er-jobs fake-server`` runs in a child process on 127.0.0.1 with one
matching workflow and one SUCCEEDED job in it (started, then finished
through the fake's HTTP controls). Each command then runs as a user runs
it, a fresh process from its console script, against that endpoint:

- ``er-jobs get WORKFLOW JOB_ID --json`` against ``aws entityresolution
  get-matching-job`` (same request, JSON out);
- ``er-jobs wait WORKFLOW JOB_ID`` (the job has ended: one request, then
  the outcome) against the same ``aws`` command, since the AWS CLI has no
  waiter for Entity Resolution jobs;
- ``er-jobs --help`` against ``aws help`` (the AWS CLI's top-level help,
  rendered as text when piped).

Runs are interleaved (each round runs every command once, in turn), after
one unmeasured run of each that writes the bytecode caches. Reported: the
median wall time per command over the rounds and the ratio of each
er-jobs median to its aws counterpart's.

Needs the AWS CLI (``make bench-cli`` installs v1 into ``.venv-awscli``):
``python benchmarks/cli_startup.py AWS [rounds]``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3

from _fake_server import fake_server

TARGET = 1.0
# Each er-jobs command and the aws command it is measured against.
COUNTERPARTS = {
    "er-jobs get --json": "aws entityresolution get-matching-job",
    "er-jobs wait": "aws entityresolution get-matching-job",
    "er-jobs --help": "aws help",
}
WORKFLOW = "customers"
CREATE = {
    "inputSourceConfig": [
        {"inputSourceARN": "arn:aws:glue:us-east-1:123456789012:table/db/t", "schemaName": "s"}
    ],
    "outputSourceConfig": [{"outputS3Path": "s3://out-bucket/r/", "output": [{"name": "id"}]}],
    "resolutionTechniques": {"resolutionType": "RULE_MATCHING"},
    "roleArn": "arn:aws:iam::123456789012:role/er",
}


def _environment(endpoint: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as a user's machine: caches written once
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ENDPOINT_URL=endpoint,
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    return env


def _succeeded_job(endpoint: str) -> str:
    client = boto3.client(
        "entityresolution",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_matching_workflow(workflowName=WORKFLOW, **CREATE)
    job_id: str = client.start_matching_job(workflowName=WORKFLOW)["jobId"]
    body = json.dumps({"workflowName": WORKFLOW, "jobId": job_id}).encode()
    request = urllib.request.Request(
        f"{endpoint}/moto-api/entityresolution/jobs/succeed", data=body, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        reply.read()
    return job_id


def _seconds(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - start


def compare(aws: str, endpoint: str, rounds: int) -> dict[str, float]:
    """Median wall time per command; ratios of er-jobs to aws printed and returned."""
    job_id = _succeeded_job(endpoint)
    env = _environment(endpoint)
    er_jobs = str(Path(sys.executable).with_name("er-jobs"))
    commands = {
        "aws entityresolution get-matching-job": [
            aws, "entityresolution", "get-matching-job",
            "--workflow-name", WORKFLOW, "--job-id", job_id,
        ],
        "er-jobs get --json": [er_jobs, "get", WORKFLOW, job_id, "--json"],
        "er-jobs wait": [er_jobs, "wait", WORKFLOW, job_id],
        "aws help": [aws, "help"],
        "er-jobs --help": [er_jobs, "--help"],
    }  # fmt: skip
    for command in commands.values():
        _seconds(command, env)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            times[name].append(_seconds(command, env))
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"command wall time, median of {rounds} interleaved rounds (fresh processes):")
    ratios = {}
    for name, median in medians.items():
        line = f"  {name:<40} {median * 1e3:7.0f} ms"
        if name in COUNTERPARTS:
            ratios[name] = ratio = median / medians[COUNTERPARTS[name]]
            verdict = "ok" if ratio <= TARGET else "SLOWER"
            line += f"  {ratio:.3f}x {COUNTERPARTS[name]} ({verdict}; target <= {TARGET})"
        print(line)
    return ratios


def main(aws: str, rounds: int = 15) -> dict[str, float]:
    with fake_server() as endpoint:
        return compare(aws, endpoint, rounds)


if __name__ == "__main__":
    main(sys.argv[1], *(int(arg) for arg in sys.argv[2:3]))
