"""The release workflow agrees with what the package declares, and passes its linters."""

from __future__ import annotations

import re
import runpy
import subprocess
import sys
from importlib.metadata import metadata
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"


def _workflow() -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text())
    return loaded


def _declared_pythons() -> list[str]:
    classifiers = metadata("entityresolution-jobs").get_all("Classifier") or []
    found = (re.fullmatch(r"Programming Language :: Python :: (\d+\.\d+)", c) for c in classifiers)
    return [m[1] for m in found if m]


def test_pull_requests_test_every_declared_python_and_run_the_checks() -> None:
    workflow = _workflow()
    jobs = workflow["jobs"]

    assert "pull_request" in workflow[True]  # YAML 1.1 reads the key "on" as True
    assert jobs["test"]["strategy"]["matrix"]["python"] == _declared_pythons()
    assert any("make test" in step.get("run", "") for step in jobs["test"]["steps"])
    assert any("make check" in step.get("run", "") for step in jobs["check"]["steps"])
    assert any("make test-airflow" in step.get("run", "") for step in jobs["airflow"]["steps"])
    assert any("make test-aws-cli" in step.get("run", "") for step in jobs["aws-cli"]["steps"])


def test_a_version_tag_publishes_with_trusted_publishing_after_the_tests() -> None:
    workflow = _workflow()
    publish = workflow["jobs"]["publish"]

    assert "v*" in workflow[True]["push"]["tags"]
    assert publish["if"] == "startsWith(github.ref, 'refs/tags/v')"
    assert publish["needs"] == ["test", "check", "airflow", "aws-cli"]
    assert publish["permissions"] == {"id-token": "write"}
    steps = publish["steps"]
    assert steps[-1]["uses"].startswith("pypa/gh-action-pypi-publish@")
    assert "twine check --strict" in steps[-2]["run"]


@pytest.mark.slow
def test_actionlint_finds_nothing_wrong() -> None:
    actionlint = Path(sys.executable).parent / "actionlint"  # the dev extra's, in this venv
    result = subprocess.run(
        [str(actionlint), str(WORKFLOW)], capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode == 0, result.stdout + result.stderr


MWAA = ROOT / ".ci" / "mwaa"


def _airflow_lines() -> dict[str, tuple[str, str]]:
    """``.ci/airflow-lines.txt``: each MWAA Airflow version, its Python and its role."""
    lines: dict[str, tuple[str, str]] = {}
    for line in (ROOT / ".ci" / "airflow-lines.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            version, python, role = line.split()
            lines[version] = (python, role)
    return lines


def _pins(path: Path) -> dict[str, str]:
    """A constraint file's ``name==version`` lines, names lower-cased."""
    found = (
        re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)", line.strip())
        for line in path.read_text().splitlines()
    )
    return {m[1].lower(): m[2] for m in found if m}


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def test_every_mwaa_line_with_constraint_files_is_checked_on_the_python_its_file_names() -> None:
    lines = _airflow_lines()
    with_files = {
        path.name[len("constraints-") : -len(".txt")] for path in MWAA.glob("constraints-*")
    }

    assert set(lines) == with_files
    for version, (python, role) in lines.items():
        assert role in {"test", "resolve", "report"}
        assert (MWAA / f"essential-{version}.txt").is_file()
        # Airflow's constraint file says which Python it was made for.
        header = (MWAA / f"constraints-{version}.txt").read_text()[:400]
        assert f"/constraints-{version}/constraints-{python}.txt" in header
        assert python in _declared_pythons()


def test_the_floors_are_what_the_oldest_tested_mwaa_line_pins() -> None:
    pytest.importorskip("tomllib")  # the script reads pyproject.toml with it (Python 3.11+)
    lowest_pins = runpy.run_path(str(ROOT / ".ci" / "lowest_constraints.py"))["lowest_pins"]
    lines = _airflow_lines()
    tested = sorted((v for v, (_, role) in lines.items() if role == "test"), key=_version)
    oldest = tested[0]
    pins = _pins(MWAA / f"constraints-{oldest}.txt") | _pins(MWAA / f"essential-{oldest}.txt")

    floors = dict(
        pin.lower().split("==")
        for pin in lowest_pins(ROOT / "pyproject.toml", [])
        + lowest_pins(ROOT / "pyproject.toml", ["airflow"])
    )

    for name in ("boto3", "botocore", "pydantic", "aiobotocore", "apache-airflow",
                 "apache-airflow-providers-amazon"):  # fmt: skip
        assert floors[name] == pins[name], name
    # Every line from the oldest tested one up must install; older ones are reported only.
    for version, (_, role) in lines.items():
        assert (role != "report") is (_version(version) >= _version(oldest)), version
    assert len(tested) >= 4


def test_the_newest_mwaa_line_is_tested() -> None:
    lines = _airflow_lines()

    newest = max(lines, key=_version)

    assert lines[newest][1] == "test"
