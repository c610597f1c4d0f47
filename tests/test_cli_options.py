"""er-jobs as AWS users type it: global options anywhere, the AWS environment, clean help."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from botocore.session import Session as BotocoreSession

from entityresolution_jobs import ConfigurationError
from entityresolution_jobs.cli import _app, _common, run
from entityresolution_jobs.cli._app import hoist_global_options
from entityresolution_jobs.cli._debug import DEBUG
from entityresolution_jobs.testing import EntityResolutionMock

JOB = "0" * 32
COMMANDS = [
    ["get", "wf", JOB],
    ["wait", "wf", JOB],
    ["list", "wf"],
    ["start", "wf"],
    ["id-mapping", "get", "wf", JOB],
    ["id-mapping", "wait", "wf", JOB],
    ["id-mapping", "list", "wf"],
    ["id-mapping", "start", "wf"],
]
OPTIONS = [
    (["--region", "eu-west-1"], {"region_name": "eu-west-1"}),
    (["--region=eu-west-1"], {"region_name": "eu-west-1"}),
    (["--profile", "analytics"], {"profile_name": "analytics"}),
    (["--endpoint-url", "http://127.0.0.1:9"], {"endpoint_url": "http://127.0.0.1:9"}),
    (["--debug"], {"debug": True}),
]


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What each command builds its client from; the client then refuses to work (exit 2)."""
    seen: list[dict[str, Any]] = []

    class Recorder:
        def __init__(self, *, session: BotocoreSession, **settings: Any) -> None:
            # The profile named on the line: the session's own, not AWS_PROFILE.
            profile = session.instance_variables().get("profile")
            seen.append({**settings, "profile_name": profile, "debug": DEBUG.enabled})
            raise ConfigurationError("recorded")

    monkeypatch.setattr(_common, "EntityResolutionJobs", Recorder)
    monkeypatch.setattr(_app, "log_everything", lambda: None)
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    return seen


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize(("option", "expected"), OPTIONS, ids=str)
@pytest.mark.parametrize("where", ["before", "after"])
def test_every_global_option_works_before_or_after_every_command(
    built: list[dict[str, Any]],
    command: list[str],
    option: list[str],
    expected: dict[str, Any],
    where: str,
) -> None:
    argv = [*option, *command] if where == "before" else [*command, *option]

    code = run(argv)

    assert code == 2  # the recorder's ConfigurationError, after the client was built
    assert built, argv
    for name, value in expected.items():
        assert built[0][name] == value


def test_the_value_after_the_command_wins(built: list[dict[str, Any]]) -> None:
    run(["--region", "us-east-1", "get", "wf", JOB, "--region", "eu-west-1"])

    assert built[0]["region_name"] == "eu-west-1"


@pytest.mark.parametrize(
    ("argv", "hoisted"),
    [
        (["get", "wf", "--region", "r", JOB], ["--region", "r", "get", "wf", JOB]),
        (["get", "--debug", "wf"], ["--debug", "get", "wf"]),
        (["list", "wf", "--profile=p"], ["--profile=p", "list", "wf"]),
        (["get", "--", "--region", "r"], ["get", "--", "--region", "r"]),
    ],
)
def test_global_options_are_moved_to_the_front_in_order(
    argv: list[str], hoisted: list[str]
) -> None:
    assert hoist_global_options(argv) == hoisted


