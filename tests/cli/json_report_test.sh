#!/usr/bin/env bash
# `ropelab report --json` (docs/json-schemas.md, ropelab.report/1): the file list is the files on disk under --out
# (checked by walking the directory, not by reading the document back), the timings equal manifest.json's, and
# --quiet leaves stderr empty. The quick report without the claims registry: about 20 s of CPU.
# Usage: json_report_test.sh path/to/ropelab
set -euo pipefail
ropelab=${1:?usage: json_report_test.sh path/to/ropelab}
# shellcheck source=tests/cli/assertions.bash
source "$(dirname "${BASH_SOURCE[0]}")/assertions.bash"

run report --out "$scratch/report" --quick --claims - --threads 2 --json --quiet
expect_equal "report: exit" "$status" 0
expect_equal "report --quiet: nothing on stderr" "$err" ""
printf '%s\n' "$out" >"$scratch/doc.json"
expect_equal "report: document" "$(/usr/bin/python3 - "$scratch/doc.json" "$scratch/report" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
out = sys.argv[2]
on_disk = sorted(os.path.relpath(os.path.join(root, f), out) for root, _, files in os.walk(out) for f in files)
manifest = json.load(open(os.path.join(out, "manifest.json")))
timings = {t["experiment"]: t["seconds"] for t in d["timings"]}
checks = {
    "schema": d["schema"] == "ropelab.report/1",
    "fields": all(k in d for k in ["ropelab_version", "out", "quick", "seed", "files", "timings"]),
    "files = disk": sorted(d["files"]) == on_disk,
    "timings = manifest": timings == manifest["timings_seconds"],
    "quick, seed": d["quick"] is True and d["seed"] == 1,
}
bad = [k for k, ok in checks.items() if not ok]
print("ok" if not bad else "failed: " + ", ".join(bad))
PY
)" ok

echo "json_report_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
