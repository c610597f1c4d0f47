"""Shared fixtures: fake credentials, no metadata service, canned HTTP replies.

Nothing here reaches AWS. The environment below is set before any test runs,
so a client that is built in a test finds these fake credentials and never
probes the EC2 instance-metadata address.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import boto3
import botocore.session
import pytest
import requests
from botocore.stub import Stubber

from entityresolution_jobs import EntityResolutionJobs

from .support import Run, Wire

if TYPE_CHECKING:
    from botocore.client import BaseClient

_FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIAFAKEFAKEFAKEFAKE",
    "AWS_SECRET_ACCESS_KEY": "fake-secret-key-never-shown",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}
_CLEARED = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_RETRY_MODE", "AWS_MAX_ATTEMPTS")
os.environ.update(_FAKE_ENV)
for _name in _CLEARED:
    os.environ.pop(_name, None)

SECRET = _FAKE_ENV["AWS_SECRET_ACCESS_KEY"]

_getaddrinfo = socket.getaddrinfo


def _this_machine_only(host: bytes | str | None, *args: object, **kwargs: object) -> object:
    """Refuse to resolve any host but this machine's: no test reaches AWS, even by mistake.

    An S3 client built without the fake's endpoint would otherwise look up
    ``<bucket>.s3.amazonaws.com``; here that is a connection error naming why.
    """
    name = host.decode() if isinstance(host, bytes) else host
    if name is not None and name != "localhost":
        try:
            address = ipaddress.ip_address(name)
        except ValueError:
            address = None
        if address is None or not (address.is_loopback or address.is_unspecified):
            raise socket.gaierror(f"the tests never leave this machine; refused to look up {name}")
    return _getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]


socket.getaddrinfo = _this_machine_only  # type: ignore[assignment]


@pytest.fixture(autouse=True)
def _fake_aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # Re-applied per test so a test's own monkeypatching is undone after it.
    for name, value in _FAKE_ENV.items():
        monkeypatch.setenv(name, value)
    for name in _CLEARED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)


# One botocore session for the shared client fixture, so the service model
# and endpoint rules are loaded once, not once per test.
_SESSION = botocore.session.get_session()


@pytest.fixture
def client() -> BaseClient:
    """A real Entity Resolution client (boto3's kind) with fake credentials."""
    er_client: BaseClient = _SESSION.create_client("entityresolution", region_name="us-east-1")
    return er_client


@pytest.fixture
def stubber(client: BaseClient) -> Iterator[Stubber]:
    """botocore's Stubber on ``client``: checks our requests and the canned replies."""
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


@pytest.fixture
def moto_server(_entity_resolution_server_url: str) -> Iterator[str]:
    """The URL of moto's server on 127.0.0.1, with every backend reset around the test.

    The plugin's shared server, without the fake credentials its public
    ``entity_resolution_server`` fixture sets: these tests keep their own.
    """
    requests.post(f"{_entity_resolution_server_url}/moto-api/reset", timeout=10)
    yield _entity_resolution_server_url
    requests.post(f"{_entity_resolution_server_url}/moto-api/reset", timeout=10)


@pytest.fixture
def er(client: BaseClient) -> EntityResolutionJobs:
    """The facade over the ``client`` fixture."""
    return EntityResolutionJobs(client)


@pytest.fixture
def wire(client: BaseClient, monkeypatch: pytest.MonkeyPatch) -> Wire:
    """Raw HTTP replies for ``client``; botocore's retry sleeps are skipped."""
    canned = Wire()
    canned.attach(client)
    monkeypatch.setattr("botocore.endpoint.time.sleep", lambda _seconds: None)
    return canned


@pytest.fixture
def debug_logging() -> Iterator[None]:
    """Undo what ``er-jobs --debug`` does to the root logger (its handler, DEBUG) after the test."""
    yield
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.filters]:
        root.removeHandler(handler)
    root.setLevel(logging.WARNING)


@pytest.fixture
def er_jobs(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run er-jobs in this process with the given arguments; return its exit code and output."""
    from entityresolution_jobs import cli

    def invoke(*args: str) -> Run:
        code = cli.run(list(args))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return invoke
