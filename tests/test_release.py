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


def _airflow_lines() -> dict[str, tuple[str, list[str]]]:
    """``.ci/airflow-lines.txt``: each line's name, its Python and its pip arguments."""
    lines: dict[str, tuple[str, list[str]]] = {}
    for line in (ROOT / ".ci" / "airflow-lines.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            python, name, *pins = line.split()
            lines[name] = (python, pins)
    return lines


def test_the_airflow_floors_line_installs_the_airflow_extras_floors() -> None:
    pytest.importorskip("tomllib")  # the script reads pyproject.toml with it (Python 3.11+)
    lowest_pins = runpy.run_path(str(ROOT / ".ci" / "lowest_constraints.py"))["lowest_pins"]

    _, pins = _airflow_lines()["floors"]

    assert set(lowest_pins(ROOT / "pyproject.toml", ["airflow"])) <= set(pins)


def test_each_airflow_line_runs_on_its_own_declared_python() -> None:
    pythons = [python for python, _ in _airflow_lines().values()]

    assert len(set(pythons)) == len(pythons)
    assert set(pythons) <= set(_declared_pythons())
    assert {"floors", "3.0", "newest"} == set(_airflow_lines())
