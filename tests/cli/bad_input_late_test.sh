#!/usr/bin/env bash
# Validation happens before work, and inputs are checked before they are read (README "Inputs and outputs",
# "Limits"): a bad option fails in well under a second however big the work it would start; empty lists, empty
# items and empty values are refused; a counter that would wrap is refused; every input must be a regular file,
# so a FIFO, a device or a directory given as input is refused at once instead of blocking or reading forever.
# Usage: bad_input_late_test.sh path/to/ropelab
set -euo pipefail
ropelab=${1:?usage: bad_input_late_test.sh path/to/ropelab}
# shellcheck source=tests/cli/assertions.bash
source "$(dirname "${BASH_SOURCE[0]}")/assertions.bash"
BAD_INPUT_TIME_LIMIT=10  # every refusal here must be immediate; a blocked read or a started computation times out
# shellcheck source=tests/cli/bad_input.bash
source "$(dirname "${BASH_SOURCE[0]}")/bad_input.bash"
repository="$(dirname "$0")/../.."

# --- refused before the work they would start (the report takes a minute, this wall many)
expect_refused "report --claims missing" "--claims" "MISSING" "not a directory" -- \
  report --quick --out "$work/report" --claims "$work/MISSING"
expect_refused "wall --dim 10^6 at 2^40 positions" "--dim" "[2, 65536]" -- \
  wall --preset hf-eager-bf16 --base 10000 --dim 1000000 --context 1099511627776
expect_refused "wall --pairs-csv missing directory at 2^40 positions" "--pairs-csv" "does not exist" -- \
  wall --preset hf-eager-bf16 --base 10000 --dim 32 --context 1099511627776 --pairs-csv "$work/missing/pairs.csv"
expect_refused "stats --csv missing directory at 2^26 distances" "--csv" "does not exist" -- \
  stats inversion --gaussian --base 10000 --dim 32 --context 67108864 --csv "$work/missing/s.csv"
mkfifo "$work/out.fifo"
expect_refused "check --csv FIFO" "--csv" "FIFO" -- check --csv "$work/out.fifo"

# --- lists: empty, empty items, trailing commas; empty values
expect_refused "wall-claim --bases ''" "--bases" "empty" -- wall-claim --bases ""
expect_refused "wall-claim --formats ''" "--formats" "empty" -- wall-claim --formats ""
expect_refused "wall-claim --formats trailing comma" "--formats" "item 2" "empty" -- wall-claim --formats bf16,
expect_refused "wall-claim --formats leading comma" "--formats" "item 1" "empty" -- wall-claim --formats ,bf16
expect_refused "wall-claim --presets doubled comma" "--presets" "item 2" "empty" -- wall-claim --presets hf-eager-bf16,,hf-gpt-neox
expect_refused "wall-claim --bases trailing comma" "--bases" "empty" -- wall-claim --bases 10000,
expect_refused "compare --presets ''" "--presets" "empty" -- compare --presets "" --base 10000 --dim 32 --context 4096
expect_refused "compare --presets trailing comma" "--presets" "item 2" -- compare --presets hf-eager-bf16, --base 10000 --dim 32 --context 4096
expect_refused "sweep --bases ''" "--bases" "empty" -- stats sweep --gaussian --dim 32 --bases "" --contexts 256
expect_refused "sweep --contexts trailing comma" "--contexts" "item 2" -- stats sweep --gaussian --dim 32 --bases 10000 --contexts 256,
expect_refused "emulate --positions ''" "--positions" -- emulate --preset hf-eager-bf16 --base 10000 --dim 32 --positions "" --out "$work/dump"
expect_refused "emulate --positions trailing comma" "--positions" -- emulate --preset hf-eager-bf16 --base 10000 --dim 32 --positions 0:4, --out "$work/dump"
expect_refused "wall --csv ''" "--csv" "empty value" -- wall --preset hf-eager-bf16 --base 10000 --dim 32 --context 4096 --csv ""
expect_refused "stats --csv ''" "--csv" "empty value" -- stats inversion --gaussian --base 10000 --dim 32 --context 1024 --csv ""
expect_refused "wall --config ''" "--config" "empty value" -- wall --preset hf-eager-bf16 --config "" --context 4096
expect_refused "run spec ''" "spec" "empty value" -- run "" --out "$work/run"
run compare --presets hf-eager-bf16 --base 10000 --dim 32 --context 4096 --set ""
expect_equal "compare --set '' (no overrides) still runs" "$status" 0

