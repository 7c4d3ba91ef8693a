#!/usr/bin/env bash
# `ropelab stats ... --query-position P` (absolute mode: the query rotated at P, the key at P - m):
# - by hand, d = 2 (one pair, omega = 1), q = (1, 0), k = (0, 1): the relative-only S(m) = q^T R(m) k = -sin m, the
#   absolute exact score (R(P)q).(R(P-m)k) = q^T R(-m) k = +sin m for any P;
# - the exact source in absolute mode gives the relative-only statistics of (k, q), for any P;
# - a pipeline with every format binary64 agrees with the exact absolute scores to rounding, a bf16 one does not;
# - the sweep takes it too; bad --query-position exits 2 naming it and its range, with no output file.
# Usage: stats_absolute_test.sh path/to/ropelab
set -euo pipefail
ropelab=${1:?usage: stats_absolute_test.sh path/to/ropelab}
# shellcheck source=tests/cli/assertions.bash
source "$(dirname "${BASH_SOURCE[0]}")/assertions.bash"
value() { awk -v s="$1" -v h="${2:-0}" '$1 == h && $2 == s { print $3 }' <<<"$out"; }

printf '1,0\n' >"$scratch/q.csv"
printf '0,1\n' >"$scratch/k_sin.csv"
printf '0.5,0\n' >"$scratch/k2.csv"
spec=(--base 10000 --dim 2)

# --- +sin m over [0, 4): near {0, .841}, far {.909, .141}: .909 beats both, .141 beats 0 (relative: -sin m, 1).
for p in 3 1000; do
  run stats inversion --q-file "$scratch/q.csv" --k-file "$scratch/k_sin.csv" "${spec[@]}" --context 4 --query-position $p
  expect_equal "absolute sin (P=$p): exit" "$status" 0
  expect_equal "absolute sin (P=$p): inversions" "$(value inversions)" 3
done
run stats inversion --q-file "$scratch/q.csv" --k-file "$scratch/k_sin.csv" "${spec[@]}" --context 4
expect_equal "relative -sin: inversions" "$(value inversions)" 1
run stats token --q-file "$scratch/q.csv" --k-file "$scratch/k_sin.csv" --k2-file "$scratch/k2.csv" "${spec[@]}" \
  --context 4 --query-position 50 --positions-csv "$scratch/pos.csv"
expect_equal "token absolute: exit" "$status" 0
got=$(python3 -c '
import csv, math, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(all(abs(float(r["s1"]) - math.sin(int(r["m"]))) < 1e-15 and abs(float(r["s2"]) - 0.5 * math.cos(int(r["m"]))) < 1e-15
          for r in rows), len(rows))' "$scratch/pos.csv")
expect_equal "token absolute: s1 = sin m, s2 = cos m / 2" "$got" "True 4"

# --- Exact absolute mode = relative-only statistics of (k, q), whatever P (JSON rows identical).
g=(--model llama-3-8b --context 3000 --json)
python3 - "$scratch" <<'PY'
import random, sys
random.seed(3)
for name in ("q", "k"):
    with open(f"{sys.argv[1]}/{name}128.csv", "w") as f:
        f.write(",".join(f"{random.gauss(0, 1):.6f}" for _ in range(128)) + "\n")
PY
rows() { python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["rows"]))' <<<"$out"; }
run stats inversion "${g[@]}" --q-file "$scratch/k128.csv" --k-file "$scratch/q128.csv"
swapped=$(rows)
run stats inversion "${g[@]}" --q-file "$scratch/q128.csv" --k-file "$scratch/k128.csv" --query-position 70000
expect_equal "exact absolute inversion: exit" "$status" 0
expect_contains "query_position in JSON" "$out" '"query_position": 70000'
expect_equal "exact absolute inversion = relative of (k, q)" "$(rows)" "$swapped"
run stats aliasing "${g[@]}" --q-file "$scratch/k128.csv" --k-file "$scratch/q128.csv"
swapped=$(rows)
run stats aliasing "${g[@]}" --q-file "$scratch/q128.csv" --k-file "$scratch/k128.csv" --query-position 2999
expect_equal "exact absolute aliasing = relative of (k, q)" "$(rows)" "$swapped"

# --- A binary64 pipeline agrees with the exact absolute scores to rounding; a bf16 pipeline does not.
f64=omega_format=binary64,angle_format=binary64,trig_format=binary64,table_format=binary64,input_format=binary64
f64+=,rotation_math_format=binary64,storage_format=binary64,key_cache_format=binary64,position_format=binary64
t=(stats token --model llama-3-8b --gaussian --context 2000 --query-position 40000 --quiet)
run "${t[@]}" --positions-csv "$scratch/exact.csv"
run "${t[@]}" --preset flash-attention --set "$f64" --positions-csv "$scratch/fp64.csv"
expect_equal "fp64 pipeline: exit" "$status" 0
run "${t[@]}" --preset hf-eager-bf16 --positions-csv "$scratch/bf16.csv"
differences=$(python3 - "$scratch" <<'PY'
import csv, sys
read = lambda name: [float(r["s1"]) for r in csv.DictReader(open(f"{sys.argv[1]}/{name}.csv"))]
exact, fp64, bf16 = read("exact"), read("fp64"), read("bf16")
scale = max(abs(x) for x in exact)
print(max(abs(a - b) for a, b in zip(fp64, exact)) < 1e-12 * scale, max(abs(a - b) for a, b in zip(bf16, exact)) > 1e-3 * scale)
PY
)
expect_equal "fp64 within 1e-12 of exact, bf16 beyond 1e-3" "$differences" "True True"

# --- The sweep in absolute mode.
run stats sweep --dim 64 --bases 10000 --contexts 200,400 --gaussian --preset hf-eager-bf16 --query-position 5000 --csv "$scratch/sweep.csv"
expect_equal "sweep absolute: exit" "$status" 0
expect_contains "sweep absolute: rows" "$(<"$scratch/sweep.csv")" "10000,400,position_inversion,"

# --- Bad --query-position: exit 2 naming it and its range; no partial file.
expect_usage_error "P below M - 1" "--query-position" "[2999," -- \
  stats inversion --model llama-3-8b --gaussian --context 3000 --query-position 2998
expect_usage_error "P not a number" "--query-position" -- \
  stats aliasing --model llama-3-8b --gaussian --context 3000 --query-position -4
expect_usage_error "sweep: P below the largest M - 1" "--query-position" "[399," -- \
  stats sweep --dim 64 --bases 10000 --contexts 200,400 --gaussian --query-position 100
expect_usage_error "P past 2^53 - 2" "--query-position" -- \
  stats token --model llama-3-8b --gaussian --context 300 --query-position 9007199254740991
run stats inversion --model llama-3-8b --gaussian --context 3000 --query-position 5 --csv "$scratch/partial.csv"
expect_equal "no partial csv: exit" "$status" 2
expect_equal "no partial csv: file" "$([[ -e $scratch/partial.csv ]] && echo present || echo absent)" "absent"

echo "stats_absolute_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
