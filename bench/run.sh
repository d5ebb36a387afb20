#!/usr/bin/env bash
# run.sh BACKEND N K: times this project's `migrate check` and `migrate create` on the kit's
# N-table schema with K changes, on BACKEND (postgres, mysql or sqlite), and scores what they
# found against the kit's expected changes.
#
#   1. gen_schema.py writes the schema (database side, desired side, expected changes);
#   2. the database side is loaded: the kit's schema.sql on PostgreSQL, `autogen-bench seed` on
#      MariaDB and SQLite;
#   3. `autogen-bench project` turns the desired side into SeaORM entity crates wired to the
#      engine; its `migrate` binary is built in release mode (build times are setup rows, split
#      by crate group from cargo's --timings report);
#   4. REPS times each: `migrate check --format json --timings`, then `migrate create` into a
#      scratch copy of the migration folder; then the catalog queries alone (`autogen-bench floor`);
#   5. `autogen-bench observe` turns check's JSON into the kit's neutral records; the kit's
#      score.py scores them.
# Results: $BENCH_RESULTS/autogen-<backend>_N<N>_K<K>/, in the kit's format (see README.md).
#
# Settings (environment): REPS (3), SEED (42), BENCH_KIT (../shared/bench beside the
# repository), BENCH_WORK (/tmp/benchwork), BENCH_RESULTS (bench/results),
# BENCH_PG_URL (default: the kit's throwaway cluster, started by pg.sh),
# BENCH_MYSQL_URL (mysql://root@127.0.0.1:3306), CARGO_TARGET_DIR (target/bench),
# BENCH_PROFILE (release; `dev` for a quick debug build), BENCH_BIN (a built autogen-bench),
# BENCH_CHUNK (500: entities per entity crate).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
KIT=${BENCH_KIT:-$(cd "$REPO/.." && pwd)/shared/bench}
[ -f "$KIT/gen_schema.py" ] || KIT=/work/shared/bench   # a clone elsewhere on this machine
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$REPO/target/bench}
PROFILE=${BENCH_PROFILE:-release}   # CI's smoke test uses dev, sharing the scenario builds
if [ "$PROFILE" = release ]; then PROFILE_FLAG=--release; PROFILE_DIR=release; else PROFILE_FLAG=; PROFILE_DIR=debug; fi

BACKEND=${1:-}; N=${2:-}; K=${3:-}
case "$BACKEND" in postgres|mysql|sqlite) ;; *) echo "usage: $0 postgres|mysql|sqlite N K" >&2; exit 2 ;; esac
[[ $N =~ ^[0-9]+$ && $K =~ ^[0-9]+$ ]] || { echo "usage: $0 postgres|mysql|sqlite N K" >&2; exit 2; }
[ -f "$KIT/gen_schema.py" ] || { echo "error: the benchmark kit is not at $KIT (set BENCH_KIT)" >&2; exit 2; }

# The kit's shell helpers: log, die and timed (/usr/bin/time -v, one line of timings.jsonl in
# $RUN_DIR, the command's exit status returned). Sourcing it also sets the kit's defaults for
# WORK, RESULTS, REPS and SEED, from the same variables as here; results go to bench/results.
# shellcheck source=/dev/null
source "$KIT/common.sh"
RESULTS=${BENCH_RESULTS:-$HERE/results}

TOOL=autogen-$BACKEND
RUN_DIR=$RESULTS/${TOOL}_N${N}_K${K}
GEN=$WORK/N${N}_K${K}_s${SEED}
DB=bench_$N
# MariaDB and SQLite share one desired side (neutral.rs adjusts it alike for both), so one
# project and binary serves both.
SIDE=$([ "$BACKEND" = postgres ] && echo postgres || echo portable)
LABEL=${SIDE}-n${N}-k${K}-s${SEED}
PROJECT=$WORK/seaorm_${SIDE}_N${N}_K${K}_s${SEED}
rm -rf "$RUN_DIR"; mkdir -p "$RUN_DIR" "$WORK"

# --- 1. the schema
timed "setup: gen_schema.py" 0 "$RUN_DIR/gen.out" \
  python3 "$KIT/gen_schema.py" --tables "$N" --changes "$K" --seed "$SEED" --out "$GEN" \
  || die "$RUN_DIR/gen.out.err"
