#!/usr/bin/env bash
# online.sh BACKEND: writes under load while the engine applies each change kind online and as
# plain DDL, on BACKEND (postgres or mysql), with `autogen-bench online` (see README.md, "Online
# plans under write load"). Creates the database BENCH_DB, fills it, measures, and drops it.
# Results: $BENCH_RESULTS/<backend>.json and <backend>.md.
#
# Settings (environment): BENCH_ROWS (2000000), BENCH_WRITERS (8), BENCH_RATE (50 statements/s
# per writer), BENCH_SETTLE (3 s of writes alone before each migration), BENCH_KINDS (all;
# comma-separated), BENCH_DB (autogen_online), BENCH_RESULTS (bench/results/online),
# BENCH_PG_URL (postgres://postgres@127.0.0.1:5432), BENCH_MYSQL_URL (mysql://root@127.0.0.1:3306),
# BENCH_PROFILE (release; `dev` for a quick debug build), BENCH_BIN (a built autogen-bench),
# CARGO_TARGET_DIR (target/bench).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$REPO/target/bench}
PROFILE=${BENCH_PROFILE:-release}
if [ "$PROFILE" = release ]; then PROFILE_FLAG=--release; PROFILE_DIR=release; else PROFILE_FLAG=; PROFILE_DIR=debug; fi

BACKEND=${1:-}
case "$BACKEND" in postgres|mysql) ;; *) echo "error: usage: $0 postgres|mysql" >&2; exit 2 ;; esac
DB=${BENCH_DB:-autogen_online}
[[ $DB =~ ^[A-Za-z0-9_]+$ ]] || { echo "error: BENCH_DB must be letters, digits and underscores" >&2; exit 2; }
RESULTS=${BENCH_RESULTS:-$HERE/results/online}

if [ -z "${BENCH_BIN:-}" ]; then
  cargo build --quiet $PROFILE_FLAG --offline --manifest-path "$REPO/Cargo.toml" -p autogen-bench
  BENCH_BIN=$CARGO_TARGET_DIR/$PROFILE_DIR/autogen-bench
fi

# The command-line clients create and drop the database, as run.sh does, so that the benchmark
# itself needs no administrator's connection.
case "$BACKEND" in
  postgres)
    SERVER=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
    admin() { PGOPTIONS='-c client_min_messages=warning' psql "$SERVER/postgres" -qX -v ON_ERROR_STOP=1 -c "$1" >/dev/null; }
    ;;
  mysql)
    SERVER=${BENCH_MYSQL_URL:-mysql://root@127.0.0.1:3306}
    # mysql://user[:password]@host[:port] for the mariadb client.
    rest=${SERVER#*://}; creds=${rest%@*}; hostport=${rest##*@}; hostport=${hostport%%/*}
    user=${creds%%:*}; password=; [[ $creds == *:* ]] && password=${creds#*:}
    host=${hostport%%:*}; port=3306; [[ $hostport == *:* ]] && port=${hostport##*:}
    admin() { MYSQL_PWD=$password mariadb -u"$user" -h"$host" -P"$port" -e "$1"; }
    ;;
esac
admin "DROP DATABASE IF EXISTS $DB"
admin "CREATE DATABASE $DB"
trap 'admin "DROP DATABASE IF EXISTS $DB" || true' EXIT

args=(online --database-url "$SERVER/$DB" --out "$RESULTS"
  --rows "${BENCH_ROWS:-2000000}" --writers "${BENCH_WRITERS:-8}" --rate "${BENCH_RATE:-50}"
  --settle "${BENCH_SETTLE:-3}")
[ -n "${BENCH_KINDS:-}" ] && args+=(--kinds "$BENCH_KINDS")
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$BENCH_BIN" "${args[@]}"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "results: $RESULTS/$BACKEND.md and $BACKEND.json" >&2
