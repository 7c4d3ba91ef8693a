#!/usr/bin/env bash
# `ropelab report`: the quick report end to end (files, manifest, pages; it replaces an earlier report as a whole and
# removes a killed report's work directory), and bad input (--out in a missing or unwritable place: exit 2 naming
# --out, nothing written; a Python without matplotlib: exit 1 naming the package).
# Usage: report_test.sh path/to/ropelab
set -euo pipefail
ropelab=${1:?usage: report_test.sh path/to/ropelab}
# shellcheck source=tests/cli/assertions.bash
source "$(dirname "${BASH_SOURCE[0]}")/assertions.bash"
python=/usr/bin/python3

# --- the quick report, replacing an earlier report as a whole; the work directory of a report killed outright
# (SIGKILL: the next report removes it) sits beside it
mkdir "$scratch/report"
echo '{"ropelab_version": "0.0.1"}' >"$scratch/report/manifest.json"
echo "from the earlier report" >"$scratch/report/only-in-the-earlier-report.txt"
sleep 0 & killed=$!; wait "$killed"
mkdir -p "$scratch/report.ropelab-tmp-$killed/data"
run report --out "$scratch/report" --quick --threads 2
expect_equal "quick exit" "$status" 0
expect_contains "quick summary" "$out" "index.html"
expect_contains "progress on stderr" "$err" "ropelab report: (a)"
for file in index.html README.md manifest.json data/a_precision_wall.csv data/b_score_distance.csv data/c_zone.csv \
            data/d_position_statistics.csv data/e_token_statistics.csv data/f_presets_llama31_8b.csv \
            data/g_regressions.csv data/h_attention_shift.csv data/i_kv_cache_llama31_8b.csv; do
  if [[ -s "$scratch/report/$file" ]]; then pass; else fail "missing or empty: $file"; fi
done
for figure in a_precision_wall b_score_distance c_zone d_position_statistics e_token_statistics f_presets \
              g_regressions h_attention_shift i_kv_cache; do
  for ext in png svg; do
    if [[ -s "$scratch/report/figures/$figure.$ext" ]]; then pass; else fail "missing figure $figure.$ext"; fi
  done
  expect_contains "index.html shows $figure" "$(<"$scratch/report/index.html")" "figures/$figure.png"
  expect_contains "README.md shows $figure" "$(<"$scratch/report/README.md")" "figures/$figure.png"
done
expect_equal "no temporary files or directories" "$(find "$scratch" -name '*ropelab-tmp*' | wc -l)" 0
if [[ -e "$scratch/report/only-in-the-earlier-report.txt" ]]; then fail "the earlier report was not replaced"; else pass; fi
# The manifest parses and names the SIMD target, threads and timings; 2 pi 1e4 in the figure-(b) metadata.
manifest_keys=$("$python" -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["threads"], "total" in m["timings_seconds"], bool(m["simd_target"]), "git_commit" in m)' "$scratch/report/manifest.json")
expect_equal "manifest" "$manifest_keys" "2 True True True"
expect_contains "aliasing line" "$(head -n 8 "$scratch/report/data/b_score_distance.csv")" "aliasing_horizon_approximate=62831.85307179"
expect_contains "autocast merges at 256" "$(grep '^autocast-angles,.*,broken,hf-4.38.0-autocast,' "$scratch/report/data/g_regressions.csv")" ",256,"

# --- bad input: exit 2 naming --out, nothing written
expect_usage_error "missing parent" "--out" "does not exist" -- report --out "$scratch/no/such/dir" --quick
if [[ -e "$scratch/no" ]]; then fail "missing parent: something was written"; else pass; fi
touch "$scratch/plain-file"
expect_usage_error "--out is a file" "--out" "not a directory" -- report --out "$scratch/plain-file" --quick
if [[ $(id -u) != 0 ]]; then  # root writes anywhere
  mkdir "$scratch/locked" && chmod 555 "$scratch/locked"
  expect_usage_error "unwritable parent" "--out" "not writable" -- report --out "$scratch/locked/report" --quick
  chmod 755 "$scratch/locked"
fi
expect_usage_error "no --out" "--out" -- report --quick

# --- no matplotlib: exit 1 naming the package, nothing written
run report --out "$scratch/nompl" --quick --python /bin/false
expect_equal "no matplotlib exit" "$status" 1
expect_contains "no matplotlib message" "$err" "python3-matplotlib"
if [[ -e "$scratch/nompl" ]]; then fail "no matplotlib: something was written"; else pass; fi

echo "report_test: $passed passed, $failed failed"
[[ $failed == 0 ]]
