#!/usr/bin/env bash
# `ropelab run`: a tiny spec end to end, bad specs (exit 2, key and line, nothing written), and a run killed
# with SIGKILL mid-way then resumed: nothing lost, nothing duplicated, CSVs byte-identical to an unbroken run.
# Usage: run_test.sh PATH/TO/ropelab
set -u
ropelab=$1
here=$(cd "$(dirname "$0")" && pwd)
source "$here/assertions.bash"
specs="$here/../../experiments"

# --- the shipped tiny spec
# stderr is not a terminal here: plain progress lines, one per ROPELAB_PROGRESS_INTERVAL seconds (0: every update)
ROPELAB_PROGRESS_INTERVAL=0 run run "$specs/tiny.toml" --out "$scratch/tiny" --threads 1
expect_equal "tiny exit" "$status" 0
expect_contains "tiny summary" "$out" "ran 8 of 8 grid points (0 already done)"
expect_contains "tiny progress line" "$err" "ropelab run: 100% after"
expect_contains "tiny progress count" "$err" "(8/8 "
expect_equal "tiny progress: no carriage returns off a terminal" "$(grep -c $'\r' <<<"$err" || true)" 0
for f in wall.csv zone.csv inversion.csv manifest.json; do
  if [[ -s "$scratch/tiny/$f" ]]; then pass; else fail "tiny: $f missing"; fi
done
expect_equal "tiny wall rows" "$(wc -l <"$scratch/tiny/wall.csv")" $((1 + 8 * 8))
expect_equal "tiny wall header" "$(head -1 "$scratch/tiny/wall.csv")" "model,preset,set,format,base,context,seed,quantity,value"
expect_equal "tiny: presets as shipped (set -)" "$(tail -n +2 "$scratch/tiny/wall.csv" | cut -d, -f3 | sort -u)" "-"
expect_contains "manifest simd" "$(<"$scratch/tiny/manifest.json")" '"simd_target"'
expect_contains "manifest spec text" "$(<"$scratch/tiny/manifest.json")" 'Two presets, two bases'
run run "$specs/tiny.toml" --out "$scratch/tiny" --quiet
expect_contains "rerun skips all" "$out" "ran 0 of 8 grid points (8 already done)"
expect_equal "rerun quiet" "$err" ""

# --- bad specs: exit 2, one line naming file, line and key; nothing written
bad() {  # NAME NEEDLE LINE TEXT
  printf '%s' "$4" >"$scratch/bad.toml"
  expect_usage_error "$1" "$2" "bad.toml:$3:" -- run "$scratch/bad.toml" --out "$scratch/bad_out"
  if [[ -e "$scratch/bad_out" ]]; then fail "$1: something was written"; rm -rf "$scratch/bad_out"; else pass; fi
}
head=$'metrics = ["zone"]\n[experiment]\nname = "x"\n'
bad "unknown key" "'grid.model'" 5 "$head"$'[grid]\nmodel = ["llama-2-7b"]\n'
bad "wrong type" "'grid.contexts'" 5 "$head"$'[grid]\ncontexts = 4096\n'
bad "empty grid" "must not be empty" 5 "$head"$'[grid]\nseeds = []\n'
bad "unknown preset" "'grid.presets'" 5 "$head"$'[grid]\npresets = ["vllm-9"]\n'
bad "unknown metric" "'metrics'" 1 $'metrics = ["walls"]\n[experiment]\nname = "x"\n'
bad "unknown stage value" "key 'grid.presets.set'" 5 \
  "$head"$'[grid]\npresets = [{ preset = "hf-eager-bf16", set = "trig=nope" }]\n'
bad "unknown stage value lists the allowed" "correctly_rounded|accurate|libm" 5 \
  "$head"$'[grid]\npresets = [{ preset = "hf-eager-bf16", set = "trig=nope" }]\n'
bad "unknown stage" "unknown stage 'tirg'" 6 \
  "$head"$'[grid]\npresets = ["hf-eager-bf16",\n  { preset = "hf-eager-bf16", set = "tirg=libm" }]\n'
