#!/usr/bin/env bash
# Builds every target and fails on a compiler warning in our code (Sources/, Tests/, Benchmarks/, Fuzz/);
# dependencies' warnings are theirs. A fresh build (CI's) prints every warning; an incremental one only those
# of the files it compiles again.
set -uo pipefail
swift=${1:-swift}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
$swift build --build-tests >"$log" 2>&1
status=$?
ours=$(grep -E "^$(pwd)/(Sources|Tests|Benchmarks|Fuzz)/[^:]+:[0-9]+:[0-9]+: warning:" "$log" | sort -u)
if [ "$status" -ne 0 ]; then cat "$log"; exit "$status"; fi
if [ -n "$ours" ]; then
  printf '%s\n' "$ours"
  echo "check-warnings: $(printf '%s\n' "$ours" | wc -l) compiler warnings in our code (above); CI fails on any" >&2
  exit 1
fi
echo "check-warnings: no compiler warning in Sources/, Tests/, Benchmarks/ or Fuzz/"
