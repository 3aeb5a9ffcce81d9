#!/usr/bin/env bash
# Runs the Backroute benchmarks: bench/run.sh [foundation|databases|all]   (see bench/README.md)
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$REPO/bench/foundation.sh"
. "$REPO/bench/databases.sh"

what="${1:-all}"
case "$what" in
    foundation|databases|all) ;;
    -h|--help) sed -n '2,40p' "$REPO/bench/README.md"; exit 0 ;;
    *) die "unknown benchmark '$what'; use foundation, databases or all" ;;
esac
[ "$RUNS" -ge 1 ] 2>/dev/null || die "BENCH_RUNS=$RUNS is not a positive number"
check_scratch
build_jar
case "$what" in
    foundation) bench_foundation ;;
    databases) bench_databases ;;
    all) bench_foundation && bench_databases ;;
esac
