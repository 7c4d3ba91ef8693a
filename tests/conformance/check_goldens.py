#!/usr/bin/python3
"""Conformance: `ropelab emulate` must reproduce the real stacks' RoPE outputs in tests/data/conformance/ bit for bit.

Each golden folder holds bit patterns computed by real code (ggml CPU, PyTorch 1.13 running transformers / Meta
code; provenance in tests/data/conformance/README.md and the JSON sidecars). For every configuration this runs
`ropelab emulate` with the preset that claims to model the stack (plus the documented --set values where the golden
ran a CPU-specific implementation) on the golden's own input key, and counts mismatching values per array.
Usage: check_goldens.py ROPELAB [CONFIG_PREFIX...]; exit 1 on any mismatch.
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "conformance")
POSITIONS = "0:2048,16320:16448,131008:131136,1048448:1048576"


def rne_bf16(values):
    """float64 values that are float32 values -> float64 of their bfloat16 round-to-nearest-even (bit arithmetic)."""
    bits = values.astype(np.float32).view(np.uint32).astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint32) << 16
    return rounded.view(np.float32).astype(np.float64)


def widen(bits, dtype):
    """Golden bit patterns -> float64 values."""
    if dtype == "f32":
        return bits.view(np.uint32).view(np.float32).astype(np.float64)
    if dtype == "bf16":
        return (bits.view(np.uint16).astype(np.uint32) << 16).view(np.float32).astype(np.float64)
    if dtype == "f16":
        return bits.view(np.uint16).view(np.float16).astype(np.float64)
    raise ValueError(dtype)


# folder -> how the preset is run and what each golden array is compared with.
# "set" documents CPU-specific implementations the golden used: torch 1.13 CPU's vectorised pow and cos/sin call
# SLEEF (pow=torch_cpu, trig=sleef_u10); torch.polar's scalar kernel calls glibc (trig=libm). On a GPU these
# stacks call CUDA's functions instead, which the presets' defaults model.
CONFIGS = {
    "01_ggml-cpu_normal_b500000": dict(
        preset="llama.cpp-cpu", spec=["--base", "500000", "--dim", "128", "--pairing", "interleaved"],
        k_in="f32", table="f32", compare={"k_out": ("key", "f32"), "k_out_f16": ("key_cache", "f16")}),
    "02_ggml-cpu_neox_b10000": dict(
        preset="llama.cpp-cpu", spec=["--base", "10000", "--dim", "128"],
        k_in="f32", table="f32", compare={"k_out": ("key", "f32"), "k_out_f16": ("key_cache", "f16")}),
    "03_hf-llama-eager-bf16_b500000": dict(
        preset="hf-eager-bf16", spec=["--base", "500000", "--dim", "128"], set="pow=torch_cpu,trig=sleef_u10",
        k_in="bf16", table="bf16", angle="f32", inv_freq="f32",
        compare={"k_out": ("key", "bf16"), "k_out ": ("key_cache", "bf16")}),
    "04_hf-llama-4.38.0-cpu-autocast-bf16_b500000": dict(
        preset="hf-4.38.0-autocast", spec=["--base", "500000", "--dim", "128"], set="pow=torch_cpu,trig=sleef_u10",
        k_in="bf16", table="bf16", angle="bf16", inv_freq="f32", inv_freq_cast=rne_bf16,
        compare={"k_out": ("key", "bf16"), "k_out ": ("key_cache", "bf16")}),
    "05_hf-llama-pre4.38-bf16-cache-rebuild-arange-bf16_b10000": dict(
        preset="hf-4.37-cast-bf16", spec=["--base", "10000", "--dim", "128", "--max-positions", "4096"],
        set="pow=torch_cpu,trig=sleef_u10", context="1048576",
        k_in="bf16", table="bf16", angle="bf16", inv_freq="bf16",
        compare={"k_out": ("key", "bf16"), "k_out ": ("key_cache", "bf16")}),
    "06_hf-gpt-neox-eager-rot32_b10000": dict(
        preset="hf-gpt-neox", spec=["--base", "10000", "--dim", "128", "--rotary-dims", "32"], set="pow=torch_cpu,trig=sleef_u10",
        k_in="bf16", table="f32", angle="f32", inv_freq="f32",
        compare={"k_out": ("key", "f32"), "k_out ": ("key_cache", "f32")}),
    "07_meta-llama2-ref-fp16_b10000": dict(
        preset="meta-reference", spec=["--base", "10000", "--dim", "128", "--pairing", "interleaved"], set="pow=torch_cpu,trig=libm",
        k_in="f16", table="f32", compare={"k_out": ("key", "f16"), "k_out ": ("key_cache", "f16")}),
}


def emulate(ropelab, cfg, k_file, out, positions=POSITIONS, spec=None):
    cmd = [ropelab, "emulate", "--preset", cfg["preset"], *(spec or cfg["spec"]), "--positions", positions,
           "--out", out]
    if k_file:
        cmd += ["--k-file", k_file]
    if cfg.get("set"):
        cmd += ["--set", cfg["set"]]
    if cfg.get("context"):
        cmd += ["--context", cfg["context"]]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return {n[:-4]: np.load(os.path.join(out, n)) for n in os.listdir(out) if n.endswith(".npy")}


def mismatches(expected, actual):
    if expected.shape != actual.shape:
        return f"shape {actual.shape} != golden {expected.shape}"
    return int(np.count_nonzero(expected.view(np.uint64) != actual.view(np.uint64)))


def check(ropelab, name, cfg, tmp):
    folder = os.path.join(DATA, name)
    load = lambda f: np.load(os.path.join(folder, f + ".npy"))
    k_in = widen(load("k_in"), cfg["k_in"])
    k_file = os.path.join(tmp, name + "_k_in.npy")
    np.save(k_file, k_in)
    got = emulate(ropelab, cfg, k_file, os.path.join(tmp, name))
    counts = {}
    if not np.array_equal(got["positions"], load("positions")):
        counts["positions"] = "differ"
    pairs = got["cos"].shape[1]
    for table in ("cos", "sin"):
        counts[table] = mismatches(widen(load(table), cfg["table"])[:, :pairs], got[table])
    if "angle" in cfg:
        counts["angle"] = mismatches(widen(load("angle"), cfg["angle"])[:, :pairs], got["angle"])
    if "inv_freq" in cfg:
        # omega.npy holds the omega that enters the angle product: CPU autocast (04) casts the f32 buffer to bf16.
        cast = cfg.get("inv_freq_cast", lambda x: x)
        counts["omega"] = mismatches(cast(widen(load("inv_freq"), cfg["inv_freq"])[:pairs]), got["omega"])
    for golden, (array, dtype) in cfg["compare"].items():
        counts[f"{array} (vs {golden.strip()})"] = mismatches(widen(load(golden.strip()), dtype), got[array])
    return counts


def check_torch_arange(ropelab, tmp):
    """Config 05's whole 2^20-long torch bf16 arange against positions=torch_arange (pair 0 of a 2-dim head has
    omega = 1, so its stored angle is the stored position)."""
    name = "05_hf-llama-pre4.38-bf16-cache-rebuild-arange-bf16_b10000"
    cfg = dict(CONFIGS[name])
    golden = widen(np.load(os.path.join(DATA, name, "arange_bf16.npy")), "bf16")
    got = emulate(ropelab, cfg, None, os.path.join(tmp, "arange"), positions=f"0:{golden.size}",
                  spec=["--base", "10000", "--dim", "2", "--max-positions", "4096"])
    return {"arange_bf16 (2^20 positions)": mismatches(golden, got["angle"][:, 0])}


def main():
    ropelab = sys.argv[1]
    wanted = sys.argv[2:]
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        results = {n: check(ropelab, n, c, tmp) for n, c in CONFIGS.items() if not wanted or any(n.startswith(w) for w in wanted)}
        if not wanted or any("05".startswith(w) or w.startswith("05") for w in wanted):
            results["05 torch arange"] = check_torch_arange(ropelab, tmp)
    for name, counts in results.items():
        preset = CONFIGS.get(name, {}).get("preset", "hf-4.37-cast-bf16")
        print(f"{name} [{preset}]")
        for array, count in counts.items():
            print(f"  {array:28s} mismatches: {count}")
            failed |= count != 0
    print("FAIL" if failed else "all goldens reproduced bit for bit")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
