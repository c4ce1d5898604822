#!/usr/bin/env bash
# Measures the engine on generated data and prints each figure beside the
# reference measured in the same run: bare encoding/csv over the same file.
#
#   scripts/bench.sh [ROWS]        (default 1000000; needs about 1 GB of disk)
#
# Rows: ROWS mailboxes in the directory and a ROWS-row push file against
# them (90% unchanged, 8% updated, 2% new users), in directory order, then
# shuffled. Peak memory is the process's maximum resident set size.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v go >/dev/null 2>&1 || export PATH="$PATH:/usr/local/go/bin"
rows=${1:-1000000}
if [ ! -x /usr/bin/time ]; then
  apt-get install -y -q time >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q time >/dev/null; }
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/connectord" ./cmd/connectord
cd_() { "$work/connectord" -db "$work/c.db" "$@"; }

echo "generating $rows rows..." >&2
cd_ bench gen -rows "$rows" "$work/data" 2>/dev/null
cd_ bench gen -rows "$rows" -shuffle "$work/shuffled" 2>/dev/null
orgs=$(tail -n +2 "$work/data/orgs.csv" | cut -d, -f1 | paste -sd,)

# measure NAME CMD...: wall seconds and peak RSS of one command
results=()
measure() {
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  read -r secs kb < "$work/time"
  results+=("$name|$secs|$kb")
}

measure "bare encoding/csv parse" "$work/connectord" bench csvparse "$work/data/push.csv"
cd_ org import "$work/data/orgs.csv" 2>/dev/null
cd_ senders add bulk@nhs.net -org "$orgs" >/dev/null 2>&1
measure "validate" "$work/connectord" -db "$work/c.db" validate "$work/data/push.csv"
measure "directory import" "$work/connectord" -db "$work/c.db" directory import "$work/data/directory.csv"
cp "$work/c.db" "$work/c0.db"
measure "process (file in directory order)" "$work/connectord" -db "$work/c.db" process -sender bulk@nhs.net -o "$work/results.csv" "$work/data/push.csv"
cp "$work/c0.db" "$work/c.db"; rm -f "$work/c.db-wal" "$work/c.db-shm"
measure "process (file shuffled)" "$work/connectord" -db "$work/c.db" process -sender bulk@nhs.net -o "$work/results2.csv" "$work/shuffled/push.csv"

bare=$(echo "${results[0]}" | cut -d'|' -f2)
printf '%s rows, push file %s MB, %s cores, %s\n\n' "$rows" "$(( $(stat -c %s "$work/data/push.csv") / 1000000 ))" "$(nproc)" "$(date -u +%Y-%m-%d)"
printf '%-36s %9s %12s %10s %14s\n' "step" "seconds" "rows/s" "peak MB" "x bare parse"
for r in "${results[@]}"; do
  IFS='|' read -r name secs kb <<<"$r"
  rate=$(awk -v n="$rows" -v s="$secs" 'BEGIN { printf "%d", (s > 0 ? n / s : 0) }')
  ratio=$(awk -v s="$secs" -v b="$bare" 'BEGIN { printf "%.1f", (b > 0 ? s / b : 0) }')
  printf '%-36s %9s %12s %10s %14s\n' "$name" "$secs" "$rate" "$((kb / 1024))" "$ratio"
done
