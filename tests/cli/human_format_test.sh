#!/usr/bin/env bash
# Human output prints short numbers: at most 4 significant digits (%.4g) for measured and derived values,
# integers (positions, counts, exact bounds) in full, "none" for never / not measured; the CSV and JSON of the same
# run keep full precision. (`round` prints its input, result and error exactly on purpose: round_test.sh.)
# Usage: human_format_test.sh path/to/ropelab
set -euo pipefail
ropelab=${1:?usage: human_format_test.sh path/to/ropelab}
# shellcheck source=tests/cli/assertions.bash
source "$(dirname "${BASH_SOURCE[0]}")/assertions.bash"
python=/usr/bin/python3

# long_numbers: every non-integer number on stdin with more than 4 significant digits, or "ok".
long_numbers() {
  "$python" -c '
import re, sys
bad = []
for line in sys.stdin:
    for m in re.finditer(r"(?<![\w.])-?(\d+\.\d+(?:e[+-]\d+)?|\d+e[+-]\d+)(?![\w.])", line):
        if len(m.group(1).split("e")[0].replace(".", "").lstrip("0")) > 4:
            bad.append(m.group(0))
print(" ".join(bad) if bad else "ok")'
}
short() {  # NAME ARGS...: the command succeeds and its stdout holds no long number
  local name=$1
  shift
  run "$@"
  expect_equal "$name: exit" "$status" 0
  expect_equal "$name: short numbers" "$(long_numbers <<<"$out")" ok
}

# --- the two spots of issue 13: a base with 17 digits and tau = 0.1 printed as 0.10000000000000001
short "wall" wall --preset hf-eager-bf16 --base 4134231.1320281108 --dim 32 --context 1024 --csv "$scratch/positions.csv" \
  --pairs-csv "$scratch/pairs.csv"
expect_contains "wall: base to 4 digits" "$out" "base 4.134e+06,"
expect_contains "wall: tau as 0.1" "$out" "first phase error > tau = 0.1 rad"
expect_equal "wall: never is none" "$(grep -c '^first adjacent collision (all pairs) *none$' <<<"$out")" 1
# the CSV keeps every digit of the same numbers: pair 1's omega = base^(-2/32), to the last bit
expect_equal "wall: CSV full precision" \
  "$("$python" -c 'import csv, sys; r = list(csv.DictReader(open(sys.argv[1])))[1]; print(len(r["reference_omega"].replace(".", "").lstrip("0")) >= 15)' "$scratch/pairs.csv")" True
run check-model --preset gpt-neox-fp16 --base 10000 --dim 128 --context 4096 --key-cache f16,q8_0
expect_equal "check-model: exit (unsafe)" "$status" 1
expect_contains "check-model: tau as 0.1" "$out" "first phase error > 0.1 at"
# the zone line ends in the bounds library's own verdict text (%g); the measured lines and the table are checked
expect_equal "check-model: short numbers" "$(grep -v '^zone:' <<<"$out" | long_numbers)" ok

# --- every table-printing command
short "compare" compare --presets hf-eager-bf16,gpt-neox-fp16 --base 10000 --dim 32 --context 4096
short "zone" zone --model llama-3.1-8b
expect_contains "zone: fp32 wall 2^23 as an integer" "$out" "8388608"
short "zone --all" zone --all
short "formats" formats
short "formats --block" formats --block
short "stats aliasing" stats aliasing --gaussian --base 10000 --dim 64 --context 2000 --eps 0.001
short "stats token" stats token --gaussian --base 10000 --dim 64 --context 2000
short "stats sweep" stats sweep --gaussian --dim 16 --bases 100,1000 --contexts 64,628
expect_contains "stats sweep: M/(2 pi B) to 4 digits" "$(grep '^100 *628 *m_over_2pi_base' <<<"$out")" " 0.9995"
run wall-claim --formats bf16 --bases 100,10000 --dim 4
expect_equal "wall-claim: short numbers (but the arXiv id)" "$(sed 's/arXiv [0-9.]*//' <<<"$out" | long_numbers)" ok

echo "human_format_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
