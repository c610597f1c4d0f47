#!/usr/bin/env bash
# ensure_venv.sh VENV PYTHON PIP_ARGS...: create the virtual environment VENV
# with the interpreter PYTHON and pip install PIP_ARGS into it, unless that
# was done since pyproject.toml last changed.
set -euo pipefail
venv=$1
python=$2
shift 2
if [ -f "$venv/.installed-dev" ] && [ ! pyproject.toml -nt "$venv/.installed-dev" ]; then
    exit 0
fi
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet "$@"
touch "$venv/.installed-dev"
