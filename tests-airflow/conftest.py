"""Set-up of the Airflow tests: a throwaway Airflow home, the fake service, a connection.

Airflow reads its configuration when first imported, so the environment is
set in ``pytest_configure``, before any test module (and so Airflow) is
imported: SQLite metadata in a temporary ``AIRFLOW_HOME``, migrated once,
and two DAG bundles (the example in ``examples/airflow`` and this suite's
own DAGs in ``tests-airflow/dags``) for ``dag.test()`` to find its DAG in.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from entityresolution_jobs.testing import EntityResolutionMock, JobTimeline

ROOT = Path(__file__).parent.parent
REGION = "eu-west-1"  # the connection's region; not the SDK's default
WORKFLOW = "customers"
ID_MAPPING_WORKFLOW = "ids"
ROLE = "arn:aws:iam::123456789012:role/entity-resolution"

_FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def _bundle(name: str, path: Path) -> dict[str, Any]:
    return {
        "name": name,
        "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle",
        "kwargs": {"path": str(path)},
    }


# Warnings fail tests (pyproject.toml), but not those of Airflow's own
# dependencies, which this project cannot act on.
THIRD_PARTY_WARNINGS = [
    # Airflow's in-process API server (dag.test) imports starlette's test client.
    "ignore:Using `httpx` with `starlette.testclient` is deprecated",
    # The Amazon provider of Airflow 3.0's constraints (9.12) reads connections the old way.
    "ignore:Using Connection.get_connection_from_secrets from `airflow.models` is deprecated",
    # Werkzeug 2.2.3 (MWAA's Airflow 2.11.0 and 3.0.6 pin it) on Python 3.12, in the
    # fake server's moto (Flask) routes.
    "ignore:ast.Str is deprecated:DeprecationWarning",
    "ignore:Attribute s is deprecated:DeprecationWarning",
    # botocore before 1.38 (MWAA's 2.11.0 and 3.0.6 pins) signs with utcnow() on Python 3.12.
    "ignore:datetime.datetime.utcnow:DeprecationWarning:botocore",
]


def pytest_configure(config: pytest.Config) -> None:
    """Point Airflow at a new home and database, and create its tables."""
    for line in THIRD_PARTY_WARNINGS:
        config.addinivalue_line("filterwarnings", line)
    home = Path(tempfile.mkdtemp(prefix="airflow-home-"))
    config.stash[_HOME] = home
    os.environ.update(_FAKE_AWS)
    os.environ.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "examples" / "airflow"),
            "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST": json.dumps(
                [
                    _bundle("examples", ROOT / "examples" / "airflow"),
                    _bundle("tests", ROOT / "tests-airflow" / "dags"),
                ]
            ),
        }
    )
    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"],
        check=True,
        capture_output=True,
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the Airflow home."""
    home = config.stash.get(_HOME, None)
    if home is not None:
        shutil.rmtree(home, ignore_errors=True)


_HOME = pytest.StashKey[Path]()


def aws_connection(endpoint_url: str, key: str = "testing", secret: str = "testing") -> str:
    """An Airflow AWS connection (as ``AIRFLOW_CONN_*`` holds it) in REGION at ``endpoint_url``."""
    extra = {"region_name": REGION, "endpoint_url": endpoint_url}
    return json.dumps({"conn_type": "aws", "login": key, "password": secret, "extra": extra})


@pytest.fixture
def fake_service_url(entity_resolution_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The fake service's URL (the package's pytest fixture), and ``aws_default`` pointing at it.

    The connection names region eu-west-1 and the endpoint, as a user's
    connection to a local test server would; the SDK default is us-east-1.
    """
    monkeypatch.setenv("AIRFLOW_CONN_AWS_DEFAULT", aws_connection(entity_resolution_server))
    return entity_resolution_server


@pytest.fixture
def unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    """``aws_default`` pointing at a closed port: any request sent fails as a TransportError."""
    monkeypatch.setenv("AIRFLOW_CONN_AWS_DEFAULT", aws_connection("http://127.0.0.1:9"))


@pytest.fixture
def service(fake_service_url: str) -> EntityResolutionMock:
    """Controls of the fake service in the connection's region, with two workflows.

    Jobs run for under a second, so a whole DAG runs in seconds.
    """
    mock = EntityResolutionMock(region_name=REGION)
    mock.timeline = JobTimeline(queued_seconds=0.2, running_seconds=0.6)
    mock.create_workflow(WORKFLOW)
    mock.create_id_mapping_workflow(ID_MAPPING_WORKFLOW)
    return mock
