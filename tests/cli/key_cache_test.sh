#!/usr/bin/env bash
# Block-scaled key caches from the command line: `formats --block`, `--set key_cache=...` in emulate (key_cache.npy
# holds the dequantized key), the K-cache presets, and `check-model --key-cache` (a table, exit 0/1 by the verdict,
# exit 2 naming the field for a bad format or a block size that does not divide head_dim).
# Usage: key_cache_test.sh path/to/ropelab
set -euo pipefail
ropelab=${1:?usage: key_cache_test.sh path/to/ropelab}
# shellcheck source=tests/cli/assertions.bash
source "$(dirname "${BASH_SOURCE[0]}")/assertions.bash"

# --- formats --block: every named block format, bits per element from ggml-common.h / OCP MX sizes
run formats --block --csv
expect_equal "formats --block: exit code" "$status" 0
expect_equal "formats --block: header + 18 rows" "$(wc -l <<<"$out")" 19
expect_equal "formats --block: q4_0 = 18 bytes per 32" "$(awk -F, '$1 == "q4_0" { print $6 }' <<<"$out")" "4.5"
expect_equal "formats --block: mxfp4 = 4 + 8/32" "$(awk -F, '$1 == "mxfp4" { print $6 }' <<<"$out")" "4.25"
expect_equal "formats --block: nvfp4 = 4 + 8/16" "$(awk -F, '$1 == "nvfp4" { print $6 }' <<<"$out")" "4.5"
expect_usage_error "formats --block: unknown" "--format" "'q4_9'" "q8_0" -- formats --block --format q4_9

# --- emulate: the key cache stage takes a block format; the manifest names it
run emulate --preset llama.cpp-cpu --base 500000 --dim 128 --positions 0:4 --set key_cache=q4_0 --out "$scratch/q4"
expect_equal "emulate key_cache=q4_0: exit code" "$status" 0
expect_contains "emulate: manifest stage" "$(<"$scratch/q4/manifest.json")" '"key_cache_format": "q4_0"'
# q4_0 stores (q - 8) * d, q in [0, 15]: at most 16 distinct values in every 32-element block.
if /usr/bin/python3 - "$scratch/q4" <<'EOF'
import numpy as np, sys
kc = np.load(sys.argv[1] + "/key_cache.npy")
assert kc.shape == (4, 128)
assert all(len(set(row[32 * b:32 * b + 32])) <= 16 for row in kc for b in range(4))
EOF
then pass; else fail "emulate: key_cache.npy rows are not q4_0 blocks"; fi
expect_usage_error "emulate: bad key cache" "--set" "key_cache" "'q4_9'" -- \
  emulate --preset llama.cpp-cpu --base 500000 --dim 128 --positions 0 --set key_cache=q4_9 --out "$scratch/bad"

# --- presets: the K-cache presets print their block format as the key cache stage
run presets --stages --csv
expect_contains "presets: llama.cpp-cpu-q8_0" "$out" "llama.cpp-cpu-q8_0,key_cache_format,q8_0_avx2"
expect_contains "presets: vllm-fp8-kv" "$out" "vllm-fp8-kv,key_cache_format,fp8_e4m3_per_tensor"
expect_contains "presets: tensorrt-llm-nvfp4-kv" "$out" "tensorrt-llm-nvfp4-kv,key_cache_format,nvfp4"

# --- check-model --key-cache: one row per format; exit 1 when one is unsafe, 0 when all are safe
run check-model --preset llama.cpp-cpu --base 500000 --dim 128 --context 8192 --key-cache f16,q8_0,q4_0
expect_equal "check-model q4_0: exit 1" "$status" 1
expect_contains "check-model: table header" "$out" "key_cache  first_key_collision"
expect_equal "check-model: f16 safe" "$(awk '$1 == "f16" { print $NF }' <<<"$out")" "SAFE"
expect_equal "check-model: q4_0 unsafe" "$(awk '$1 == "q4_0" { print $NF }' <<<"$out")" "UNSAFE"
run check-model --preset llama.cpp-cpu --base 500000 --dim 128 --context 8192 --key-cache f16,q8_0 --json
expect_equal "check-model f16,q8_0: exit 0" "$status" 0
expect_equal "check-model --json: rows" \
  "$(/usr/bin/python3 -c 'import json,sys; print([r["format"] for r in json.load(sys.stdin)["key_cache"]])' <<<"$out")" \
  "['f16', 'q8_0']"
expect_usage_error "check-model: block does not divide head_dim" "--key-cache" "field 'block'" "head_dim = 80" -- \
  check-model --preset llama.cpp-cpu --base 10000 --dim 80 --context 64 --key-cache f16,q4_0
expect_usage_error "check-model: block override" "--key-cache" "field 'block'" -- \
  check-model --preset llama.cpp-cpu --base 10000 --dim 128 --context 64 --key-cache mxfp4:block=0
expect_usage_error "check-model: unknown format" "--key-cache" "'q4_9'" -- \
  check-model --preset llama.cpp-cpu --base 10000 --dim 128 --context 64 --key-cache q4_9
expect_usage_error "check-model: empty item" "--key-cache" "empty" -- \
  check-model --preset llama.cpp-cpu --base 10000 --dim 128 --context 64 --key-cache f16,,q4_0

echo "key_cache_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