bad "set without preset" "'grid.presets.preset'" 5 "$head"$'[grid]\npresets = [{ set = "trig=libm" }]\n'
bad "unknown preset with set" "'grid.presets.preset'" 5 \
  "$head"$'[grid]\npresets = [{ preset = "vllm-9", set = "trig=libm" }]\n'
expect_usage_error "missing spec" "cannot read" -- run "$scratch/none.toml" --out "$scratch/none_out"
expect_usage_error "no --out" "--out" -- run "$specs/tiny.toml"

# --- stage overrides: a preset entry { preset, set } runs with them, and every row and the manifest say so.
# bf16 positions (p = 8) round 257 to 256 (tie, even): all pairs merge at 256; as shipped, hf-eager-bf16 keeps
# binary32 positions and never merges two of the first 1024.
cat >"$scratch/set.toml" <<'TOML'
metrics = ["wall"]
[experiment]
name = "set"
[grid]
presets = ["hf-eager-bf16", { preset = "hf-eager-bf16", set = "position_format=bfloat16,trig=libm" }]
contexts = [1024]
[options]
dim = 32
TOML
run run "$scratch/set.toml" --out "$scratch/set" --quiet
expect_equal "set exit" "$status" 0
expect_equal "set: as shipped never merges" \
  "$(grep -F 'hf-eager-bf16,-,binary32,10000,1024,0,first_full_collision,' "$scratch/set/wall.csv" | cut -d, -f9)" -1
expect_equal "set: bf16 positions merge at 256" \
  "$(grep -F 'hf-eager-bf16,"position_format=bfloat16,trig=libm",binary32,10000,1024,0,first_full_collision,' \
    "$scratch/set/wall.csv" | awk -F, '{ print $NF }')" 256
expect_equal "set: every overridden row says so" "$(grep -c 'position_format=bfloat16,trig=libm' "$scratch/set/wall.csv")" 8
expect_equal "set: manifest" \
  "$(python3 -c 'import json,sys; print([p["set"] for p in json.load(open(sys.argv[1]))["points"]])' "$scratch/set/manifest.json")" \
  "['', 'position_format=bfloat16,trig=libm']"

# --- killed mid-way (SIGKILL, no clean-up), then resumed
cat >"$scratch/slow.toml" <<'TOML'
metrics = ["wall", "zone"]
[experiment]
name = "slow"
[grid]
formats = ["bf16", "fp16", "fp32"]
bases = [10000, 500000]
contexts = [1048576]
[options]
dim = 64
TOML
"$ropelab" run "$scratch/slow.toml" --out "$scratch/killed" --threads 1 --quiet >/dev/null 2>&1 &
pid=$!
for _ in $(seq 600); do
  n=$(ls "$scratch/killed/points" 2>/dev/null | grep -c '^[0-9]*\.csv$')
  [[ $n -ge 2 ]] && break
  sleep 0.05
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
done_before=$(ls "$scratch/killed/points" | grep -c '^[0-9]*\.csv$')
if [[ $done_before -ge 2 && $done_before -lt 6 ]]; then pass; else fail "kill: $done_before of 6 points done (want 2..5)"; fi
if [[ -e "$scratch/killed/wall.csv" ]]; then fail "kill: wall.csv written before the end"; else pass; fi
run run "$scratch/slow.toml" --out "$scratch/killed" --threads 2 --quiet
expect_equal "resume exit" "$status" 0
expect_contains "resume skips" "$out" "ran $((6 - done_before)) of 6 grid points ($done_before already done)"
run run "$scratch/slow.toml" --out "$scratch/unbroken" --threads 1 --quiet
for f in wall.csv zone.csv; do
  if cmp -s "$scratch/killed/$f" "$scratch/unbroken/$f"; then pass; else fail "resumed $f differs from an unbroken run"; fi
done
expect_equal "resumed rows" "$(wc -l <"$scratch/killed/wall.csv")" $((1 + 6 * 8))
expect_equal "no duplicates" "$(sort "$scratch/killed/wall.csv" | uniq -d | wc -l)" 0
if ls "$scratch/killed" "$scratch/killed/points" | grep -q 'ropelab-tmp'; then fail "temporaries left"; else pass; fi

echo "run_test: $passed passed, $failed failed"
[[ $failed == 0 ]]
