"""Plot the precision wall of my model: the largest RoPE phase error over positions for a few real pipelines,
and where adjacent positions stop being distinguishable. Writes a PNG (matplotlib, Agg backend).

Adapt MODEL, PRESETS and CONTEXT; pass an output path as the first argument (default: a temporary directory).
"""
from __future__ import annotations

import os
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import ropelab  # noqa: E402

MODEL = "llama-3-8b"
PRESETS = ["hf-4.37-cast-bf16", "gpt-neox-fp16", "vllm-fp32-math", "meta-reference"]
CONTEXT = 1 << 18


def main() -> str:
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(tempfile.mkdtemp(prefix="ropelab-wall-"), "wall.png")
    fig, ax = plt.subplots(figsize=(7, 4))
    for name in PRESETS:
        w = ropelab.wall(name, MODEL, CONTEXT, per_position=True)
        m = w.positions["position"]
        err = np.maximum.accumulate(w.positions["max_phase_error"])  # the running max: the wall's envelope
        ax.loglog(np.maximum(m, 1), np.maximum(err, 1e-12), label=name)
        if w.first_any_collision >= 0:
            ax.axvline(w.first_any_collision, ls=":", lw=0.8, color=ax.lines[-1].get_color())
        print(f"{name}: max phase error {w.max_phase_error:.3g} rad at {w.max_phase_error_position}, "
              f"first collision {w.first_any_collision if w.first_any_collision >= 0 else 'none'}")
    ax.axhline(0.1, color="k", lw=0.8, ls="--", label="tau = 0.1 rad")
    ax.set_xlabel("position m")
    ax.set_ylabel("max |phase error| up to m (rad)")
    ax.set_title(f"RoPE precision wall: {MODEL}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    print("wrote", out)
    return out


if __name__ == "__main__":
    main()
