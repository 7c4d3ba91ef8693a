#!/usr/bin/env bash
# Progress on stderr (src/cli/cli_progress.hpp): off a terminal, plain lines "<label>: NN% after T, ETA T" every
# ROPELAB_PROGRESS_INTERVAL seconds (default 10; 0 here: every update) for long work only (wall at >= 2^22
# positions; ROPELAB_PROGRESS_ALWAYS=1 lowers the bar to any work); on a terminal one line rewritten with \r;
# nothing at all with --quiet; and the results on stdout are the same bytes with and without progress.
# Usage: progress_test.sh path/to/ropelab
set -euo pipefail
ropelab=${1:?usage: progress_test.sh path/to/ropelab}
# shellcheck source=tests/cli/assertions.bash
source "$(dirname "${BASH_SOURCE[0]}")/assertions.bash"

# --- the threshold: wall at 2^22 positions is long work, 2^22 - 1 is not (one pair keeps it fast)
long=(wall --preset hf-eager-bf16 --base 10000 --dim 2 --threads 1)
ROPELAB_PROGRESS_INTERVAL=0 run "${long[@]}" --context 4194304
expect_equal "2^22: exit" "$status" 0
expect_contains "2^22: plain progress line" "$err" "wall hf-eager-bf16: 100% after "
expect_contains "2^22: ETA" "$err" ", ETA "
expect_equal "2^22: last line says done" "$(tail -n 1 <<<"$err" | sed 's/in .*/in/')" "wall hf-eager-bf16: done in"
expect_equal "2^22: no carriage return off a terminal" "$(grep -c $'\r' <<<"$err" || true)" 0
expect_equal "2^22: percentages only grow" "$(grep -o '[0-9]*%' <<<"$err" | tr -d % | sort -n -c && echo sorted)" sorted
with_progress=$out
ROPELAB_PROGRESS_INTERVAL=0 run "${long[@]}" --context 4194304 --quiet
expect_equal "2^22 --quiet: nothing on stderr" "$err" ""
expect_equal "2^22: same results with and without progress" "$out" "$with_progress"
ROPELAB_PROGRESS_INTERVAL=0 run "${long[@]}" --context 4194303
expect_equal "2^22 - 1: short work, nothing on stderr" "$err" ""
# The default period (10 s) prints nothing for a run shorter than that.
run "${long[@]}" --context 4194304
expect_equal "2^22, default period: nothing within 10 s" "$err" ""

# --- a fake-long run (ROPELAB_PROGRESS_ALWAYS=1) of each kind of long work; --quiet silences each. One thread:
# the stats kernels report from OpenMP thread 0 only, which may take none of a small run's few blocks otherwise.
small_wall=(wall --preset hf-eager-bf16 --base 10000 --dim 32 --context 100000)
stats=(stats inversion --gaussian --base 10000 --dim 64 --context 20000 --threads 1)
stats_preset=(stats aliasing --gaussian --base 10000 --dim 64 --context 20000 --preset hf-eager-bf16 --threads 1)
sweep=(stats sweep --gaussian --dim 16 --bases 100,1000 --contexts 64,6280 --threads 1)
compare=(compare --presets hf-eager-bf16,gpt-neox-fp16 --base 10000 --dim 32 --context 100000)
claim=(wall-claim --formats bf16 --bases 100,10000 --dim 4)
for label in "wall hf-eager-bf16" "stats inversion" "stats aliasing" "stats sweep" "compare" "wall-claim"; do
  case $label in
    "wall hf-eager-bf16") args=("${small_wall[@]}") ;;
    "stats inversion") args=("${stats[@]}") ;;
    "stats aliasing") args=("${stats_preset[@]}") ;;
    "stats sweep") args=("${sweep[@]}") ;;
    compare) args=("${compare[@]}") ;;
    wall-claim) args=("${claim[@]}") ;;
  esac
  ROPELAB_PROGRESS_ALWAYS=1 ROPELAB_PROGRESS_INTERVAL=0 run "${args[@]}"
  expect_equal "$label: exit" "$status" 0
  expect_contains "$label: progress line" "$err" "$label: "
  expect_contains "$label: done line" "$err" "$label: done in"
  forced=$out
  ROPELAB_PROGRESS_ALWAYS=1 ROPELAB_PROGRESS_INTERVAL=0 run "${args[@]}" --quiet
  expect_equal "$label --quiet: nothing on stderr" "$err" ""
  expect_equal "$label: same results with and without progress" "$out" "$forced"
  run "${args[@]}"
  expect_equal "$label: short work, nothing on stderr" "$err" ""
done

# --- report: off a terminal a line per step; --quiet: nothing (the quick report's steps, not the whole report:
# a missing matplotlib ends it right after validation, which also shows --quiet does not hide errors)
run report --out "$scratch/report" --quick --python /bin/false --quiet
expect_equal "report --quiet: the error still shows" "$(grep -c 'python3-matplotlib' <<<"$err")" 1

# --- a terminal (stderr_on_pty.py gives the command's stderr a pty): one line rewritten in place with percent and ETA
on_pty="/usr/bin/python3 $(dirname "$0")/stderr_on_pty.py"
tty_err=$(ROPELAB_PROGRESS_ALWAYS=1 ROPELAB_PROGRESS_INTERVAL=0 $on_pty "$ropelab" "${small_wall[@]}" | od -An -c | tr -d ' \n')
expect_contains "terminal: carriage return before the label" "$tty_err" '\rwallhf-eager-bf16'
expect_contains "terminal: ETA" "$tty_err" 'ETA'
expect_contains "terminal: done, then a newline" "$tty_err" 'donein'
tty_quiet=$(ROPELAB_PROGRESS_ALWAYS=1 ROPELAB_PROGRESS_INTERVAL=0 $on_pty "$ropelab" "${small_wall[@]}" --quiet | wc -c)
expect_equal "terminal --quiet: nothing" "$tty_quiet" 0

echo "progress_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
