"""The pytest plugin of entityresolution-jobs (registered as ``pytest11``).

It offers the ``entity_resolution`` fixture (the fake service in-process,
under ``mock_aws()``) and ``entity_resolution_server`` (the fake service
over HTTP on 127.0.0.1, for clients that cannot be patched in-process:
aiobotocore, Airflow's triggerer, a subprocess). Loading it imports neither
boto3 nor moto (the package's clients load on first use), so it costs
test suites that do not use the fixture next to nothing, and it works
without moto until the fixture is asked for.
"""

from __future__ import annotations

import importlib
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


def _fake_aws(monkeypatch: pytest.MonkeyPatch) -> str:
    """Set fake credentials, and a default region unless one is set; return the region."""
    for name, value in _FAKE_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    region = os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    monkeypatch.setenv("AWS_DEFAULT_REGION", region)
    return region


def _in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every client on moto's in-process mock, whatever endpoint the shell names.

    moto intercepts requests to AWS's own hosts; a client sent elsewhere by
    ``AWS_ENDPOINT_URL`` (or ``AWS_ENDPOINT_URL_<SERVICE>``, or a profile's
    ``endpoint_url``), such as a developer's ``er-jobs fake-server``, would
    reach that server instead. botocore's own switch,
    ``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS``, ignores all three; the variables
    are removed as well, for code that reads them itself.
    """
    for name in list(os.environ):
        if name == "AWS_ENDPOINT_URL" or name.startswith("AWS_ENDPOINT_URL_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")


@pytest.fixture
def entity_resolution(monkeypatch: pytest.MonkeyPatch) -> Iterator[EntityResolutionMock]:
    """Mock AWS with moto, Entity Resolution included, and yield its controls.

    Fake credentials are set for the test (and ``AWS_DEFAULT_REGION`` to
    us-east-1 unless set), so nothing can reach AWS. Every other moto service
    is mocked too. Endpoints configured outside the test
    (``AWS_ENDPOINT_URL``, ``AWS_ENDPOINT_URL_<SERVICE>``, a profile's
    ``endpoint_url``) are ignored, so that a fake server a developer has
    exported for the command line does not take the test's calls.

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
    region = _fake_aws(monkeypatch)
    _in_process(monkeypatch)
    with mock_aws():
        yield EntityResolutionMock(region_name=region)


@pytest.fixture(scope="session")
def _entity_resolution_server_url() -> Iterator[str]:
    """One fake service over HTTP for the whole session, on a free port of 127.0.0.1."""
    try:
        # Imported only when the fixture is used; importing the testing
        # package teaches moto's server the service.
        server_module = importlib.import_module(".testing._server", __package__)
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise pytest.UsageError(
            "the entity_resolution_server fixture needs moto's server: "
            "pip install 'entityresolution-jobs[testing]'"
        ) from error
    server = server_module.ThreadedFakeServer("127.0.0.1", 0)
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def entity_resolution_server(
    _entity_resolution_server_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """Serve the fake service (and moto's) over HTTP on 127.0.0.1; yield its endpoint URL.

    Every backend starts empty and is reset after the test; fake
    credentials (and ``AWS_DEFAULT_REGION``) are set as for
    ``entity_resolution``. The server runs in
    the test's process, so `EntityResolutionMock` controls it: create
    workflows, pin or fail jobs, inject faults.

    Example:
        ```python
        def test_trigger_waits(entity_resolution_server):
            fake = EntityResolutionMock(region_name="us-east-1")
            fake.create_workflow("customers")
            jobs = EntityResolutionJobs(endpoint_url=entity_resolution_server)
            ...
        ```
    """
    import requests  # noqa: PLC0415 - moto's own dependency, loaded with the fixture

    _fake_aws(monkeypatch)
    reset = f"{_entity_resolution_server_url}/moto-api/reset"
    requests.post(reset, timeout=10)
    yield _entity_resolution_server_url
    requests.post(reset, timeout=10)
