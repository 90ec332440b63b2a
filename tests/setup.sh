#!/usr/bin/env bash
# Installs the tools the tests drive for real (no test is skipped because a
# tool is missing). Idempotent: a second run installs nothing.
set -euo pipefail

pip_install() {
  # $1: module to import, $2...: packages to install when it is missing.
  local module=$1
  shift
  if ! python3 -c "import $module" >/dev/null 2>&1; then
    echo "tests/setup.sh: installing $*"
    python3 -m pip install --quiet --disable-pip-version-check "$@"
  fi
}

command -v git >/dev/null || { echo "tests/setup.sh: git is required" >&2; exit 2; }
command -v python3 >/dev/null || { echo "tests/setup.sh: python3 is required" >&2; exit 2; }
pip_install pytest pytest
