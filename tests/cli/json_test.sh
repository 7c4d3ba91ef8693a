#!/usr/bin/env bash
# `--json` on every subcommand (docs/json-schemas.md): each document is parsed by Python's json module, names its
# schema "ropelab.<command>/1", holds the required fields, and at least one value is checked against the same
# command's CSV output (full precision, an independent rendering of the same numbers) or a closed form.
# `ropelab check` (the claims helper's) and `ropelab report` (json_report_test.sh: a minute) are tested apart.
# Usage: json_test.sh path/to/ropelab
set -euo pipefail
ropelab=${1:?usage: json_test.sh path/to/ropelab}
# shellcheck source=tests/cli/assertions.bash
source "$(dirname "${BASH_SOURCE[0]}")/assertions.bash"
python=/usr/bin/python3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# doc NAME SCHEMA FIELD...: $out (the last run) is one JSON document with this schema and these top-level fields,
# the run exited 0 and wrote nothing on stderr. Saves the document in $scratch/doc.json for `py`.
doc() {
  local name=$1 schema=$2
  shift 2
  expect_equal "$name: exit" "$status" 0
  expect_equal "$name: stderr" "$err" ""
  printf '%s\n' "$out" >"$scratch/doc.json"
  expect_equal "$name: document" "$("$python" - "$scratch/doc.json" "$schema" "$@" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except ValueError as e:
    print("not JSON:", e); sys.exit()
missing = [f for f in ["schema", "ropelab_version"] + sys.argv[3:] if f not in d]
print("ok" if d["schema"] == sys.argv[2] and not missing else "schema %s, missing %s" % (d.get("schema"), missing))
PY
)" ok
}
# py NAME CODE [ARG...]: runs CODE with `d` = the saved document, `csv(path)` = list of dict rows, `argv`; the
# check passes when CODE prints True.
py() {
  local name=$1 code=$2
  shift 2
  expect_equal "$name" "$("$python" - "$scratch/doc.json" "$@" <<PY
import csv as _csv, io, json, math, sys
d = json.load(open(sys.argv[1]))
argv = sys.argv[2:]
def csv(path):
    return list(_csv.DictReader(open(path)))
def csv_text(text):
    return list(_csv.DictReader(io.StringIO(text)))
$code
PY
)" True
}

# --- formats: every row equals the CSV's, bf16's max finite is (2 - 2^-7) 2^127
run formats --csv
printf '%s\n' "$out" >"$scratch/formats.csv"
run formats --json
doc "formats" "ropelab.formats/1" formats
py "formats: = CSV" 'rows = csv(argv[0]); print(len(rows) == len(d["formats"]) and all(
    r["name"] == j["name"] and int(r["p"]) == j["p"] and float(r["max_finite"]) == j["max_finite"]
    and float(r["min_subnormal"]) == j["min_subnormal"] and int(r["max_exact_integer"]) == j["max_exact_integer"]
    for r, j in zip(rows, d["formats"])))' "$scratch/formats.csv"
py "formats: bf16 max finite" 'print([f["max_finite"] for f in d["formats"] if f["name"] == "bfloat16"] == [(2 - 2**-7) * 2.0**127])'
py "formats: p is an integer" 'print(all(type(f["p"]) is int for f in d["formats"]))'

# --- formats --block: q8_0 stores 32 int8 and one f16 scale: 8 + 16/32 bits per element
run formats --block --json
doc "formats --block" "ropelab.formats-block/1" formats
py "formats --block: q8_0 bits" 'print([f["bits_per_element"] for f in d["formats"] if f["name"] == "q8_0"] == [8 + 16 / 32])'
run formats --block --csv
printf '%s\n' "$out" >"$scratch/block.csv"
run formats --block --json
printf '%s\n' "$out" >"$scratch/doc.json"
py "formats --block: = CSV" 'print([r["name"] for r in csv(argv[0])] == [f["name"] for f in d["formats"]])' "$scratch/block.csv"

