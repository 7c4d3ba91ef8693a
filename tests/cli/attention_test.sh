#!/usr/bin/env bash
# `ropelab attention`: an exact row checked against an independent Python evaluation (math.cos/sin, softmax in
# binary64), the AnchorAttention directions (a bf16 pipeline's D(shift) well above a binary64 pipeline's ~0), needles,
# CSV/JSON outputs, and every bad-input case (exit 2, nothing on stdout, no partial file).
# Usage: attention_test.sh path/to/ropelab
set -euo pipefail
ropelab=${1:?usage: attention_test.sh path/to/ropelab}
# shellcheck source=tests/cli/assertions.bash
source "$(dirname "${BASH_SOURCE[0]}")/assertions.bash"
csv_value() { grep "^$1,$2," "$scratch/table.csv" | cut -d, -f3 || true; }  # HEAD STATISTIC of the last --csv table

# --- A 4-dimensional head, keys at 0, 1, 2, the query at 2; values exact in bf16 so no input rounding.
printf '0.5,-1.25,2,0.75\n' >"$scratch/q.csv"
printf '1,0.5,-0.25,2\n-1.5,0.75,1,0.125\n0.25,-2,1.5,-0.5\n' >"$scratch/k.csv"
printf '1,2,3,4\n-1,0.5,0.25,2\n3,-2,1,0\n' >"$scratch/v.csv"
want=$(python3 - "$scratch" <<'PY'
import math, sys
d = sys.argv[1]
read = lambda f: [[float(x) for x in line.split(',')] for line in open(f"{d}/{f}")]
q, ks, vs = read("q.csv")[0], read("k.csv"), read("v.csv")
omega = [10000.0 ** (-2.0 * i / 4) for i in range(2)]
def rotate(x, m):  # half-split pairs (i, i + 2)
    y = list(x)
    for i, w in enumerate(omega):
        c, s = math.cos(m * w), math.sin(m * w)
        y[i], y[i + 2] = x[i] * c - x[i + 2] * s, x[i + 2] * c + x[i] * s
    return y
qr = rotate(q, 2)
z = [sum(a * b for a, b in zip(qr, rotate(k, m))) / 2.0 for m, k in enumerate(ks)]
e = [math.exp(t - max(z)) for t in z]
w = [t / sum(e) for t in e]
o0 = sum(wj * v[0] for wj, v in zip(w, vs))
print(f"{w[0]:.12f} {o0:.12f}")
PY
)
run attention --base 10000 --dim 4 --context 3 --preset fp64 --q-file "$scratch/q.csv" --k-file "$scratch/k.csv" \
  --v-file "$scratch/v.csv" --json
expect_equal "python row: exit" "$status" 0
sink=$(python3 -c 'import json,sys; h=json.load(sys.stdin)["heads"][0]; print("%.12f %.12f" % (h["sink_weight_exact"], h["sink_weight_emulated"]))' <<<"$out")
expect_equal "exact sink weight vs python" "${sink% *}" "${want% *}"
expect_equal "fp64 pipeline sink weight vs python" "${sink#* }" "${want% *}"

# --- AnchorAttention directions on a sink (key 0 aligned with q): bf16 D(shift) >> fp64 D(shift) ~ 0.
common=(--model llama-3-8b --context 1024 --needle 0 --heads 2 --shift 20000 --csv "$scratch/table.csv")
run attention --preset hf-eager-bf16 "${common[@]}"
expect_equal "bf16: exit" "$status" 0
bf16_d=$(csv_value 0 "D_weight(20000)")
run attention --preset fp64 "${common[@]}"
fp64_d=$(csv_value 0 "D_weight(20000)")
expect_equal "bf16 D > 1e-3 > 1e-9 > fp64 D" \
  "$(python3 -c "print($bf16_d > 1e-3 and $fp64_d < 1e-9)")" "True"
expect_equal "needle on top (exact)" "$(csv_value 0 needle_on_top_exact)" "1"
run attention --preset flash-attention-2-bf16 --model llama-3-8b --context 512 --collisions --csv "$scratch/table.csv"
expect_equal "collisions: exit" "$status" 0
expect_contains "collisions row" "$(<"$scratch/table.csv")" "moved_key_collisions"
run attention --preset llama.cpp-cpu-fa --model llama-3-8b --context 256 --set softmax_block=16,table_format=fp32 --json
expect_equal "--set on both recipes: exit" "$status" 0
expect_contains "--set recorded" "$out" '"softmax_block": "16"'
run attention --model llama-3-8b --context 64 --json --csv "$scratch/both.csv"
expect_equal "--json with --csv: exit" "$status" 0
expect_contains "--json with --csv: csv" "$(<"$scratch/both.csv")" "0,kl_exact_emulated,"

