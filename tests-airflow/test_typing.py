"""The Airflow adapter's types: a user's mistakes are rejected by mypy."""

from __future__ import annotations

import re
from pathlib import Path

from mypy import api as mypy_api

HERE = Path(__file__).resolve().parent
EXPECTED = re.compile(r"#\s*E:\s*(?P<fragment>.+)$")
REPORTED = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): error: (?P<message>.+)$")


def test_each_deliberate_misuse_fails_for_its_reason_and_nothing_else() -> None:
    path = HERE / "typecheck" / "misuse.py"
    expected = {
        number: match["fragment"].strip()
        for number, text in enumerate(path.read_text().splitlines(), start=1)
        if (match := EXPECTED.search(text))
    }

    stdout, stderr, _status = mypy_api.run(["--strict", "--no-error-summary", str(path)])
    assert not stderr, stderr
    reported: dict[int, list[str]] = {}
    for output in stdout.splitlines():
        if match := REPORTED.match(output):
            reported.setdefault(int(match["line"]), []).append(match["message"])

    assert sorted(reported) == sorted(expected), reported
    for line, fragment in expected.items():
        assert any(fragment in message for message in reported[line]), (line, reported[line])
