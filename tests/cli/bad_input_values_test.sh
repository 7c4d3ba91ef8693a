#!/usr/bin/env bash
# Degenerate input values (README "Limits"): vectors whose values would overflow a score or a pipeline's formats, a
# Gaussian scale that would, all-zero vectors for the statistics (every statistic 0/0), and NaN/Inf in a claims
# registry, are refused with exit 2 naming the input and the allowed range, never turned into inf/NaN results with
# exit 0; values at the edges of the ranges give finite results. (A zero query is fine for `wall`: its score error
# is 0, wall_test.sh.)
# Usage: bad_input_values_test.sh path/to/ropelab
set -euo pipefail
ropelab=${1:?usage: bad_input_values_test.sh path/to/ropelab}
# shellcheck source=tests/cli/assertions.bash
source "$(dirname "${BASH_SOURCE[0]}")/assertions.bash"
# shellcheck source=tests/cli/bad_input.bash
source "$(dirname "${BASH_SOURCE[0]}")/bad_input.bash"

# vector FILE VALUE [COUNT]: one CSV line of COUNT (32) copies of VALUE.
vector() { /usr/bin/python3 -c 'import sys; print(",".join([sys.argv[2]] * int(sys.argv[3])))' "$1" "$2" "${3:-32}" >"$1"; }
vector "$work/zero.csv" 0
vector "$work/tiny.csv" 1e-300
vector "$work/huge.csv" 1e300
vector "$work/edge.csv" 1e40
vector "$work/ones.csv" 1
vector "$work/fp16-overflow.csv" 60000
vector "$work/nan.csv" nan
/usr/bin/python3 - "$work/zero.npy" <<'PY'
import struct, sys
header = "{'descr': '<f8', 'fortran_order': False, 'shape': (32,), }"
header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
open(sys.argv[1], "wb").write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + bytes(8 * 32))
PY

stats=(--base 10000 --dim 32 --context 1024)
wall=(wall --preset hf-eager-bf16 --base 10000 --dim 32 --context 4096)
expect_refused "stats zero query" "--q-file" "zero.csv" "all zeros" -- stats inversion "${stats[@]}" --q-file "$work/zero.csv" --k-file "$work/ones.csv"
expect_refused "stats zero key .npy" "--k-file" "zero.npy" "all zeros" -- stats aliasing "${stats[@]}" --q-file "$work/ones.csv" --k-file "$work/zero.npy"
expect_refused "stats zero second key" "--k2-file" "all zeros" -- \
  stats token "${stats[@]}" --q-file "$work/ones.csv" --k-file "$work/ones.csv" --k2-file "$work/zero.csv"
expect_refused "stats underflowing query" "--q-file" "1e-40" -- stats inversion "${stats[@]}" --q-file "$work/tiny.csv" --k-file "$work/ones.csv"
expect_refused "stats values 1e300" "--k-file" "1e+300" "1e40" -- stats inversion "${stats[@]}" --q-file "$work/ones.csv" --k-file "$work/huge.csv"
expect_refused "sweep values 1e300" "--q-file" "1e40" -- \
  stats sweep --dim 32 --bases 10000 --contexts 256 --q-file "$work/huge.csv" --k-file "$work/ones.csv" --k2-file "$work/ones.csv"
expect_refused "wall query 1e300" "--q-file" "1e40" -- "${wall[@]}" --q-file "$work/huge.csv"
expect_refused "wall key NaN" "--k-file" "not finite" -- "${wall[@]}" --k-file "$work/nan.csv"
expect_refused "wall key beyond bf16" "--k-file" "bfloat16" -- "${wall[@]}" --k-file "$work/edge.csv"
expect_refused "wall key that overflows fp16 when rotated" "--k-file" "binary16" "32752" -- \
  wall --preset gpt-neox-fp16 --base 10000 --dim 32 --context 4096 --k-file "$work/fp16-overflow.csv"
expect_refused "emulate key 1e300" "--k-file" "1e40" -- \
  emulate --preset hf-eager-bf16 --base 10000 --dim 32 --positions 0:4 --k-file "$work/huge.csv" --out "$work/dump"
for scale in 1e200 1e-200; do
  expect_refused "Gaussian scale $scale" "--scale" "[1e-40, 1e+40]" -- stats inversion --gaussian "${stats[@]}" --scale "$scale"
done

# At the edges of the ranges every statistic is finite.
for command in inversion aliasing; do
  run stats "$command" "${stats[@]}" --q-file "$work/edge.csv" --k-file "$work/edge.csv"
  expect_equal "stats $command at |x| = 1e40: exit" "$status" 0
  expect_equal "stats $command at |x| = 1e40: no inf or nan" "$(grep -ciE '\b(inf|nan)\b' <<<"$out" || true)" 0
done
for scale in 1e40 1e-40; do
  run stats token --gaussian "${stats[@]}" --scale "$scale"
  expect_equal "Gaussian scale $scale: exit" "$status" 0
  expect_equal "Gaussian scale $scale: no inf or nan" "$(grep -ciE '\b(inf|nan)\b' <<<"$out" || true)" 0
done

# A statistic that is 0/0 for the inputs (two equal keys: the token difference is identically 0) is reported as
# "none" (inconclusive), never as nan.
run stats token --gaussian "${stats[@]}" --rho 1 --rho2 1
expect_equal "equal keys: exit" "$status" 0
expect_equal "equal keys: no nan" "$(grep -ciE '\bnan\b' <<<"$out" || true)" 0
expect_contains "equal keys: the normal prediction is inconclusive" "$(grep predicted_token_aliased_bfloat16_normal <<<"$out")" " none"

# NaN and Inf in a claims registry are registry errors with file:line, for `check` and (before any work) `report`.
claim() {  # claim FILE COMPARISON-LINE PARAMS: a one-claim registry in its own directory
  mkdir -p "$work/$1"
  printf '[[claim]]\nid = "c"\nstatement = "s"\nsource = "s"\nexpect = "holds"\ncomputation = "precision.round"\nparams = %s\n%s\n' \
    "$3" "$2" >"$work/$1/claims.toml"
}
claim equals-nan 'equals = nan' '{ format = "bf16", value = 257 }'
claim equals-inf 'equals = -inf' '{ format = "bf16", value = 257 }'
claim expected-nan 'expected_value = nan' '{ format = "bf16", value = 257 }'
claim param-inf 'equals = 256' '{ format = "bf16", value = inf }'
expect_refused "claim equals = nan" "claims.toml:8" "equals" "finite" -- check --claims "$work/equals-nan"
expect_refused "claim equals = -inf" "claims.toml:8" "equals" "finite" -- check --claims "$work/equals-inf"
expect_refused "claim expected_value = nan" "claims.toml:8" "expected_value" "finite" -- check --claims "$work/expected-nan"
expect_refused "claim params.value = inf" "claims.toml:7" "value" "finite" -- check --claims "$work/param-inf"
expect_refused "report with a NaN claim" "--claims" "claims.toml:8" "finite" -- \
  report --quick --out "$work/report" --claims "$work/equals-nan"

echo "bad_input_values_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
