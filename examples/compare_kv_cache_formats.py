"""Compare KV-cache formats for my model: how far each cached key is from the bf16 key, and what that does to
attention scores along the context (ropelab.check_model's key-cache rows).

Adapt MODEL, PRESET, CONTEXT and FORMATS; a real key tensor from your model can replace `keys` below.
"""
from __future__ import annotations

import numpy as np

import ropelab

MODEL = "llama-3.1-8b"
PRESET = "hf-rope-utils-bf16"
CONTEXT = 1 << 15
FORMATS = ["bf16", "fp16", "e4m3fn", "e5m2", "q8_0", "mxfp8_e4m3", "mxfp4", "nvfp4"]


def main() -> None:
    spec = ropelab.spec(MODEL)
    rng = np.random.default_rng(0)
    # 64 keys of one head, rotated and stored in bf16 by the preset (positions 0..63 of a random key).
    keys = np.stack([ropelab.emulate(PRESET, MODEL, [m], k=rng.normal(size=spec["head_dim"])).key[0]
                     for m in range(64)]).astype(np.float32)
    print(f"{MODEL}: head_dim {spec['head_dim']}, preset {PRESET}, context {CONTEXT}\n")
    print(f"{'format':<12} {'rel. key error':>15} {'max logit err':>14} {'first key collision':>20} {'safe':>5}")
    check = ropelab.check_model(PRESET, MODEL, CONTEXT, key_cache=FORMATS)
    for fmt, row in zip(FORMATS, check.key_cache):
        if ropelab._core.is_block_format(fmt):
            cached = ropelab.quantize_dequantize(keys, fmt)  # blocks along head_dim (rows are contiguous)
        else:
            cached = ropelab.round(keys, fmt)
        rel = float(np.linalg.norm(cached - keys) / np.linalg.norm(keys))
        collision = row["first_key_collision"] if row["first_key_collision"] >= 0 else "none"
        print(f"{fmt:<12} {rel:>15.3g} {row['max_logit_error']:>14.3g} {collision!s:>20} {row['safe']!s:>5}")


if __name__ == "__main__":
    main()
