"""``er-jobs fake-server`` as a real subprocess, driven over HTTP by boto3 and by er-jobs."""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests

from entityresolution_jobs import EntityResolutionJobs, JobStatus
from entityresolution_jobs.testing._server import ThreadedFakeServer

from .network_proxy import NetworkProxy
from .support import JOB_TYPE_SENDABLE, if_modelled

pytestmark = pytest.mark.slow

COMMAND = [sys.executable, "-m", "entityresolution_jobs.cli"]
CREATE: dict[str, Any] = {
    "inputSourceConfig": [
        {"inputSourceARN": "arn:aws:glue:us-east-1:123456789012:table/db/t", "schemaName": "s"}
    ],
    "outputSourceConfig": [{"outputS3Path": "s3://out-bucket/r/", "output": [{"name": "id"}]}],
    "resolutionTechniques": {"resolutionType": "RULE_MATCHING"},
    "roleArn": "arn:aws:iam::123456789012:role/er",
}


def _first_line(process: subprocess.Popen[str], seconds: float = 30.0) -> str:
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout=seconds):
            process.kill()
            raise AssertionError("the fake server printed nothing")
    return process.stdout.readline()


def _as_in_a_terminal() -> None:
    # A shell starts background jobs with SIGINT ignored, and a child
    # inherits that: a test run from one (CI, nohup) would send Ctrl-C to a
    # server that cannot hear it. In a terminal, Ctrl-C reaches it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(*options: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*COMMAND, "fake-server", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=_as_in_a_terminal,  # noqa: PLW1509 - no threads to deadlock: it only resets a signal
    )


@pytest.fixture
def server() -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = _start("--port", "0", "--queued-seconds", "0", "--running-seconds", "1")
    line = _first_line(process)
    assert line.startswith("Fake Entity Resolution listening on http://127.0.0.1:"), line
    try:
        yield process, line.split()[-1]
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)  # and close its pipes


def _stop(process: subprocess.Popen[str], how: signal.Signals) -> tuple[int, str]:
    process.send_signal(how)
    _, err = process.communicate(timeout=30)
    return process.returncode, err


