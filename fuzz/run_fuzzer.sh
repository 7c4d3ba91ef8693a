#!/usr/bin/env bash
# One fuzz target run for ctest: a fresh working corpus seeded from shipped files, a fixed seed and count (so
# a run is reproducible; MAX_SECONDS only cuts it short on a slow machine), crash artifacts kept beside it.
# Usage: run_fuzzer.sh FUZZER WORKDIR RUNS MAX_SECONDS SEED_FILE_OR_DIR...
set -euo pipefail
fuzzer=$1 work=$2 runs=$3 max_seconds=$4
shift 4
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
for seed in "$@"; do
  if [[ -d $seed ]]; then find "$seed" -type f -exec cp {} "$work/corpus/" \; ; else cp "$seed" "$work/corpus/"; fi
done
# -timeout: one input running 10 s is a hang; -rss_limit_mb: more than 2 GiB is a finding, not a CI crash.
exec "$fuzzer" -seed=1 -runs="$runs" -max_total_time="$max_seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$work/corpus"
