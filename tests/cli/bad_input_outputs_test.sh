#!/usr/bin/env bash
# Bad output targets, for every option of every subcommand that writes files (policy: README "Inputs and
# outputs"; ropelab/io/output_files.hpp). A device, a FIFO, a link to either, a directory, a dangling link, a
# missing or unwritable directory, an empty path and two options naming one file are refused with exit 2 naming
# the option, before any work, and nothing is created, replaced or left behind. A link to a regular file is
# written through; temporaries of killed writers are removed by the next write of the same target.
# Usage: bad_input_outputs_test.sh path/to/ropelab
set -euo pipefail
ropelab=${1:?usage: bad_input_outputs_test.sh path/to/ropelab}
# shellcheck source=tests/cli/assertions.bash
source "$(dirname "${BASH_SOURCE[0]}")/assertions.bash"
# shellcheck source=tests/cli/bad_input.bash
source "$(dirname "${BASH_SOURCE[0]}")/bad_input.bash"

mkfifo "$work/fifo"
mkdir "$work/dir"
[[ -n $device ]] && ln -s "$device" "$work/null-link"
ln -s "$work/nowhere" "$work/dangling"
echo "keep me" >"$work/existing.csv"
ln -s "$work/existing.csv" "$work/existing-link.csv"
ln "$work/existing.csv" "$work/existing-hard.csv"
if [[ $(id -u) != 0 ]]; then  # root writes anywhere
  mkdir "$work/locked" && chmod 555 "$work/locked"
  echo "read only" >"$work/read-only.csv" && chmod 444 "$work/read-only.csv"
fi

# bad_targets NAME OPTION ARGS...: every unusable target given to OPTION of the command ARGS is refused.
bad_targets() {
  local name=$1 option=$2
  shift 2
  if [[ -n $device ]]; then
    expect_refused "$name $option device" "$option" "'$device'" "character device" -- "$@" "$option" "$device"
    expect_refused "$name $option link to a device" "$option" "null-link" "character device" -- "$@" "$option" "$work/null-link"
  fi
  expect_refused "$name $option FIFO" "$option" "FIFO" -- "$@" "$option" "$work/fifo"
  expect_refused "$name $option directory" "$option" "is a directory" -- "$@" "$option" "$work/dir"
  expect_refused "$name $option dangling link" "$option" "symbolic link to nothing" -- "$@" "$option" "$work/dangling"
  expect_refused "$name $option missing directory" "$option" "does not exist" -- "$@" "$option" "$work/missing/out.csv"
  if [[ $name != zone ]]; then  # zone's --csv takes an optional FILE: empty means CSV on stdout
    expect_refused "$name $option empty" "$option" "empty" -- "$@" "$option" ""
  fi
  if [[ $(id -u) != 0 ]]; then
    expect_refused "$name $option unwritable directory" "$option" "Permission denied" -- "$@" "$option" "$work/locked/out.csv"
    expect_refused "$name $option read-only file" "$option" "not writable" -- "$@" "$option" "$work/read-only.csv"
  fi
  if [[ -z $device || -c $device ]]; then pass; else fail "$name $option: $device is no longer a device"; fi
}

wall=(wall --preset hf-eager-bf16 --base 10000 --dim 32 --context 4096)
gaussian=(--gaussian --base 10000 --dim 32 --context 1024)
bad_targets wall --csv "${wall[@]}"
bad_targets wall --pairs-csv "${wall[@]}"
bad_targets wall --map "${wall[@]}"
bad_targets "stats inversion" --csv stats inversion "${gaussian[@]}"
bad_targets "stats aliasing" --csv stats aliasing "${gaussian[@]}"
bad_targets "stats token" --csv stats token "${gaussian[@]}"
bad_targets "stats token" --positions-csv stats token "${gaussian[@]}"
bad_targets "stats sweep" --csv stats sweep --gaussian --dim 32 --bases 10000 --contexts 256
bad_targets zone --csv zone --model llama-3-8b
bad_targets wall-claim --csv wall-claim --formats bf16 --bases 10000
bad_targets check --csv check --filter regression.hf-48428-tf32-2049-to-2048

# Two options naming one file (also through ./, a symbolic link or a hard link).
expect_refused "wall same path" "--pairs-csv" "same file as --csv" -- "${wall[@]}" --csv "$work/a.csv" --pairs-csv "$work/a.csv"
expect_refused "wall same path via ./" "--map" "same file as --csv" -- "${wall[@]}" --csv "$work/a.csv" --map "$work/./a.csv"
expect_refused "wall same file via link" "--pairs-csv" "same file" -- \
  "${wall[@]}" --csv "$work/existing.csv" --pairs-csv "$work/existing-link.csv"