# --- DeepSeek's softmax scale from its config: qk_head_dim^-0.5 * mscale^2 as Python floats (modeling code order);
# --set overrides it; other models keep head_dim^-0.5 ("default").
run attention --model deepseek-v3 --context 64 --json
expect_equal "deepseek-v3: exit" "$status" 0
expect_equal "deepseek-v3 softmax_scale vs python" \
  "$(python3 -c 'import json, math, sys
got = float(json.load(sys.stdin)["stages"]["softmax_scale"])
m = 0.1 * 1.0 * math.log(40) + 1.0
print(got == 192 ** -0.5 * m * m)' <<<"$out")" "True"
run attention --model deepseek-v3 --context 64 --set softmax_scale=default --json
expect_contains "deepseek-v3 --set softmax_scale=default" "$out" '"softmax_scale": "default"'
run attention --model llama-3-8b --context 64 --json
expect_contains "llama softmax_scale default" "$out" '"softmax_scale": "default"'
run attention --model llama-3-8b --context 64 --set score_chunk=16 --json
expect_contains "score_chunk recorded" "$out" '"score_chunk": "16"'
# --- FP8 QK: the FA3 FP8 preset runs and records its stages.
run attention --preset flash-attention-3-fp8 --model llama-3-8b --context 256 --json
expect_equal "fp8: exit" "$status" 0
expect_contains "fp8: key stage" "$out" '"key_quantization": "e4m3fn:scale=1:apply=divide"'
expect_contains "fp8: rope pair" "$out" '"rope_preset": "vllm-fp8-kv"'

run attention --preset hf-eager-bf16 --model llama-3-8b --context 256 --reset 100 --csv "$scratch/table.csv"
expect_equal "--reset: exit" "$status" 0
expect_contains "--reset rows" "$(<"$scratch/table.csv")" "0,reset_D_weight,"

# --- Bad input: exit 2 naming the argument and its range; no partial CSV.
expect_usage_error "query position outside" "--query-position" "[0, 1023]" -- \
  attention --model llama-3-8b --context 1024 --query-position 1024
expect_usage_error "empty key set" "--keys" "[1, 11]" -- attention --model llama-3-8b --context 64 --query-position 10 --keys 0
printf '0.5,-1.25,2,0.75\n1,1,1,1\n' >"$scratch/q2.csv"
expect_usage_error "mismatched heads" "--k-file" "heads x keys = 2 x 3" -- \
  attention --base 10000 --dim 4 --context 3 --q-file "$scratch/q2.csv" --k-file "$scratch/k.csv"
printf '0.5,nan,2,0.75\n' >"$scratch/qnan.csv"
expect_usage_error "NaN query" "--q-file" -- \
  attention --base 10000 --dim 4 --context 3 --q-file "$scratch/qnan.csv" --k-file "$scratch/k.csv"
expect_usage_error "unknown preset" "--preset" "allowed" -- attention --model llama-3-8b --context 64 --preset nope
expect_usage_error "bad stage" "--set" "softmax_block" -- attention --model llama-3-8b --context 64 --set softmax_block=0
expect_usage_error "bad softmax scale" "--set" "softmax_scale" -- attention --model llama-3-8b --context 64 --set softmax_scale=-1
expect_usage_error "bad fp8 scale" "--set" "key_quantization" -- \
  attention --preset flash-attention-3-fp8 --model llama-3-8b --context 64 --set key_quantization=e4m3fn:scale=0
expect_usage_error "fp8 with split_sqrt" "query_quantization" -- \
  attention --preset hf-sdpa-math-bf16 --model llama-3-8b --context 64 --set query_quantization=e4m3fn
expect_usage_error "exp_offset without the fold" "exp_offset" -- \
  attention --preset hf-eager-bf16 --model llama-3-8b --context 64 --set exp_offset=8
expect_usage_error "bad score chunk" "--set" "score_chunk" -- attention --model llama-3-8b --context 64 --set score_chunk=-1
expect_usage_error "bad shift" "--shift" -- attention --model llama-3-8b --context 64 --shift 5,,6
expect_usage_error "needle after query" "--needle" -- attention --model llama-3-8b --context 64 --query-position 10 --needle 11
expect_usage_error "reset at the first key" "--reset" "[1, 255]" -- attention --model llama-3-8b --context 256 --reset 0
expect_usage_error "top-k" "--top-k" "[1, 64]" -- attention --model llama-3-8b --context 64 --top-k 65
expect_usage_error "missing k file" "--k-file" -- attention --base 10000 --dim 4 --context 3 --q-file "$scratch/q.csv"
run attention --model llama-3-8b --context 64 --query-position 64 --csv "$scratch/partial.csv"
expect_equal "no partial csv: exit" "$status" 2
expect_equal "no partial csv: file" "$([[ -e $scratch/partial.csv ]] && echo present || echo absent)" "absent"

echo "attention_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
