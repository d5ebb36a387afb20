#!/usr/bin/env bash
# build_cost.sh N [PROFILE]: what a developer waits for cargo on the kit's N-table schema
# (issue 13), PROFILE `dev` (default) or `release`. Each step is timed with /usr/bin/time -v:
# wall time, CPU time (user + system, all processes under it: the figure that does not depend on
# what else the machine runs) and the peak RSS of the largest process under it (rustc, since cargo
# waits for it).
#
#   1. setup: gen_schema.py (the kit, K=20 changes, seed 42), `autogen-bench project` (entity
#      crates of BENCH_CHUNK entities, an empty migration crate, the `migrate` binary), the
#      database side loaded into a database of its own on PostgreSQL, and a first full build;
#      then the binary crate alone (the registry of N entities and the link);
#   2. edit-to-verdict: one entity gets a new column (in entity crate EDIT_CRATE, default the
#      last one), then `cargo build` of the binary, then `migrate check` (the verdict; exit 1,
#      since the database differs);
#   3. initial migration: `migrate create --initial` writes one migration creating all N tables
#      into the migration crate, whose build (`cargo build -p <migration crate>`) is timed;
#   4. after a 20-change `create` (the kit's K=20 changes plus the edit of step 2): the binary's
#      build, which compiles the new module, then `migrate check`.
# The project is left as it was found (the edit and the migrations are undone); the database is
# dropped at the end.
#
# Results: one JSON line per step appended to $BENCH_RESULTS/build_cost.jsonl (bench/results by
# default) and printed: {"n", "profile", "chunk", "step", "wall_s", "cpu_s", "max_rss_mb", "rc"}.
#
# Settings (environment): BENCH_KIT (../shared/bench beside the repository), BENCH_WORK
# (/tmp/benchwork), BENCH_RESULTS (bench/results), BENCH_PG_URL (postgres://postgres@127.0.0.1:5432),
# BENCH_CHUNK (50), CARGO_TARGET_DIR (target/build-cost), NICE (10: the niceness of every step).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
KIT=${BENCH_KIT:-$(cd "$REPO/.." && pwd)/shared/bench}
[ -f "$KIT/gen_schema.py" ] || KIT=/work/shared/bench
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$REPO/target/build-cost}
WORK=${BENCH_WORK:-/tmp/benchwork}
RESULTS=${BENCH_RESULTS:-$HERE/results}
PG=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
NICE=${NICE:-10}
SEED=42
K=20

N=${1:-}; PROFILE=${2:-dev}
[[ $N =~ ^[0-9]+$ ]] || { echo "usage: $0 N [dev|release]" >&2; exit 2; }
case "$PROFILE" in
  dev) FLAG=; DIR=debug ;;
  release) FLAG=--release; DIR=release ;;
  *) echo "usage: $0 N [dev|release]" >&2; exit 2 ;;
esac
[ -f "$KIT/gen_schema.py" ] || { echo "error: the benchmark kit is not at $KIT (set BENCH_KIT)" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "error: GNU time (/usr/bin/time) is needed" >&2; exit 2; }

# Everything runs niced: other work shares the machine.
renice -n "$NICE" $$ >/dev/null
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
mkdir -p "$RESULTS" "$WORK"
OUT=$RESULTS/build_cost.jsonl
LOGS=$WORK/build_cost_N${N}_${PROFILE}
mkdir -p "$LOGS"

# timed STEP COMMAND...: runs COMMAND (a shell command line; `build` and `check` are exported
# functions) under /usr/bin/time -v, appends its JSON line; returns the command's exit status.
timed() {
  local step=$1; shift
  local slug=${step//[^a-zA-Z0-9]/_}
  local rc=0
  /usr/bin/time -v -o "$LOGS/$slug.time" bash -c "$*" >"$LOGS/$slug.out" 2>"$LOGS/$slug.err" || rc=$?
  python3 - "$LOGS/$slug.time" "$N" "$PROFILE" "${BENCH_CHUNK:-50}" "$step" "$rc" >>"$OUT" <<'PYEOF'
import json, re, sys
path, n, profile, chunk, step, rc = sys.argv[1:]
text = open(path).read()
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text).group(1)
seconds = 0.0
for part in wall.split(":"):
    seconds = seconds * 60 + float(part)
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
cpu = sum(float(re.search(rf"{kind} time \(seconds\): (\S+)", text).group(1)) for kind in ("User", "System"))
print(json.dumps({"n": int(n), "profile": profile, "chunk": int(chunk), "step": step, "wall_s": round(seconds, 2),
                  "cpu_s": round(cpu, 2), "max_rss_mb": round(rss / 1024), "rc": int(rc)}))
PYEOF
  tail -n 1 "$OUT" >&2
  return "$rc"
}

# --- 1. setup
GEN=$WORK/N${N}_K${K}_s${SEED}
LABEL=cost-n${N}
PROJECT=$WORK/build_cost_N${N}
DB=build_cost_${N}_$$
log "schema and project ($N tables)"
python3 "$KIT/gen_schema.py" --tables "$N" --changes "$K" --seed "$SEED" --out "$GEN" >/dev/null
cargo build --quiet $FLAG --offline --manifest-path "$REPO/Cargo.toml" -p autogen-bench
"$CARGO_TARGET_DIR/$DIR/autogen-bench" project --gen "$GEN" --backend postgres --out "$PROJECT" \
  --label "$LABEL" --chunk "${BENCH_CHUNK:-50}" >/dev/null
