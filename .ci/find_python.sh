#!/usr/bin/env bash
# Print the path of a working interpreter for Python X.Y (the argument):
# the newest under pyenv's versions, else pythonX.Y on PATH (pyenv's shims
# fail for versions not selected, so each candidate is tried). If there is
# none, say so on stderr (the caller skips the version) and exit 1.
version=$1
candidates=$(command -v "python$version" || true)
if command -v pyenv >/dev/null 2>&1; then
    candidates="$(ls -d "$(pyenv root)/versions/$version".*/bin/python 2>/dev/null | sort -V | tail -n 1) $candidates"
fi
for candidate in $candidates; do
    if "$candidate" -c 'import sys' >/dev/null 2>&1; then
        echo "$candidate"
        exit 0
    fi
done
echo "Python $version: no interpreter found (pythonX.Y on PATH, or pyenv); skipped" >&2
exit 1
