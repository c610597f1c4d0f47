"""How the test suite runs the docs' samples: the evaluators the root conftest.py gives Sybil.

- `run_shell_sample`: a ``sh`` block in bash, as a reader pastes it into a
  terminal with the testing page's environment exported, against the fake
  server; the variables one block sets are there for the next block of its
  page, and a ``# {...}`` comment after a command is output it must print.
- `run_testing_page_sample`: a Python block of docs/testing.md, whose
  samples stand alone, each as a reader uses it: a test function as a
  pytest test (with the fixtures it names), a block that imports
  ``mock_aws`` as it is, a block that names ``127.0.0.1:4566`` against the
  fake server, and any other block as lines of a test given the
  ``entity_resolution`` fixture as ``fake`` and ``er = EntityResolutionJobs()``.
- `run_in_airflow`: a Python block of docs/airflow.md, which needs Airflow:
  skipped here, run by ``make test-airflow`` (tests-airflow/test_docs_airflow.py).

The fake server listens on a free port, so ``127.0.0.1:4566`` (the port
the pages use, ``er-jobs fake-server``'s default) is replaced by its own
address in a sample before it runs; nothing else of a sample is changed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pytest

from tests.sample_tests import call_tests, defines_tests

if TYPE_CHECKING:
    from sybil import Example

PAGES_PORT = "127.0.0.1:4566"
"""The fake's address as the pages write it (`er-jobs fake-server`'s default port)."""

AWS_CLI = "ER_JOBS_AWS_CLI"
"""The variable naming the pinned AWS CLI, as `make test-aws-cli` sets it."""

_CALLS_AWS_CLI = re.compile(r"(^|[\s($])aws\s", flags=re.MULTILINE)
_EXPECTED_OUTPUT = re.compile(r"^# (?P<output>[{\[].*[}\]])", flags=re.MULTILINE)
_SHELL_STATE = "__shell_environment__"
_SHELL_SKIPPED = "__shell_skipped__"


class FixtureValue(Protocol):
    """`pytest.FixtureRequest.getfixturevalue`, as the ``fixture_value`` fixture hands it."""

    def __call__(self, argname: str, /) -> object: ...


def _padded(example: Example) -> str:
    """The sample's source after as many blank lines as precede it: tracebacks name its line."""
    preceding: int = example.line + example.parsed.line_offset
    return "\n" * preceding + str(example.parsed)


def _fixture_value(example: Example) -> FixtureValue:
    value: FixtureValue = example.namespace["fixture_value"]
    return value


def _server_address(url: str) -> str:
    return url.removeprefix("http://")


def run_shell_sample(example: Example) -> None:
    """Run a ``sh`` sample in bash against the fake; fail on a failing command or missing output."""
    source = str(example.parsed)
    aws_cli = os.environ.get(AWS_CLI)
    if _CALLS_AWS_CLI.search(source) and not aws_cli:
        # The page's later shell samples build on this one's variables: skipped too.
        example.namespace[_SHELL_SKIPPED] = (
            f"calls the AWS CLI, or follows a sample that does: make test-aws-cli runs it "
            f"({AWS_CLI} names the CLI)"
        )
    if _SHELL_SKIPPED in example.namespace:
        pytest.skip(example.namespace[_SHELL_SKIPPED])
    url = str(_fixture_value(example)("fake_service"))
    script = source.replace(PAGES_PORT, _server_address(url))
    environment: dict[str, str] = example.namespace.get(_SHELL_STATE) or dict(os.environ)
    # er-jobs of the environment running the tests; the pinned AWS CLI, if named, before any.
    paths = [str(Path(sys.executable).parent), os.environ.get("PATH", "")]
    if aws_cli:
        paths.insert(0, str(Path(aws_cli).parent))
    environment["PATH"] = os.pathsep.join(paths)
    with tempfile.TemporaryDirectory() as directory:
        state = Path(directory) / "environment"
        # allexport: the block's variables ($JOB, $E) are exported, so the dump has them.
        wrapped = f'set -a -e -o pipefail\n{script}\nenv -0 > "{state}"\n'
        ran = subprocess.run(
            ["bash", "-c", wrapped],
            cwd=directory,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert ran.returncode == 0, (
            f"{example.path}:{example.line}: exit {ran.returncode}\n"
            f"stdout:\n{ran.stdout}\nstderr:\n{ran.stderr}"
        )
        example.namespace[_SHELL_STATE] = dict(
            entry.split("=", 1) for entry in state.read_text().split("\0") if "=" in entry
        )
    for expected in _EXPECTED_OUTPUT.finditer(source):
        pattern = ".*?".join(re.escape(part) for part in expected["output"].split("..."))
        assert re.search(pattern, ran.stdout), (
            f"{example.path}:{example.line}: printed no {expected['output']}\n{ran.stdout}"
        )


def run_testing_page_sample(example: Example) -> None:
    """Run a Python sample of docs/testing.md as a reader uses it (see the module's docstring)."""
    fixture = _fixture_value(example)
    source = _padded(example)
    on_the_server = PAGES_PORT in source
    if on_the_server:
        server = str(fixture("entity_resolution_server"))
        source = source.replace(PAGES_PORT, _server_address(server))
    code = compile(source, example.path, "exec")
    namespace: dict[str, object] = {"__name__": "docs_testing_sample"}
    tests = defines_tests(source)
    if not tests and not on_the_server and "mock_aws()" not in source:
        from entityresolution_jobs import EntityResolutionJobs

        namespace["fake"] = fixture("entity_resolution")
        namespace["er"] = EntityResolutionJobs()
    exec(code, namespace)
    call_tests(source, namespace, fixture)


def run_in_airflow(example: Example) -> None:
    """Skip a docs/airflow.md sample here: it needs Airflow, which `make test-airflow` installs."""
    pytest.skip("needs Airflow: make test-airflow runs them (tests-airflow/test_docs_airflow.py)")
