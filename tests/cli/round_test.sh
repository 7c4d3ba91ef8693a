#!/usr/bin/env bash
# `ropelab round`: results, encodings and ulp errors checked against values worked out by hand from the
# format definitions (IEEE 754, OCP OFP8 rev 1.0), never against earlier output of the program.
# Usage: round_test.sh path/to/ropelab
set -euo pipefail
ropelab=${1:?usage: round_test.sh path/to/ropelab}
# shellcheck source=tests/cli/assertions.bash
source "$(dirname "${BASH_SOURCE[0]}")/assertions.bash"
# expect_rows NAME 'ROW...' -- ARGS...: `ropelab round --csv ARGS` prints exactly these data rows
# (input,result,bits,error_ulps), one per line.
expect_rows() {
  local name=$1 want=$2
  shift 3
  run round --csv "$@"
  expect_equal "$name: exit code" "$status" 0
  expect_equal "$name: rows" "$(tail -n +2 <<<"$out")" "$want"
}

# --- bfloat16 (p = 8): quantum at 1 is 2^-7
# 1 + 3 * 2^-8 is a tie between 1 + 2^-7 (odd) and 1 + 2^-6 (even): +0.5 ulp up, 0x3f82
expect_rows "bf16 tie to even" "1.01171875,1.015625,0x3f82,0.5" -- --format bf16 1.01171875
run round --format bf16 1.01171875
expect_equal "aligned header" "$(head -n1 <<<"$out" | tr -s ' ')" "input result bfloat16_bits error_ulps"
expect_contains "aligned row" "$out" "0x3f82"
# nextafterf(1.00390625f, 2) = 1 + 2^-8 + 2^-23 is just above the tie: up, error 0.5 - 2^-16 ulp
expect_rows "bf16 just above a tie" "1.0039063692092896,1.0078125,0x3f81,0.4999847412109375" -- \
  --format bf16 0x1.010002p+0
expect_rows "bf16 exact, signed, special" "$(printf '%s\n' '-1.5,-1.5,0xbfc0,0' 'inf,inf,0x7f80,0' \
  '-inf,-inf,0xff80,0' 'nan,nan,0x7fc0,nan' '-0,-0,0x8000,0')" -- --format bf16 -1.5 inf -inf nan -0
# (2 - 2^-8) * 2^127 is the tie above max finite: overflow to inf
expect_rows "bf16 overflow" "3.3961775292304601e+38,inf,0x7f80,inf" -- --format bf16 0x1.ffp+127
# subnormals: 2^-133 is bf16's min subnormal; 2^-134 is the tie with 0 (even: 0); 2^-140 is far below
expect_rows "bf16 subnormals" "$(printf '%s\n' '9.1835496157991212e-41,9.1835496157991212e-41,0x0001,0' \
  '4.5917748078995606e-41,0,0x0000,-0.5' '7.1746481373430634e-43,0,0x0000,-0.0078125')" -- \
  --format bf16 0x1p-133 0x1p-134 0x1p-140

# --- directed modes: 1 + 3 * 2^-8 between 1 + 2^-7 and 1 + 2^-6
expect_rows "bf16 rz" "$(printf '%s\n' '1.01171875,1.0078125,0x3f81,-0.5' '-1.01171875,-1.0078125,0xbf81,0.5')" -- \
  --format bf16 --mode rz 1.01171875 -1.01171875
expect_rows "bf16 ru" "$(printf '%s\n' '1.01171875,1.015625,0x3f82,0.5' '-1.01171875,-1.0078125,0xbf81,0.5')" -- \
  --format bf16 --mode ru 1.01171875 -1.01171875
expect_rows "bf16 rd" "$(printf '%s\n' '1.01171875,1.0078125,0x3f81,-0.5' '-1.01171875,-1.015625,0xbf82,-0.5')" -- \
  --format bf16 --mode downward 1.01171875 -1.01171875
# round toward zero never overflows to inf (IEEE 754 7.4): max finite 65504, quantum 32
expect_rows "fp16 rz overflow" "100000,65504,0x7bff,-1078" -- --format fp16 --mode rz 1e5

# --- OCP e4m3fn: max 448 = S.1111.110; 464 is the tie with the missing 480 (even: 448); above it NaN
expect_rows "e4m3fn overflow" "$(printf '%s\n' '465,nan,0x7f,nan' '464,448,0x7e,-0.5' '448,448,0x7e,0')" -- \
  --format e4m3fn 465 464 448
expect_rows "e4m3fn nan" "nan,nan,0x7f,nan" -- --format e4m3fn nan
expect_rows "e4m3fn min subnormal" "0.001953125,0.001953125,0x01,0" -- --format e4m3fn 0x1p-9
expect_rows "e5m2" "$(printf '%s\n' '57344,57344,0x7b,0' '1,1,0x3c,0' '-0.25,-0.25,0xb4,0')" -- \
  --format e5m2 57344 1 -0.25

# --- binary16: 65520 is the tie above 65504, so it overflows; 2^-24 min subnormal
expect_rows "fp16" "$(printf '%s\n' '65519,65504,0x7bff,-0.46875' '65520,inf,0x7c00,inf' \
  '5.9604644775390625e-08,5.9604644775390625e-08,0x0001,0' '1,1,0x3c00,0')" -- \
  --format binary16 65519 65520 0x1p-24 1