# --- a stochastic-rounding counter that would wrap past 2^64 - 1
expect_refused "round --index 2^64 - 1 with two values" "--index" "exceeds 2^64 - 1" -- \
  round --format bf16 --mode sr --index 18446744073709551615 1 2
run round --format bf16 --mode sr --index 18446744073709551615 1
expect_equal "round --index 2^64 - 1 with one value" "$status" 0

# --- inputs must be regular files: a FIFO never blocks, a device is never read, a directory is named
mkfifo "$work/fifo.json" "$work/fifo.csv" "$work/fifo.toml"
mkdir "$work/dir.json"
spec=(--base 10000 --dim 32)
for input in "$work/fifo.json" /dev/zero "$work/dir.json"; do
  expect_refused "wall --config $input" "--config" "not a regular file" -- wall --preset hf-eager-bf16 --config "$input" --context 4096
  expect_refused "zone --config $input" "--config" "not a regular file" -- zone --config "$input"
  expect_refused "check-model --config $input" "--config" "not a regular file" -- check-model --preset hf-eager-bf16 --config "$input" --context 4096
done
for option in --q-file --k-file; do
  expect_refused "wall $option FIFO" "$option" "FIFO" -- wall --preset hf-eager-bf16 "${spec[@]}" --context 4096 "$option" "$work/fifo.csv"
  expect_refused "wall $option device" "$option" "character device" -- wall --preset hf-eager-bf16 "${spec[@]}" --context 4096 "$option" /dev/zero
done
/usr/bin/python3 -c 'print(",".join(["1"] * 32))' >"$work/ones.csv"
expect_refused "stats --k2-file FIFO" "--k2-file" "FIFO" -- \
  stats token "${spec[@]}" --context 1024 --q-file "$work/ones.csv" --k-file "$work/ones.csv" --k2-file "$work/fifo.csv"
expect_refused "emulate --k-file FIFO" "--k-file" "FIFO" -- \
  emulate --preset hf-eager-bf16 "${spec[@]}" --positions 0:4 --k-file "$work/fifo.csv" --out "$work/dump"
expect_refused "run spec FIFO" "fifo.toml" "FIFO" -- run "$work/fifo.toml" --out "$work/run"
expect_refused "run spec directory" "dir.json" "directory" -- run "$work/dir.json" --out "$work/run"
mkdir "$work/claims" && mkfifo "$work/claims/a.toml"
cp "$repository/experiments/claims/regressions.toml" "$work/claims/b.toml"
expect_refused "check: a FIFO in the registry" "--claims" "a.toml" "FIFO" -- check --claims "$work/claims"
# wall --from: every array and the manifest of the dump directory
run emulate --preset hf-eager-bf16 "${spec[@]}" --positions 0:8 --out "$work/dump"
expect_equal "emulate a dump" "$status" 0
for file in positions.npy cos.npy manifest.json; do
  mv "$work/dump/$file" "$work/$file.saved" && mkfifo "$work/dump/$file"
  expect_refused "wall --from with a FIFO $file" "--from" "$file" "FIFO" -- wall --preset hf-eager-bf16 "${spec[@]}" --from "$work/dump"
  rm "$work/dump/$file" && mv "$work/$file.saved" "$work/dump/$file"
done

echo "bad_input_late_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
