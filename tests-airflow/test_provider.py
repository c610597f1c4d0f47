"""The package is an Airflow provider: discovered through its entry point, listed by the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import entry_points, version
from pathlib import Path

import airflow
import jsonschema  # type: ignore[import-untyped, unused-ignore]  # Airflow's dependency

from entityresolution_jobs._airflow_provider import get_provider_info

PACKAGE = "entityresolution-jobs"


def _airflow_json(*args: str) -> list[dict[str, str]]:
    """``airflow ARGS -o json``, in a subprocess as a user types it; its JSON list."""
    command = [str(Path(sys.executable).parent / "airflow"), *args, "-o", "json"]
    out = subprocess.run(
        command, env=os.environ.copy(), capture_output=True, text=True, timeout=120, check=True
    ).stdout
    # Some Airflow versions log a line or two before the document.
    listed: list[dict[str, str]] = json.loads(out[out.index("[{") :])
    return listed


def test_the_entry_point_gives_provider_info_airflows_schema_accepts() -> None:
    providers = entry_points(group="apache_airflow_provider", name="provider_info")
    (entry,) = [e for e in providers if e.dist is not None and e.dist.name == PACKAGE]
    info = entry.load()()
    schema = json.loads((Path(airflow.__file__).parent / "provider_info.schema.json").read_text())

    jsonschema.validate(info, schema)
    assert info == get_provider_info()
    assert info["package-name"] == PACKAGE


def test_airflow_providers_list_shows_the_package_and_its_version() -> None:
    listed = {row["package_name"]: row["version"] for row in _airflow_json("providers", "list")}

    assert listed[PACKAGE] == version(PACKAGE)


def test_airflow_knows_the_trigger_and_the_hooks_module() -> None:
    triggers = _airflow_json("providers", "triggers")
    details = _airflow_json("providers", "get", PACKAGE, "--full")

    assert any(row["package_name"] == PACKAGE for row in triggers)
    assert "entityresolution_jobs.airflow" in json.dumps(details)
    assert "AWS Entity Resolution" in json.dumps(details)
