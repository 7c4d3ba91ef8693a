#!/usr/bin/env bash
# Durable runs (README "Inputs and outputs"): `ropelab run` point records carry a line count and a checksum and are
# verified on resume, so a record cut at a line boundary, cut mid-line or edited is computed again and the CSVs
# stay byte-identical to an unbroken run; a second run on a locked --out exits 2 and changes nothing; temporaries
# of killed runs are removed; a point file that is not a regular file is refused, not read.
# Usage: bad_input_durable_test.sh path/to/ropelab
set -euo pipefail
ropelab=${1:?usage: bad_input_durable_test.sh path/to/ropelab}
# shellcheck source=tests/cli/assertions.bash
source "$(dirname "${BASH_SOURCE[0]}")/assertions.bash"
# shellcheck source=tests/cli/bad_input.bash
source "$(dirname "${BASH_SOURCE[0]}")/bad_input.bash"
tiny="$(dirname "$0")/../../experiments/tiny.toml"
dir="$work/tiny"

run run "$tiny" --out "$dir" --quiet
expect_equal "first run" "$status" 0
mkdir "$scratch/unbroken" && cp "$dir"/*.csv "$scratch/unbroken/"

# resume_recomputes NAME: after damaging a record, a rerun computes exactly one point and gives the same CSVs.
resume_recomputes() {
  run run "$tiny" --out "$dir" --quiet
  expect_equal "$1: exit" "$status" 0
  expect_contains "$1: recomputed" "$out" "ran 1 of 8 grid points (7 already done)"
  for csv in wall zone inversion; do
    if cmp -s "$dir/$csv.csv" "$scratch/unbroken/$csv.csv"; then pass; else fail "$1: $csv.csv differs from an unbroken run"; fi
  done
}
record="$dir/points/3.csv"
lines=$(wc -l <"$record")
head -n $((lines / 2)) "$record" >"$scratch/cut" && cp "$scratch/cut" "$record"
resume_recomputes "record cut at a line boundary"
head -c 100 "$record" >"$scratch/cut" && cp "$scratch/cut" "$record"
resume_recomputes "record cut mid-line"
sed -i '2s/$/0/' "$record"  # an edited value
resume_recomputes "record edited"
head -n -1 "$record" >"$scratch/cut" && cp "$scratch/cut" "$record"
resume_recomputes "record without its trailer"
expect_equal "a record ends with its trailer" "$(tail -n 1 "$record" | cut -d, -f1)" "#end"

# A second run while the first holds --out: exit 2 naming --out, nothing changed, no work duplicated.
exec {lock}>"$dir/ropelab.lock"
flock -x "$lock"  # this shell plays the first run
rm "$record"
expect_refused "locked --out" "--out" "in use by another ropelab process" -- run "$tiny" --out "$dir"
exec {lock}>&-
resume_recomputes "after the lock is released"

# Temporaries of killed runs are removed; a live process's are not.
dead=$(dead_pid)
touch "$dir/wall.csv.ropelab-tmp-$dead" "$dir/points/5.csv.ropelab-tmp-$dead" "$dir/points/6.csv.ropelab-tmp-$$"
run run "$tiny" --out "$dir" --quiet
expect_equal "stale temporaries: exit" "$status" 0
expect_equal "stale temporaries removed" "$(compgen -G "$dir/*ropelab-tmp-$dead" "$dir/points/*ropelab-tmp-$dead" | wc -l)" 0
if [[ -e "$dir/points/6.csv.ropelab-tmp-$$" ]]; then pass; else fail "a live process's temporary was removed"; fi
rm "$dir/points/6.csv.ropelab-tmp-$$"

# A point file that is a FIFO is refused at once (reading it would block forever).
rm "$record" && mkfifo "$record"
expect_refused "FIFO point file" "--out" "3.csv" "FIFO" -- run "$tiny" --out "$dir"

echo "bad_input_durable_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
