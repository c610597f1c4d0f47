#!/usr/bin/env bash
# Debian's Chromium for `make docs-browser`, installed if it is not on PATH
# (as root, or through sudo). Its version is printed either way.
set -euo pipefail
if ! command -v chromium > /dev/null; then
    sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    echo "installing Debian's chromium for the docs' browser check"
    "${sudo[@]}" apt-get install -y --no-install-recommends chromium > /dev/null \
        || { "${sudo[@]}" apt-get update > /dev/null && "${sudo[@]}" apt-get install -y --no-install-recommends chromium > /dev/null; }
fi
chromium --version
