"""Attention at absolute positions (``ropelab attention``): the AnchorAttention relative-invariance experiment and
the weight-level key collisions of the positions-and-tokens paper, through a real kernel's attention preset (paired
with its RoPE preset). Presets: hf-eager-bf16, hf-sdpa-math-bf16, flash-attention-2-bf16, flash-attention-3-fp8,
flashinfer-decode-bf16, vllm-paged-v1-bf16, llama.cpp-cpu-fa, llama.cpp-cpu, fp32, fp64."""
from __future__ import annotations

from typing import Any, Sequence

from . import _core
from ._spec import SpecLike, resolve_spec


def shift_difference(preset: str, spec: SpecLike, context: int, shifts: Sequence[int], *, heads: int = 8,
                     seed: int = 1, rho: float = 0.3, sink_strength: float = 1.0) -> list[dict[str, Any]]:
    """D(shift) of arXiv 2411.13476: seeded Gaussian heads (an attention sink at position 0 unless
    ``sink_strength`` is 0), the decode layout 0..context-1 with the query last, and the same layout shifted by each
    shift. One dict per shift: ``weight_l1`` (D, mean over heads), ``max_logit_difference``, ``first_key_share``."""
    if context < 2:
        raise ValueError(f"context: {context} is not >= 2")
    if any(s < 0 for s in shifts):
        raise ValueError("shifts: every shift must be >= 0")
    kind, value = resolve_spec(spec)
    return _core.attention_shift(preset, kind, value, int(context), [int(s) for s in shifts], int(heads), int(seed),
                                 float(rho), float(sink_strength))


def key_collisions(preset: str, spec: SpecLike, context: int, *, heads: int = 4, seed: int = 1,
                   rho: float = 0.3) -> dict[str, float]:
    """Fractions of keys whose emulated score is bit-for-bit unchanged when every key moves one position
    (``moved``) or takes its neighbour's vector (``swapped``) while the exact score changes; mean over heads."""
    if context < 2:
        raise ValueError(f"context: {context} is not >= 2")
    kind, value = resolve_spec(spec)
    return _core.attention_collisions(preset, kind, value, int(context), int(heads), int(seed), float(rho))
