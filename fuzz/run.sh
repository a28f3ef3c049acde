#!/bin/bash
# Run every fuzz target (bin-fuzz/fuzz-*) for N seconds (default 60) from
# its seed corpus fuzz/corpus/NAME; new inputs go to a scratch directory.
# A crash leaves its input in fuzz/crashes/ and fails: make it a unit test.
set -u
cd "$(dirname "$0")/.."
secs=${1:-60}
scratch=$(mktemp -d /tmp/dxc-fuzz.XXXXXX)
trap 'rm -rf "$scratch" /tmp/dxc-fuzz-image.* /tmp/dxc-fuzz-unpack.* /tmp/dxc-fuzz-load.*' EXIT
mkdir -p fuzz/crashes
# Leaks inside libraries on their own error paths (fuzz/lsan.supp).
export LSAN_OPTIONS=suppressions=$PWD/fuzz/lsan.supp
failed=0
for t in bin-fuzz/fuzz-*; do
  name=$(basename "$t")
  mkdir -p "$scratch/$name"
  if "$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="fuzz/crashes/$name-" -print_final_stats=1 \
       "$scratch/$name" "fuzz/corpus/$name" > "$scratch/$name.log" 2>&1; then
    echo "fuzz $name: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$scratch/$name.log" | grep -o '[0-9]*$') runs, no crash"
  else
    echo "fuzz $name: FAILED"
    grep -E "ERROR|SUMMARY|Test unit written" "$scratch/$name.log" | head -10
    failed=1
  fi
done
exit $failed
