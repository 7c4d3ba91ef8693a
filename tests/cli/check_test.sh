#!/usr/bin/env bash
# `ropelab check`: exit 0 when every verdict equals its expectation, 1 when one does not, 2 on a bad registry
# (one stderr line naming file:line and key), on temporary registries with fast claims only.
# Usage: check_test.sh path/to/ropelab
set -euo pipefail
ropelab=${1:?usage: check_test.sh path/to/ropelab}
# shellcheck source=tests/cli/assertions.bash
source "$(dirname "${BASH_SOURCE[0]}")/assertions.bash"

# claim ID EXPECT VALUE: the aliasing horizon of base 1e4, 2*pi*1e4 = 62831.85307179586 (mpmath), judged
# against VALUE.
claim() {
  printf '[[claim]]\nid = "%s"\nstatement = "2 pi 1e4"\nsource = "test"\nexpect = "%s"\n' "$1" "$2"
  printf 'computation = "bounds.aliasing_horizon"\nparams = { base = 1e4 }\n'
  printf 'expected_value = %s\ntolerance = 1e-12\ntolerance_kind = "relative"\n' "$3"
  printf 'expected_source = { kind = "closed_form", ref = "test", derivation = "2 pi 1e4" }\n\n'
}

# --- every verdict as expected: exit 0, table and summary
mkdir -p "$scratch/good"
{ claim right holds 62831.85307179586; claim wrong-recorded refuted 62832.0; } >"$scratch/good/a.toml"
run check --claims "$scratch/good"
expect_equal "good: exit code" "$status" 0
expect_contains "good: summary" "$out" "claims: 2 as expected, 0 not as expected"
expect_contains "good: header" "$out" "measured"
expect_contains "good: header names the source and tolerance" "$out" "expected_source"
expect_contains "good: measured number" "$out" "62831.85307"
expect_contains "good: expected source" "$out" "closed_form test: 2 pi 1e4"
expect_contains "good: tolerance" "$out" "1e-12 relative"
expect_equal "good: stderr" "$err" ""

# --- --csv writes the same rows; --filter narrows them
run check --claims "$scratch/good" --csv "$scratch/verdicts.csv" --filter right
expect_equal "csv: exit code" "$status" 0
expect_contains "csv: summary" "$out" "claims: 1 as expected, 0 not as expected"
expect_equal "csv: header" "$(head -1 "$scratch/verdicts.csv")" \
  "id,measured,expected,tolerance,verdict,expect,as_expected,expected_source,detail"
expect_contains "csv: row" "$(sed -n 2p "$scratch/verdicts.csv")" \
  "right,62831.9,62831.85307,1e-12 relative,holds,holds,yes,closed_form test: 2 pi 1e4,"
expect_equal "csv: no temporary left" "$(ls "$scratch" | grep -c 'ropelab-tmp' || true)" 0

# --- a correct constant with a wrong expected value: the claim fails, exit 1
mkdir -p "$scratch/bad-value"
{ claim right holds 62831.85307179586; claim wrong-value holds 62832.0; } >"$scratch/bad-value/a.toml"
run check --claims "$scratch/bad-value"
expect_equal "wrong value: exit code" "$status" 1
expect_contains "wrong value: summary" "$out" "claims: 1 as expected, 1 not as expected"
expect_contains "wrong value: verdict row" "$out" "refuted"

# --- bad registries: exit 2, one stderr line naming file:line and key
mkdir -p "$scratch/unknown-key"
{ claim a holds 1; printf 'colour = "red"\n'; } >"$scratch/unknown-key/a.toml"
expect_usage_error "unknown key" "a.toml:13" "key 'colour'" -- check --claims "$scratch/unknown-key"

mkdir -p "$scratch/unknown-computation"
claim a holds 1 | sed 's/bounds.aliasing_horizon/bounds.nope/' >"$scratch/unknown-computation/a.toml"
expect_usage_error "unknown computation" "a.toml:6" "key 'computation'" "bounds.nope" -- \
  check --claims "$scratch/unknown-computation"

mkdir -p "$scratch/wrong-type"
claim a holds 1 | sed 's/base = 1e4/base = "big"/' >"$scratch/wrong-type/a.toml"
expect_usage_error "wrong type" "a.toml:7" "key 'params.base'" -- check --claims "$scratch/wrong-type"

mkdir -p "$scratch/duplicate"
{ claim a holds 1; claim a holds 1; } >"$scratch/duplicate/a.toml"
expect_usage_error "duplicate id" "a.toml:14" "key 'id'" "duplicate" -- check --claims "$scratch/duplicate"

