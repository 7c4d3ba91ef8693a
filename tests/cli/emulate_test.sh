#!/usr/bin/env bash
# `ropelab emulate`: the 8 files and their .npy shapes, the manifest's stages under --set, bad input refused
# (exit 2 naming the option, nothing left behind), and --set trig=... changing cos/sin exactly where the oracles
# say: Python's math.cos/math.sin of the stored binary32 angle rounded once to binary32 (the correctly rounded
# table, up to a double rounding that is vanishingly rare), and the platform's cosf/sinf called through ctypes
# (the libm table). Independent of the code under test: numpy, math and libm only.
# Usage: emulate_test.sh path/to/ropelab
set -euo pipefail
ropelab=${1:?usage: emulate_test.sh path/to/ropelab}
# shellcheck source=tests/cli/assertions.bash
source "$(dirname "${BASH_SOURCE[0]}")/assertions.bash"
python=/usr/bin/python3

# py CODE ARGS...: runs CODE with numpy as np, json, math, sys imported.
py() { "$python" -c "import json, math, sys; import numpy as np; $1" "${@:2}"; }

# --- the files: 8 of them, shapes from --positions (n = 1 + 3 + 4 + 1 = 9), --dim 64, --rotary-dims 32 (16 pairs)
spec=(--base 10000 --dim 64 --rotary-dims 32)
run emulate --preset hf-eager-bf16 "${spec[@]}" --positions 7,0:3,100:104,9 --out "$scratch/plain"
expect_equal "plain: exit code" "$status" 0
expect_equal "plain: stderr" "$err" ""
expect_contains "plain: summary" "$out" "wrote 9 positions of preset hf-eager-bf16"
expect_equal "plain: files" "$(ls "$scratch/plain" | tr '\n' ' ')" \
  "angle.npy cos.npy key.npy key_cache.npy manifest.json omega.npy positions.npy sin.npy "
shape='
for f in ["positions", "omega", "angle", "cos", "sin", "key", "key_cache"]:
    a = np.load(sys.argv[1] + "/" + f + ".npy")
    print(f, a.dtype, a.shape)'
shapes=$(py "$shape" "$scratch/plain" | tr '\n' ' ')
expect_equal "plain: dtypes and shapes" "$shapes" \
  "positions int64 (9,) omega float64 (16,) angle float64 (9, 16) cos float64 (9, 16) sin float64 (9, 16) key float64 (9, 64) key_cache float64 (9, 64) "
expect_equal "plain: positions in the order listed" \
  "$(py 'print(np.load(sys.argv[1]).tolist())' "$scratch/plain/positions.npy")" "[7, 0, 1, 2, 100, 101, 102, 103, 9]"
# position 0: every angle is 0, so the table is (1, 0) exactly in every pair
expect_equal "plain: position 0 is (1, 0)" \
  "$(py 'c = np.load(sys.argv[1] + "/cos.npy"); s = np.load(sys.argv[1] + "/sin.npy"); print(bool((c[1] == 1).all() and (s[1] == 0).all()))' "$scratch/plain")" True
expect_equal "plain: manifest set" "$(py 'print(repr(json.load(open(sys.argv[1]))["set"]))' "$scratch/plain/manifest.json")" "''"
expect_equal "plain: manifest trig" "$(py 'print(json.load(open(sys.argv[1]))["stages"]["trig"])' "$scratch/plain/manifest.json")" accurate

# --- --set: the manifest records the text and the stages that ran
run emulate --preset hf-eager-bf16 "${spec[@]}" --positions 0:4 --set trig=libm,table_format=binary32,rotation=fma \
  --out "$scratch/set"
expect_equal "set: exit code" "$status" 0
stages=$(py 'm = json.load(open(sys.argv[1])); print(m["set"], m["stages"]["trig"], m["stages"]["table_format"], m["stages"]["rotation"], m["stages"]["angle_format"])' \
  "$scratch/set/manifest.json")
expect_equal "set: manifest set and stages" "$stages" "trig=libm,table_format=binary32,rotation=fma libm binary32 fma binary32"
# later overrides of a stage win (applied in order)
run emulate --preset hf-eager-bf16 "${spec[@]}" --positions 0:4 --set trig=libm,trig=fast_sfu --out "$scratch/twice"
expect_equal "set twice: last wins" "$(py 'print(json.load(open(sys.argv[1]))["stages"]["trig"])' "$scratch/twice/manifest.json")" fast_sfu

# --- trig: llama.cpp-cpu (binary32 angle, trig and table) with libm and with correctly rounded cos/sin
positions=0:64,100000:100192
run emulate --preset llama.cpp-cpu --base 10000 --dim 64 --positions "$positions" --out "$scratch/libm"
expect_equal "libm: exit code" "$status" 0
run emulate --preset llama.cpp-cpu --base 10000 --dim 64 --positions "$positions" --set trig=correctly_rounded \
  --out "$scratch/cr"
