#!/usr/bin/env bash
# The whole test suite on every Python version pyproject.toml declares,
# except the one `make test` runs on. An interpreter is found under pyenv's
# versions or as pythonX.Y on PATH (the first that runs); a version with
# none is skipped, and the output says so. Each version gets its own .venv-X.Y.
set -uo pipefail
cd "$(dirname "$0")/.."
default=$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
declared=$(python3 .ci/declared_pythons.py)
status=0
for version in $declared; do
    if [ "$version" = "$default" ]; then
        continue
    fi
    python=$(bash .ci/find_python.sh "$version") || continue
    venv=".venv-$version"
    started=$SECONDS
    bash .ci/ensure_venv.sh "$venv" "$python" -e '.[dev]' || { status=1; continue; }
    "$venv/bin/python" -m pytest -q -p no:cacheprovider -rfE > "$venv/pytest.log" 2>&1
    result=$?
    # A failure names its tests here: CI keeps only the end of the output.
    [ "$result" -eq 0 ] || grep -E '^(FAILED|ERROR) ' "$venv/pytest.log"
    tail -n 1 "$venv/pytest.log"
    summary=$(tail -n 1 "$venv/pytest.log" | tr -d '=')
    echo "Python $("$venv/bin/python" -c 'import platform; print(platform.python_version())'): ${summary# } (exit $result, $((SECONDS - started)) s with the install)"
    [ "$result" -eq 0 ] || status=1
done
exit $status
