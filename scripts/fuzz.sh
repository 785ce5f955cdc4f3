#!/usr/bin/env bash
# scripts/fuzz.sh BUILD_DIR SECONDS: runs every libFuzzer target in
# BUILD_DIR/tests/fuzz for SECONDS each, starting from tests/fuzz/corpus/NAME
# (read only; new inputs go to a temporary directory). A crash, leak, sanitizer
# report or broken invariant stops it with exit 1 and leaves the input in
# BUILD_DIR/fuzz-artifacts/.
set -euo pipefail
build=$1 seconds=$2
cd "$(dirname "$0")/.."
mkdir -p "$build/fuzz-artifacts"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for bin in "$build"/tests/fuzz/fuzz_*; do
    [ -x "$bin" ] && [ -f "$bin" ] || continue
    name=$(basename "$bin" | sed 's/^fuzz_//')
    mkdir -p "$work/$name"
    if "$bin" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$build/fuzz-artifacts/$name-" "$work/$name" "tests/fuzz/corpus/$name" \
        >"$work/$name.log" 2>&1; then
        runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$work/$name.log")
        echo "fuzz $name: ${runs:-?} inputs in ${seconds}s, no failure"
    else
        echo "fuzz $name: FAILED, input saved in $build/fuzz-artifacts/:"
        grep -E "ERROR|SUMMARY|abort|deadly" "$work/$name.log" | head -10
        status=1
    fi
done
exit "$status"
