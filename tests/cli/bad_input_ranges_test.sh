#!/usr/bin/env bash
# Numeric arguments and config/spec fields outside their documented ranges (README "Limits"): refused with exit 2
# naming the argument or field and the allowed range, before any work or allocation. Covers thread counts in
# every threaded subcommand, sizes (head_dim, heads, contexts) with 64-bit overflow, values beyond binary64 in
# JSON, integers that would be truncated, .npy shapes whose element count wraps, and scaling factors whose
# frequencies leave the exact reference's range (they once threw inside an OpenMP loop: SIGABRT).
# Usage: bad_input_ranges_test.sh path/to/ropelab
set -euo pipefail
ropelab=${1:?usage: bad_input_ranges_test.sh path/to/ropelab}
# shellcheck source=tests/cli/assertions.bash
source "$(dirname "${BASH_SOURCE[0]}")/assertions.bash"
# shellcheck source=tests/cli/bad_input.bash
source "$(dirname "${BASH_SOURCE[0]}")/bad_input.bash"
tiny="$(dirname "$0")/../../experiments/tiny.toml"
# label ARGS...: the subcommand of a command line ("stats token", "wall"), for case names.
label() { if [[ $1 == stats ]]; then echo "$1 $2"; else echo "$1"; fi; }

# --- --threads in [0, 1024], in every subcommand that runs threads
wall=(wall --preset hf-eager-bf16 --base 10000 --dim 32 --context 4096)
gaussian=(--gaussian --base 10000 --dim 32 --context 1024)
for threads in 100000 2147483647 2147483648 -1 1e3 abc; do
  for command in "${wall[*]}" "compare --presets hf-eager-bf16 --base 10000 --dim 32 --context 4096" \
                 "check-model --preset hf-eager-bf16 --model llama-3-8b --context 8192" "wall-claim --formats bf16" \
                 "stats inversion ${gaussian[*]}" "stats aliasing ${gaussian[*]}" "stats token ${gaussian[*]}" \
                 "stats sweep --gaussian --dim 32 --bases 10000 --contexts 256" "report --quick --out $work/report" \
                 "run $tiny --out $work/run"; do
    read -ra args <<<"$command"
    expect_refused "$(label "${args[@]}") --threads $threads" "--threads" "[0, 1024]" -- "${args[@]}" --threads "$threads"
  done
done
OMP_NUM_THREADS=100000 expect_refused "OMP_NUM_THREADS 100000" "OMP_NUM_THREADS" "[1, 1024]" -- "${wall[@]}"
printf 'metrics = ["zone"]\n[experiment]\nname = "t"\n[options]\nthreads = 5000\n' >"$work/threads.toml"
expect_refused "spec options.threads" "options.threads" "[0, 1024]" -- run "$work/threads.toml" --out "$work/run"

# --- sizes and values of the spec options
expect_refused "dim 10^6" "--dim" "[2, 65536]" -- wall --preset hf-eager-bf16 --base 10000 --dim 1000000 --context 4096
expect_refused "dim 2^32 + 128" "--dim" "[2, 65536]" -- wall --preset hf-eager-bf16 --base 10000 --dim 4294967424 --context 4096
expect_refused "dim 1e9" "--dim" "[2, 65536]" -- zone --base 10000 --dim 1e9 --context 4096
expect_refused "odd dim" "--dim" "even" -- wall --preset hf-eager-bf16 --base 10000 --dim 33 --context 4096
expect_refused "rotary dims 10^5" "--rotary-dims" "[2, 65536]" -- wall --preset hf-eager-bf16 --base 10000 --dim 32 --rotary-dims 100000 --context 4096
expect_refused "max positions 2^53" "--max-positions" "9007199254740991]" -- \
  wall --preset hf-eager-bf16 --base 10000 --dim 32 --max-positions 9007199254740992 --context 4096
for base in inf nan 1 0.5 1e400; do
  expect_refused "base $base" "--base" "(1, " -- wall --preset hf-eager-bf16 --base "$base" --dim 32 --context 4096
done
expect_refused "base 1.7e308: omega subnormal" "--base" "2^-1022" -- wall --preset hf-eager-bf16 --base 1.7e308 --dim 65536 --context 4096
expect_refused "context 2^53" "--context" "[2, 2^53 - 1]" -- "${wall[@]:0:7}" --context 9007199254740992
expect_refused "context 2^64" "--context" -- "${wall[@]:0:7}" --context 18446744073709551616
for tau in inf nan 4 0 -1; do
  expect_refused "tau $tau" "--tau" "(0, 3.14" -- "${wall[@]}" --tau "$tau"
