#!/usr/bin/env bash
# Measures the engine on generated data and prints each figure beside its
# reference, measured in the same run on the same file:
#
#   scripts/bench.sh [ROWS]              the headline table (default 1000000)
#   scripts/bench.sh growth [ROWS...]    process and its reference at each size
#                                        (default 10000 100000 1000000)
#   scripts/bench.sh profile [ROWS]      CPU profiles (Linux perf) of process,
#                                        directory import and their references,
#                                        summarised (internal/benchprof)
#
# The data (internal/synth), by default the real shape: ROWS mailboxes in 100
# organisations and a ROWS-row push file against them, 80% unchanged, 10%
# changed, 10% new starters, names from a realistic pool (hundreds of John
# Smiths: new starters collide on first.last); the file sorted by surname
# (an HR export), not sorted at all, and in the directory's key order.
# SHAPE=easy uses the shape first measured (200 organisations, 8% changed, 2%
# new, few names, addresses that never collide).
#
# References (internal/benchref, cmd benchref):
#   validate          bare encoding/csv over the same file
#   directory import  a naive loop: encoding/csv, one prepared UPSERT a row,
#                     10,000 rows a transaction
#   process           a naive loop: per row the engine's reader, a prepared
#                     SELECT by Local ID, compare, UPSERT, a results row; 10,000
#                     rows a transaction; no addresses, audit or duplicate search
# Each step is its own process, timed by /usr/bin/time: wall and CPU (user +
# system) seconds and peak resident memory. Needs about 3 GB of disk at 1M.
# KEEP=1 keeps the work directory; WORK=DIR works in DIR and keeps it, so a
# later run with the same WORK reuses its data sets and imported directories.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v go >/dev/null 2>&1 || export PATH="$PATH:/usr/local/go/bin"
mode=headline
case ${1:-} in growth|profile) mode=$1; shift ;; esac
SHAPE=${SHAPE:-real}
case $SHAPE in real|easy) ;; *) echo "bench: SHAPE must be real or easy" >&2; exit 2 ;; esac
if [ ! -x /usr/bin/time ]; then
  apt-get install -y -q time >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q time >/dev/null; }
fi
if [ "$mode" = profile ] && ! command -v perf >/dev/null 2>&1; then
  echo "bench: installing perf" >&2
  apt-get install -y -q linux-perf >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q linux-perf >/dev/null; }
fi

if [ -n "${WORK:-}" ]; then
  work=$WORK; mkdir -p "$work"
