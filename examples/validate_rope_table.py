"""Validate my stack's RoPE cos/sin table against a ropelab preset.

Adapt `my_stack_table` to produce the table your code computes (here: numpy written the way HF transformers'
LlamaRotaryEmbedding computes it in fp32 and casts to bf16). The script emulates the matching preset at the same
positions and reports where the two tables differ, in units of the table format's spacing (bf16 ulps).
Exit status 1 if any entry differs by more than one ulp (a different pipeline, not a rounding detail).
"""
from __future__ import annotations

import sys

import numpy as np

import ropelab

MODEL = "llama-3-8b"         # a shipped model, a config.json path, or an HF config.to_dict()
PRESET = "hf-eager-bf16"     # `ropelab.presets()` lists them with their sources
POSITIONS = np.r_[0:64, 4032:4096]


def my_stack_table(spec: dict, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The table under test: inv_freq = 1 / base^(2i/d) in fp32, angle = position * inv_freq in fp32,
    cos/sin in fp32, then cast to bf16 (returned as float64 values)."""
    d = spec["rotary_dims"]
    exponent = (np.arange(0, d, 2, dtype=np.int64).astype(np.float32) / np.float32(d)).astype(np.float32)
    inv_freq = (np.float32(1) / np.power(np.float64(spec["base"]), exponent.astype(np.float64)).astype(np.float32))
    angle = (positions.astype(np.float32)[:, None] * inv_freq[None, :]).astype(np.float32)
    cos = np.cos(angle.astype(np.float64)).astype(np.float32)
    sin = np.sin(angle.astype(np.float64)).astype(np.float32)
    return ropelab.round(cos, "bf16").astype(np.float64), ropelab.round(sin, "bf16").astype(np.float64)


def ulps(a: np.ndarray, b: np.ndarray, fmt: str) -> np.ndarray:
    """|a - b| in units of the format's spacing at b (b a value of the format)."""
    f = ropelab.format(fmt)
    exponent = np.maximum(np.floor(np.log2(np.maximum(np.abs(b), f.min_normal))), f.emin)
    return np.abs(a - b) / np.exp2(exponent - f.precision + 1)


def main() -> int:
    spec = ropelab.spec(MODEL)
    reference = ropelab.emulate(PRESET, MODEL, POSITIONS)
    cos, sin = my_stack_table(spec, POSITIONS)
    table_format = ropelab.preset(PRESET)["stages"]["table_format"]
    worst = 0.0
    for name, mine, theirs in (("cos", cos, reference.cos), ("sin", sin, reference.sin)):
        diff = ulps(mine, theirs, table_format)
        rows, pairs = np.nonzero(diff > 0)
        worst = max(worst, float(diff.max()))
        print(f"{name}: {rows.size} of {diff.size} entries differ from {PRESET}; max {diff.max():.3g} ulp")
        for r, p in list(zip(rows, pairs))[:5]:
            print(f"  position {POSITIONS[r]}, pair {p}: mine {mine[r, p]!r}, preset {theirs[r, p]!r}")
    print("verdict:", "matches the preset" if worst == 0 else f"within {worst:.3g} ulp" if worst <= 1 else "DIFFERENT")
    return 0 if worst <= 1 else 1


if __name__ == "__main__":
    sys.exit(main())