done
expect_refused "compare tau" "--tau" "(0, 3.14" -- compare --presets hf-eager-bf16 --base 10000 --dim 32 --context 4096 --tau inf
expect_refused "groups 0" "--groups" "[1, 32768]" -- "${wall[@]}" --groups 0
expect_refused "groups 10^6" "--groups" "[1, 32768]" -- "${wall[@]}" --groups 1000000
expect_refused "check-model eps 1" "--eps" "(0, 1)" -- check-model --preset hf-eager-bf16 --model llama-3-8b --context 8192 --eps 1
expect_refused "check-model layers 0" "--layers" "[1, 1000000]" -- check-model --preset hf-eager-bf16 --model llama-3-8b --context 8192 --layers 0
expect_refused "zone layers 2^31" "--layers" "[1, 1000000]" -- zone --model llama-3-8b --layers 2147483648
expect_refused "wall-claim dim" "--dim" "[2, 1024]" -- wall-claim --dim 65536
expect_refused "wall-claim preset context" "--preset-context" "[2, 2^53 - 1]" -- wall-claim --presets hf-eager-bf16 --preset-context 1
expect_refused "emulate position 2^53" "--positions" "2^53" -- emulate --preset hf-eager-bf16 --base 10000 --dim 32 --positions 9007199254740991 --out "$work/dump"
expect_refused "round seed 2^64" "--seed" "2^64 - 1" -- round --format bf16 --mode sr --seed 18446744073709551616 1
expect_refused "report seed -1" "--seed" "2^64 - 1" -- report --quick --out "$work/report" --seed -1

# --- stats: heads, scale, rho, eps, start (the Gaussian draw and the score rows are sized before allocation)
for heads in 1e9 0 65537 4294967297; do
  expect_refused "heads $heads" "--heads" "[1, 65536]" -- stats inversion "${gaussian[@]}" --heads "$heads"
done
expect_refused "heads x context beyond memory" "--heads" "memory" -- \
  stats inversion --gaussian --base 10000 --dim 32 --context 33554432 --heads 65536
expect_refused "context beyond memory" "--context" "memory" -- stats inversion --gaussian --base 10000 --dim 32 --context 9007199254740991
expect_refused "sweep contexts beyond memory" "--contexts" "memory" -- \
  stats sweep --gaussian --dim 32 --bases 10000 --contexts 256,9007199254740991 --heads 65536
for scale in 1e200 0 1e-300 nan inf -1; do
  expect_refused "scale $scale" "--scale" "[1e-40, 1e+40]" -- stats inversion "${gaussian[@]}" --scale "$scale"
done
expect_refused "rho 2" "--rho" "[-1, 1]" -- stats inversion "${gaussian[@]}" --rho 2
expect_refused "rho nan" "--rho" "[-1, 1]" -- stats inversion "${gaussian[@]}" --rho nan
expect_refused "eps inf" "--eps" "[0, 1e+40]" -- stats aliasing "${gaussian[@]}" --eps inf
expect_refused "eps 1e308" "--eps" "[0, 1e+40]" -- stats aliasing "${gaussian[@]}" --eps 1e308
expect_refused "start 2^64 - 1" "--start" "[0, --context - 2]" -- stats inversion "${gaussian[@]}" --start 18446744073709551615
expect_refused "start context - 1" "--start" "[0, --context - 2]" -- stats inversion "${gaussian[@]}" --start 1023

# --- config.json fields: range-checked before they narrow, numbers beyond binary64 named
config() {  # config NAME JSON-BODY: writes $work/NAME.json
  printf '{%s}\n' "$2" >"$work/$1.json"
}
config head_dim '"head_dim": 4294967424, "max_position_embeddings": 4096'
config hidden '"hidden_size": 4294967424, "num_attention_heads": 32, "max_position_embeddings": 4096'
config rope_head '"qk_rope_head_dim": 1099511627840, "max_position_embeddings": 4096'
config huge_factor '"head_dim": 128, "max_position_embeddings": 4096, "rope_scaling": {"rope_type": "linear", "factor": 1e400}'
config huge_theta '"head_dim": 128, "max_position_embeddings": 4096, "rope_theta": -1e400'
config huge_max '"head_dim": 128, "max_position_embeddings": 1e20'
config yarn_tiny '"head_dim": 128, "max_position_embeddings": 4096, "rope_scaling": {"rope_type": "yarn", "factor": 1e-300, "original_max_position_embeddings": 4096}'
config llama3_subnormal '"head_dim": 128, "max_position_embeddings": 8192, "rope_theta": 500000, "rope_scaling": {"rope_type": "llama3", "factor": 1e-320, "original_max_position_embeddings": 8192}'
config dynamic_huge '"head_dim": 128, "max_position_embeddings": 4096, "rope_scaling": {"rope_type": "dynamic", "factor": 1e300}'
expect_refused "config head_dim 2^32 + 128" "--config" "'head_dim' = 4294967424" "[1, 65536]" -- \
  wall --preset hf-eager-bf16 --config "$work/head_dim.json" --context 4096
