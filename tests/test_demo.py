"""The demo that `make demo` runs keeps working."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parent.parent / "examples" / "stubbed_demo.py"


def test_the_demo_walks_a_job_to_success_and_catches_errors_by_class(
    capsys: pytest.CaptureFixture[str],
) -> None:
    runpy.run_path(str(DEMO), run_name="__main__")

    out = capsys.readouterr().out
    assert "QUEUED    0% of 1000 records" in out
    assert "RUNNING   40% of 1000 records" in out
    assert "'PAUSED_FOR_MAINTENANCE' is new to this version" in out
    assert "SUCCEEDED in 0:12:00: 412 match ids" in out
    assert "ResourceNotFoundError caught by class" in out
    assert "request id demo-request-1" in out
    assert "InvalidInputError, nothing sent: workflow_name" in out