# --- round: 1.01171875 = 1 + 3/256 lies between bf16 neighbours 1 + 2/128 and 1 + 3/128... exactly half-way
# between 1.0078125 and 1.015625; ties go to the even significand 0x3f82 (1.015625)
run round --format bf16 --json 1.01171875 -1e40 nan
doc "round" "ropelab.round/1" format mode seed first_index bits_format values
py "round: tie to even" 'v = d["values"][0]; print(v["input"] == 1.01171875 and v["result"] == 1.015625 and v["bits"] == "0x3f82" and v["error_ulps"] == 0.5)'
py "round: overflow and nan as strings" 'print(d["values"][1]["result"] == "-inf" and d["values"][2]["result"] == "nan")'
run round --format e4m3fn --mode sr --seed 7 --index 3 --csv 0.3 0.7 1.9
printf '%s\n' "$out" >"$scratch/round.csv"
run round --format e4m3fn --mode sr --seed 7 --index 3 --json 0.3 0.7 1.9
doc "round sr" "ropelab.round/1" values
py "round sr: = CSV" 'rows = csv(argv[0]); print(d["seed"] == 7 and d["first_index"] == 3 and [float(r["result"]) for r in rows] == [v["result"] for v in d["values"]])' "$scratch/round.csv"

# --- presets: names and every stage equal the CSV listings
run presets --stages --csv
printf '%s\n' "$out" >"$scratch/stages.csv"
run presets --json
doc "presets" "ropelab.presets/1" presets
py "presets: stages = CSV" 'rows = csv(argv[0]); print(all(p["stages"][r["stage"]] == r["value"] for r in rows for p in d["presets"] if p["preset"] == r["preset"])
    and sorted({r["preset"] for r in rows}) == sorted(p["preset"] for p in d["presets"]))' "$scratch/stages.csv"

# --- emulate: the document's manifest is the manifest.json written
run emulate --preset hf-eager-bf16 --base 10000 --dim 8 --positions 0,5,9 --out "$scratch/emulate" --json
doc "emulate" "ropelab.emulate/1" out positions manifest
py "emulate: manifest = file" 'print(d["manifest"] == json.load(open(argv[0])) and d["positions"] == 3)' "$scratch/emulate/manifest.json"

# --- wall: hf-4.37-cast-bf16 stores positions in bf16 (p = 8): 257 rounds to 256, every pair collides first at
# 256 (wall_test.sh); every pair row equals --pairs-csv at full precision
wall=(--preset hf-4.37-cast-bf16 --base 10000 --dim 128 --max-positions 512 --context 1024)
run wall "${wall[@]}" --json --pairs-csv "$scratch/pairs.csv"
doc "wall" "ropelab.wall/1" preset set spec context tau summary pairs
py "wall: all pairs collide at 256" 'print(d["summary"]["first_full_collision"] == 256 and d["context"] == 1024)'
py "wall: pairs = --pairs-csv" 'rows = csv(argv[0])
def same(r, j):
    n = lambda v: None if v in ("-1",) else int(v)
    return (int(r["pair"]) == j["pair"] and float(r["stored_omega"]) == j["stored_omega"]
            and float(r["max_phase_error"]) == j["max_phase_error"] and n(r["first_adjacent_collision"]) == j["first_adjacent_collision"]
            and n(r["first_tau_exceed"]) == j["first_tau_exceed"])
print(len(rows) == 64 and all(same(r, j) for r, j in zip(rows, d["pairs"])))' "$scratch/pairs.csv"
py "wall: max phase error = max over pairs CSV" 'print(d["summary"]["max_phase_error"] == max(float(r["max_phase_error"]) for r in csv(argv[0])))' "$scratch/pairs.csv"
py "wall: never is null" 'print(d["pairs"][0]["first_adjacent_collision"] == 256 and all(p["first_tau_exceed"] is None or p["first_tau_exceed"] >= 0 for p in d["pairs"]))'