MIGRATION_CRATE=bench-migration-$LABEL
MIGRATIONS=$PROJECT/migration/src
MIGRATE=$CARGO_TARGET_DIR/$DIR/migrate-$LABEL
# `migrate` runs from the project's folder, as its developer runs it: it reads the autogen.toml
# of its working directory or a folder above, and the repository's own would be found from here.
cd "$PROJECT"
psql "$PG/postgres" -qX -v ON_ERROR_STOP=1 -c "CREATE DATABASE $DB" >/dev/null
URL=$PG/$DB
cleanup() {
  psql "$PG/postgres" -qX -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
  if [ -d "$LOGS/migration-src" ]; then rm -rf "$MIGRATIONS"; cp -r "$LOGS/migration-src" "$MIGRATIONS"; fi
  if [ -f "$LOGS/edited.orig" ]; then cp "$LOGS/edited.orig" "$EDITED"; fi
}
trap cleanup EXIT
# Not in one transaction: at 5,000 tables it would take more locks than the server holds.
psql "$URL" -qX -v ON_ERROR_STOP=1 -f "$GEN/schema.sql" >/dev/null
rm -rf "$LOGS/migration-src"; cp -r "$MIGRATIONS" "$LOGS/migration-src"
build() { cargo build --manifest-path "$PROJECT/Cargo.toml" $FLAG --offline --quiet "$@"; }
check() { "$MIGRATE" --database-url "$URL" check || [ $? = 1 ]; }
export -f build check
export FLAG PROJECT MIGRATE URL
log "first build of the binary"
timed "first build of the binary" build --bin "migrate-$LABEL"
timed "check (built)" check
# The binary crate alone (the registry and the link), as after an edit that changes no entity
# crate's code the binary depends on.
touch "$PROJECT/app/src/main.rs"
timed "binary crate alone (registry + link)" build --bin "migrate-$LABEL"

# --- 2. edit-to-verdict
# The edited entity: the first module of entity crate EDIT_CRATE (default: the last crate, which
# no other entity crate depends on; `0` is the worst case, since every later crate depends on it).
CRATES=$(find "$PROJECT" -maxdepth 1 -type d -name 'entity-*' | wc -l)
EDIT_CRATE=${EDIT_CRATE:-$((CRATES - 1))}
EDITED=$(find "$PROJECT/entity-$EDIT_CRATE/src" -name '*.rs' ! -name lib.rs | sort | head -n 1)
[ -f "$EDITED" ] || { echo "error: no entity module in $PROJECT/entity-$EDIT_CRATE" >&2; exit 2; }
log "editing $EDITED (entity crate $EDIT_CRATE of $CRATES)"
cp "$EDITED" "$LOGS/edited.orig"
python3 - "$EDITED" <<'PYEOF'
import sys
path = sys.argv[1]
text = open(path).read()
start = text.index("pub struct Model {")
end = text.index("\n}", start)
open(path, "w").write(text[:end] + "\n    pub build_cost_edit: Option<i32>," + text[end:])
PYEOF
log "edit-to-verdict"
timed "edit: cargo build" build --bin "migrate-$LABEL"
timed "edit: check" check
# The developer's wait is the build plus the check: one more line with their sum.
python3 - "$OUT" >>"$OUT" <<'PYEOF'
import json, sys
build, check = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()[-2:]]
print(json.dumps(dict(build, step="edit-to-verdict (build + check)",
                      wall_s=round(build["wall_s"] + check["wall_s"], 2),
                      cpu_s=round(build["cpu_s"] + check["cpu_s"], 2),
                      max_rss_mb=max(build["max_rss_mb"], check["max_rss_mb"]),
                      rc=max(build["rc"], check["rc"]))))
PYEOF
tail -n 1 "$OUT" >&2

# --- 3. the initial migration
# `cargo build -p` resolves the features of the migration crate alone, which differ from the
# binary's: the migration crate's dependencies are built that way first (untimed), so that the
# timed build compiles the module and nothing else.
build -p "$MIGRATION_CRATE"
log "create --initial"
"$MIGRATE" --database-url "$URL" --migration-dir "$MIGRATIONS" create "initial" --initial >"$LOGS/create-initial.out" 2>&1
ls "$MIGRATIONS"/m*.rs >/dev/null
wc -c "$MIGRATIONS"/m*.rs | tail -n 1 >&2
timed "initial migration: cargo build of the migration crate" build -p "$MIGRATION_CRATE"
timed "initial migration: cargo build of the binary" build --bin "migrate-$LABEL"
rm -rf "$MIGRATIONS"; cp -r "$LOGS/migration-src" "$MIGRATIONS"
# The binary registers the migrations it was built with: back to none (untimed).
build --bin "migrate-$LABEL"

# --- 4. after a 20-change create
log "create (20 changes)"
"$MIGRATE" --database-url "$URL" --migration-dir "$MIGRATIONS" create "twenty" --allow-destructive >"$LOGS/create-20.out" 2>&1
timed "20-change create: cargo build" build --bin "migrate-$LABEL"
timed "20-change create: check" check
rm -rf "$MIGRATIONS"; cp -r "$LOGS/migration-src" "$MIGRATIONS"
cp "$LOGS/edited.orig" "$EDITED"; rm -f "$LOGS/edited.orig"
# The binary as the project now is: no migration, no edit (untimed).
build --bin "migrate-$LABEL"
log "done: $OUT"
