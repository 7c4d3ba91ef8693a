#!/usr/bin/env bash
# `ropelab zone`: bounds checked against values worked out independently (mpmath at 30 digits, or powers of
# two) from shared/theory/phase-bounds.md, verdicts the note derives, and every bad-input case.
# Usage: zone_test.sh path/to/ropelab
set -euo pipefail
ropelab=${1:?usage: zone_test.sh path/to/ropelab}
# shellcheck source=tests/cli/assertions.bash
source "$(dirname "${BASH_SOURCE[0]}")/assertions.bash"
# csv_row KEY: the row of `$out` (zone --csv) whose first field is KEY.
csv_row() { grep "^$1," <<<"$out" || true; }

# --- base 1e4, d = 128, L = 4096, N = 32, eps 0.5 (LLaMA-2-7B, phase-bounds.md §3), mpmath values:
# L/(2 pi) = 651.898646904403295; L/arccos(0.5) = 12288/pi = 3911.39188142641977;
# L/arccos(0.5^(1/32)) = 19750.4135148273414, exact convention ^(128/126) = 23107.8714023892803;
# fp32 wall 2^23 = 8388608, exact (2^23)^(128/126) = 10804128.4772805125.
run zone --base 1e4 --dim 128 --context 4096 --layers 32 --csv
expect_equal "csv exit" "$status" 0
expect_equal "csv header" "$(head -n1 <<<"$out")" "quantity,approximate,exact"
expect_contains "aliasing" "$(csv_row aliasing_min_base)" "aliasing_min_base,651.8986469044"
expect_contains "dc" "$(csv_row dc_min_base)" "dc_min_base,3911.391881426"
expect_contains "depth approx" "$(csv_row depth_min_base)" "depth_min_base,19750.41351482"
expect_contains "depth exact" "$(csv_row depth_min_base)" ",23107.87140238"
expect_contains "wall" "$(csv_row precision_wall)" "precision_wall,8388608,10804128.47728"
expect_contains "phase" "$(csv_row phase)" "phase,0.4096"
expect_contains "verdict" "$(csv_row verdict)" "infeasible: depth (base 10000 < 19750.4)"

# N = 1: only the DC bound, which 1e4 > 3911 meets -> feasible in both conventions (4460 exact).
run zone --base 1e4 --dim 128 --context 4096 --layers 1 --csv
expect_equal "N = 1 verdict" "$(csv_row verdict)" "verdict,feasible,feasible"

# eps_mach conventions and formats: 1/2^-24 = 16777216 (fp32 unit roundoff), 1/2^-7 = 128 (bf16 ulp).
run zone --base 1e4 --dim 128 --context 4096 --eps-mach-convention unit-roundoff --csv
expect_contains "unit roundoff wall" "$(csv_row precision_wall)" "precision_wall,16777216,"
run zone --base 1e4 --dim 128 --context 4096 --format bf16 --csv
expect_contains "bf16 wall" "$(csv_row precision_wall)" "precision_wall,128,"
expect_contains "bf16 verdict" "$(csv_row verdict)" "precision-wall (base 10000 >= 128)"

# Raw Mistral-7B-v0.1 at 32K: L/base = 3.2768 >= pi/2 -> infeasible (a verdict, exit 0); v0.2 (1e6) feasible.
run zone --model mistral-7b-v0.1 --csv
expect_equal "mistral v0.1 exit" "$status" 0
expect_contains "mistral v0.1" "$(csv_row verdict)" "dc-stability (L*theta_min = 3.2768 >= pi/2: cos <= 0)"
expect_equal "mistral v0.1 eps" "$(csv_row max_eps_single)" "max_eps_single,none,none"
run zone --model mistral-7b-v0.2
expect_contains "mistral v0.2 layers" "$out" "context 32768, layers 32 (num_hidden_layers)"
expect_contains "mistral v0.2 verdict" "$(grep '^verdict' <<<"$out" | tr -s ' ')" "verdict feasible feasible"

# Llama-3.1-8B, llama3 factor 8: effective base 8 * 5e5 = 4e6 (approximate); 632013.2 needed at N = 32.
run zone --model llama-3.1-8b --csv
expect_contains "llama3 effective base" "$(csv_row base)" "base,4000000"
expect_contains "llama3 depth" "$(csv_row depth_min_base)" "depth_min_base,632013.232474"
run zone --model llama-3.1-8b
expect_contains "llama3 slowdown" "$out" "slowed by s = 8;"

