"""Every code sample in README.md and docs/ is at least well formed.

Python samples compile, shell samples pass ``bash -n``, YAML and JSON
samples parse: a reader who pastes one meets no syntax error. The pages
the root conftest.py names also have their Python samples run, by Sybil.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from tests.doc_samples import AWS_CLI

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


def test_every_python_and_shell_sample_is_collected_to_run_or_be_skipped_with_a_reason() -> None:
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         "README.md", "docs"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    items = set(re.findall(r"^(\S+\.md)::line:(\d+),column:1$", collected, flags=re.MULTILINE))
    samples = _samples("python") + _samples("sh")

    missing = [where for where, _ in samples if tuple(where.split(":")) not in items]

    assert len(samples) >= 56
    assert missing == []


def _run_pages(tmp_path: Path, pages: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run pytest on pages of a new project with this repository's sample runners."""
    shutil.copy(ROOT / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "__init__.py").write_text("")
    for runner in ("doc_samples.py", "sample_tests.py"):
        shutil.copy(ROOT / "tests" / runner, tmp_path / "tests" / runner)
    (tmp_path / "docs").mkdir()
    for name, text in pages.items():
        (tmp_path / name).write_text(text)
    command = [sys.executable, "-m", "pytest", "-v", "-rs", "-p", "no:cacheprovider", *pages]
    environment = {name: value for name, value in os.environ.items() if name != AWS_CLI}
    return subprocess.run(
        command, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip


def _outcome(run: subprocess.CompletedProcess[str], page: str, line: int) -> str:
    """PASSED, FAILED or SKIPPED: what pytest -v said of the sample at that line of the page."""
    found = re.search(rf"^{re.escape(page)}::line:{line},column:1 (\w+)", run.stdout, re.MULTILINE)
    assert found, run.stdout + run.stderr
    return found[1]


def test_a_failing_sample_is_reported_as_a_failure_naming_it(tmp_path: Path) -> None:
    run = _run_pages(tmp_path, {"docs/errors.md": "# A page\n\n```python\nratio = 1 / 0\n```\n"})

    assert run.returncode == 1, run.stdout + run.stderr  # a failure, not an internal error
    assert "errors.md:4" in run.stdout
    assert "ZeroDivisionError" in run.stdout
    assert "INTERNALERROR" not in run.stdout + run.stderr


SHELL_PAGE = """# Shell samples

```sh
JOBS=$(er-jobs list customers --endpoint-url http://127.0.0.1:4566 --output json)
```

```sh
echo "$JOBS" | jq -c .
# {"jobs":[]}
```

```sh
echo '{"status": "RUNNING"}'
# {"status": "SUCCEEDED"}
```

```sh
false
echo never
```

```sh
aws entityresolution list-matching-workflows
```

```sh
echo '{"after": "the AWS CLI"}'
```

<!-- skip: next "shows how a reason is given" -->
```sh
false
```
"""

TESTING_PAGE = """# Testing page

```python
def test_the_fixture_is_given(entity_resolution):
    assert entity_resolution.region_name == "eu-west-3"
```

```python
fake.create_workflow("customers")
assert list(er.list_matching_jobs("customers")) == []
```

```python
import urllib.request

assert urllib.request.urlopen("http://127.0.0.1:4566/moto-api/").status == 200
```
"""


def test_the_shell_samples_run_in_order_against_the_fake_and_print_what_the_page_shows(
    tmp_path: Path,
) -> None:
    run = _run_pages(tmp_path, {"docs/cli.md": SHELL_PAGE})

    # Against the fake on its own port, with its workflows; a variable lives on to the next sample.
    assert _outcome(run, "docs/cli.md", 3) == "PASSED"
    assert _outcome(run, "docs/cli.md", 7) == "PASSED"
    # Output the page shows that the command does not print is a failure.
    assert _outcome(run, "docs/cli.md", 12) == "FAILED"
    assert 'printed no {"status": "SUCCEEDED"}' in run.stdout
    # So is a failing command, even one not last.
    assert _outcome(run, "docs/cli.md", 17) == "FAILED"
    assert "docs/cli.md:17: exit 1" in run.stdout
    # Without the pinned AWS CLI, its samples and those after are skipped, saying so.
    assert _outcome(run, "docs/cli.md", 22) == "SKIPPED"
    assert _outcome(run, "docs/cli.md", 26) == "SKIPPED"
    assert "make test-aws-cli runs it" in run.stdout
    assert "shows how a reason is given" in run.stdout


def test_the_testing_pages_samples_run_as_tests_and_as_lines_of_a_test(tmp_path: Path) -> None:
    run = _run_pages(tmp_path, {"docs/testing.md": TESTING_PAGE})

    # A test function is called, with the fixture its parameter names.
    assert _outcome(run, "docs/testing.md", 3) == "FAILED"
    assert "docs/testing.md:5: AssertionError" in run.stdout
    # Lines of a test get `fake` (the entity_resolution fixture) and `er`.
    assert _outcome(run, "docs/testing.md", 8) == "PASSED"
    # The page's port is the fake server's.
    assert _outcome(run, "docs/testing.md", 13) == "PASSED"