else
  work=$(mktemp -d)
  cleanup() { if [ "${KEEP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi; }
  trap cleanup EXIT
fi
go build -o "$work/connectord" ./cmd/connectord
go build -o "$work/benchref" ./internal/benchref/cmd/benchref
go build -o "$work/benchprof" ./internal/benchprof/cmd/benchprof
bin=$work/connectord
load() { uptime | sed 's/.*load average/load average/'; }

# gen ROWS ORDER: the data set in $work/data-SHAPE-ROWS-ORDER (the directory and
# organisations do not depend on the order)
gen() {
  local d="$work/data-$SHAPE-$1-$2"
  [ -d "$d" ] || "$bin" bench gen -shape "$SHAPE" -rows "$1" -order "$2" "$d" 2>/dev/null
  echo "$d"
}

# base ROWS: a database with the organisations, the sender and the directory
# imported by connectord, at $work/base-SHAPE-ROWS.db
base() {
  local db="$work/base-$SHAPE-$1.db" d; d=$(gen "$1" surname)
  if [ ! -f "$db" ]; then
    fresh "$db" "$1"
    "$bin" -db "$db" directory import "$d/directory.csv" >/dev/null 2>&1
  fi
  echo "$db"
}

# fresh DB ROWS: an empty directory with the organisations and the sender
fresh() {
  local d; d=$(gen "$2" surname)
  rm -f "$1" "$1-wal" "$1-shm"
  "$bin" -db "$1" org import "$d/orgs.csv" >/dev/null 2>&1
  "$bin" -db "$1" senders add bulk@nhs.net -org "$(tail -n +2 "$d/orgs.csv" | cut -d, -f1 | paste -sd,)" >/dev/null 2>&1
}

# copydb FROM TO: a copy of a closed database
copydb() { rm -f "$2" "$2-wal" "$2-shm"; cp "$1" "$2"; [ ! -f "$1-wal" ] || cp "$1-wal" "$2-wal"; }

# measure CMD...: sets secs, cpu (user + system seconds) and mb (peak RSS)
measure() {
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  local u s kb
  read -r secs u s kb < "$work/time"
  cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.1f", u + s }')
  mb=$((kb / 1024))
}

# pair NAME ROWS TARGET REFNAME CMD... -- REFCMD...: one step beside its reference
rows_out=()
pair() {
  local name=$1 n=$2 target=$3 refname=$4; shift 4
  local cmd=() ref=()
  while [ "$1" != -- ]; do cmd+=("$1"); shift; done; shift
  ref=("$@")
  measure "${cmd[@]}"; local s=$secs c=$cpu m=$mb
  measure "${ref[@]}"
  rows_out+=("$name|$n|$s|$c|$m|$refname|$secs|$cpu|$mb|$target")
}

# process_pair ROWS ORDER: process and the naive loop on copies of the base
process_pair() {
  local n=$1 order=$2 d db; d=$(gen "$n" "$order"); db=$(base "$n")
  copydb "$db" "$work/p.db"; copydb "$db" "$work/r.db"
  pair "process ($order)" "$n" "<= 20 s, <= 1x ref, <= 150 MB" "naive loop" \
    "$bin" -db "$work/p.db" process -sender bulk@nhs.net -o "$work/results.csv" "$d/push.csv" -- \
    "$work/benchref" process -db "$work/r.db" -o "$work/ref-results.csv" "$d/push.csv"
}

print_rows() {
  printf '%-26s %9s %7s %7s %8s  %-20s %7s %7s %8s %7s  %s\n' step rows seconds "cpu s" "peak MB" reference seconds "cpu s" "peak MB" "x ref" target
  for r in "${rows_out[@]}"; do
    IFS='|' read -r name n s c m refname rs rc rm target <<<"$r"
    printf '%-26s %9s %7s %7s %8s  %-20s %7s %7s %8s %7s  %s\n' "$name" "$n" "$s" "$c" "$m" "$refname" "$rs" "$rc" "$rm" \
      "$(awk -v a="$s" -v b="$rs" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')" "$target"
  done
}

header() {
  printf '\n%s shape, %s cores, %s, go %s\n' "$SHAPE" "$(nproc)" "$(date -u +%Y-%m-%dT%H:%MZ)" "$(go env GOVERSION)"
  printf 'before: %s\nafter:  %s\n\n' "$load_before" "$(load)"
}

load_before=$(load)
case $mode in
headline)
  n=${1:-1000000}
  echo "generating $n rows ($SHAPE shape)..." >&2
  d=$(gen "$n" surname); gen "$n" random >/dev/null; gen "$n" directory >/dev/null
  pair "validate" "$n" "<= 3x ref" "bare encoding/csv" \
    "$bin" -db "$(base "$n")" validate "$d/push.csv" -- "$bin" bench csvparse "$d/push.csv"
  fresh "$work/i.db" "$n"; fresh "$work/ri.db" "$n"
  pair "directory import" "$n" "<= 15 s" "naive import loop" \
    "$bin" -db "$work/i.db" directory import "$d/directory.csv" -- "$work/benchref" import -db "$work/ri.db" "$d/directory.csv"
  for order in surname random directory; do process_pair "$n" "$order"; done
  header
  printf 'push file %s MB, Mailbox Report %s MB\n\n' "$(( $(stat -c %s "$d/push.csv") / 1000000 ))" "$(( $(stat -c %s "$d/directory.csv") / 1000000 ))"
  print_rows
  ;;
growth)
  [ $# -gt 0 ] || set -- 10000 100000 1000000
  for n in "$@"; do echo "process at $n rows..." >&2; process_pair "$n" surname; done
  header
  printf '%9s %9s %8s %10s %8s  %9s %8s %10s %8s %7s\n' rows process "us/row" "cpu us/row" "peak MB" "naive" "us/row" "cpu us/row" "peak MB" "x ref"
  for r in "${rows_out[@]}"; do
    IFS='|' read -r name n s c m refname rs rc rm target <<<"$r"
    awk -v n="$n" -v s="$s" -v c="$c" -v m="$m" -v rs="$rs" -v rc="$rc" -v rm="$rm" 'BEGIN {
      printf "%9d %8.2fs %8.1f %10.1f %8d  %8.2fs %8.1f %10.1f %8d %7.2f\n", n, s, 1e6 * s / n, 1e6 * c / n, m,
        rs, 1e6 * rs / n, 1e6 * rc / n, rm, (rs > 0 ? s / rs : 0) }'
  done
  ;;
profile)
  n=${1:-1000000}
  d=$(gen "$n" surname); db=$(base "$n")
  copydb "$db" "$work/p.db"; copydb "$db" "$work/r.db"
  echo "profiling process and the naive loop at $n rows..." >&2
  perf record -q -F 499 -g -o "$work/process.perf" -- "$bin" -db "$work/p.db" process -sender bulk@nhs.net -o "$work/results.csv" "$d/push.csv" >/dev/null 2>&1
  perf record -q -F 499 -g -o "$work/ref.perf" -- "$work/benchref" process -db "$work/r.db" -o "$work/ref-results.csv" "$d/push.csv" >/dev/null 2>&1
  echo "profiling directory import and the naive import loop at $n rows..." >&2
  fresh "$work/i.db" "$n"; fresh "$work/ri.db" "$n"
  perf record -q -F 499 -g -o "$work/import.perf" -- "$bin" -db "$work/i.db" directory import "$d/directory.csv" >/dev/null 2>&1
  perf record -q -F 499 -g -o "$work/refimport.perf" -- "$work/benchref" import -db "$work/ri.db" "$d/directory.csv" >/dev/null 2>&1
  header
  for p in process:process ref:process import:import refimport:import; do
    case ${p%%:*} in
    process) title="connectord process ($SHAPE shape, sorted by surname, $n rows)" ;;
    ref) title="naive loop, same file" ;;
    import) title="connectord directory import ($n mailboxes)" ;;
    refimport) title="naive import loop, same file" ;;
    esac
    printf '== %s ==\n' "$title"
    perf script -i "$work/${p%%:*}.perf" 2>/dev/null | "$work/benchprof" -preset "${p#*:}" -top 30
  done
  ;;
esac
