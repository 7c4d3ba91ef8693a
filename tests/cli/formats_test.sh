#!/usr/bin/env bash
# `ropelab formats`: checks printed quantities against hand-known facts (IEEE 754 table 3.5, OCP OFP8 rev 1.0
# table 1, bfloat16 = binary32's exponent with p = 8), never against earlier output of the program.
# Usage: formats_test.sh path/to/ropelab
set -euo pipefail
ropelab=${1:?usage: formats_test.sh path/to/ropelab}
# shellcheck source=tests/cli/assertions.bash
source "$(dirname "${BASH_SOURCE[0]}")/assertions.bash"
# csv_value ROW COLUMN: the field of the CSV in $out whose name column is ROW (names without commas).
csv_value() {
  awk -F, -v row="$1" -v column="$2" '
    NR == 1 { for (i = 1; i <= NF; i++) index_of[$i] = i; next }
    $1 == row { print $(index_of[column]) }' <<<"$out"
}

# --- aligned table: every named format, one row each
run formats
expect_equal "formats exit code" "$status" 0
expect_equal "formats stderr" "$err" ""
for name in binary64 binary32 tf32 binary16 bfloat16 e4m3fn e5m2; do
  expect_equal "aligned row for $name" "$(grep -c "^$name " <<<"$out")" 1
done
expect_equal "aligned: header + 7 rows" "$(wc -l <<<"$out")" 8
# people get 4 significant digits (%.4g); the CSV below carries the exact value
expect_equal "aligned bf16 max" "$(awk '$1 == "bfloat16" { print $7 }' <<<"$out")" "3.39e+38"
expect_equal "aligned bf16 max exact integer" "$(awk '$1 == "bfloat16" { print $13 }' <<<"$out")" 256

# --- CSV: header and values
run formats --csv
expect_equal "csv exit code" "$status" 0
expect_equal "csv header" "$(head -n1 <<<"$out")" \
  "name,p,unit_roundoff,machine_epsilon,emin,emax,max_finite,min_normal,min_subnormal,subnormals,specials,overflow,max_exact_integer"
expect_equal "csv: header + 7 rows" "$(wc -l <<<"$out")" 8
check() { expect_equal "$1 $2" "$(csv_value "$1" "$2")" "$3"; }
# (2 - 2^-7) * 2^127
check bfloat16 max_finite 3.3895313892515355e+38
check bfloat16 max_exact_integer 256
check bfloat16 emin -126
check bfloat16 min_normal 1.1754943508222875e-38
# OCP OFP8: E4M3 max S.1111.110 = 448, NaN only, overflow to NaN; min subnormal 2^-9
check e4m3fn max_finite 448
check e4m3fn min_subnormal 0.001953125
check e4m3fn specials nan
check e4m3fn overflow nan
check e4m3fn max_exact_integer 16
check e5m2 max_finite 57344
check e5m2 specials ieee
check e5m2 max_exact_integer 8
# binary16: 2^-24, 65504, 2^11, u = 2^-11, eps = 2^-10
check binary16 min_subnormal 5.9604644775390625e-08
check binary16 max_finite 65504
check binary16 max_exact_integer 2048
check binary16 unit_roundoff 0.00048828125
check binary16 machine_epsilon 0.0009765625
check binary16 subnormals on
check binary32 max_exact_integer 16777216
check binary32 max_finite 3.4028234663852886e+38
check binary32 min_subnormal 1.4012984643248171e-45
check binary64 max_finite 1.7976931348623157e+308
check binary64 min_subnormal 4.9406564584124654e-324
check binary64 max_exact_integer 9007199254740992
check binary64 unit_roundoff 1.1102230246251565e-16
# tf32: p = 11 with binary32's exponent: (2 - 2^-10) * 2^127
check tf32 p 11
check tf32 max_finite 3.4011621342146535e+38
check tf32 max_exact_integer 2048

# --- extra formats: mpfr:P beyond binary64, custom formats (quoted in CSV), no duplicate of a named one
run formats --csv --format mpfr:200 --format 'p=3,emin=-2,emax=2,max=6' \
  --format 'p=5,emin=-6,emax=7,subnormals=off,overflow=saturate,specials=none' --format bf16
expect_equal "extras exit code" "$status" 0
expect_equal "extras: header + 7 named + 3 rows" "$(wc -l <<<"$out")" 11
check mpfr:200 unit_roundoff 6.2230152778611417e-61      # 2^-200
check mpfr:200 max_exact_integer 1.6069380442589903e+60  # 2^200
# (2 - 2^-199) * 2^(2^30 - 2) and 2^-(2^30), from log10(2) * exponent
check mpfr:200 max_finite 2.098579e+323228496
check mpfr:200 min_normal 2.382565e-323228497
check mpfr:200 min_subnormal 2.382565e-323228497
check mpfr:200 subnormals off
# p=3: values 1.00, 1.25, 1.5, 1.75 times 2^e; max=6 caps the top binade, so 7 is not exact
expect_contains "custom max=6 row" "$out" '"p=3,emin=-2,emax=2,max=6",3,0.125,0.25,-2,2,6,0.25,0.0625,on,ieee,inf,6'
# (2 - 2^-4) * 2^7 = 248; no subnormals: min subnormal is min normal 2^-6; 2^5 <= 248
expect_contains "custom saturate row" "$out" \
  '"p=5,emin=-6,emax=7,subnormals=off,overflow=saturate,specials=none",5,0.03125,0.0625,-6,7,248,0.015625,0.015625,off,none,saturate,32'

# --- errors
expect_usage_error "unknown format" "ropelab formats" "--format" "'bf17'" "allowed:" -- formats --format bf17
expect_usage_error "custom p out of range" "--format" "'p'" "[1, 53]" -- formats --format 'p=60,emin=-1,emax=3'
expect_usage_error "custom bad key" "--format" "'q'" -- formats --format 'p=3,emin=-1,emax=3,q=1'
expect_usage_error "custom overflow policy" "--format" "overflow" -- \
  formats --format 'p=3,emin=-1,emax=3,specials=none,overflow=inf'
expect_usage_error "mpfr precision" "--format" "mpfr" -- formats --format mpfr:0
expect_usage_error "missing --format value" "--format" -- formats --format
expect_usage_error "unknown option" "--bogus" -- formats --bogus

echo "formats_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
