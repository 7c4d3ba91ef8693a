#!/usr/bin/env bash
# The user's install flow end to end: a venv with Debian's site packages (numpy, scikit-build-core), then
# `pip install --no-build-isolation ./python`, then the package imported from outside the source tree.
# Usage: pip_install_test.sh PYTHON SOURCE_DIR WORK_DIR
set -euo pipefail
python=$1 source_dir=$2 work=$3
rm -rf "$work/venv" "$work/run"
mkdir -p "$work/run" "$work/build"
"$python" -m venv --system-site-packages "$work/venv"
# build-dir: a kept directory so a rerun recompiles only what changed (scikit-build-core config setting).
# Jobs: 2, as the presets use (CMAKE_BUILD_PARALLEL_LEVEL is read by cmake --build).
CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-2} \
  "$work/venv/bin/pip" install --no-build-isolation --no-deps --no-index \
  --config-settings=build-dir="$work/build" "$source_dir/python"
cd "$work/run"
out=$("$work/venv/bin/python" -c "import ropelab, numpy as np; print(ropelab.round(np.array([1.01171875], np.float32), 'bf16'))")
if [[ $out != "[1.015625]" ]]; then
  echo "pip_install_test: expected [1.015625], got: $out" >&2
  exit 1
fi
# The installed package, not the source tree's, was imported; and it carries its stubs and py.typed.
"$work/venv/bin/python" - "$work/venv" <<'PY'
import pathlib, sys
import ropelab
where = pathlib.Path(ropelab.__file__).resolve()
venv = pathlib.Path(sys.argv[1]).resolve()
assert venv in where.parents, f"imported {where}, not from {venv}"
for name in ("py.typed", "_core.pyi"):
    assert (where.parent / name).is_file(), f"{name} not installed"
e = ropelab.emulate("hf-eager-bf16", "llama-3-8b", [0, 1, 4096])
assert e.cos.shape == (3, 64), e.cos.shape
# Model names resolve to the package's own copies of experiments/models, not the source tree's.
kind, path = ropelab._spec.resolve_spec("llama-3-8b")
assert kind == "config_file" and venv in pathlib.Path(path).resolve().parents, (kind, path)
assert "llama-3-8b" in ropelab.models() and len(ropelab.models()) >= 20
try:
    ropelab.spec("no-such-model")
    raise AssertionError("no ValueError for an unknown model")
except ValueError as error:
    assert "llama-3-8b" in str(error), error
print("installed:", where.parent, "version", ropelab.__version__)
PY
echo "pip_install_test: ok"
