"""The pytest plugin of entityresolution-jobs (registered as ``pytest11``).

It offers the ``entity_resolution`` fixture. Loading it imports neither
boto3 nor moto (the package's clients load on first use), so it costs
test suites that do not use the fixture next to nothing, and it works
without moto until the fixture is asked for.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

    from .testing import EntityResolutionMock

_FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_EC2_METADATA_DISABLED": "true",
}


@pytest.fixture
def entity_resolution(monkeypatch: pytest.MonkeyPatch) -> Iterator[EntityResolutionMock]:
    """Mock AWS with moto, Entity Resolution included, and yield its controls.

    Fake credentials are set for the test (and ``AWS_DEFAULT_REGION`` to
    us-east-1 unless set), so nothing can reach AWS. Every other moto service
    is mocked too.

    Example:
        ```python
        def test_report_waits_for_the_job(entity_resolution):
            entity_resolution.create_workflow("customers")
            ...
        ```
    """
    try:
        from moto import mock_aws  # noqa: PLC0415 - only when the fixture is used

        from .testing import EntityResolutionMock  # noqa: PLC0415
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise pytest.UsageError(
            "the entity_resolution fixture needs moto: pip install 'entityresolution-jobs[testing]'"
        ) from error
    for name, value in _FAKE_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    region = os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    monkeypatch.setenv("AWS_DEFAULT_REGION", region)
    with mock_aws():
        yield EntityResolutionMock(region_name=region)
