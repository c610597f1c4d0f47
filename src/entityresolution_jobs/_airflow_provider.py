"""Airflow's provider registration of this package (the ``apache_airflow_provider`` entry point).

Airflow calls `get_provider_info` when it discovers providers, so
``airflow providers list`` shows this package with its version and
``airflow providers get entityresolution-jobs`` its hook, operators,
sensors and trigger. This module imports nothing from Airflow, nor the
adapter, so that discovery costs no more than reading a dictionary.

There is no ``connection-types`` entry: `EntityResolutionHook` reads the
Amazon provider's ``aws`` connection, which that provider registers, and
a second registration of one type makes Airflow warn at every start.
"""

from __future__ import annotations

from ._version import __version__

INTEGRATION = "AWS Entity Resolution"
ADAPTER = "entityresolution_jobs.airflow"


def get_provider_info() -> dict[str, object]:
    """The provider information Airflow reads (its ``provider_info`` schema)."""
    modules = [ADAPTER]
    return {
        "package-name": "entityresolution-jobs",
        "name": "AWS Entity Resolution jobs",
        "description": (
            "Operators, sensors, a deferrable trigger and a hook for AWS Entity Resolution "
            "matching and ID mapping jobs, on the typed entityresolution-jobs client.\n"
        ),
        "versions": [__version__],
        "integrations": [
            {
                "integration-name": INTEGRATION,
                "external-doc-url": "https://aws.amazon.com/entity-resolution/",
                "tags": ["aws"],
            }
        ],
        "operators": [{"integration-name": INTEGRATION, "python-modules": modules}],
        "sensors": [{"integration-name": INTEGRATION, "python-modules": modules}],
        "hooks": [{"integration-name": INTEGRATION, "python-modules": modules}],
        "triggers": [{"integration-name": INTEGRATION, "python-modules": modules}],
    }
