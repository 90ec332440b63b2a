# shellcheck shell=bash
# What the scripts in benches/ share (`source "$(dirname "$0")/lib.sh"`):
#
#   bench_init PATH-TO-TIERGATE   $tg (absolute), $work (a temporary folder,
#                                 removed on exit), git isolated from the
#                                 user's config; checks hyperfine is there
#   make_s1_repo DIR              the shared bench's S1 tree: 200 small *.py
#                                 files in 20 folders (not committed)
#   noop_config DIR               the S1 config: one group, `true {files}` on
#                                 the staged *.py files, cache off
#   median_ms JSON                the first result's median, in ms
#   bench_table JSON FLOOR [BASE] [RSS-TSV]
#                                 hyperfine's JSON as a Markdown table, each
#                                 row's median over the FLOOR row's, and what
#                                 it adds over BASE's (default: the floor),
#                                 in wall time (medians) and CPU time (means)

# bench_init PATH-TO-TIERGATE
bench_init() {
    [[ -n ${1:-} ]] || { echo "usage: $0 path/to/tiergate" >&2; exit 2; }
    [[ -x $1 && -f $1 ]] || { echo "no tiergate at $1: cargo build --release" >&2; exit 2; }
    command -v hyperfine >/dev/null || { echo "hyperfine is required" >&2; exit 2; }
    # shellcheck disable=SC2034 # read by the script that sources this file
    tg=$(realpath "$1")
    work=$(mktemp -d "${TMPDIR:-/tmp}/tiergate-bench.XXXXXX")
    # shellcheck disable=SC2064 # $work is fixed from here on
    trap "rm -rf '$work'" EXIT
    export GIT_CONFIG_GLOBAL=$work/gitconfig GIT_CONFIG_NOSYSTEM=1
    # Hooks on: nothing from the caller's shell disables or skips them.
    unset TIERGATE TIERGATE_SKIP
    git config --global user.name "tiergate bench"
    git config --global user.email bench@example.com
    git config --global init.defaultBranch main
    # No gc in the background while a repository is copied or timed.
    git config --global gc.auto 0
    git config --global maintenance.auto false
}

# make_s1_repo DIR
make_s1_repo() {
    git init -q "$1"
    python3 - "$1" <<'EOF'
import pathlib, sys
root = pathlib.Path(sys.argv[1])
for i in range(200):
    path = root / "src" / f"d{i // 10:02}" / f"f{i % 10:02}.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"def f{i}():\n    return {i}\n")
EOF
}

# noop_config DIR
noop_config() {
    cat >"$1/.tiergate.toml" <<'EOF'
[stages.check]
groups = [{ name = "noop", files = ["**/*.py"], run = "true {files}", cache = false }]

[hooks.pre-commit]
formatters = []
stages = ["check"]
EOF
}

# median_ms JSON
median_ms() {
    python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' "$1"
}

# bench_table JSON FLOOR [BASE] [RSS-TSV]: FLOOR and BASE are row names (the
# -n of hyperfine); RSS-TSV holds lines `NAME<TAB>KiB` for a peak RSS column.
bench_table() {
    python3 - "$@" <<'EOF'
import json, sys
path, floor = sys.argv[1], sys.argv[2]
base = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] else floor
rss = {}
if len(sys.argv) > 4:
    for line in open(sys.argv[4]):
        name, kib = line.rstrip("\n").split("\t")
        rss[name] = int(kib)
rows = json.load(open(path))["results"]
by = {r["command"]: r for r in rows}
f, b = by[floor]["median"], by[base]["median"]
ms = lambda s: f"{s * 1000:.1f} ms"
cpu = lambda r: r["user"] + r["system"]
over = "" if base == floor else f" over `{base}`"
head = ["command", "median", "mean ± σ", "min", "user + sys", "vs floor", "added" + over, "added CPU" + over]
if rss:
    head.append("peak RSS")
print("| " + " | ".join(head) + " |")
print("|:---|" + "---:|" * (len(head) - 1))
for r in rows:
    name = r["command"].replace("|", "\\|")  # a pipe would end the cell
    cells = [f"`{name}`", ms(r["median"]), f"{r['mean'] * 1000:.1f} ± {r['stddev'] * 1000:.1f} ms",
             ms(r["min"]), ms(cpu(r)),
             "floor" if r["command"] == floor else f"{r['median'] / f:.2f}x",
             "—" if r["command"] == base else f"{(r['median'] - b) * 1000:+.1f} ms",
             "—" if r["command"] == base else f"{(cpu(r) - cpu(by[base])) * 1000:+.1f} ms"]
    if rss:
        kib = rss.get(r["command"])
        cells.append("" if kib is None else f"{kib / 1024:.1f} MiB")
    print("| " + " | ".join(cells) + " |")
EOF
}
