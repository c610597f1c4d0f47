"""The public API's types: inferred as documented, and misuse rejected by mypy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mypy import api as mypy_api

ROOT = Path(__file__).resolve().parent.parent
TYPING = Path(__file__).resolve().parent / "typecheck"
EXPECTED = re.compile(r"#\s*E:\s*(?P<fragment>.+)$")
REPORTED = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): error: (?P<message>.+)$")


def _mypy(path: Path) -> list[tuple[int, str]]:
    stdout, stderr, _status = mypy_api.run(
        ["--config-file", str(ROOT / "pyproject.toml"), "--no-error-summary", str(path)]
    )
    assert not stderr, stderr
    errors = []
    for line in stdout.splitlines():
        match = REPORTED.match(line)
        if match:
            errors.append((int(match["line"]), match["message"]))
    return errors


@pytest.mark.slow
def test_the_documented_types_are_inferred() -> None:
    assert _mypy(TYPING / "check_types.py") == []


@pytest.mark.slow
def test_each_deliberate_misuse_fails_for_its_reason_and_nothing_else() -> None:
    source = (TYPING / "misuse.py").read_text().splitlines()
    expected = {
        number: match["fragment"].strip()
        for number, text in enumerate(source, start=1)
        if (match := EXPECTED.search(text))
    }

    reported: dict[int, list[str]] = {}
    for line, message in _mypy(TYPING / "misuse.py"):
        reported.setdefault(line, []).append(message)

    assert sorted(reported) == sorted(expected), reported
    for line, fragment in expected.items():
        assert any(fragment in message for message in reported[line]), (line, reported[line])
