#!/usr/bin/env bash
# `ropelab stats`: hand-checkable outputs and every bad-input case.
# Hand checks use d = 2 (one pair, omega_0 = B^0 = 1), so S(m) = q^T R(m) k is a plain cosine:
#   q = (1, 0), k = (1, 0):  S(m) = cos m       = 1, .540, -.416, -.990, -.654, .284, .960 (m = 0..6)
#   q = (1, 0), k = (0, 1):  S(m) = -sin m      = 0, -.841, -.909, -.141 (m = 0..3)
#   k2 = (0.5, 0):           S2(m) = 0.5 cos m
# Usage: stats_test.sh path/to/ropelab
set -euo pipefail
ropelab=${1:?usage: stats_test.sh path/to/ropelab}
# shellcheck source=tests/cli/assertions.bash
source "$(dirname "${BASH_SOURCE[0]}")/assertions.bash"

# value STAT [HEAD]: the value column of the aligned long-format row (head, statistic, value) in $out.
value() { awk -v s="$1" -v h="${2:-0}" '$1 == h && $2 == s { print $3 }' <<<"$out"; }

printf '1,0\n' >"$scratch/q.csv"
printf '1,0\n' >"$scratch/k.csv"
printf '0,1\n' >"$scratch/k_sin.csv"
printf '0.5,0\n' >"$scratch/k2.csv"
spec=(--base 10000 --dim 2)

# --- inversion: cos m over [0, 4): near {1, .540}, far {-.416, -.990}: no far score beats a near one
run stats inversion --q-file "$scratch/q.csv" --k-file "$scratch/k.csv" "${spec[@]}" --context 4
expect_equal "inversion cos: exit" "$status" 0
expect_equal "inversion cos: stderr" "$err" ""
expect_equal "inversion cos: pairs" "$(value pairs)" 4
expect_equal "inversion cos: inversions" "$(value inversions)" 0
expect_equal "inversion cos: near window" "$(value near)" "0:2"
# -sin m: near {0, -.841}, far {-.909, -.141}: only -.141 > -.841
run stats inversion --q-file "$scratch/q.csv" --k-file "$scratch/k_sin.csv" "${spec[@]}" --context 4
expect_equal "inversion sin: inversions" "$(value inversions)" 1
expect_equal "inversion sin: probability" "$(value inversion_probability)" 0.25
# explicit windows: near [0,1) = {1}, far [6,7) = {.960}
run stats inversion --q-file "$scratch/q.csv" --k-file "$scratch/k.csv" "${spec[@]}" --context 7 --near 0:1 --far 6:7
expect_equal "inversion windows: pairs" "$(value pairs)" 1
expect_equal "inversion windows: inversions" "$(value inversions)" 0
expect_equal "inversion windows: nothing recomputed" "$(value exact_recomputed_positions)" 0
# overlapping windows: position 1 is in both (an exact tie, recomputed exactly, not an inversion):
# near {1, .540}, far {.540, -.416}
run stats inversion --q-file "$scratch/q.csv" --k-file "$scratch/k.csv" "${spec[@]}" --context 4 --near 0:2 --far 1:3
expect_equal "inversion overlap: inversions" "$(value inversions)" 0
expect_equal "inversion overlap: recomputed" "$(value exact_recomputed_positions)" 1
# --start shifts the halves: [2, 6) → near {-.416, -.990}, far {-.654, .284}: 3 of 4 far scores are higher
run stats inversion --q-file "$scratch/q.csv" --k-file "$scratch/k.csv" "${spec[@]}" --context 6 --start 2
expect_equal "inversion start: inversions" "$(value inversions)" 3

# --- aliasing: the 7 bf16 values of cos m are distinct; within 0.05 only cos 0 = 1 and cos 6 = .960
run stats aliasing --q-file "$scratch/q.csv" --k-file "$scratch/k.csv" "${spec[@]}" --context 7 --eps 0.05
expect_equal "aliasing: exit" "$status" 0
expect_equal "aliasing: positions" "$(value positions)" 7
expect_equal "aliasing: bf16 pairs" "$(value pairs_bfloat16)" 0
expect_equal "aliasing: eps pairs" "$(value pairs_eps)" 1
expect_equal "aliasing: eps partners" "$(value positions_with_partner_eps)" 2
# e5m2 (2 fraction bits, spacing 1/8 on [.5, 1)): 1 and .960 both round to 1; the others stay apart
# (.540 → .5, -.416 → -.4375, -.990 → -1, -.654 → -.625, .284 → .3125): one pair, two partners
run stats aliasing --q-file "$scratch/q.csv" --k-file "$scratch/k.csv" "${spec[@]}" --context 7 --format e5m2
expect_equal "aliasing e5m2: pairs" "$(value pairs_e5m2)" 1
expect_equal "aliasing e5m2: partners" "$(value positions_with_partner_e5m2)" 2

