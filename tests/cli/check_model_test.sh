#!/usr/bin/env bash
# `ropelab check-model`: exit status 0 safe / 1 unsafe / 2 bad input, on pipelines whose verdict follows from
# the public regression reports (regression-cases.md), plus the JSON form.
set -euo pipefail
ropelab=${1:?usage: check_model_test.sh path/to/ropelab}
# shellcheck source=tests/cli/assertions.bash
source "$(dirname "${BASH_SOURCE[0]}")/assertions.bash"

run check-model --preset hf-eager-bf16 --model llama-3-8b --context 8192
expect_equal "fixed HF pipeline: exit 0" "$status" 0
expect_contains "fixed HF pipeline: verdict" "$out" "verdict: SAFE"

run check-model --preset hf-4.38.0-autocast --model llama-3-8b --context 8192
expect_equal "transformers #29285 pipeline: exit 1" "$status" 1
expect_contains "#29285: verdict" "$out" "verdict: UNSAFE"
expect_contains "#29285: phase problem" "$out" "problem: phase error above tau"
expect_contains "#29285: the fix is autocast off" "$out" "keep omega + positions + angle in higher precision together"
expect_equal "#29285: nothing on stderr" "$err" ""

run check-model --preset gpt-neox-fp16 --base 10000 --dim 128 --context 4096 --json
expect_equal "fp16 tables: exit 1" "$status" 1
expect_equal "fp16 tables: JSON safe=false" "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["safe"])' <<<"$out")" "False"
expect_equal "fp16 tables: JSON all-pairs collision at 2048" \
  "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["wall"]["first_full_collision"])' <<<"$out")" 2048

# --set: the fixed HF pipeline with its positions held in bf16 (p = 8) merges 256 and 257 in every pair
run check-model --preset hf-eager-bf16 --model llama-3-8b --context 8192 --set position_format=bfloat16
expect_equal "bf16 positions by --set: exit 1" "$status" 1
expect_contains "--set: verdict" "$out" "verdict: UNSAFE (hf-eager-bf16, context 8192)"
expect_equal "--set: printed under the verdict" "$(sed -n 2p <<<"$out")" "set: position_format=bfloat16"
expect_contains "--set: positions merge" "$out" "problem: adjacent positions merge in every pair"
expect_contains "--set: all pairs merge at 256" "$out" "(all pairs) 256"
run check-model --preset hf-eager-bf16 --model llama-3-8b --context 8192 --set position_format=bfloat16 --json
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)" <<<"$out"; }
expect_equal "--set: JSON set" "$(json '["set"]')" "position_format=bfloat16"
expect_equal "--set: JSON all-pairs collision" "$(json '["wall"]["first_full_collision"]')" 256
run check-model --preset hf-eager-bf16 --model llama-3-8b --context 8192 --json
expect_equal "no --set: JSON set empty" "$(json '["set"]')" ""

expect_usage_error "unknown stage" "--set" "'tirg'" "stages: omega_method" -- \
  check-model --preset hf-eager-bf16 --model llama-3-8b --context 8192 --set tirg=libm
expect_usage_error "unknown stage value" "--set" "stage 'trig'" "'nope'" "correctly_rounded|" -- \
  check-model --preset hf-eager-bf16 --model llama-3-8b --context 8192 --set trig=nope
expect_usage_error "unknown preset" "--preset" -- check-model --preset nope --model llama-3-8b --context 8192
expect_usage_error "unknown model" "--model" -- check-model --preset hf-eager-bf16 --model nope --context 8192
expect_usage_error "context 1" "--context" -- check-model --preset hf-eager-bf16 --model llama-3-8b --context 1
expect_usage_error "eps 1" "--eps" -- check-model --preset hf-eager-bf16 --model llama-3-8b --context 8192 --eps 1
expect_usage_error "layers 0" "--layers" -- check-model --preset hf-eager-bf16 --model llama-3-8b --context 8192 --layers 0
expect_usage_error "tau 0" "--tau" -- check-model --preset hf-eager-bf16 --model llama-3-8b --context 8192 --tau 0

echo "check_model_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
