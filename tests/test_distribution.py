"""The built distributions: what a user installs, rather than this checkout.

The rest of the suite runs on the editable install, which reads ``src/``
directly: it would pass with a wheel that left out a module, the type
marker or an entry point. These tests build the wheel and sdist with the
project's own build backend (no network) and look inside.
"""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
import tarfile
import zipfile
from email.parser import HeaderParser
from pathlib import Path

import pytest
from packaging.requirements import Requirement

import entityresolution_jobs

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "entityresolution_jobs"
DIST_INFO = f"entityresolution_jobs-{entityresolution_jobs.__version__}.dist-info"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the wheel and sdist built from this checkout."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-d", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture(scope="module")
def wheel(dist: Path) -> zipfile.ZipFile:
    (path,) = dist.glob("*.whl")
    return zipfile.ZipFile(path)


def _package_files() -> set[str]:
    return {
        path.relative_to(PACKAGE.parent).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_the_wheel_holds_every_module_and_the_type_marker_and_nothing_else(
    wheel: zipfile.ZipFile,
) -> None:
    shipped = {name for name in wheel.namelist() if not name.startswith(DIST_INFO)}

    assert shipped == _package_files()
    assert "entityresolution_jobs/py.typed" in shipped
    assert "entityresolution_jobs/testing/_registration.py" in shipped


def test_the_wheel_declares_the_dependency_floors_and_extras(wheel: zipfile.ZipFile) -> None:
    metadata = HeaderParser().parsestr(wheel.read(f"{DIST_INFO}/METADATA").decode())
    required = [Requirement(line) for line in metadata.get_all("Requires-Dist") or []]

    assert metadata["Requires-Python"] == ">=3.10"
    # What Amazon MWAA's Airflow 2.10.1 pins, tested by `make test-lowest`.
    assert {str(req) for req in required if req.marker is None} == {
        "boto3>=1.35.7",
        "botocore>=1.35.7",
        "pydantic<3,>=2.8.2",
    }
    assert set(metadata.get_all("Provides-Extra") or []) == {
        "airflow",
        "async",
        "cli",
        "dev",
        "testing",
    }
    # The versions `make test-airflow` tests, and the async extra (flattened
    # by the build), whose client the trigger uses.
    airflow = {str(req).split(";")[0].strip() for req in required if "airflow" in str(req.marker)}
    assert airflow == {
        "aiobotocore>=2.14.0",
        "apache-airflow>=2.10.1",
        "apache-airflow-providers-amazon>=8.28.0",
    }
    assert "Typing :: Typed" in (metadata.get_all("Classifier") or [])


def test_the_wheel_registers_the_command_and_the_pytest_plugin(wheel: zipfile.ZipFile) -> None:
    entry_points = configparser.ConfigParser()
    entry_points.read_string(wheel.read(f"{DIST_INFO}/entry_points.txt").decode())

    assert dict(entry_points["console_scripts"]) == {"er-jobs": "entityresolution_jobs.cli:main"}
    assert dict(entry_points["pytest11"]) == {
        "entityresolution_jobs": "entityresolution_jobs._pytest_plugin"
    }
    assert dict(entry_points["apache_airflow_provider"]) == {
        "provider_info": "entityresolution_jobs._airflow_provider:get_provider_info"
    }


def test_the_airflow_provider_info_names_the_package_its_version_and_modules() -> None:
    # Read without Airflow installed: provider discovery imports nothing heavy.
    from entityresolution_jobs import __version__
    from entityresolution_jobs._airflow_provider import get_provider_info

    info = get_provider_info()

    assert (info["package-name"], info["versions"]) == ("entityresolution-jobs", [__version__])
    for section in ("operators", "sensors", "hooks", "triggers"):
        assert info[section] == [
            {
                "integration-name": "AWS Entity Resolution",
                "python-modules": ["entityresolution_jobs.airflow"],
            }
        ]
    assert "connection-types" not in info  # the Amazon provider's "aws" type serves


def test_the_sdist_holds_what_the_tests_and_docs_need(dist: Path) -> None:
    (path,) = dist.glob("*.tar.gz")
    with tarfile.open(path) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}

    expected = {"pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md", "Makefile", "mkdocs.yml"}
    assert expected <= names
    assert {f"src/{name}" for name in _package_files()} <= names
    assert "tests/conftest.py" in names
    assert "docs/api.md" in names


INSTALLED_PROBE = """
import sys
from datetime import datetime, timezone
from importlib import resources

import boto3
from botocore.stub import Stubber

import entityresolution_jobs as erj
import entityresolution_jobs.testing

assert erj.__file__.startswith(sys.argv[1]), erj.__file__
assert resources.files("entityresolution_jobs").joinpath("py.typed").is_file()
client = boto3.client(
    "entityresolution", region_name="us-east-1",
    aws_access_key_id="testing", aws_secret_access_key="testing",
)
job_id = "0123456789abcdef0123456789abcdef"
with Stubber(client) as stub:
    stub.add_response(
        "get_matching_job",
        {"jobId": job_id, "status": "RUNNING", "startTime": datetime(2026, 1, 1)},
        {"workflowName": "customers", "jobId": job_id},
    )
    job = erj.EntityResolutionJobs(client).get_matching_job("customers", job_id)
assert job.status is erj.JobStatus.RUNNING, job
assert job.start_time == datetime(2026, 1, 1, tzinfo=timezone.utc), job
print("ok")
"""


def test_the_wheel_installed_on_its_own_imports_and_reads_a_job(
    wheel: zipfile.ZipFile, tmp_path: Path
) -> None:
    # Installed into a folder of its own, ahead of the editable install on
    # sys.path; the dependencies come from this environment.
    target = tmp_path / "site"
    install = ["install", "--quiet", "--no-deps", "--no-index", "--target", str(target)]
    subprocess.run(
        [sys.executable, "-m", "pip", *install, str(wheel.filename)],
        check=True,
        capture_output=True,
    )
    env = {**os.environ, "PYTHONPATH": str(target), "AWS_EC2_METADATA_DISABLED": "true"}
    result = subprocess.run(
        [sys.executable, "-c", INSTALLED_PROBE, str(target)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
