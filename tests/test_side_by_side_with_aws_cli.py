"""er-jobs and the AWS CLI, side by side on the same fake service: the same answers.

Needs the AWS CLI: ``make test-aws-cli`` installs it (v1, pinned) into
``.venv-awscli`` and runs these tests with ``ER_JOBS_AWS_CLI`` naming its
``aws``; elsewhere they are skipped.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from entityresolution_jobs.testing import EntityResolutionMock

AWS = os.environ.get("ER_JOBS_AWS_CLI", "")
pytestmark = pytest.mark.skipif(
    not AWS or not Path(AWS).exists(), reason="the AWS CLI: make test-aws-cli"
)
ER_JOBS = [sys.executable, "-m", "entityresolution_jobs.cli"]


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, capture_output=True, text=True, timeout=120, check=False, env=env
    )


@pytest.fixture
def environment(moto_server: str, tmp_path: Path) -> dict[str, str]:
    """A profile with a region and no keys, AWS_PROFILE naming it, keys in the environment."""
    config = tmp_path / "config"
    config.write_text("[profile team]\nregion = eu-west-2\n")
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env.update(
        AWS_PROFILE="team",
        AWS_CONFIG_FILE=str(config),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "credentials"),
        AWS_ACCESS_KEY_ID="AKIAENVIRONMENTKEY01",
        AWS_SECRET_ACCESS_KEY="environment-secret",
        AWS_ENDPOINT_URL=moto_server,
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


@pytest.fixture
def job_id(environment: dict[str, str]) -> str:
    fake = EntityResolutionMock(region_name="eu-west-2")  # the profile's region only
    fake.create_workflow("customers")
    started = fake.backend.start_matching_job("customers").job_id
    fake.job("customers", started).succeed(match_ids=42)
    return started


def test_aws_profile_with_keys_in_the_environment_resolves_alike(
    environment: dict[str, str], job_id: str
) -> None:
    ours = _run(
        [*ER_JOBS, "list", "customers", "--query", "jobs[].jobId", "--output", "text"], environment
    )
    theirs = _run(
        [AWS, "entityresolution", "list-matching-jobs", "--workflow-name", "customers",
         "--query", "jobs[].jobId", "--output", "text"],
        environment,
    )  # fmt: skip
    listed = _run([AWS, "configure", "list"], environment)

    assert theirs.returncode == 0, theirs.stderr
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == theirs.stdout == f"{job_id}\n"
    assert "env" in next(line for line in listed.stdout.splitlines() if "access_key" in line)


def test_query_and_text_output_read_the_same(environment: dict[str, str], job_id: str) -> None:
    for query in ("status", "metrics", "metrics.matchIDs", "outputSourceConfig[0].outputS3Path"):
        ours = _run(
            [*ER_JOBS, "get", "customers", job_id, "--query", query, "--output", "text"],
            environment,
        )
        theirs = _run(
            [AWS, "entityresolution", "get-matching-job", "--workflow-name", "customers",
             "--job-id", job_id, "--query", query, "--output", "text"],
            environment,
        )  # fmt: skip

        assert theirs.returncode == 0, theirs.stderr
        assert ours.stdout == theirs.stdout, query


def test_a_profile_named_on_the_line_uses_its_own_credentials_in_both(
    environment: dict[str, str], job_id: str
) -> None:
    ours = _run([*ER_JOBS, "--profile", "team", "list", "customers"], environment)
    theirs = _run(
        [AWS, "--profile", "team", "entityresolution", "list-matching-jobs",
         "--workflow-name", "customers"],
        environment,
    )  # fmt: skip

    assert theirs.returncode != 0
    assert "Unable to locate credentials" in theirs.stderr
    assert ours.returncode == 5
    assert "Unable to locate credentials" in ours.stderr
