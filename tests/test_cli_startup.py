"""What an er-jobs command loads: its own command, on botocore alone (start-up time)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from entityresolution_jobs.cli import run
from entityresolution_jobs.testing import EntityResolutionMock

# Runs er-jobs in a fresh interpreter, then prints the modules it loaded.
PROBE = """
import json, sys
from entityresolution_jobs.cli import run
code = run(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""

# Never on the path of get or wait: what the AWS CLI does not load either
# (boto3, and s3transfer through it), other commands' modules, and Rich
# when standard error is not a terminal.
NOT_LOADED = (
    "boto3",
    "s3transfer",
    "rich",
    "moto",
    "entityresolution_jobs._output",
    "entityresolution_jobs._history",
    "entityresolution_jobs.cli._output",
    "entityresolution_jobs.cli._demo",
    "entityresolution_jobs.cli._fake_server",
)


def loaded_by(endpoint: str, *argv: str) -> set[str]:
    """The modules ``er-jobs ARGV`` loaded in a fresh process against ``endpoint``."""
    terminal = ("FORCE_COLOR", "TTY_COMPATIBLE")  # what would make Rich see one in a pipe
    environment = {name: value for name, value in os.environ.items() if name not in terminal}
    environment["AWS_ENDPOINT_URL"] = endpoint
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["code"] == 0, done.stderr
    return set(report["modules"])


@pytest.mark.parametrize("command", ["get", "wait"])
def test_get_and_wait_load_botocore_and_their_own_command_only(
    entity_resolution_server: str, command: str
) -> None:
    fake = EntityResolutionMock()
    fake.create_workflow("wf")
    job_id = fake.backend.start_matching_job("wf").job_id
    fake.job("wf", job_id).succeed()

    modules = loaded_by(entity_resolution_server, command, "wf", job_id, "--json")

    assert "botocore.session" in modules
    assert "entityresolution_jobs.cli._jobs" in modules
    for name in NOT_LOADED:
        assert not any(module == name or module.startswith(f"{name}.") for module in modules), name


@pytest.mark.parametrize(
    ("argv", "typo", "nearest"),
    [
        (["gte", "wf"], "gte", "get"),
        (["fake-sever"], "fake-sever", "fake-server"),
        (["id-mapping", "strat", "wf"], "strat", "start"),
        (["id-mpping", "get"], "id-mpping", "id-mapping"),
    ],
)
def test_a_mistyped_command_is_told_the_nearest_one(
    argv: list[str], typo: str, nearest: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(argv)

    assert code == 2
    assert f"No such command '{typo}'. Did you mean '{nearest}'?" in capsys.readouterr().err
