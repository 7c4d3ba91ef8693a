"""ropelab.emulate returns exactly the arrays `ropelab emulate` writes (same preset, spec, positions, key,
overrides), for specs given by model name, config.json path and dict alike."""
from __future__ import annotations

import json

import numpy as np
import pytest

import ropelab

ARRAYS = ("positions", "omega", "angle", "cos", "sin", "key", "key_cache")


def cli_arrays(run_cli, out_dir, *args):
    run_cli("emulate", *args, "--out", out_dir)
    return {name: np.load(out_dir / f"{name}.npy") for name in ARRAYS}


def assert_same(ours: ropelab.Emulation, theirs: dict):
    for name in ARRAYS:
        a, b = getattr(ours, name), theirs[name]
        assert a.shape == b.shape and a.dtype == b.dtype, name
        # Bit for bit (NaN angles of rotation-recurrence presets compare equal as NaN).
        assert np.array_equal(a.view(np.uint64) if a.dtype == np.float64 else a,
                              b.view(np.uint64) if b.dtype == np.float64 else b), name


@pytest.mark.parametrize("preset,overrides", [
    ("hf-eager-bf16", None),
    ("llama.cpp-cpu", None),
    ("vllm-fp8-kv", None),
    ("gpt-neox-fp16", {"table_format": "bf16"}),
    ("tensorrt-llm-nvfp4-kv", None),
])
def test_model_name_equals_cli(run_cli, tmp_path, preset, overrides):
    positions = "5,0:3,4093:4097,70000"
    args = ["--preset", preset, "--model", "llama-3-8b", "--positions", positions]
    if overrides:
        args += ["--set", ",".join(f"{k}={v}" for k, v in overrides.items())]
    theirs = cli_arrays(run_cli, tmp_path / "out", *args)
    ours = ropelab.emulate(preset, "llama-3-8b", positions, set=overrides)
    assert_same(ours, theirs)
    assert list(ours.positions) == [5, 0, 1, 2, 4093, 4094, 4095, 4096, 70000]


def test_user_key_and_context(run_cli, tmp_path, source_dir):
    config = source_dir / "experiments" / "models" / "llama-3.1-8b.json"  # llama3 frequency scaling
    head_dim = ropelab.spec(str(config))["head_dim"]
    key = np.random.default_rng(5).normal(size=head_dim)
    np.save(tmp_path / "k.npy", key)
    theirs = cli_arrays(run_cli, tmp_path / "out", "--preset", "hf-rope-utils-bf16", "--config", config,
                        "--positions", "0:4,1000", "--k-file", tmp_path / "k.npy", "--context", 32768)
    ours = ropelab.emulate("hf-rope-utils-bf16", config, [0, 1, 2, 3, 1000], k=key, context=32768)
    assert_same(ours, theirs)
    # The same spec as a dict (an HF config.to_dict()) and as a path string.
    as_dict = json.loads(config.read_text())
    assert_same(ropelab.emulate("hf-rope-utils-bf16", as_dict, [0, 1, 2, 3, 1000], k=key, context=32768), theirs)
    assert_same(ropelab.emulate("hf-rope-utils-bf16", str(config), [0, 1, 2, 3, 1000], k=key, context=32768), theirs)


def test_emulate_errors():
    with pytest.raises(ValueError, match="preset"):
        ropelab.emulate("no-such-preset", "llama-3-8b", [0])
    with pytest.raises(ValueError, match="no-such-model"):
        ropelab.emulate("hf-eager-bf16", "no-such-model", [0])
    with pytest.raises(ValueError, match="context"):
        ropelab.emulate("hf-eager-bf16", "llama-3-8b", [0, 10], context=5)
    with pytest.raises(ValueError, match="k: 3 values"):
        ropelab.emulate("hf-eager-bf16", "llama-3-8b", [0], k=np.ones(3))
    with pytest.raises(ValueError, match="table_format"):
        ropelab.emulate("hf-eager-bf16", "llama-3-8b", [0], set={"table_format": "bf17"})
    with pytest.raises(TypeError, match="positions"):
        ropelab.emulate("hf-eager-bf16", "llama-3-8b", np.array([0.5]))
    with pytest.raises(ValueError, match="positions"):
        ropelab.emulate("hf-eager-bf16", "llama-3-8b", [])
    with pytest.raises(TypeError, match="spec"):
        ropelab.emulate("hf-eager-bf16", 42, [0])