expect_equal "correctly rounded: exit code" "$status" 0
expect_equal "trig leaves the angles alone" "$(cmp -s "$scratch/libm/angle.npy" "$scratch/cr/angle.npy" && echo same)" same
differing=$(py 'print(int((np.load(sys.argv[1]) != np.load(sys.argv[2])).sum()))' "$scratch/libm/cos.npy" "$scratch/cr/cos.npy")
expect_equal "glibc cosf is not correctly rounded on all 8192 angles (differing cos > 0)" "$((differing > 0))" 1
# the oracle: binary64 math.cos / math.sin of the stored binary32 angle, rounded once to binary32
oracle='
a = np.load(sys.argv[1] + "/angle.npy")
for name, f in (("cos", math.cos), ("sin", math.sin)):
    want = np.array([[np.float32(f(x)) for x in row] for row in a], dtype=np.float64)
    print(name, int((np.load(sys.argv[1] + "/" + name + ".npy") != want).sum()))'
expect_equal "correctly rounded = math.cos/sin rounded to float32" "$(py "$oracle" "$scratch/cr" | tr '\n' ' ')" "cos 0 sin 0 "
# the libm table is the platform cosf / sinf of the binary32 angle
libm='
import ctypes
libm = ctypes.CDLL("libm.so.6")
for name in ("cosf", "sinf"):
    getattr(libm, name).restype = ctypes.c_float
    getattr(libm, name).argtypes = [ctypes.c_float]
a = np.load(sys.argv[1] + "/angle.npy")
for name in ("cos", "sin"):
    want = np.array([[getattr(libm, name + "f")(x) for x in row] for row in a], dtype=np.float64)
    print(name, int((np.load(sys.argv[1] + "/" + name + ".npy") != want).sum()))'
expect_equal "libm = ctypes cosf/sinf" "$(py "$libm" "$scratch/libm" | tr '\n' ' ')" "cos 0 sin 0 "
# the differing cos values are exactly the ones where libm misses the correctly rounded value
libm_misses=$(py "$oracle" "$scratch/libm")
expect_equal "libm differs where it misses the oracle" "${libm_misses%%$'\n'*}" "cos $differing"

# --- bad input: exit 2, one line naming the option, no output directory or file left behind
mkdir "$scratch/refused"
printf '1,2,3\n' >"$scratch/short_key.csv"
printf 'not a directory\n' >"$scratch/refused/a_file"
expect_refused() {  # NAME NEEDLE... -- ARGS...
  expect_usage_error "$@"
  expect_equal "$1: nothing left behind" "$(ls -A "$scratch/refused")" "a_file"
  expect_equal "$1: the file is untouched" "$(<"$scratch/refused/a_file")" "not a directory"
}
out_dir=(--out "$scratch/refused/out")
base=(emulate --preset llama.cpp-cpu --base 10000 --dim 64)
expect_refused "empty range" "--positions" "'5:3'" -- "${base[@]}" --positions 5:3 "${out_dir[@]}"
expect_refused "not a position" "--positions" -- "${base[@]}" --positions 1,x "${out_dir[@]}"
expect_refused "negative position" "--positions" -- "${base[@]}" --positions -4 "${out_dir[@]}"
expect_refused "no positions" "--positions" -- "${base[@]}" --positions "" "${out_dir[@]}"
expect_refused "unknown value" "--set" "stage 'trig'" "'nope'" "correctly_rounded|accurate|libm" -- \
  "${base[@]}" --positions 0:4 --set trig=nope "${out_dir[@]}"
expect_refused "unknown stage" "--set" "'tirg'" "stages: omega_method" "key_cache_format" -- \
  "${base[@]}" --positions 0:4 --set tirg=libm "${out_dir[@]}"
expect_refused "not STAGE=VALUE" "--set" "'trig'" "STAGE=VALUE" -- "${base[@]}" --positions 0:4 --set trig "${out_dir[@]}"
expect_refused "unknown format" "--set" "stage 'angle_format'" -- \
  "${base[@]}" --positions 0:4 --set angle_format=fp7 "${out_dir[@]}"
expect_refused "missing key file" "--k-file" -- "${base[@]}" --positions 0:4 --k-file "$scratch/absent.npy" "${out_dir[@]}"
expect_refused "short key" "--k-file" "head_dim = 64" -- \
  "${base[@]}" --positions 0:4 --k-file "$scratch/short_key.csv" "${out_dir[@]}"
expect_refused "out is a file" "--out" "not a directory" -- "${base[@]}" --positions 0:4 --out "$scratch/refused/a_file"

echo "emulate_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