# A config.json without num_hidden_layers: N defaults to 1.
printf '{"rope_theta": 10000, "hidden_size": 4096, "num_attention_heads": 32, "max_position_embeddings": 4096}' \
  >"$scratch/config.json"
run zone --config "$scratch/config.json"
expect_contains "config default layers" "$out" "layers 1 (default)"

# --all: aligned table on stdout, CSV (header + one row per shipped model) written to FILE.
run zone --all --csv "$scratch/all.csv"
expect_equal "all exit" "$status" 0
expect_contains "all aligned" "$out" "mistral-7b-v0.1"
expect_equal "all csv header" "$(head -n1 "$scratch/all.csv")" \
  "model,base,scaling,eff_base_approx,eff_base_exact,context,layers,approx_aliasing,approx_dc,approx_depth,approx_wall,approx_verdict,exact_aliasing,exact_dc,exact_depth,exact_wall,exact_verdict"
expect_equal "all csv rows" "$(($(wc -l <"$scratch/all.csv") - 1))" "$(find "$(dirname "$0")/../../experiments/models" -name '*.json' | wc -l)"
expect_contains "all mistral" "$(grep '^mistral-7b-v0.1,' "$scratch/all.csv")" "infeasible: dc-stability+depth"
expect_contains "all llama-2" "$(grep '^llama-2-7b,' "$scratch/all.csv")" ",10000,default,10000,10000,4096,32,"
run zone --all --csv
expect_equal "all csv stdout" "$(head -n1 <<<"$out" | cut -d, -f1-3)" "model,base,scaling"

# --- bad input: exit 2, one stderr line naming the option, nothing on stdout, no CSV written
expect_usage_error "no source" "--model" -- zone
expect_usage_error "two sources" "--model" -- zone --model llama-2-7b --base 1e4 --dim 128
expect_usage_error "unknown model" "--model" "no-such-model" -- zone --model no-such-model
expect_usage_error "missing config" "--config" -- zone --config "$scratch/none.json"
printf '{"rope_theta": 10000, "hidden_size": 4096, "num_attention_heads": 32, "max_position_embeddings": 4096, "num_hidden_layers": 0}' \
  >"$scratch/zero.json"
expect_usage_error "config layers 0" "--config" "num_hidden_layers" -- zone --config "$scratch/zero.json"
for eps in 0 1 1.5 -0.5 nan abc ''; do
  expect_usage_error "eps '$eps'" "--eps" -- zone --model llama-2-7b --eps "$eps"
done
for layers in 0 -1 1.5 abc 2000000; do
  expect_usage_error "layers '$layers'" "--layers" -- zone --model llama-2-7b --layers "$layers"
done
for context in 0 1 -5 abc 1e4; do
  expect_usage_error "context '$context'" "--context" -- zone --model llama-2-7b --context "$context"
done
expect_usage_error "format" "--format" -- zone --model llama-2-7b --format bf17
expect_usage_error "eps-mach convention" "--eps-mach-convention" -- zone --model llama-2-7b --eps-mach-convention half
expect_usage_error "base <= 1" "--base" -- zone --base 0.5 --dim 128 --context 4096
expect_usage_error "base nan" "--base" -- zone --base nan --dim 128 --context 4096
expect_usage_error "odd dim" "--dim" -- zone --base 1e4 --dim 7 --context 4096
expect_usage_error "dim 2" "--dim" -- zone --base 1e4 --dim 2 --context 4096
expect_usage_error "base without context" "--context" -- zone --base 1e4 --dim 128
expect_usage_error "rotary dims with model" "--rotary-dims" -- zone --model llama-2-7b --rotary-dims 64
expect_usage_error "all with model" "--model" -- zone --all --model llama-2-7b
expect_usage_error "all with context" "--context" -- zone --all --context 4096
expect_usage_error "all with layers" "--layers" -- zone --all --layers 3
expect_usage_error "csv twice" "--csv" -- zone --all --csv "$scratch/a.csv" --csv "$scratch/b.csv"
expect_usage_error "csv unwritable" "--csv" -- zone --all --csv "$scratch/no/dir/all.csv"
expect_usage_error "bad eps with csv" "--eps" -- zone --all --eps 2 --csv "$scratch/bad.csv"
expect_usage_error "bad context with csv" "--context" -- zone --model llama-2-7b --context 0 --csv "$scratch/bad.csv"
expect_equal "no csv after errors" "$(find "$scratch" -name 'bad.csv*' -o -name 'a.csv*' -o -name 'b.csv*' | wc -l)" 0

echo "zone_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