expect_refused "wall same file via hard link" "--pairs-csv" "same file" -- \
  "${wall[@]}" --csv "$work/existing.csv" --pairs-csv "$work/existing-hard.csv"
expect_refused "stats token same path" "same file" -- \
  stats token "${gaussian[@]}" --csv "$work/t.csv" --positions-csv "$work/t.csv"

# Directory outputs: emulate --out, run --out, report --out.
emulate=(emulate --preset hf-eager-bf16 --base 10000 --dim 32 --positions 0:4)
expect_refused "emulate --out is a file" "--out" "not a directory" -- "${emulate[@]}" --out "$work/existing.csv"
expect_refused "emulate --out empty" "--out" "empty" -- "${emulate[@]}" --out ""
mkdir "$work/dump" && ln -s "$work/fifo" "$work/dump/cos.npy"
expect_refused "emulate --out holds a link to a FIFO" "--out" "cos.npy" "FIFO" -- "${emulate[@]}" --out "$work/dump"
expect_refused "run --out is a file" "--out" "not a directory" -- run "$(dirname "$0")/../../experiments/tiny.toml" --out "$work/existing.csv"
expect_refused "run --out missing parent" "--out" "cannot create" -- run "$(dirname "$0")/../../experiments/tiny.toml" --out "$work/missing/run"
expect_refused "report --out is a file" "--out" "not a directory" -- report --quick --out "$work/existing.csv"
expect_refused "report --out holds other files" "--out" "no manifest.json" -- report --quick --out "$work/dump"
expect_refused "report --out missing parent" "--out" "does not exist" -- report --quick --out "$work/missing/report"
cd "$work/dir"  # so that a report that did take "." could only write inside $work, where it is seen
expect_refused "report --out ." "--out" "own directory" -- report --quick --out .
cd - >/dev/null

# A link to a regular file is written through: the link stays, the file it names gets the output.
run "${wall[@]}" --pairs-csv "$work/existing-link.csv"
expect_equal "write through a link: exit" "$status" 0
if [[ -L "$work/existing-link.csv" ]]; then pass; else fail "write through a link: the link was replaced"; fi
expect_equal "write through a link: the target holds the table" "$(head -c 5 "$work/existing.csv")" "pair,"

# Temporaries of a writer killed outright (SIGKILL) are removed by the next write of the same target; a live
# process's temporary is left alone.
dead=$(dead_pid)
touch "$work/p.csv.ropelab-tmp-$dead" "$work/p.csv.ropelab-tmp-$$" "$work/other.csv.ropelab-tmp-$dead"
run "${wall[@]}" --pairs-csv "$work/p.csv"
expect_equal "stale temporary: exit" "$status" 0
if [[ -e "$work/p.csv.ropelab-tmp-$dead" ]]; then fail "stale temporary of a dead writer left"; else pass; fi
if [[ -e "$work/p.csv.ropelab-tmp-$$" ]]; then pass; else fail "a live process's temporary was removed"; fi
if [[ -e "$work/other.csv.ropelab-tmp-$dead" ]]; then pass; else fail "another target's temporary was removed"; fi
rm -f "$work/p.csv.ropelab-tmp-$$" "$work/other.csv.ropelab-tmp-$dead"

# A real SIGKILL mid-write: the temporary exists while the wall runs, and the next run removes it.
"$real_ropelab" wall --preset hf-eager-bf16 --base 10000 --dim 128 --context 16777216 --csv "$work/big.csv" \
  >/dev/null 2>&1 &
writer=$!
for _ in $(seq 100); do
  compgen -G "$work/big.csv.ropelab-tmp-*" >/dev/null && break
  sleep 0.1
done
kill -9 "$writer" && wait "$writer" 2>/dev/null || true
if compgen -G "$work/big.csv.ropelab-tmp-$writer" >/dev/null; then pass; else fail "SIGKILL: no temporary seen"; fi
if [[ -e "$work/big.csv" ]]; then fail "SIGKILL: the target exists before the write finished"; else pass; fi
run "${wall[@]}" --csv "$work/big.csv"
expect_equal "after SIGKILL: exit" "$status" 0
expect_equal "after SIGKILL: temporaries left" "$(compgen -G "$work/big.csv.ropelab-tmp-*" | wc -l)" 0

echo "bad_input_outputs_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
