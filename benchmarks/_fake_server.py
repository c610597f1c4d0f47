"""``er-jobs fake-server`` in a child process, for benchmarks that talk HTTP to it."""

from __future__ import annotations

import subprocess
import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator


@contextmanager
def fake_server() -> Iterator[str]:
    """Run the fake service (and moto's S3) on a free port; yield its endpoint URL."""
    server = subprocess.Popen(
        [sys.executable, "-m", "entityresolution_jobs.cli", "fake-server", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        yield server.stdout.readline().split()[-1]
    finally:
        server.terminate()
        server.wait(timeout=30)
