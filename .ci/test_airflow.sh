#!/usr/bin/env bash
# The Airflow adapter's tests, through Airflow itself, in the virtual
# environment given (with the airflow extra): Airflow's metadata database is
# SQLite in a temporary AIRFLOW_HOME (tests-airflow/conftest.py), the fake
# service runs on 127.0.0.1. Then the adapter's coverage and type checks,
# which need Airflow installed and so cannot run in `make check`.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${1:-.venv-airflow}
export AWS_EC2_METADATA_DISABLED=true
"$venv/bin/python" -m pip freeze 2>/dev/null \
    | grep -iE '^(apache-airflow|apache-airflow-core|apache-airflow-task-sdk|apache-airflow-providers-amazon|aiobotocore|boto3)=='
"$venv/bin/coverage" run --rcfile=.ci/airflow-coverage.toml -m pytest -p no:cacheprovider tests-airflow
"$venv/bin/coverage" report --rcfile=.ci/airflow-coverage.toml
# Files named one by one: pyproject.toml's mypy settings exclude these
# directories from `make check`, which has no Airflow.
"$venv/bin/mypy" --strict --python-executable "$venv/bin/python" \
    src/entityresolution_jobs/airflow/*.py examples/airflow/*.py tests-airflow/*.py tests-airflow/dags/*.py
"$venv/bin/pyright" -p .ci/pyright-airflow.json
