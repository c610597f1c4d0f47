#!/usr/bin/env bash
# The Airflow adapter's tests, through Airflow itself, on each `test` line of
# .ci/airflow-lines.txt, installed as Amazon MWAA installs a requirements.txt:
# on the Python of that line's image, that Airflow, then .[airflow], under
# the line's unmodified constraint and essential files (.ci/mwaa/). The test
# tools (.ci/airflow-test-tools.txt and the `testing` extra's moto) come
# after, constrained to the runtime as installed, so that none of them can
# lift a pin MWAA sets; the script checks that the runtime is unchanged.
# Airflow's metadata database is SQLite in a temporary AIRFLOW_HOME
# (tests-airflow/conftest.py); the fake service runs on 127.0.0.1. On the
# last test line (the newest), also the adapter's coverage and type checks,
# which need Airflow installed and so cannot run in `make check`.
# Arguments, if any, name the lines to run (`bash .ci/test_airflow.sh 2.10.1`).
set -uo pipefail
cd "$(dirname "$0")/.."
export AWS_EC2_METADATA_DISABLED=true
export PIP_DISABLE_PIP_VERSION_CHECK=1
# anyio's pytest plugin (anyio as the MWAA files pin it) imports a name newer
# pytests deprecate, which this suite's warnings-as-errors would fail on; it is unused.
pytest_args=(-p no:cacheprovider -p no:anyio)
newest=$(awk '$3 == "test" { line = $1 } END { print line }' .ci/airflow-lines.txt)
status=0

install() {  # install VENV PYTHON VERSION: the line's environment, unless up to date
    local venv=$1 python=$2 version=$3 files=(-c ".ci/mwaa/constraints-$3.txt" -c ".ci/mwaa/essential-$3.txt")
    local stamp="$venv/.installed-mwaa"
    if [ -f "$stamp" ]; then
        local input fresh=1
        for input in pyproject.toml .ci/airflow-test-tools.txt ".ci/mwaa/constraints-$version.txt" \
            ".ci/mwaa/essential-$version.txt"; do
            [ "$input" -nt "$stamp" ] && fresh=0
        done
        [ "$fresh" = 1 ] && return 0
    fi
    rm -rf "$venv"
    "$python" -m venv "$venv" || return 1
    local pip=("$venv/bin/python" -m pip install --quiet)
    "${pip[@]}" --upgrade pip || return 1
    # As MWAA: the image's Airflow, then the requirements under the same files.
    "${pip[@]}" "apache-airflow==$version" "${files[@]}" || return 1
    "${pip[@]}" -e '.[airflow]' "${files[@]}" || return 1
    "$venv/bin/python" -m pip freeze --exclude-editable > "$venv/runtime-pins.txt"
    "${pip[@]}" -e '.[airflow,testing]' -r .ci/airflow-test-tools.txt -c "$venv/runtime-pins.txt" \
        || return 1
    # Constraints cannot lift a pin; this says so if that ever changes.
    "$venv/bin/python" -m pip freeze --exclude-editable > "$venv/installed.txt"
    if ! changed=$(grep -vxFf "$venv/installed.txt" "$venv/runtime-pins.txt"); then
        touch "$stamp"
        return 0
    fi
    echo "the test tools changed the runtime MWAA pins: $changed" >&2
    return 1
}

while read -r version python role <&3; do
    case "$version" in '#'* | '') continue ;; esac
    [ "$role" = test ] || continue
    [ $# -eq 0 ] || [[ " $* " == *" $version "* ]] || continue
    interpreter=$(bash .ci/find_python.sh "$python") || { status=1; continue; }
    venv=".venv-airflow-$version"
    started=$SECONDS
    install "$venv" "$interpreter" "$version" || { echo "Airflow $version: install failed" >&2; status=1; continue; }
    echo "=== MWAA Airflow $version, Python $("$venv/bin/python" -c 'import platform; print(platform.python_version())'):" \
        $("$venv/bin/python" -m pip freeze 2>/dev/null \
            | grep -iE '^(apache-airflow|apache-airflow-core|apache-airflow-task-sdk|apache-airflow-providers-amazon|apache-airflow-providers-common-compat|aiobotocore|boto3|botocore|pydantic)==')
    if [ "$version" = "$newest" ]; then
        "$venv/bin/coverage" run --rcfile=.ci/airflow-coverage.toml -m pytest "${pytest_args[@]}" tests-airflow \
            && "$venv/bin/coverage" report --rcfile=.ci/airflow-coverage.toml \
            && "$venv/bin/mypy" --strict --python-executable "$venv/bin/python" \
                src/entityresolution_jobs/airflow/*.py examples/airflow/*.py tests-airflow/*.py tests-airflow/dags/*.py \
            && "$venv/bin/pyright" -p .ci/pyright-airflow.json --pythonpath "$venv/bin/python" \
            || status=1
    else
        "$venv/bin/python" -m pytest -q "${pytest_args[@]}" tests-airflow | tail -n 1
        [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
    fi
    echo "MWAA Airflow $version: $((SECONDS - started)) s with the install"
done 3< .ci/airflow-lines.txt
exit $status