# --- token: S1 = cos m, S2 = .5 cos m; S1(0) > S2(0); inverted where cos m < 0 (m = 2, 3, 4)
run stats token --q-file "$scratch/q.csv" --k-file "$scratch/k.csv" --k2-file "$scratch/k2.csv" "${spec[@]}" \
  --context 7 --eps 0.3 --positions-csv "$scratch/positions.csv" --csv "$scratch/token.csv"
expect_equal "token: exit" "$status" 0
expect_equal "token: inversions" "$(value token_inversions)" 3
expect_equal "token: s1(0)" "$(value s1_at_0)" 1
expect_equal "token: s2(0)" "$(value s2_at_0)" 0.5
expect_equal "token: bf16 aliased" "$(value token_aliased_bfloat16)" 0
# |.5 cos m| <= .3 at m = 1, 2, 5
expect_equal "token: eps aliased" "$(value token_aliased_eps)" 3
expect_equal "token: per-position header" "$(head -n1 "$scratch/positions.csv")" "head,m,s1,s2,inverted,aliased_bfloat16"
expect_equal "token: per-position inverted" "$(awk -F, 'NR > 1 { printf "%s", $5 }' "$scratch/positions.csv")" "0011100"
expect_equal "token: csv header" "$(head -n1 "$scratch/token.csv")" "head,statistic,value"
expect_equal "token: csv rows" "$(grep -c . "$scratch/token.csv")" "$(($(grep -c . <<<"$out")))"

# --- CSV is written and equals the table; thread count does not change anything
run stats aliasing --gaussian --heads 2 --base 10000 --dim 64 --context 3000 --threads 1 --csv "$scratch/a1.csv"
one=$out
run stats aliasing --gaussian --heads 2 --base 10000 --dim 64 --context 3000 --threads 2 --csv "$scratch/a2.csv"
expect_equal "threads: same table" "$out" "$one"
expect_equal "threads: same csv" "$(cat "$scratch/a1.csv")" "$(cat "$scratch/a2.csv")"
expect_contains "csv: head 1 rows" "$(cat "$scratch/a1.csv")" "1,pairs_bfloat16,"
run stats inversion --gaussian --base 10000 --dim 64 --context 2000 --preset hf-eager-bf16
expect_equal "preset: exit" "$status" 0

# --- sweep: a row per (base, context, statistic): 10 statistics with k2 and --eps; M / (2 pi B) by hand
run stats sweep --gaussian --dim 16 --bases 100,1000 --contexts 64,628 --eps 0.01 --csv "$scratch/sweep.csv"
expect_equal "sweep: exit" "$status" 0
expect_equal "sweep: csv header" "$(head -n1 "$scratch/sweep.csv")" "base,context,statistic,value"
expect_equal "sweep: rows" "$(($(grep -c . "$scratch/sweep.csv") - 1))" $((2 * 2 * 10))
# the CSV carries full precision: within 2 ulps of 628 / (2 pi 100) computed by Python
expect_equal "sweep: M/(2 pi B)" "$(/usr/bin/python3 -c 'import math, sys; v = float(sys.argv[1]); print(abs(v - 628 / (2 * math.pi * 100)) <= 2 * math.ulp(v))' \
  "$(grep -F '100,628,m_over_2pi_base,' "$scratch/sweep.csv" | cut -d, -f4)")" True

