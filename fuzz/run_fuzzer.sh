#!/usr/bin/env bash
# One fuzz target run for ctest: a fresh working corpus seeded from shipped files, a fixed seed and count (so
# a run is reproducible), crash artifacts kept beside it.
# Usage: run_fuzzer.sh FUZZER WORKDIR RUNS SEED_FILE_OR_DIR... [-- EXTRA_LIBFUZZER_FLAGS...]
set -euo pipefail
fuzzer=$1 work=$2 runs=$3
shift 3
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
while [[ $# -gt 0 && $1 != -- ]]; do
  if [[ -d $1 ]]; then find "$1" -type f -exec cp {} "$work/corpus/" \; ; else cp "$1" "$work/corpus/"; fi
  shift
done
[[ ${1:-} == -- ]] && shift
# -timeout: one input running 10 s is a hang; -rss_limit_mb: more than 2 GiB is a finding, not a CI crash.
exec "$fuzzer" -seed=1 -runs="$runs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$@" "$work/corpus"