# 0.1 in binary32 is 0x3dcccccd = 13421773 * 2^-27, the quantum of [2^-4, 2^-3)
expect_rows "fp32 0.1" "0.10000000000000001,0.10000000149011612,0x3dcccccd,0.19999999925494194" -- \
  --format fp32 0.1
# tf32: 19 bits, 1 = 0.01111111.0000000000
expect_rows "tf32 1" "1,1,0x1fc00,0" -- --format tf32 1
expect_rows "fp64 0.1" "0.10000000000000001,0.10000000000000001,0x3fb999999999999a,0" -- --format fp64 0.1
# hex-float and decimal spellings of one number agree
expect_rows "hex-float input" "12,12,0x4a00,0" -- --format fp16 0x1.8p3

# --- formats without a standard encoding show binary64 bits, and say so in the header
run round --csv --format 'p=5,emin=-6,emax=7,subnormals=off,overflow=saturate,specials=none' 1000 0.01
expect_equal "custom exit code" "$status" 0
# 1000 saturates to (2 - 2^-4) * 2^7 = 248 (quantum 8); 0.01 is nearer 2^-6 than 0 (no subnormals)
expect_equal "custom rows" "$out" "$(printf '%s\n' 'input,result,binary64_bits,error_ulps' \
  '1000,248,0x406f000000000000,-94' '0.01,0.015625,0x3f90000000000000,5.7599999999999998')"
expect_rows "mpfr:20" "1,1,0x3ff0000000000000,0" -- --format mpfr:20 1

# --- stochastic rounding: value i uses counter index I + i; a value already in the format never moves
values=()
for _ in $(seq 64); do values+=(1.00390625); done  # halfway between 1 and 1 + 2^-7: probability 1/2
run round --csv --format bf16 --mode sr --seed 7 --index 0 "${values[@]}"
expect_equal "sr exit code" "$status" 0
from_zero=$(tail -n +2 <<<"$out" | cut -d, -f2)
run round --csv --format bf16 --mode sr --seed 7 --index 10 "${values[@]:10}"
expect_equal "sr index I + i" "$(tail -n +2 <<<"$out" | cut -d, -f2)" "$(tail -n +11 <<<"$from_zero")"
expect_equal "sr results are neighbours" "$(sort -u <<<"$from_zero" | tr '\n' ' ')" "1 1.0078125 "
expect_rows "sr exact stays" "1.5,1.5,0x3fc0,0" -- --format bf16 --mode sr --seed 3 1.5
run round --csv --format bf16 --mode sr --seed 8 --index 0 "${values[@]}"
if [[ "$(tail -n +2 <<<"$out" | cut -d, -f2)" != "$from_zero" ]]; then pass; else fail "sr: seed 8 repeats seed 7"; fi

# --- errors name the argument, exit 2, print nothing on stdout
expect_usage_error "unknown format" "ropelab round: --format: unknown format 'bf17'; allowed:" -- \
  round --format bf17 1
expect_usage_error "malformed custom format" "ropelab round: --format:" "'emax'" -- round --format 'p=3,emin=-1' 1
expect_usage_error "unknown mode" "ropelab round: --mode:" "'xx'" "allowed" -- round --format bf16 --mode xx 1
expect_usage_error "non-numeric value" "ropelab round: VALUE '1.2.3' is not a number (decimal, hex-float, inf or nan)" -- \
  round --format bf16 1 1.2.3
expect_usage_error "trailing garbage" "VALUE '1x'" -- round --format bf16 1x
expect_usage_error "empty value" "VALUE ''" -- round --format bf16 ''
expect_usage_error "value beyond binary64" "VALUE '1e400'" -- round --format bf16 1e400
expect_usage_error "missing --format" "ropelab round:" "--format" "required" -- round 1
expect_usage_error "missing --format value" "--format" -- round --format
expect_usage_error "missing values" "VALUE" -- round --format bf16
expect_usage_error "negative seed" "--seed" "'-1'" -- round --format bf16 --seed -1 1
expect_usage_error "seed too large" "--seed" -- round --format bf16 --seed 18446744073709551616 1
expect_usage_error "bad index" "--index" "'0x'" -- round --format bf16 --index 0x 1
expect_usage_error "mistyped option" "'--mdoe'" -- round --format bf16 --mdoe rz 1
expect_usage_error "unknown subcommand" "bogus" -- bogus

# --- the program itself
run
expect_equal "no subcommand: exit code" "$status" 2
expect_equal "no subcommand: stdout" "$out" ""
expect_contains "no subcommand: help" "$err" "Subcommands:"
run --version
expect_equal "--version exit code" "$status" 0
expect_contains "--version" "$out" "ropelab 0."
run round --help
expect_equal "round --help exit code" "$status" 0
expect_contains "round --help usage" "$out" "VALUE..."
expect_rows "max seed accepted" "1,1,0x3f80,0" -- --format bf16 --mode sr --seed 18446744073709551615 --index 0xff 1

echo "round_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