# --- every claim names where its expected value comes from; a definition is not a claim
mkdir -p "$scratch/no-source"
claim a holds 1 | grep -v expected_source >"$scratch/no-source/a.toml"
expect_usage_error "missing expected_source" "a.toml:1" "key 'expected_source'" "claim 'a'" "missing" -- \
  check --claims "$scratch/no-source"
mkdir -p "$scratch/definition"
claim a holds 1 | sed 's/kind = "closed_form", ref = "test", derivation = "2 pi 1e4"/kind = "definition", ref = "x"/' \
  >"$scratch/definition/a.toml"
expect_usage_error "definition" "a.toml:11" "key 'expected_source.kind'" "claim 'a'" "not a claim" -- \
  check --claims "$scratch/definition"
mkdir -p "$scratch/thread-no-quote"
claim a holds 1 | sed 's/kind = "closed_form", ref = "test", derivation = "2 pi 1e4"/kind = "thread", ref = "o\/r#1"/' \
  >"$scratch/thread-no-quote/a.toml"
expect_usage_error "thread without its number" "a.toml:11" "key 'expected_source.quote'" "claim 'a'" "missing" -- \
  check --claims "$scratch/thread-no-quote"

# --- --json: one document, schema ropelab.check/1, per claim the numbers, source, tolerance and verdict
run check --claims "$scratch/good" --json
expect_equal "json: exit code" "$status" 0
expect_equal "json: parses, schema and fields" "$(printf '%s' "$out" | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
c = d["claims"][0]
print(d["schema"], d["as_expected"], d["not_as_expected"], c["id"], round(c["measured"][0], 5), c["expected"],
      c["tolerance"], c["expected_source"]["kind"], c["expected_source"]["detail"], c["verdict"], c["as_expected"])')" \
  "ropelab.check/1 2 0 right 62831.85307 62831.85307 1e-12 relative closed_form 2 pi 1e4 holds True"

mkdir -p "$scratch/syntax"
printf '[[claim]]\nid = \n' >"$scratch/syntax/a.toml"
expect_usage_error "TOML syntax" "a.toml:2" -- check --claims "$scratch/syntax"

# --- a claim's pipeline with stage overrides (params.set): bf16 positions (p = 8) merge 256 and 257 in every
# pair; the verdict's measured text ends with the set, in the table and the CSV
wall_claim() {  # ID SET
  printf '[[claim]]\nid = "%s"\nstatement = "bf16 positions merge at 256"\nsource = "test"\nexpect = "holds"\n' "$1"
  printf 'computation = "wall.first_full_collision"\n'
  printf 'params = { preset = "hf-eager-bf16", set = "%s", base = 1e4, head_dim = 16, context = 512 }\nequals = 256\n' "$2"
  printf 'expected_source = { kind = "closed_form", ref = "test", derivation = "bf16 257 -> 256" }\n\n'
}
mkdir -p "$scratch/set"
wall_claim bf16-positions position_format=bfloat16,trig=libm >"$scratch/set/a.toml"
run check --claims "$scratch/set" --csv "$scratch/set.csv"
expect_equal "set: exit code" "$status" 0
expect_contains "set: summary" "$out" "claims: 1 as expected, 0 not as expected"
expect_contains "set: recorded in the table" "$out" "measured 256; expected == 256; set position_format=bfloat16,trig=libm"
expect_contains "set: recorded in the CSV" "$(sed -n 2p "$scratch/set.csv")" \
  ',yes,closed_form test: bf16 257 -> 256,"measured 256; expected == 256; set position_format=bfloat16,trig=libm"'
mkdir -p "$scratch/bad-set"
wall_claim bad trig=nope >"$scratch/bad-set/a.toml"
expect_usage_error "unknown stage value" "a.toml:7" "key 'params.set'" "stage 'trig'" "'nope'" "correctly_rounded|" -- \
  check --claims "$scratch/bad-set"
wall_claim bad tirg=libm >"$scratch/bad-set/a.toml"
expect_usage_error "unknown stage" "a.toml:7" "key 'params.set'" "'tirg'" "stages: omega_method" -- \
  check --claims "$scratch/bad-set"

expect_usage_error "missing directory" "--claims" -- check --claims "$scratch/nowhere"
expect_usage_error "filter matches nothing" "--filter" -- check --claims "$scratch/good" --filter zzz

echo "check_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
