#!/usr/bin/env bash
# Measures the memory a flood of console sign-ins costs: each case of
# BenchmarkSignInFlood (web/signin_bench_test.go) in a process of its own,
# since the Go runtime keeps memory it has once taken.
#
#   scripts/bench-signin.sh [ITERATIONS]     (default 5 floods per case)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v go >/dev/null 2>&1 || export PATH="$PATH:/usr/local/go/bin"
n=${1:-5}
go test -c -o "${TMPDIR:-/tmp}/connectord-web.test" ./web
trap 'rm -f "${TMPDIR:-/tmp}/connectord-web.test"' EXIT
printf '%s cores, load %s, %s\n' "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(date -u +%Y-%m-%d)"
for c in one-account/flood=24 slots=2/flood=64 slots=2/flood=256 slots=4/flood=64 slots=4/flood=256 unbounded/flood=64; do
  (cd web && "${TMPDIR:-/tmp}/connectord-web.test" -test.run '^$' -test.bench "SignInFlood/$c\$" -test.benchtime "${n}x") | grep '^Benchmark'
done
