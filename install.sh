#!/usr/bin/env bash
# Build and install tiergate from this checkout, then say where it went.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v cargo >/dev/null 2>&1; then
  echo "install.sh: cargo is needed to build tiergate; install Rust from your package manager or rustup." >&2
  exit 2
fi

# A release build takes a few minutes the first time: say so, and let cargo
# show its progress (its "Compiling ..." lines and, on a terminal, its bar)
# rather than sitting silent.
echo "install.sh: building tiergate with cargo install --path . --locked (a release build: a few minutes the first time)..."
cargo install --path . --locked --force

bin_dir="${CARGO_INSTALL_ROOT:-${CARGO_HOME:-$HOME/.cargo}}/bin"
installed="$bin_dir/tiergate"
echo "tiergate $("$installed" --version | cut -d' ' -f2) installed at $installed"

case ":$PATH:" in
  *":$bin_dir:"*) ;;
  *) echo "note: $bin_dir is not on your PATH; add it, e.g.: export PATH=\"$bin_dir:\$PATH\"" ;;
esac
echo "next: cd into your repository and run: tiergate install"
