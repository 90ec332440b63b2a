#!/usr/bin/env bash
# Every test: installs what the tests need (tests/setup.sh), then runs the
# unit and integration tests. Extra arguments go to `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/setup.sh
cargo test --locked "$@"
