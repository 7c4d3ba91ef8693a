# Shared assertions for the CLI shell tests. Source it after setting $ropelab; it sets $out, $err, $status
# via run() and counts into $passed / $failed.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
passed=0
failed=0

# run ARGS...: sets $out, $err and $status without stopping the script on failure.
run() {
  status=0
  "$ropelab" "$@" >"$scratch/out" 2>"$scratch/err" || status=$?
  out=$(<"$scratch/out")
  err=$(<"$scratch/err")
}
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); printf 'FAIL: %s\n' "$1" >&2; }
expect_equal() {  # NAME GOT WANT
  if [[ "$2" == "$3" ]]; then pass; else fail "$1: got '$2', want '$3'"; fi
}
expect_contains() {  # NAME TEXT NEEDLE
  if [[ "$2" == *"$3"* ]]; then pass; else fail "$1: output lacks '$3'"; fi
}
# A bad-input error: exit 2, nothing on stdout, one line on stderr that contains each NEEDLE.
expect_usage_error() {  # NAME NEEDLE... -- ARGS...
  local name=$1 needles=()
  shift
  while [[ $1 != -- ]]; do needles+=("$1"); shift; done
  shift
  run "$@"
  expect_equal "$name: exit code" "$status" 2
  expect_equal "$name: stdout" "$out" ""
  expect_equal "$name: stderr lines" "$(printf '%s\n' "$err" | wc -l)" 1
  local needle
  for needle in "${needles[@]}"; do expect_contains "$name: stderr" "$err" "$needle"; done
}