expect_refused "config hidden_size 2^32 + 128" "--config" "hidden_size" "[1, 65536]" -- \
  zone --config "$work/hidden.json"
expect_refused "config qk_rope_head_dim 2^40 + 64" "--config" "qk_rope_head_dim" "[1, 65536]" -- \
  stats inversion --gaussian --config "$work/rope_head.json" --context 1024
expect_refused "config factor 1e400" "--config" "'rope_scaling.factor' = 1e400" "binary64" -- \
  wall --preset hf-eager-bf16 --config "$work/huge_factor.json" --context 4096
expect_refused "config rope_theta -1e400" "--config" "'rope_theta' = -1e400" -- zone --config "$work/huge_theta.json"
expect_refused "config max_position_embeddings 1e20" "--config" "max_position_embeddings" "2^53 - 1" -- \
  zone --config "$work/huge_max.json"
# Frequencies outside the exact reference's range are refused before the parallel measurement (was SIGABRT).
for command in "wall --preset hf-eager-bf16 --context 8192" "compare --presets hf-eager-bf16 --context 8192" \
               "check-model --preset hf-eager-bf16 --context 8192" "zone" "stats inversion --gaussian --context 8192" \
               "emulate --preset hf-eager-bf16 --positions 0:8192 --out $work/dump"; do
  read -ra args <<<"$command"
  expect_refused "$(label "${args[@]}") yarn factor 1e-300" "--config" "yarn" "2^60" -- "${args[@]}" --config "$work/yarn_tiny.json"
  expect_refused "$(label "${args[@]}") llama3 factor 1e-320" "--config" "llama3" "2^-1022" -- "${args[@]}" --config "$work/llama3_subnormal.json"
done
expect_refused "zone dynamic factor 1e300" "--config" "effective base" "overflows" -- zone --config "$work/dynamic_huge.json" --context 8192

# --- experiment spec fields
printf 'metrics = ["wall"]\n[experiment]\nname = "t"\n[options]\ntau = nan\n' >"$work/tau.toml"
expect_refused "spec options.tau nan" "tau.toml:5" "options.tau" "finite" -- run "$work/tau.toml" --out "$work/run"
printf 'metrics = ["wall"]\n[experiment]\nname = "t"\n[grid]\nbases = [inf]\n' >"$work/bases.toml"
expect_refused "spec grid.bases inf" "bases.toml:5" "grid.bases" "finite" -- run "$work/bases.toml" --out "$work/run"
printf 'metrics = ["wall"]\n[experiment]\nname = "t"\n[grid]\ncontexts = [9007199254740992]\n' >"$work/contexts.toml"
expect_refused "spec grid.contexts 2^53" "grid.contexts" "[2, 2^53 - 1]" -- run "$work/contexts.toml" --out "$work/run"

# --- .npy shapes: 64-bit element counts, dimensions range-checked before they narrow to int
npy() {  # npy FILE SHAPE VALUES: a '<f8' array header claiming SHAPE, followed by VALUES doubles of 1.0
  /usr/bin/python3 - "$@" <<'PY'
import struct, sys
path, shape, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
header = "{'descr': '<f8', 'fortran_order': False, 'shape': %s, }" % shape
header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
with open(path, "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + struct.pack("<d", 1.0) * count)
PY
}
npy "$work/wide.npy" "(4294967328,)" 32
npy "$work/square.npy" "(2147483648, 2147483648)" 64
npy "$work/wrap.npy" "(18446744073709551615, 2)" 64
npy "$work/long.npy" "(100000000000000000000,)" 8
npy "$work/q.npy" "(32,)" 32
files=(stats inversion --base 10000 --dim 32 --context 1024)
expect_refused "npy (2^32 + 32,)" "--q-file" "wide.npy" "65536" -- "${files[@]}" --q-file "$work/wide.npy" --k-file "$work/q.npy"
expect_refused "npy (2^31, 2^31)" "--k-file" "square.npy" "65536" -- "${files[@]}" --q-file "$work/q.npy" --k-file "$work/square.npy"
expect_refused "npy (2^64 - 1, 2)" "--k-file" "wrap.npy" -- "${wall[@]}" --k-file "$work/wrap.npy"
expect_refused "npy (10^20,)" "--k-file" "long.npy" -- "${wall[@]}" --k-file "$work/long.npy"
mkdir -p "$work/dump"
npy "$work/dump/positions.npy" "(2147483648, 2147483648)" 4
expect_refused "wall --from shape (2^31, 2^31)" "--from" "positions.npy" -- wall --preset hf-eager-bf16 --base 10000 --dim 32 --from "$work/dump"

echo "bad_input_ranges_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
