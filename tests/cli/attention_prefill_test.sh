#!/usr/bin/env bash
# `ropelab attention --queries B` (prefill): --queries 1 prints the decode output byte for byte; a block of two queries
# aggregates exactly the two decode steps it holds (each query over the keys up to its position, run on their own);
# an fp64 pipeline's block D(shift) is ~0 and a bf16 pipeline's is not; bad --queries exits 2 with no output file.
# Usage: attention_prefill_test.sh path/to/ropelab
set -euo pipefail
ropelab=${1:?usage: attention_prefill_test.sh path/to/ropelab}
# shellcheck source=tests/cli/assertions.bash
source "$(dirname "${BASH_SOURCE[0]}")/assertions.bash"
field() { python3 -c 'import json,sys; print(repr(float(json.load(sys.stdin)["heads"][int(sys.argv[1])][sys.argv[2]])))' "$1" "$2"; }

common=(--preset hf-eager-bf16 --model llama-3-8b --context 300 --heads 2 --seed 5)
run attention "${common[@]}" --json
decode=$out
run attention "${common[@]}" --queries 1 --json
expect_equal "--queries 1: exit" "$status" 0
expect_equal "--queries 1 is the decode output" "$out" "$decode"

# --- Two queries at 298, 299: the block's rows are the decode steps at 298 (keys 0..298) and 299 (keys 0..299).
run attention "${common[@]}" --query-position 298 --json
at298=$out
run attention "${common[@]}" --query-position 299 --json
at299=$out
run attention "${common[@]}" --queries 2 --json
expect_equal "--queries 2: exit" "$status" 0
expect_contains "--queries recorded" "$out" '"queries": 2'
for h in 0 1; do
  for stat in logit_error_max kl_exact_emulated weight_error_max output_error_max sink_weight_emulated; do
    a=$(field "$h" "$stat" <<<"$at298")
    b=$(field "$h" "$stat" <<<"$at299")
    expect_equal "head $h $stat: rowmax = max of the decode steps" "$(field "$h" "${stat}_rowmax" <<<"$out")" \
      "$(python3 -c "print(repr(max($a, $b)))")"
    expect_equal "head $h $stat: rowmean = mean of the decode steps" "$(field "$h" "${stat}_rowmean" <<<"$out")" \
      "$(python3 -c "print(repr(($a + $b) / 2))")"
  done
  t=$(python3 -c "print(repr(($(field "$h" top1_agrees <<<"$at298") + $(field "$h" top1_agrees <<<"$at299")) / 2))")
  expect_equal "head $h top-1 agreement fraction" "$(field "$h" top1_agreement_fraction <<<"$out")" "$t"
done

# --- D(shift) of a block: ~0 through fp64, clearly not through bf16 (AnchorAttention's direction, arXiv 2411.13476).
block=(--model llama-3-8b --context 512 --queries 64 --shift 30000 --csv "$scratch/block.csv")
run attention --preset hf-eager-bf16 "${block[@]}"
expect_equal "bf16 block: exit" "$status" 0
bf16_d=$(grep '^0,D_weight(30000),' "$scratch/block.csv" | cut -d, -f3)
run attention --preset fp64 "${block[@]}"
fp64_d=$(grep '^0,D_weight(30000),' "$scratch/block.csv" | cut -d, -f3)
expect_contains "csv queries row" "$(<"$scratch/block.csv")" ",queries,64"
expect_equal "bf16 block D > 1e-3 > 1e-9 > fp64 block D" "$(python3 -c "print($bf16_d > 1e-3 and $fp64_d < 1e-9)")" "True"

# --- Bad --queries: exit 2 naming the option and its range, nothing written.
expect_usage_error "zero queries" "--queries" "[1, 11]" -- attention --model llama-3-8b --context 64 --query-position 10 --queries 0
expect_usage_error "more queries than keys" "--queries" "[1, 64]" -- attention --model llama-3-8b --context 64 --queries 65
expect_usage_error "queries within --keys" "--queries" "[1, 5]" -- attention --model llama-3-8b --context 64 --keys 5 --queries 6
expect_usage_error "not a number" "--queries" -- attention --model llama-3-8b --context 64 --queries two
expect_usage_error "block with a needle" "--queries" "--needle" -- attention --model llama-3-8b --context 64 --queries 4 --needle 3
expect_usage_error "block with --collisions" "--queries" "--collisions" -- attention --model llama-3-8b --context 64 --queries 4 --collisions
run attention --model llama-3-8b --context 64 --queries 100 --csv "$scratch/partial.csv"
expect_equal "no partial csv: exit" "$status" 2
expect_equal "no partial csv: file" "$([[ -e $scratch/partial.csv ]] && echo present || echo absent)" "absent"

echo "attention_prefill_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
