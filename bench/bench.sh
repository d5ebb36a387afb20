#!/usr/bin/env bash
# bench.sh: the whole benchmark, as README.md reports it. Not run by CI (CI runs run.sh at N=30).
#
#   1. the peers, with the kit's own scripts, on the kit's throwaway PostgreSQL cluster:
#      Alembic and migra at N=1000, K=20 (and N=100)
#   2. this project's `migrate check` / `migrate create` on the same cluster at N=100, 1000 and
#      5000, then on MariaDB and SQLite at N=1000 (run.sh)
#   3. the kit's report.py over every run folder -> results/REPORT.md
#
# Settings (environment): REPS (3), BENCH_PEERS (1; 0 skips Alembic and migra),
# BENCH_SIZES ("100 1000", PostgreSQL), BENCH_OTHER_SIZES ("1000", MariaDB and SQLite),
# BENCH_LARGE_SIZES ("5000", PostgreSQL, run last),
# BENCH_K (20), and those of run.sh.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
KIT=${BENCH_KIT:-$(cd "$REPO/.." && pwd)/shared/bench}
[ -f "$KIT/gen_schema.py" ] || KIT=/work/shared/bench
export BENCH_KIT=$KIT
export BENCH_RESULTS=${BENCH_RESULTS:-$HERE/results}
export REPS=${REPS:-3}
K=${BENCH_K:-20}
mkdir -p "$BENCH_RESULTS"

"$KIT/pg.sh" start
if [ "${BENCH_PEERS:-1}" != 0 ]; then
  for n in 100 1000; do
    "$KIT/run_alembic.sh" "$n" "$K"
    "$KIT/run_migra.sh" "$n" "$K"
  done
fi
for n in ${BENCH_SIZES:-100 1000}; do
  "$HERE/run.sh" postgres "$n" "$K"
done
for n in ${BENCH_OTHER_SIZES:-1000}; do
  "$HERE/run.sh" mysql "$n" "$K"
  "$HERE/run.sh" sqlite "$n" "$K"
done
for n in ${BENCH_LARGE_SIZES:-5000}; do   # last: its entity crates take longest to build
  "$HERE/run.sh" postgres "$n" "$K"
done
python3 "$KIT/report.py" "$BENCH_RESULTS"/*/ >"$BENCH_RESULTS/REPORT.md"
python3 "$HERE/stages.py" "$BENCH_RESULTS"/autogen-*/ >>"$BENCH_RESULTS/REPORT.md"
cat "$BENCH_RESULTS/REPORT.md"
