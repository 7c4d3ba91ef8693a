#!/usr/bin/env bash
# `ropelab presets`: the 24 named real-stack pipelines, one line each, in the documented order
# (include/ropelab/rope/recipe.hpp: "in `ropelab presets` order"); --csv adds the source each follows.
# Usage: presets_test.sh path/to/ropelab
set -euo pipefail
ropelab=${1:?usage: presets_test.sh path/to/ropelab}
# shellcheck source=tests/cli/assertions.bash
source "$(dirname "${BASH_SOURCE[0]}")/assertions.bash"
# RFC 4180 fields of each CSV line on stdin (no embedded newlines), by a small awk scanner:
# csv_fields prints the number of fields per line, csv_column N prints field N unquoted.
csv_awk='
  function scan(line,   i, c, n, q, v) {
    n = 1; q = 0; v = ""
    for (i = 1; i <= length(line); i++) {
      c = substr(line, i, 1)
      if (q) {
        if (c != "\"") v = v c
        else if (substr(line, i + 1, 1) == "\"") { v = v c; i++ }
        else q = 0
      } else if (c == "\"") q = 1
      else if (c == ",") { field[n++] = v; v = "" }
      else v = v c
    }
    field[n] = v
    return n
  }'
csv_fields() { awk "$csv_awk"' { print scan($0) }'; }
csv_column() { awk -v column="$1" "$csv_awk"' { scan($0); print field[column] }'; }

presets=(hf-eager-bf16 hf-rope-utils-bf16 hf-4.38.0-autocast hf-4.37-cast-bf16 hf-gpt-neox hf-gpt-neox-sdpa
  hf-gpt-neox-modular hf-qwen2-vl-mrope llama.cpp-cpu llama.cpp-cpu-q8_0 llama.cpp-cpu-q4_0 llama.cpp-cuda
  llama.cpp-metal vllm-old-bf16 vllm-fp32-math vllm-fp8-kv vllm-fp8-kv-dynamic flashinfer sglang-flashinfer
  flash-attention megatron-unfused transformer-engine-fused gpt-neox-fp16 tensorrt-llm tensorrt-llm-fp8-kv
  tensorrt-llm-nvfp4-kv meta-reference meta-llama3-reference deepseek-v3-reference gemma-jax)
count=${#presets[@]}

# --- aligned: a header, then one line per preset, name first, in order
run presets
expect_equal "aligned exit code" "$status" 0
expect_equal "aligned stderr" "$err" ""
expect_equal "aligned header" "$(head -n1 <<<"$out" | tr -s ' ')" "preset description"
expect_equal "aligned: header + $count lines" "$(wc -l <<<"$out")" $((count + 1))
expect_equal "aligned names in order" "$(tail -n +2 <<<"$out" | awk '{ print $1 }')" "$(printf '%s\n' "${presets[@]}")"
for name in "${presets[@]}"; do
  expect_equal "aligned: one line for $name" "$(awk -v n="$name" '$1 == n' <<<"$out" | wc -l)" 1
  # every preset says something about itself
  expect_equal "aligned: $name has a description" "$(awk -v n="$name" '$1 == n { print (NF > 3) }' <<<"$out")" 1
done

# --- CSV: header, one row of 3 fields per preset, a non-empty source per preset
run presets --csv
expect_equal "csv exit code" "$status" 0
expect_equal "csv stderr" "$err" ""
expect_equal "csv header" "$(head -n1 <<<"$out")" "preset,description,source"
expect_equal "csv: header + $count rows" "$(wc -l <<<"$out")" $((count + 1))
expect_equal "csv: 3 fields on every line" "$(csv_fields <<<"$out" | sort -u)" 3
expect_equal "csv names in order" "$(tail -n +2 <<<"$out" | cut -d, -f1)" "$(printf '%s\n' "${presets[@]}")"
sources=$(tail -n +2 <<<"$out" | csv_column 3)
expect_equal "csv: $count sources" "$(grep -c . <<<"$sources")" "$count"
# each source cites an upstream repository (owner/name), per STYLE.md §12
expect_equal "csv: every source names a repo" "$(grep -cE '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+ ' <<<"$sources")" "$count"
expect_contains "csv: gpt-neox-fp16 source" "$(grep '^gpt-neox-fp16,' <<<"$out")" "EleutherAI/gpt-neox"
expect_contains "csv: llama.cpp-cpu source" "$(grep '^llama.cpp-cpu,' <<<"$out")" "ggml"

# --- bad input
expect_usage_error "stray argument" "extra" -- presets extra
expect_usage_error "unknown option" "--bogus" -- presets --bogus

echo "presets_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