# --- bad input: exit 2, one stderr line naming the option, nothing on stdout, no CSV written
g=(--gaussian --base 10000 --dim 8)
expect_usage_error "context < 2" "--context" -- stats inversion "${g[@]}" --context 1 --csv "$scratch/bad.csv"
[[ ! -e $scratch/bad.csv ]] && pass || fail "context < 2: CSV written"
expect_usage_error "missing context" "--context" -- stats aliasing "${g[@]}"
expect_usage_error "start too late" "--start" -- stats inversion "${g[@]}" --context 10 --start 9
expect_usage_error "rho > 1" "--rho" "[-1, 1]" -- stats inversion "${g[@]}" --context 10 --rho 1.5
expect_usage_error "rho2 < -1" "--rho2" -- stats token "${g[@]}" --context 10 --rho2 -2
expect_usage_error "rho nan" "--rho" -- stats inversion "${g[@]}" --context 10 --rho nan
expect_usage_error "unknown preset" "--preset" "hf-eager-bf17" -- stats inversion "${g[@]}" --context 10 --preset hf-eager-bf17
expect_usage_error "bad format" "--format" -- stats aliasing "${g[@]}" --context 10 --format bf17
expect_usage_error "negative eps" "--eps" -- stats aliasing "${g[@]}" --context 10 --eps -1
expect_usage_error "heads 0" "--heads" -- stats aliasing "${g[@]}" --context 10 --heads 0
expect_usage_error "gaussian and files" "--gaussian" -- stats aliasing "${g[@]}" --context 10 --q-file "$scratch/q.csv" --k-file "$scratch/k.csv"
expect_usage_error "no vectors" "--gaussian" -- stats aliasing --base 10000 --dim 2 --context 10
expect_usage_error "k-file missing" "--k-file" -- stats aliasing "${spec[@]}" --context 10 --q-file "$scratch/q.csv"
expect_usage_error "token needs k2" "--k2-file" -- stats token "${spec[@]}" --context 10 --q-file "$scratch/q.csv" --k-file "$scratch/k.csv"
: >"$scratch/empty.csv"
expect_usage_error "empty file" "--q-file" "no vectors" -- stats aliasing "${spec[@]}" --context 10 --q-file "$scratch/empty.csv" --k-file "$scratch/k.csv"
printf '1,nan\n' >"$scratch/nan.csv"
expect_usage_error "nan in vectors" "--k-file" "not finite" -- stats aliasing "${spec[@]}" --context 10 --q-file "$scratch/q.csv" --k-file "$scratch/nan.csv"
printf '1,0\n0,1\n' >"$scratch/two.csv"
expect_usage_error "heads mismatch" "--k-file" "heads" -- stats aliasing "${spec[@]}" --context 10 --q-file "$scratch/q.csv" --k-file "$scratch/two.csv"
printf '1,0,0,0\n' >"$scratch/wide.csv"
expect_usage_error "dim mismatch" "--k-file" "head_dim is 2" -- stats aliasing "${spec[@]}" --context 10 --q-file "$scratch/q.csv" --k-file "$scratch/wide.csv"
printf '1,0\n1\n' >"$scratch/ragged.csv"
expect_usage_error "ragged csv" "--q-file" "line 2" -- stats aliasing "${spec[@]}" --context 10 --q-file "$scratch/ragged.csv" --k-file "$scratch/k.csv"
printf 'garbage' >"$scratch/bad.npy"
expect_usage_error "bad npy" "--q-file" "magic" -- stats aliasing "${spec[@]}" --context 10 --q-file "$scratch/bad.npy" --k-file "$scratch/k.csv"
expect_usage_error "unreadable file" "--q-file" "cannot read" -- stats aliasing "${spec[@]}" --context 10 --q-file "$scratch/none.csv" --k-file "$scratch/k.csv"
expect_usage_error "bad window" "--near" -- stats inversion "${g[@]}" --context 10 --near 5:3 --far 6:8
expect_usage_error "far without near" "--near" -- stats inversion "${g[@]}" --context 10 --far 6:8
expect_usage_error "sweep base" "--bases" -- stats sweep --gaussian --dim 8 --bases 0.5 --contexts 10
expect_usage_error "sweep context" "--contexts" -- stats sweep --gaussian --dim 8 --bases 100 --contexts 1
expect_usage_error "no stats subcommand" "stats" -- stats
expect_usage_error "unwritable csv" "--csv" -- stats aliasing "${g[@]}" --context 10 --csv "$scratch/no/such/dir.csv"

printf 'stats_test: %d passed, %d failed\n' "$passed" "$failed"
[[ $failed -eq 0 ]]
