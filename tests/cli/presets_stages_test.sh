#!/usr/bin/env bash
# `ropelab presets --stages`: every preset's recipe stages, as a table (a row per stage, a column per preset) and
# as long CSV (preset,stage,value). Every preset has every stage, in the order `presets --help` lists them, and
# the printed values are the whole recipe: `emulate --preset OTHER --set <P's values>` reproduces preset P's
# emulation byte for byte, starting from a different preset so no stage can ride along unprinted.
# Usage: presets_stages_test.sh path/to/ropelab
set -euo pipefail
ropelab=${1:?usage: presets_stages_test.sh path/to/ropelab}
# shellcheck source=tests/cli/assertions.bash
source "$(dirname "${BASH_SOURCE[0]}")/assertions.bash"

run presets --csv
mapfile -t presets < <(tail -n +2 <<<"$out" | cut -d, -f1)
expect_equal "presets listed" "$((${#presets[@]} > 10))" 1
# the stage names in pipeline order, from the --help footer (two-space indented lines after its heading)
run presets --help
mapfile -t stages < <(awk '/^Recipe stages for --set/ { on = 1; next } on && /^  [a-z_]+ / { print $1 }' <<<"$out")
expect_equal "help lists the stages" "$((${#stages[@]} > 15))" 1
expect_contains "help names trig's values" "$out" "correctly_rounded|accurate|libm"

# --- the table: header stage + every preset in `presets` order, one row per stage in order
run presets --stages
expect_equal "table: exit code" "$status" 0
expect_equal "table: stderr" "$err" ""
expect_equal "table: header" "$(head -n1 <<<"$out" | tr -s ' ')" "stage ${presets[*]}"
expect_equal "table: rows are the stages" "$(tail -n +2 <<<"$out" | awk '{ print $1 }')" "$(printf '%s\n' "${stages[@]}")"
expect_equal "table: a value in every column" "$(tail -n +2 <<<"$out" | awk '{ print NF }' | sort -u)" "$((${#presets[@]} + 1))"
table=$out

# --- long CSV: every preset has every stage, in order, with a value; the same values as the table
run presets --stages --csv
expect_equal "csv: exit code" "$status" 0
csv=$out
expect_equal "csv: header" "$(head -n1 <<<"$csv")" "preset,stage,value"
expect_equal "csv: rows" "$(($(wc -l <<<"$csv") - 1))" "$((${#presets[@]} * ${#stages[@]}))"
expect_equal "csv: no quoted or empty value" "$(tail -n +2 <<<"$csv" | awk -F, 'NF != 3 || $3 == ""' | grep -c . || true)" 0
column=1
for preset in "${presets[@]}"; do
  column=$((column + 1))
  expect_equal "csv: $preset has every stage" "$(awk -F, -v p="$preset" '$1 == p { print $2 }' <<<"$csv")" \
    "$(printf '%s\n' "${stages[@]}")"
  expect_equal "csv = table for $preset" "$(awk -F, -v p="$preset" '$1 == p { print $3 }' <<<"$csv")" \
    "$(tail -n +2 <<<"$table" | awk -v c="$column" '{ print $c }')"
done

# --- round trip: P's printed values applied to another preset reproduce P's emulation byte for byte
spec=(--base 10000 --dim 64 --positions 0:4,4095,100000:100004)
for preset in "${presets[@]}"; do
  source_preset=${presets[0]}
  [[ $preset == "$source_preset" ]] && source_preset=${presets[1]}
  values=$(awk -F, -v p="$preset" '$1 == p { print $2 "=" $3 }' <<<"$csv" | paste -sd,)
  run emulate --preset "$preset" "${spec[@]}" --out "$scratch/$preset"
  expect_equal "$preset: emulate exit code" "$status" 0
  run emulate --preset "$source_preset" --set "$values" "${spec[@]}" --out "$scratch/$preset.set"
  expect_equal "$preset via $source_preset --set: exit code" "$status" 0
  for array in positions omega angle cos sin key key_cache; do
    expect_equal "$preset via --set: $array.npy identical" \
      "$(cmp -s "$scratch/$preset/$array.npy" "$scratch/$preset.set/$array.npy" && echo same)" same
  done
done

echo "presets_stages_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