def test_boto3_and_er_jobs_run_a_job_over_http_and_sigterm_stops_it_cleanly(
    server: tuple[subprocess.Popen[str], str],
) -> None:
    process, endpoint = server
    client = boto3.client("entityresolution", region_name="us-east-1", endpoint_url=endpoint)
    client.create_matching_workflow(workflowName="customers", **CREATE)
    job_id = client.start_matching_job(workflowName="customers")["jobId"]

    waited = subprocess.run(
        [*COMMAND, "wait", "customers", job_id, "--json", "--endpoint-url", endpoint],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    code, err = _stop(process, signal.SIGTERM)

    assert waited.returncode == 0, waited.stderr
    assert json.loads(waited.stdout)["status"] == "SUCCEEDED"
    assert code == 0
    assert "Traceback" not in err
    assert "stopped" in err


def test_id_mapping_workflows_are_served_too_and_ctrl_c_stops_it(
    server: tuple[subprocess.Popen[str], str],
) -> None:
    process, endpoint = server
    client = boto3.client("entityresolution", region_name="eu-west-1", endpoint_url=endpoint)
    client.create_id_mapping_workflow(
        workflowName="ids",
        inputSourceConfig=CREATE["inputSourceConfig"],
        idMappingTechniques={"idMappingType": "PROVIDER", "providerProperties": {
            "providerServiceArn": "arn:aws:entityresolution:eu-west-1::providerservice/acme/ids"
        }},
    )  # fmt: skip
    job_type: dict[str, Any] = (
        {"jobType": "BATCH"} if JOB_TYPE_SENDABLE else {}
    )  # botocore >= 1.40.37
    job_id = client.start_id_mapping_job(workflowName="ids", **job_type)["jobId"]

    got = subprocess.run(
        [*COMMAND, "id-mapping", "get", "ids", job_id, "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "AWS_ENDPOINT_URL": endpoint, "AWS_REGION": "eu-west-1"},
    )
    code, err = _stop(process, signal.SIGINT)

    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout).get("jobType") == if_modelled(
        "BATCH", "GetIdMappingJobOutput", "jobType"
    )
    assert code == 0
    assert "Traceback" not in err


def test_a_succeeded_job_writes_its_output_to_the_servers_s3_for_er_jobs_output(
    server: tuple[subprocess.Popen[str], str],
) -> None:
    process, endpoint = server
    boto3.client("s3", region_name="us-east-1", endpoint_url=endpoint).create_bucket(
        Bucket="out-bucket"
    )
    client = boto3.client("entityresolution", region_name="us-east-1", endpoint_url=endpoint)
    client.create_matching_workflow(workflowName="customers", **CREATE)
    job_id = client.start_matching_job(workflowName="customers")["jobId"]
    env = {**os.environ, "AWS_ENDPOINT_URL": endpoint, "AWS_REGION": "us-east-1"}

    waited = subprocess.run(
        [*COMMAND, "wait", "customers", job_id],
        capture_output=True, text=True, timeout=60, check=False, env=env,
    )  # fmt: skip
    listed = subprocess.run(
        [*COMMAND, "output", "customers", job_id, "--json"],
        capture_output=True, text=True, timeout=60, check=False, env=env,
    )  # fmt: skip
    errors = subprocess.run(
        [*COMMAND, "output", "customers", job_id, "--errors", "--head", "2", "--json"],
        capture_output=True, text=True, timeout=60, check=False, env=env,
    )  # fmt: skip
    _stop(process, signal.SIGTERM)

    assert waited.returncode == 0, waited.stderr
    assert listed.returncode == 0, listed.stderr
    output = json.loads(listed.stdout)
    assert output["folder"] == f"s3://out-bucket/r/customers/{job_id}/"
    assert output["totalFiles"] == len(output["success"]) + len(output["errors"]) > 1
    records = json.loads(errors.stdout)["records"]
    assert len(records) == 2
    assert all(record["ErrorReason"] for record in records)


def test_its_controls_are_reached_over_http(
    server: tuple[subprocess.Popen[str], str],
) -> None:
    process, endpoint = server
    client = boto3.client("entityresolution", region_name="us-east-1", endpoint_url=endpoint)
    client.create_matching_workflow(workflowName="customers", **CREATE)
    job_id = client.start_matching_job(workflowName="customers")["jobId"]
    request = urllib.request.Request(
        f"{endpoint}/moto-api/entityresolution/jobs/fail",
        data=json.dumps(
            {"workflowName": "customers", "jobId": job_id, "errorMessage": "set over HTTP"}
        ).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )

    with urllib.request.urlopen(request, timeout=30) as reply:
        answered = json.load(reply)
    got = client.get_matching_job(workflowName="customers", jobId=job_id)
    _stop(process, signal.SIGTERM)

    assert answered == {"workflowName": "customers", "jobId": job_id, "status": "FAILED"}
    assert got["status"] == "FAILED"
    assert got["errorDetails"]["errorMessage"] == "set over HTTP"


def test_a_port_in_use_is_a_one_line_error_and_exit_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        process = _start("--port", str(port))
        _, err = process.communicate(timeout=60)

    assert process.returncode == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"er-jobs: cannot listen on 127.0.0.1:{port}: ")


