"""Every code sample in README.md and docs/ is at least well formed.

Python samples compile, shell samples pass ``bash -n``, YAML and JSON
samples parse: a reader who pastes one meets no syntax error. The pages
the root conftest.py names also have their Python samples run, by Sybil.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# A fence, indented or not (inside a list item), its language, and its body.
FENCE = re.compile(
    r"^(?P<indent>[ ]*)```(?P<language>[a-z]*)\n(?P<body>.*?)^(?P=indent)```$",
    flags=re.DOTALL | re.MULTILINE,
)


def _samples(language: str) -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        text = page.read_text()
        for match in FENCE.finditer(text):
            if match["language"] == language:
                line = text.count("\n", 0, match.start()) + 1
                found.append((f"{page.relative_to(ROOT)}:{line}", textwrap.dedent(match["body"])))
    return found


def _ids(samples: list[tuple[str, str]]) -> list[str]:
    return [where for where, _ in samples]


PYTHON = _samples("python")
SHELL = _samples("sh")
YAML = _samples("yaml")
JSON = _samples("json")


def test_the_samples_are_found() -> None:
    assert len(PYTHON) >= 40
    assert len(SHELL) >= 10
    assert YAML
    assert JSON


@pytest.mark.parametrize(("where", "code"), PYTHON, ids=_ids(PYTHON))
def test_a_python_sample_compiles(where: str, code: str) -> None:
    compile(code, where, "exec")


@pytest.mark.parametrize(("where", "code"), SHELL, ids=_ids(SHELL))
def test_a_shell_sample_is_valid_bash(where: str, code: str) -> None:
    checked = subprocess.run(
        ["bash", "-n"], input=code, capture_output=True, text=True, timeout=30, check=False
    )

    assert checked.returncode == 0, f"{where}: {checked.stderr}"


@pytest.mark.parametrize(("where", "text"), YAML, ids=_ids(YAML))
def test_a_yaml_sample_parses(where: str, text: str) -> None:
    assert yaml.safe_load(text), where


@pytest.mark.parametrize(("where", "text"), JSON, ids=_ids(JSON))
def test_a_json_sample_parses(where: str, text: str) -> None:
    assert json.loads(text), where


def test_a_failing_sample_is_reported_as_a_failure_naming_it(tmp_path: Path) -> None:
    shutil.copy(ROOT / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "errors.md").write_text("# A page\n\n```python\nratio = 1 / 0\n```\n")

    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "docs/errors.md"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert run.returncode == 1, run.stdout + run.stderr  # a failure, not an internal error
    assert "errors.md:4" in run.stdout
    assert "ZeroDivisionError" in run.stdout
    assert "INTERNALERROR" not in run.stdout + run.stderr
