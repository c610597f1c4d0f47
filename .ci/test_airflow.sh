#!/usr/bin/env bash
# The Airflow adapter's tests, through Airflow itself, on every declared
# Python from the Amazon provider's floor up, each in its own
# .venv-airflow-X.Y with .[airflow,dev] and the airflow extra pinned to its
# declared floors. Airflow's metadata database is SQLite in a temporary
# AIRFLOW_HOME (tests-airflow/conftest.py); the fake service runs on
# 127.0.0.1. On the first Python, also the adapter's coverage and type
# checks, which need Airflow installed and so cannot run in `make check`.
set -uo pipefail
cd "$(dirname "$0")/.."
export AWS_EC2_METADATA_DISABLED=true
floor=3.11  # apache-airflow-providers-amazon's Requires-Python
constraints=$(mktemp)
trap 'rm -f "$constraints"' EXIT
python3 .ci/lowest_constraints.py airflow > "$constraints"
status=0
first=yes
for version in $(python3 .ci/declared_pythons.py); do
    if [ "$(printf '%s\n' "$floor" "$version" | sort -V | head -n 1)" != "$floor" ]; then
        echo "Python $version: below the Amazon provider's floor ($floor); skipped"
        continue
    fi
    python=$(bash .ci/find_python.sh "$version") || continue
    venv=".venv-airflow-$version"
    started=$SECONDS
    bash .ci/ensure_venv.sh "$venv" "$python" -e '.[airflow,dev]' -c "$constraints" \
        || { status=1; continue; }
    echo "=== Python $("$venv/bin/python" -c 'import platform; print(platform.python_version())'):" \
        $("$venv/bin/python" -m pip freeze 2>/dev/null \
            | grep -iE '^(apache-airflow|apache-airflow-core|apache-airflow-task-sdk|apache-airflow-providers-amazon|aiobotocore|boto3)==')
    if [ $first = yes ]; then
        first=no
        "$venv/bin/coverage" run --rcfile=.ci/airflow-coverage.toml -m pytest -p no:cacheprovider tests-airflow \
            && "$venv/bin/coverage" report --rcfile=.ci/airflow-coverage.toml \
            && "$venv/bin/mypy" --strict --python-executable "$venv/bin/python" \
                src/entityresolution_jobs/airflow/*.py examples/airflow/*.py tests-airflow/*.py tests-airflow/dags/*.py \
            && "$venv/bin/pyright" -p .ci/pyright-airflow.json --pythonpath "$venv/bin/python" \
            || status=1
    else
        "$venv/bin/python" -m pytest -q -p no:cacheprovider tests-airflow | tail -n 1
        [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
    fi
    echo "Python $version: $((SECONDS - started)) s with the install"
done
exit $status