def test_a_region_with_no_value_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["list", "wf", "--region"])

    assert code == 2
    assert capsys.readouterr().err == "er-jobs: option --region requires a value\n"


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        # Left to boto3's default session, which reads it (see below).
        ({"AWS_PROFILE": "analytics"}, {"profile_name": None}),
        ({"AWS_DEFAULT_REGION": "eu-west-1"}, {"region_name": "eu-west-1"}),
        (
            {"AWS_REGION": "eu-west-2", "AWS_DEFAULT_REGION": "eu-west-1"},
            {"region_name": "eu-west-2"},
        ),
        ({"AWS_ENDPOINT_URL": "http://127.0.0.1:9"}, {"endpoint_url": "http://127.0.0.1:9"}),
        (
            {
                "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
                "AWS_ENDPOINT_URL_ENTITYRESOLUTION": "http://127.0.0.1:8",
            },
            {"endpoint_url": "http://127.0.0.1:8"},
        ),
    ],
)
def test_the_environment_is_read_as_the_aws_cli_reads_it(
    built: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    environment: dict[str, str],
    expected: dict[str, Any],
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    run(["list", "wf"])

    for name, value in expected.items():
        assert built[0][name] == value


def test_an_option_wins_over_the_environment(
    built: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-2")

    run(["list", "wf", "--region", "ap-south-1"])

    assert built[0]["region_name"] == "ap-south-1"


@pytest.mark.slow
def test_the_endpoint_from_the_environment_reaches_the_fake_over_http(moto_server: str) -> None:
    EntityResolutionMock().create_workflow("customers")
    environment = {**os.environ, "AWS_ENDPOINT_URL_ENTITYRESOLUTION": moto_server}

    listed = subprocess.run(
        [sys.executable, "-m", "entityresolution_jobs.cli", "list", "customers", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=environment,
    )

    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == {"jobs": []}


@pytest.mark.parametrize(
    "command", [[], ["id-mapping"], *[c[: 2 if c[0] == "id-mapping" else 1] for c in COMMANDS]]
)
def test_help_names_values_and_leaves_flags_bare(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = run([*command, "--help"])

    shown = capsys.readouterr().out
    assert code == 0
    assert "<bool>" not in shown
    assert "<str>" not in shown
    assert "<float" not in shown
    assert "{" not in shown.splitlines()[0]  # the usage line: WORKFLOW, not {workflow}
    if not command:
        assert "--region REGION" in shown
    if command[-1:] == ["wait"]:
        assert "--timeout SECONDS" in shown
        assert "WORKFLOW [JOB_ID]..." in shown
    if command[-1:] == ["get"]:
        assert "WORKFLOW JOB_ID" in shown
        assert "may come before or after the command" in " ".join(shown.split())


@pytest.fixture
def team_profile(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A profile with a region and no credentials; keys in the environment; AWS_PROFILE set."""
    config = tmp_path / "config"
    config.write_text("[profile team]\nregion = eu-west-2\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_PROFILE", "team")
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)


def test_aws_profile_from_the_environment_resolves_as_boto3s_default_session(
    entity_resolution: EntityResolutionMock, team_profile: None, capsys: pytest.CaptureFixture[str]
) -> None:
    import boto3

    EntityResolutionMock(region_name="eu-west-2").create_workflow("customers")
    default = boto3.session.Session()
    credentials = default.get_credentials()

    code = run(["list", "customers", "--json"])

    # boto3's default session: the profile's region, the environment's keys.
    assert default.region_name == "eu-west-2"
    assert credentials is not None
    assert credentials.access_key == os.environ["AWS_ACCESS_KEY_ID"]
    assert code == 0, capsys.readouterr().err
    assert json.loads(capsys.readouterr().out) == {"jobs": []}


def test_a_profile_named_on_the_line_uses_its_own_credentials(
    entity_resolution: EntityResolutionMock, team_profile: None, capsys: pytest.CaptureFixture[str]
) -> None:
    EntityResolutionMock(region_name="eu-west-2").create_workflow("customers")

    code = run(["list", "customers", "--profile", "team"])

    assert code == 5  # the profile has none: as `aws --profile team` would fail
    assert "Unable to locate credentials" in capsys.readouterr().err


def test_a_profile_that_does_not_exist_is_a_usage_error(
    entity_resolution: EntityResolutionMock, team_profile: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["list", "customers", "--profile", "missing"])

    assert code == 2  # ConfigurationError, as a missing region is; not 6 (service/network)
    assert "The config profile (missing) could not be found" in capsys.readouterr().err