def test_in_process_a_port_in_use_exits_2_and_the_timeline_options_apply(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from entityresolution_jobs.cli import run
    from entityresolution_jobs.testing import EntityResolutionBackend, JobTimeline

    before = EntityResolutionBackend.default_timeline
    try:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = str(taken.getsockname()[1])
            code = run(["fake-server", "--port", port, "--running-seconds", "7"])
        timeline = EntityResolutionBackend.default_timeline
    finally:
        EntityResolutionBackend.default_timeline = before

    assert code == 2
    assert capsys.readouterr().err.startswith(f"er-jobs: cannot listen on 127.0.0.1:{port}: ")
    assert timeline == JobTimeline(queued_seconds=0.5, running_seconds=7.0)


def test_in_process_it_serves_until_sigterm_and_restores_the_handler(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import threading

    from entityresolution_jobs.cli import run

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    listed: list[object] = []

    def use_then_stop() -> None:
        endpoint = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.1):
                    break
            except OSError:
                threading.Event().wait(0.05)
        client = boto3.client("entityresolution", region_name="us-east-1", endpoint_url=endpoint)
        listed.append(client.list_matching_workflows()["workflowSummaries"])
        os.kill(os.getpid(), signal.SIGTERM)

    before = signal.getsignal(signal.SIGTERM)
    threading.Thread(target=use_then_stop, daemon=True).start()
    code = run(["fake-server", "--port", str(port)])

    captured = capsys.readouterr()
    assert code == 0
    assert f"listening on http://127.0.0.1:{port}" in captured.out
    assert "stopped" in captured.err
    assert listed == [[]]
    assert signal.getsignal(signal.SIGTERM) == before


def _requests_on_connections(endpoint: str) -> tuple[int, int]:
    """Requests of every kind from one boto3 client each for the fake and its S3, through a
    proxy that counts connections; return (requests sent, connections opened)."""
    with NetworkProxy(endpoint.removeprefix("http://")).running() as proxy:
        settings: dict[str, Any] = {"region_name": "us-east-1", "endpoint_url": proxy.url}
        client = boto3.client("entityresolution", **settings)
        client.create_matching_workflow(workflowName="kept", **CREATE)
        sent = 1
        for _ in range(5):
            client.list_matching_jobs(workflowName="kept")
            with pytest.raises(client.exceptions.ResourceNotFoundException):
                client.get_matching_job(workflowName="kept", jobId="0" * 32)  # an error reply
            sent += 2
        s3 = boto3.client("s3", **settings)
        s3.create_bucket(Bucket="kept")
        s3.put_object(Bucket="kept", Key="a.csv", Body=b"x" * 100_000)
        for _ in range(5):
            assert len(s3.get_object(Bucket="kept", Key="a.csv")["Body"].read()) == 100_000
        sent += 7
        return sent, proxy.connections


def test_connections_stay_open_between_requests_as_the_services_do(
    server: tuple[subprocess.Popen[str], str],
) -> None:
    _, endpoint = server

    sent, connections = _requests_on_connections(endpoint)

    assert sent == 18
    assert connections == 2  # one a client: before, one a request


def test_the_server_fixture_keeps_them_open_too(entity_resolution_server: str) -> None:
    sent, connections = _requests_on_connections(entity_resolution_server)

    assert (sent, connections) == (18, 2)


def test_workflows_named_on_the_command_line_are_ready_to_run_and_write_output(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    process = _start(
        "--port", "0", "--queued-seconds", "0", "--running-seconds", "0.2",
        "--workflow", "customers", "--id-mapping-workflow", "customer-ids",
    )  # fmt: skip
    try:
        endpoint = _first_line(process).split()[-1]
        assert process.stdout is not None  # the lines after the first are printed with it
        said = [process.stdout.readline() for _ in range(2)]
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)  # the output's S3 too
        er = EntityResolutionJobs(region_name="us-east-1")
        job = er.wait_for_matching_job("customers", er.start_matching_job("customers"))
        output = er.get_job_output(job)
        id_mapping = er.wait_for_id_mapping_job(
            "customer-ids", er.start_id_mapping_job("customer-ids")
        )
    finally:
        _stop(process, signal.SIGTERM)

    assert said == [
        "Matching workflow customers in us-east-1, writing to "
        "s3://example-bucket/entity-resolution/output/\n",
        "ID mapping workflow customer-ids in us-east-1, writing to "
        "s3://example-bucket/entity-resolution/id-mapping/\n",
    ]
    assert output.files  # its bucket was created with it
    assert id_mapping.status is JobStatus.SUCCEEDED


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--workflow", "a/b"], "cannot create workflow 'a/b': workflowName: 1 validation error"),
        (["--workflow", "x", "--workflow", "x"], "cannot create workflow 'x': Workflow x already"),
    ],
)
def test_a_workflow_the_service_would_refuse_is_one_line_and_exit_2(
    options: list[str], message: str
) -> None:
    process = _start("--port", "0", *options)
    _, err = process.communicate(timeout=60)

    assert process.returncode == 2
    assert message in err
    assert "Traceback" not in err


@pytest.mark.parametrize("attempt", range(20))
def test_stopping_while_requests_are_in_flight_ends_the_server_cleanly(attempt: int) -> None:
    # close() from the test's thread used to close sockets under the serving
    # thread's poll: EBADF there, or in a request still being answered
    # (about 1 stop in 6 of these).
    server = ThreadedFakeServer("127.0.0.1", 0)
    errors: list[BaseException | None] = []
    previous = threading.excepthook
    threading.excepthook = lambda args: errors.append(args.exc_value)
    try:

        def ask(session: requests.Session) -> None:
            with contextlib.suppress(requests.RequestException):
                for _ in range(100):
                    session.get(f"{server.url}/moto-api/entityresolution/reset", timeout=5)

        askers = [threading.Thread(target=ask, args=(requests.Session(),)) for _ in range(8)]
        for asker in askers:
            asker.start()
        time.sleep(0.05)
        server.stop()
        for asker in askers:
            asker.join()
    finally:
        threading.excepthook = previous

    assert errors == []
    assert not server._thread.is_alive()
