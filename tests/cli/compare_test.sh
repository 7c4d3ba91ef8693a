#!/usr/bin/env bash
# `ropelab compare`: presets side by side. Expected values are the hand-derived facts of wall_test.sh:
# hf-4.37-cast-bf16 stores positions in bf16 (p = 8), exact to 256, and 257 rounds to 256 (tie, even), so all
# pairs collide first at 256; hf-eager-bf16 keeps positions in fp32, and pair 0 (omega = 1) never collides,
# unless --set position_format=bfloat16 gives it bf16 positions.
# Usage: compare_test.sh path/to/ropelab
set -euo pipefail
ropelab=${1:?usage: compare_test.sh path/to/ropelab}
# shellcheck source=tests/cli/assertions.bash
source "$(dirname "${BASH_SOURCE[0]}")/assertions.bash"
# RFC 4180 fields of each CSV line on stdin (no embedded newlines), by a small awk scanner:
# csv_fields prints the number of fields per line.
csv_fields() {
  awk '{
    n = 1; q = 0
    for (i = 1; i <= length($0); i++) {
      c = substr($0, i, 1)
      if (q) { if (c == "\"") { if (substr($0, i + 1, 1) == "\"") i++; else q = 0 } }
      else if (c == "\"") q = 1
      else if (c == ",") n++
    }
    print n
  }'
}
# row NAME: the aligned-table row NAME in $out with the name removed, blanks squeezed.
row() { awk -v name="$1" 'index($0, name "  ") == 1 { print substr($0, length(name) + 1); exit }' <<<"$out" |
  tr -s ' ' | sed 's/^ //'; }

all_pairs="first adjacent collision (all pairs)"
spec=(--base 10000 --dim 128 --max-positions 512 --context 1024)
quantities=("first adjacent collision (any pair)" "$all_pairs" "first phase error > tau" "max phase error (rad)"
  "  at position" "max fraction of pairs colliding at one m" "max rotated-key error (abs)" "max score error (abs)"
  "omega subnormal / flushed to 0")

# --- aligned: a column per preset, a row per quantity
run compare --presets hf-eager-bf16,hf-4.37-cast-bf16 "${spec[@]}"
expect_equal "aligned exit code" "$status" 0
expect_equal "aligned stderr" "$err" ""
expect_equal "aligned header" "$(head -n1 <<<"$out" | tr -s ' ')" "quantity hf-eager-bf16 hf-4.37-cast-bf16"
for quantity in "${quantities[@]}"; do expect_contains "aligned row '$quantity'" "$out" "$quantity"; done
expect_equal "aligned all-pairs collision" "$(row "$all_pairs")" "none 256"
expect_equal "aligned omega subnormal row" "$(row "omega subnormal / flushed to 0")" "0 / 0 0 / 0"
aligned=$out

# --- compare agrees with wall, preset by preset
for preset in hf-eager-bf16 hf-4.37-cast-bf16; do
  run wall --preset "$preset" "${spec[@]}"
  wall_value=$(awk -v name="$all_pairs" 'index($0, name "  ") == 1 { print $NF }' <<<"$out")
  out=$aligned
  column=$([[ $preset == hf-eager-bf16 ]] && echo 1 || echo 2)
  expect_equal "compare = wall for $preset" "$(row "$all_pairs" | cut -d' ' -f"$column")" "$wall_value"
done

# --- CSV: 3 columns on every line
run compare --presets hf-eager-bf16,hf-4.37-cast-bf16 "${spec[@]}" --csv
expect_equal "csv exit code" "$status" 0
expect_equal "csv header" "$(head -n1 <<<"$out")" "quantity,hf-eager-bf16,hf-4.37-cast-bf16"
expect_equal "csv: 3 fields on every line" "$(csv_fields <<<"$out" | sort -u)" 3
expect_equal "csv: header + a row per quantity" "$(wc -l <<<"$out")" "$(($(wc -l <<<"$aligned")))"
# CSV: never is an empty field
expect_equal "csv all-pairs row" "$(grep -F "$all_pairs," <<<"$out")" "$all_pairs,,256"