# --- compare: the summary values equal the CSV's quantity rows
run compare --presets hf-eager-bf16,hf-4.37-cast-bf16 --base 10000 --dim 128 --max-positions 512 --context 1024 --csv
printf '%s\n' "$out" >"$scratch/compare.csv"
run compare --presets hf-eager-bf16,hf-4.37-cast-bf16 --base 10000 --dim 128 --max-positions 512 --context 1024 --json
doc "compare" "ropelab.compare/1" spec context tau presets
py "compare: = CSV" 'rows = {r["quantity"]: r for r in csv(argv[0])}
ok = True
for p in d["presets"]:
    s = p["summary"]; name = p["preset"]
    full = rows["first adjacent collision (all pairs)"][name]
    ok = ok and (s["first_full_collision"] is None if full == "" else s["first_full_collision"] == int(full))
    ok = ok and s["max_phase_error"] == float(rows["max phase error (rad)"][name])
print(ok and [p["preset"] for p in d["presets"]] == ["hf-eager-bf16", "hf-4.37-cast-bf16"]
      and d["presets"][1]["summary"]["first_full_collision"] == 256)' "$scratch/compare.csv"

# --- stats: the documents' values equal the CSV files (the same table), plus closed forms
gaussian=(--gaussian --base 10000 --dim 64 --context 2000 --heads 2)
run stats inversion "${gaussian[@]}" --csv "$scratch/inversion.csv" --json
doc "stats inversion" "ropelab.stats-inversion/1" preset spec heads format eps rows
py "stats inversion: pairs = 1000^2, probability = inversions / pairs" 'print(len(d["rows"]) == 2 and all(r["pairs"] == 1000 * 1000 and r["inversion_probability"] == r["inversions"] / r["pairs"] for r in d["rows"]))'
py "stats inversion: = CSV" 'rows = csv(argv[0]); print(all(str(d["rows"][int(r["head"])][r["statistic"]]) == r["value"] or float(d["rows"][int(r["head"])][r["statistic"]]) == float(r["value"]) for r in rows if ":" not in r["value"]))' "$scratch/inversion.csv"
run stats aliasing "${gaussian[@]}" --eps 0.001 --csv "$scratch/aliasing.csv" --json
doc "stats aliasing" "ropelab.stats-aliasing/1" rows
py "stats aliasing: = CSV" 'rows = csv(argv[0]); print(len(rows) > 10 and all(float(d["rows"][int(r["head"])][r["statistic"]]) == float(r["value"]) for r in rows) and d["eps"] == 0.001)' "$scratch/aliasing.csv"
run stats token "${gaussian[@]}" --csv "$scratch/token.csv" --json
doc "stats token" "ropelab.stats-token/1" rows
py "stats token: = CSV" 'rows = csv(argv[0]); print(all((r["value"] == "" and d["rows"][int(r["head"])][r["statistic"]] is None) or float(d["rows"][int(r["head"])][r["statistic"]]) == float(r["value"]) for r in rows))' "$scratch/token.csv"
py "stats token: positions = M" 'print(all(r["positions"] == 2000 for r in d["rows"]))'
run stats sweep --gaussian --dim 16 --bases 100,1000 --contexts 64,628 --json
doc "stats sweep" "ropelab.stats-sweep/1" rows
py "stats sweep: M/(2 pi B) closed form" 'r = [r for r in d["rows"] if r["base"] == 100 and r["context"] == 628]
print(len(d["rows"]) == 4 and abs(r[0]["m_over_2pi_base"] - 628 / (2 * math.pi * 100)) <= 2 * math.ulp(0.9995))'

# --- zone: the bounds' closed forms (phase-bounds.md): aliasing L/(2 pi), DC L/arccos(eps), fp32 wall 2^23
run zone --base 1e4 --dim 128 --context 4096 --layers 32 --csv
printf '%s\n' "$out" >"$scratch/zone.csv"
run zone --base 1e4 --dim 128 --context 4096 --layers 32 --json
doc "zone" "ropelab.zone/1" eps format eps_mach subject spec context layers approximate exact
py "zone: closed forms" 'a = d["approximate"]; rel = lambda x, y: abs(x - y) <= 4 * math.ulp(y)
print(rel(a["aliasing_min_base"], 4096 / (2 * math.pi)) and rel(a["dc_min_base"], 4096 / math.acos(0.5))
      and a["precision_wall"] == 2.0**23 and a["feasible"] is False and a["violated"] == ["depth"])'