cp "$GEN/expected_changes.json" "$RUN_DIR/"

# --- 2. the database side
if [ -z "${BENCH_BIN:-}" ]; then
  log "building autogen-bench"
  cargo build --quiet $PROFILE_FLAG --offline --manifest-path "$REPO/Cargo.toml" -p autogen-bench
  BENCH_BIN=$CARGO_TARGET_DIR/$PROFILE_DIR/autogen-bench
fi
case "$BACKEND" in
  postgres)
    if [ -z "${BENCH_PG_URL:-}" ]; then
      "$KIT/pg.sh" start >/dev/null
      BENCH_PG_URL=$("$KIT/pg.sh" url)
    fi
    PGOPTIONS='-c client_min_messages=warning' psql "$BENCH_PG_URL/postgres" -qX -v ON_ERROR_STOP=1 \
      -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
    URL=$BENCH_PG_URL/$DB
    timed "setup: psql -f schema.sql" 0 "$RUN_DIR/load.out" \
      psql "$URL" -qX -1 -v ON_ERROR_STOP=1 -f "$GEN/schema.sql" || die "$RUN_DIR/load.out.err"
    SERVER=$(psql "$URL" -AtXc 'show server_version')
    ;;
  mysql)
    MYSQL_URL=${BENCH_MYSQL_URL:-mysql://root@127.0.0.1:3306}
    hostport=${MYSQL_URL#mysql://}; hostport=${hostport#*@}; host=${hostport%:*}; port=${hostport##*:}
    user=${MYSQL_URL#mysql://}; user=${user%%@*}
    mariadb -h "$host" -P "$port" -u "$user" -e "DROP DATABASE IF EXISTS $DB; CREATE DATABASE $DB"
    URL=$MYSQL_URL/$DB
    timed "setup: autogen-bench seed" 0 "$RUN_DIR/load.out" \
      "$BENCH_BIN" seed --gen "$GEN" --database-url "$URL" || die "$RUN_DIR/load.out.err"
    SERVER=$(mariadb -h "$host" -P "$port" -u "$user" -N -e 'select version()')
    ;;
  sqlite)
    rm -f "$WORK/$DB.sqlite"
    URL="sqlite://$WORK/$DB.sqlite"
    timed "setup: autogen-bench seed" 0 "$RUN_DIR/load.out" \
      "$BENCH_BIN" seed --gen "$GEN" --database-url "$URL?mode=rwc" || die "$RUN_DIR/load.out.err"
    SERVER="SQLite $(python3 -c 'import sqlite3; print(sqlite3.sqlite_version)') (python3's; the binary bundles its own)"
    ;;
esac

# --- 3. the SeaORM project and its binary
ENTITY_CRATES=$("$BENCH_BIN" project --gen "$GEN" --backend "$BACKEND" --out "$PROJECT" --label "$LABEL" \
  --chunk "${BENCH_CHUNK:-500}" 2>/dev/null | wc -l)
# One build of the binary (entity features must be unified with the engine's, so the entity
# crates are not built on their own first); cargo's --timings report splits its time by crate.
timed "setup: cargo build migrate binary ($N entities in $ENTITY_CRATES crates)" 0 "$RUN_DIR/build.out" \
  cargo build --manifest-path "$PROJECT/Cargo.toml" $PROFILE_FLAG --offline --quiet --timings --bin "migrate-$LABEL" \
  || die "$RUN_DIR/build.out.err"
# (Builds sharing the target folder, as CI's three smoke runs do, may overwrite the report.)
python3 "$HERE/build_units.py" "$CARGO_TARGET_DIR/cargo-timings/cargo-timing.html" >>"$RUN_DIR/timings.jsonl" \
  || log "no cargo --timings report to split the build time"
MIGRATE=$CARGO_TARGET_DIR/$PROFILE_DIR/migrate-$LABEL
BINARY_MB=$(du -m "$MIGRATE" | cut -f1)

# --- 4. timed runs
# From the project's folder, as its developers run it: `migrate` reads the first autogen.toml
# from the working directory upward, which must not be another project's (this repository's, when
# the tests run this script). The migration folder is named: runs of the same label on two
# servers share one binary, built in one of their folders.
cd "$PROJECT"
export NO_COLOR=1
: >"$RUN_DIR/stages.txt"
for rep in $(seq "$REPS"); do
  rc=0
  timed "migrate check" "$rep" "$RUN_DIR/check.json" \
    "$MIGRATE" --database-url "$URL" --migration-dir "$PROJECT/migration/src" --timings check --format json || rc=$?
  [ "$rc" = 0 ] || [ "$rc" = 1 ] || die "$RUN_DIR/check.json.err"
  grep '^timings:' "$RUN_DIR/check.json.err" | sed "s/^/check rep $rep: /" >>"$RUN_DIR/stages.txt"
done
for rep in $(seq "$REPS"); do
  scratch=$RUN_DIR/create-scratch
  rm -rf "$scratch"; cp -r "$PROJECT/migration/src" "$scratch"
  timed "migrate create" "$rep" "$RUN_DIR/create.out" \
    "$MIGRATE" --database-url "$URL" --migration-dir "$scratch" --timings \
    create "bench" --allow-destructive || die "$RUN_DIR/create.out.err"
  grep '^timings:' "$RUN_DIR/create.out.err" | sed "s/^/create rep $rep: /" >>"$RUN_DIR/stages.txt"
done
cp "$scratch"/m*.rs "$RUN_DIR/revision.rs" 2>/dev/null || true
rm -rf "$scratch"
"$BENCH_BIN" floor --database-url "$URL" --reps "$REPS" >"$RUN_DIR/floor.jsonl"

# --- 5. score
"$BENCH_BIN" observe "$RUN_DIR/check.json" --gen "$GEN" --backend "$BACKEND" >"$RUN_DIR/observed.json"
python3 - "$RUN_DIR" "$GEN" "$BACKEND" "$N" "$K" "$SEED" "$SERVER" "$BINARY_MB" <<'PYEOF'
import json, subprocess, sys
run, gen, backend, n, k, seed, server, binary_mb = sys.argv[1:]
observed = json.load(open(run + "/observed.json"))
changes = json.load(open(run + "/check.json"))["changes"]
json.dump({"changes reported": len(changes), "records": len(observed)},
          open(run + "/counts.json", "w"))
db = json.load(open(gen + "/schema_db.json"))["tables"]
size = {"tables": len(db), "columns": sum(len(t["columns"]) for t in db),
        "indexes": sum(len(t["indexes"]) for t in db),
        "uniques": sum(len(t["uniques"]) for t in db),
        "foreign_keys": sum(len(t["foreign_keys"]) for t in db)}
rustc = subprocess.check_output(["rustc", "--version"], text=True).strip()
json.dump({"tool": "autogen-" + backend, "n": int(n), "k": int(k), "seed": int(seed),
           "schema": size, "versions": {"rustc": rustc, "server": server,
                                         "migrate binary MB": int(binary_mb)}},
          open(run + "/meta.json", "w"), indent=1)
PYEOF
find "$RUN_DIR" \( -name "*.err" -o -name "*.out" \) -type f -empty -delete
# SQLite stores a value by its column's storage class, whatever the declared type's length or
# width: a type change within one class (varchar(50) to varchar(100), int to bigint) is no change
# there, and the engine rightly reports none. Those expectations are left out on SQLite.
python3 - "$GEN/expected_changes.json" "$RUN_DIR/expected_changes.json" "$BACKEND" <<'PYEOF'
import json, re, sys
src, dst, backend = sys.argv[1:]
expected = json.load(open(src))
def storage(ty):
    t = ty.lower()
    if "int" in t or t.startswith("bool"):
        return "integer"
    if any(w in t for w in ("char", "text", "clob", "date", "time", "uuid", "json")):
        return "text"
    if "blob" in t or "binary" in t or "bytea" in t:
        return "blob"
    return "number"
if backend == "sqlite":
    expected = [c for c in expected
                if not (c["kind"] == "alter_type" and storage(c["from"]) == storage(c["to"]))]
json.dump(expected, open(dst, "w"), indent=1)
PYEOF
python3 "$KIT/score.py" "$RUN_DIR/expected_changes.json" "$RUN_DIR/observed.json" >"$RUN_DIR/score.json"
python3 "$KIT/report.py" --brief "$RUN_DIR"