# one preset: 2 columns; the same preset twice gives two equal columns (the last two fields: a quantity name may
# hold a comma)
run compare --presets gpt-neox-fp16 --base 10000 --dim 32 --context 4096 --csv
expect_equal "one preset: all-pairs row" "$(grep -F "$all_pairs," <<<"$out")" "$all_pairs,2048"
run compare --presets gpt-neox-fp16,gpt-neox-fp16 --base 10000 --dim 32 --context 4096 --csv
expect_equal "same preset twice: equal columns" "$(tail -n +2 <<<"$out" | awk -F, '$(NF - 1) != $NF')" ""

# --- --set: hf-eager-bf16 with its positions held in bf16 merges 256 and 257 in every pair, as hf-4.37-cast-bf16
# does (the same p = 8 fact); the overrides that ran are printed right under the preset names
expect_equal "no --set: no set row" "$(grep -c '^set' <<<"$aligned" || true)" 0
run compare --presets hf-eager-bf16,hf-gpt-neox --set position_format=bfloat16 "${spec[@]}"
expect_equal "set for all: exit code" "$status" 0
expect_equal "set for all: set row under the header" "$(sed -n 2p <<<"$out" | tr -s ' ')" \
  "set position_format=bfloat16 position_format=bfloat16"
expect_equal "set for all: both merge at 256" "$(row "$all_pairs")" "256 256"
# one --set per preset, in --presets order ("" for none): the same preset twice, as shipped and overridden
run compare --presets hf-eager-bf16,hf-eager-bf16 --set "" --set position_format=bfloat16 "${spec[@]}"
expect_equal "set per preset: exit code" "$status" 0
expect_equal "set per preset: set row" "$(row set)" "none position_format=bfloat16"
expect_equal "set per preset: only the second merges" "$(row "$all_pairs")" "none 256"
run wall --preset hf-eager-bf16 --set position_format=bfloat16 "${spec[@]}"
expect_equal "set per preset: compare = wall --set" \
  "$(awk -v name="$all_pairs" 'index($0, name "  ") == 1 { print $NF }' <<<"$out")" 256
# CSV: a multi-stage set is one quoted field
run compare --presets hf-eager-bf16,hf-gpt-neox --set position_format=bfloat16,trig=libm "${spec[@]}" --csv
expect_equal "set csv: set row" "$(sed -n 2p <<<"$out")" \
  'set,"position_format=bfloat16,trig=libm","position_format=bfloat16,trig=libm"'
expect_equal "set csv: 3 fields on every line" "$(csv_fields <<<"$out" | sort -u)" 3

# --- bad input: exit 2, one line naming the option, nothing on stdout
expect_usage_error "unknown preset in list" "--presets" "'nope'" -- \
  compare --presets hf-eager-bf16,nope "${spec[@]}"
expect_usage_error "empty preset list" "--presets" -- compare --presets "" "${spec[@]}"
expect_usage_error "no preset list" "--presets" -- compare "${spec[@]}"
expect_usage_error "unknown model" "--model" -- compare --presets hf-eager-bf16 --model nope --context 1024
expect_usage_error "no spec source" "--model" -- compare --presets hf-eager-bf16 --context 1024
expect_usage_error "odd dim" "--dim" -- compare --presets hf-eager-bf16 --base 10000 --dim 7 --context 1024
expect_usage_error "context 1" "--context" -- compare --presets hf-eager-bf16 --base 10000 --dim 128 --context 1
expect_usage_error "tau 0" "--tau" -- compare --presets hf-eager-bf16 "${spec[@]}" --tau 0
expect_usage_error "unknown stage" "--set" "'tirg'" "stages: omega_method" -- \
  compare --presets hf-eager-bf16 --set tirg=libm "${spec[@]}"
expect_usage_error "unknown stage value" "--set" "stage 'trig'" "'nope'" "correctly_rounded|accurate|libm" -- \
  compare --presets hf-eager-bf16,hf-gpt-neox --set trig=nope "${spec[@]}"
expect_usage_error "bad value in the second preset's --set" "--set" "stage 'rotation'" "per_op|" -- \
  compare --presets hf-eager-bf16,hf-gpt-neox --set trig=libm --set rotation=sideways "${spec[@]}"
expect_usage_error "--set count neither 1 nor one per preset" "--set" "given 3 times for 2 presets" -- \
  compare --presets hf-eager-bf16,hf-gpt-neox --set trig=libm --set "" --set trig=libm "${spec[@]}"

echo "compare_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