py "zone: = CSV" 'rows = {r["quantity"]: r for r in csv(argv[0])}
print(all(float(rows[k]["approximate"]) == d["approximate"][k] and float(rows[k]["exact"]) == d["exact"][k]
          for k in ["theta_min", "phase", "aliasing_min_base", "dc_min_base", "depth_min_base", "precision_wall"]))' "$scratch/zone.csv"
run zone --all --csv "$scratch/zone_all.csv" --json
doc "zone --all" "ropelab.zone-all/1" eps format models
py "zone --all: = CSV" 'rows = csv(argv[0]); print(len(rows) == len(d["models"]) and all(r["model"] == m["model"] and float(r["base"]) == m["base"]
    and float(r["exact_wall"]) == m["exact"]["precision_wall"] for r, m in zip(rows, d["models"])))' "$scratch/zone_all.csv"

# --- wall-claim: 1/eps_mach of bf16 is 2^7; the rows equal the CSV file
run wall-claim --formats bf16 --bases 10000 --dim 4 --csv "$scratch/claim.csv" --json
doc "wall-claim" "ropelab.wall-claim/1" dim tau rows verdicts
py "wall-claim: 1/eps_mach = 128, rows = CSV" 'rows = csv(argv[0]); print(d["rows"][0]["one_over_eps_mach"] == 128 and len(rows) == len(d["rows"])
    and all(float(r["base"]) == j["base"] and int(r["first_collision"]) == j["first_collision"] for r, j in zip(rows, d["rows"])))' "$scratch/claim.csv"
py "wall-claim: verdict per format" 'print([v["format"] for v in d["verdicts"]] == ["bfloat16"] and type(d["verdicts"][0]["holds_as_bound_on_base"]) is bool)'

# --- check-model: fp16 positions are exact to 2^11 = 2048 and 2049 rounds to 2048: all pairs collide at 2048
status=0
"$ropelab" check-model --preset gpt-neox-fp16 --base 10000 --dim 128 --context 4096 --json >"$scratch/out" 2>"$scratch/err" || status=$?
out=$(<"$scratch/out"); err=$(<"$scratch/err")
expect_equal "check-model: unsafe exit 1" "$status" 1
status=0
doc "check-model" "ropelab.check-model/1" safe pipeline_safe preset set context tau problems wall upgrades key_cache
py "check-model: all pairs collide at 2^11" 'print(d["wall"]["first_full_collision"] == 2**11 and d["safe"] is False)'

# --- run: the grid's points (2 presets x 2 bases x 2 contexts) and the files written
run run "$here/../../experiments/tiny.toml" --out "$scratch/run" --threads 1 --json --quiet
doc "run" "ropelab.run/1" spec out points computed resumed ranks files
py "run: 8 points, files on disk" 'import os
print(d["points"] == 2 * 2 * 2 and d["computed"] + d["resumed"] == 8 and all(os.path.isfile(os.path.join(argv[0], f)) for f in d["files"]) and "manifest.json" in d["files"])' "$scratch/run"

# --- bad input with --json: exit 2, one stderr line, nothing on stdout (no partial document)
expect_usage_error "wall --json bad context" "--context" -- wall --preset hf-eager-bf16 --base 10000 --dim 32 --context 1 --json
expect_usage_error "round --json bad format" "--format" -- round --format bf17 --json 1
expect_usage_error "stats --json bad rho" "--rho" -- stats inversion --gaussian --rho 2 --base 10000 --dim 64 --context 100 --json

# --- every subcommand (but check, which its owner documents) takes --json and --quiet
for command in formats round presets emulate wall compare "stats inversion" "stats aliasing" "stats token" \
               "stats sweep" zone wall-claim check-model report run; do
  # shellcheck disable=SC2086
  help=$("$ropelab" $command --help)
  expect_contains "$command --help: --json" "$help" "--json"
  expect_contains "$command --help: --quiet" "$help" "--quiet"
done

echo "json_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
