#!/usr/bin/env bash
# Would `entityresolution-jobs[airflow]` install on each Amazon MWAA line?
# For every line of .ci/airflow-lines.txt, on that line's Python, as MWAA
# installs a requirements.txt: `pip install --dry-run` of that Airflow and
# .[airflow] under the line's unmodified constraint and essential files
# (.ci/mwaa/). A `test` or `resolve` line that does not resolve fails the
# check; a `report` line's result is printed only.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
while read -r version python role <&3; do
    case "$version" in '#'* | '') continue ;; esac
    interpreter=$(bash .ci/find_python.sh "$python") || { status=1; continue; }
    venv=".venv-resolve-$python"  # only pip runs here: one per Python, nothing installed
    if [ ! -x "$venv/bin/pip" ]; then
        "$interpreter" -m venv "$venv" && "$venv/bin/python" -m pip install --quiet --upgrade pip
    fi
    started=$SECONDS
    report="$venv/report-$version.json"
    if "$venv/bin/python" -m pip install --dry-run --report "$report" \
        "apache-airflow==$version" '.[airflow]' \
        -c ".ci/mwaa/constraints-$version.txt" -c ".ci/mwaa/essential-$version.txt" \
        > "$venv/pip-$version.log" 2>&1; then
        pins=$("$venv/bin/python" - "$report" <<'PY'
import json, sys
wanted = ("apache-airflow", "apache-airflow-providers-amazon", "botocore", "aiobotocore", "pydantic")
with open(sys.argv[1]) as report:
    found = {i["metadata"]["name"].lower(): i["metadata"]["version"] for i in json.load(report)["install"]}
print(" ".join(f"{name}=={found[name]}" for name in wanted if name in found))
PY
)
        echo "MWAA $version (Python $python, $role): resolves: $pins ($((SECONDS - started)) s)"
    else
        echo "MWAA $version (Python $python, $role): does not resolve ($((SECONDS - started)) s):"
        grep -vE '^WARNING: Location' "$venv/pip-$version.log" | grep -E 'conflict|depends on|requested|ResolutionImpossible' \
            | head -n 12 | sed 's/^/    /'
        [ "$role" = report ] || status=1
    fi
done 3< .ci/airflow-lines.txt
exit $status
