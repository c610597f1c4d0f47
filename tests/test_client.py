"""How EntityResolutionJobs builds, reuses, configures and shows its boto3 client."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.stub import Stubber

from entityresolution_jobs import (
    ConfigurationError,
    CredentialsError,
    EntityResolutionJobs,
    RequestTimeoutError,
    TransportError,
)
from entityresolution_jobs._config import USER_AGENT
from entityresolution_jobs.testing import EntityResolutionMock

from .conftest import SECRET
from .support import JOB_ID, WORKFLOW, job_reply


def _config(er: EntityResolutionJobs, name: str) -> Any:
    """A setting of the built client's Config (botocore-stubs omit most of them)."""
    return getattr(er.client.meta.config, name)


ONE_ATTEMPT = Config(retries={"total_max_attempts": 1}, connect_timeout=2, read_timeout=0.3)


def test_no_client_is_built_until_the_first_call(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    real_client = botocore.session.Session.create_client

    def counting_client(self: botocore.session.Session, *args: Any, **kwargs: Any) -> object:
        built.append(str(args[0]))
        return real_client(self, *args, **kwargs)

    monkeypatch.setattr(botocore.session.Session, "create_client", counting_client)

    er = EntityResolutionJobs(region_name="eu-west-1")
    assert built == []
    first = er.client
    assert er.client is first
    assert built == ["entityresolution"]


def test_concurrent_first_calls_build_one_client(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[object] = []
    real_client = botocore.session.Session.create_client
    gate = threading.Barrier(8)

    def slow_client(self: botocore.session.Session, *args: Any, **kwargs: Any) -> object:
        client = real_client(self, *args, **kwargs)
        built.append(client)
        return client

    monkeypatch.setattr(botocore.session.Session, "create_client", slow_client)
    er = EntityResolutionJobs()
    seen: list[object] = []

    def use() -> None:
        gate.wait()
        seen.append(er.client)

    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(built) == 1
    assert all(client is built[0] for client in seen)


def test_a_client_passed_in_is_used_as_it_is(client: object) -> None:
    er = EntityResolutionJobs(client)  # type: ignore[arg-type]

    assert er.client is client


def test_a_client_of_another_service_is_refused() -> None:
    s3 = boto3.session.Session(region_name="us-east-1").client("s3")

    with pytest.raises(TypeError, match="expected an 'entityresolution' client, got a 's3'"):
        EntityResolutionJobs(s3)


@pytest.mark.parametrize(
    "extra",
    [
        {"region_name": "us-east-1"},
        {"endpoint_url": "http://127.0.0.1:1"},
        {"config": Config()},
        {"profile_name": "dev"},
        {"session": boto3.session.Session()},
    ],
)
def test_a_client_cannot_be_combined_with_arguments_to_build_one(
    client: object, extra: dict[str, object]
) -> None:
    with pytest.raises(TypeError, match="either client= or"):
        EntityResolutionJobs(client, **extra)  # type: ignore[arg-type]


def test_session_and_profile_name_are_exclusive() -> None:
    with pytest.raises(TypeError, match="session= or profile_name="):
        EntityResolutionJobs(session=boto3.session.Session(), profile_name="dev")


def test_region_and_endpoint_reach_the_built_client() -> None:
    er = EntityResolutionJobs(region_name="eu-west-1", endpoint_url="http://127.0.0.1:5000")

    assert er.client.meta.region_name == "eu-west-1"
    assert er.client.meta.endpoint_url == "http://127.0.0.1:5000"


def test_a_session_passed_in_builds_the_client(monkeypatch: pytest.MonkeyPatch) -> None:
    session = boto3.session.Session(region_name="ap-southeast-2")

    er = EntityResolutionJobs(session=session)

    assert er.client.meta.region_name == "ap-southeast-2"


def test_a_botocore_session_builds_both_clients_with_the_librarys_settings() -> None:
    session = botocore.session.Session()
    session.set_credentials("AKIABOTOCORESESSION", "s")
    session.set_config_variable("region", "eu-north-1")

    er = EntityResolutionJobs(session=session)

    assert er.client.meta.region_name == "eu-north-1"
    assert er.client._request_signer._credentials.access_key == "AKIABOTOCORESESSION"  # type: ignore[attr-defined]
    assert _config(er, "user_agent_extra") == USER_AGENT
    s3 = er._s3()
    assert s3.meta.region_name == "eu-north-1"
    assert s3._request_signer._credentials.access_key == "AKIABOTOCORESESSION"
    assert getattr(s3.meta.config, "retries", None) == {"mode": "standard"}


def test_a_botocore_session_reads_a_job(entity_resolution: EntityResolutionMock) -> None:
    entity_resolution.create_workflow("wf")
    job_id = entity_resolution.backend.start_matching_job("wf").job_id

    er = EntityResolutionJobs(session=botocore.session.Session(), region_name="us-east-1")

    assert er.get_matching_job("wf", job_id).job_id == job_id


def test_an_aiobotocore_session_is_refused_with_the_class_it_is_for() -> None:
    aio_session = pytest.importorskip("aiobotocore.session")

    with pytest.raises(TypeError, match="AsyncEntityResolutionJobs"):
        EntityResolutionJobs(session=aio_session.get_session())


def test_boto3_default_session_is_used_when_none_is_given() -> None:
    boto3.setup_default_session(region_name="ca-central-1")

    assert EntityResolutionJobs().client.meta.region_name == "ca-central-1"


@pytest.fixture
def analytics_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An AWS config file whose profile ``analytics`` is in sa-east-1."""
    config = tmp_path / "config"
    config.write_text("[profile analytics]\nregion = sa-east-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))


@pytest.mark.usefixtures("analytics_profile")
def test_a_profile_name_builds_a_session_for_that_profile(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")

    assert EntityResolutionJobs(profile_name="analytics").client.meta.region_name == "sa-east-1"


def test_the_repr_shows_region_and_endpoint_and_no_credentials() -> None:
    session = boto3.session.Session(
        aws_access_key_id="AKIAREPRTEST", aws_secret_access_key=SECRET, aws_session_token="tok-9"
    )
    er = EntityResolutionJobs(session=session, region_name="us-west-2")

    before = repr(er)
    er.client  # noqa: B018 - build it
    after = repr(er)

    assert before == "EntityResolutionJobs(region_name='us-west-2', endpoint_url=None)"
    assert after.startswith("EntityResolutionJobs(region_name='us-west-2', endpoint_url='https://")
    for text in (before, after, str(er)):
        assert SECRET not in text
        assert "AKIAREPRTEST" not in text
        assert "tok-9" not in text


@pytest.mark.usefixtures("analytics_profile")
def test_the_repr_shows_the_configured_region_before_the_first_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    boto3.setup_default_session(region_name="ca-central-1")

    default = EntityResolutionJobs()
    profile = EntityResolutionJobs(profile_name="analytics")
    missing = EntityResolutionJobs(profile_name="missing")
    boto3_session = EntityResolutionJobs(session=boto3.session.Session(region_name="ap-south-1"))
    botocore_session = EntityResolutionJobs(session=botocore.session.Session())

    assert "region_name='ca-central-1'" in repr(default)  # boto3's default session's
    assert "region_name='eu-west-3'" in repr(profile)  # the environment wins, as in botocore
    assert "region_name='ap-south-1'" in repr(boto3_session)
    assert "region_name='eu-west-3'" in repr(botocore_session)
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    assert "region_name='sa-east-1'" in repr(profile)
    assert "region_name=None" in repr(missing)  # a repr never raises
    assert default._connection is None  # nothing was built
    assert default.client.meta.region_name == "ca-central-1"  # what the repr said


def test_the_user_agent_names_this_library() -> None:
    assert _config(EntityResolutionJobs(), "user_agent_extra") == USER_AGENT


class TestRetryConfiguration:
    """Standard mode unless the user's AWS configuration says otherwise."""

    @staticmethod
    def retries(er: EntityResolutionJobs) -> dict[str, object]:
        return dict(_config(er, "retries"))

    def test_standard_mode_with_three_attempts_by_default(self) -> None:
        er = EntityResolutionJobs()

        assert self.retries(er)["mode"] == "standard"
        assert er.client.meta.events  # built
        assert self.retries(er).get("total_max_attempts", 3) == 3

    def test_the_environment_retry_mode_wins(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("AWS_RETRY_MODE", "adaptive")

        assert self.retries(EntityResolutionJobs())["mode"] == "adaptive"

    def test_the_profile_retry_mode_and_attempts_win(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        config = tmp_path / "config"
        config.write_text("[default]\nretry_mode = legacy\nmax_attempts = 7\n")
        monkeypatch.setenv("AWS_CONFIG_FILE", str(config))

        retries = self.retries(EntityResolutionJobs())

        assert retries["mode"] == "legacy"
        assert retries["total_max_attempts"] == 7

    def test_the_environment_max_attempts_keeps_standard_mode(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", "5")

        retries = self.retries(EntityResolutionJobs())

        assert retries == {"mode": "standard", "total_max_attempts": 5}

    def test_a_config_passed_in_wins(self) -> None:
        er = EntityResolutionJobs(config=Config(retries={"mode": "adaptive", "max_attempts": 9}))

        assert self.retries(er) == {"mode": "adaptive", "total_max_attempts": 10}

    def test_a_config_without_a_mode_still_gets_standard(self) -> None:
        er = EntityResolutionJobs(config=Config(retries={"max_attempts": 1}, read_timeout=7))

        assert self.retries(er) == {"mode": "standard", "total_max_attempts": 2}
        assert _config(er, "read_timeout") == 7

    def test_a_config_passed_in_keeps_its_own_user_agent(self) -> None:
        er = EntityResolutionJobs(config=Config(user_agent_extra="my-app/2"))

        assert _config(er, "user_agent_extra") == "my-app/2"


class TestClosing:
    def test_close_closes_a_client_it_built_and_the_next_call_builds_anew(self) -> None:
        er = EntityResolutionJobs()
        first = er.client

        er.close()

        assert er.client is not first

    def test_close_leaves_a_client_passed_in_alone(self, client: object) -> None:
        er = EntityResolutionJobs(client)  # type: ignore[arg-type]

        er.close()

        assert er.client is client

    def test_the_context_manager_closes_on_exit(self, monkeypatch: pytest.MonkeyPatch) -> None:
        closed: list[bool] = []
        with EntityResolutionJobs() as er:
            monkeypatch.setattr(er.client, "close", lambda: closed.append(True))

        assert closed == [True]

    def test_closing_before_any_call_is_harmless(self) -> None:
        EntityResolutionJobs().close()


@pytest.fixture
def refused_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A local server that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                accepted.append(server.accept()[0])
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        server.close()
        for connection in accepted:
            connection.close()


def test_a_refused_connection_is_a_transport_error(refused_port: int) -> None:
    er = EntityResolutionJobs(endpoint_url=f"http://127.0.0.1:{refused_port}", config=ONE_ATTEMPT)

    with pytest.raises(TransportError) as caught:
        er.get_matching_job(WORKFLOW, JOB_ID)

    assert not isinstance(caught.value, RequestTimeoutError)
    assert caught.value.http_status is None
    assert type(caught.value.__cause__).__name__ == "EndpointConnectionError"


def test_a_reply_that_never_comes_is_a_timeout(silent_server: int) -> None:
    er = EntityResolutionJobs(endpoint_url=f"http://127.0.0.1:{silent_server}", config=ONE_ATTEMPT)

    with pytest.raises(RequestTimeoutError):
        er.get_matching_job(WORKFLOW, JOB_ID)


def test_missing_credentials_are_a_credentials_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")

    with pytest.raises(CredentialsError, match="Unable to locate credentials"):
        EntityResolutionJobs().get_matching_job(WORKFLOW, JOB_ID)


def test_a_missing_region_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")

    with pytest.raises(ConfigurationError, match="region"):
        EntityResolutionJobs().get_matching_job(WORKFLOW, JOB_ID)


def test_credentials_never_reach_errors_or_logs(
    caplog: pytest.LogCaptureFixture, refused_port: int
) -> None:
    caplog.set_level(logging.DEBUG)
    er = EntityResolutionJobs(endpoint_url=f"http://127.0.0.1:{refused_port}", config=ONE_ATTEMPT)

    with pytest.raises(TransportError) as caught:
        er.get_matching_job(WORKFLOW, JOB_ID)

    ours = [r for r in caplog.records if r.name.startswith("entityresolution_jobs")]
    for text in (str(caught.value), repr(caught.value), *(r.getMessage() for r in ours)):
        assert SECRET not in text


def test_the_stubber_sees_exactly_the_parameters_of_the_service_model(
    client: object, stubber: Stubber
) -> None:
    stubber.add_response("get_matching_job", job_reply(), {"workflowName": "w-1", "jobId": JOB_ID})

    EntityResolutionJobs(client).get_matching_job("w-1", JOB_ID)  # type: ignore[arg-type]
