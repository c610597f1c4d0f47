#!/usr/bin/env bash
# The Airflow adapter's tests, through Airflow itself, on each line of
# .ci/airflow-lines.txt (Airflow 2.11 at the extra's floors, 3.0, the
# newest), each on its own Python in .venv-airflow-NAME with .[airflow,dev].
# Airflow's metadata database is SQLite in a temporary AIRFLOW_HOME
# (tests-airflow/conftest.py); the fake service runs on 127.0.0.1. On the
# newest line, also the adapter's coverage and type checks, which need
# Airflow installed and so cannot run in `make check`.
set -uo pipefail
cd "$(dirname "$0")/.."
export AWS_EC2_METADATA_DISABLED=true
status=0
while read -r version name pins <&3; do
    case "$version" in '#'* | '') continue ;; esac
    python=$(bash .ci/find_python.sh "$version") || continue
    venv=".venv-airflow-$name"
    started=$SECONDS
    # A changed line or constraint file rebuilds the environment.
    for input in .ci/airflow-lines.txt .ci/constraints/*.txt; do
        [ "$input" -nt "$venv/.installed-dev" ] && rm -f "$venv/.installed-dev"
    done
    # shellcheck disable=SC2086  # the pins are words
    bash .ci/ensure_venv.sh "$venv" "$python" -e '.[airflow,dev]' $pins \
        || { status=1; continue; }
    echo "=== Airflow line $name, Python $("$venv/bin/python" -c 'import platform; print(platform.python_version())'):" \
        $("$venv/bin/python" -m pip freeze 2>/dev/null \
            | grep -iE '^(apache-airflow|apache-airflow-core|apache-airflow-task-sdk|apache-airflow-providers-amazon|apache-airflow-providers-common-compat|aiobotocore|boto3|botocore)==')
    if [ "$name" = newest ]; then
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
    echo "Airflow line $name: $((SECONDS - started)) s with the install"
done 3< .ci/airflow-lines.txt
exit $status
