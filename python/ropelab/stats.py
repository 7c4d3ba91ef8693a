"""Attention statistics on RoPE scores S(m) = q^T R(m) k (shared/theory/positions-and-tokens.md).

``scores`` evaluates S over a window of relative distances through the exact reference or a preset's pipeline;
``inversion``, ``aliasing`` and ``token`` are the exact counting statistics of ``ropelab stats``; ``sweep`` runs
them over bases and context lengths (``ropelab stats sweep``).
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np

from . import _core
from ._arrays import float64_matrix, float64_vector
from ._results import Table
from ._rope import Overrides, ProgressCallback
from ._spec import SpecLike, overrides_text, resolve_spec


def scores(spec: SpecLike, q: Any, k: Any, end: int, *, first: int = 0, preset: Optional[str] = None,
           set: Overrides = None, context: int = 0, threads: int = 0,  # noqa: A002
           progress: ProgressCallback = None) -> np.ndarray:
    """S(m) for m in [first, end): exact (no preset) or through ``preset``'s pipeline (C++ stats::compute_scores).
    ``context`` (default: ``end``) selects context-dependent scaling (dynamic NTK, LongRoPE)."""
    return _core.scores(*resolve_spec(spec), preset, overrides_text(set), float64_vector(q, "q"),
                        float64_vector(k, "k"), int(first), int(end), int(context), int(threads), progress)


def inversion(near: Any, far: Any) -> dict[str, Any]:
    """Position inversion: pairs (near i, far j) with near[i] < far[j], exactly (sorting), and the normal
    approximation from the windows' sample moments."""
    return _core.inversion(float64_vector(near, "near"), float64_vector(far, "far"))


def aliasing(scores: Any, *, format: Optional[str] = "bf16", eps: Optional[float] = None) -> dict[str, Any]:  # noqa: A002
    """Position aliasing of a score window: pairs equal after rounding to ``format`` (default) or, with ``eps``,
    within eps; exact counts and the density predictors (empirical and normal)."""
    if eps is not None:
        format = None
    return _core.aliasing(float64_vector(scores, "scores"), format, eps)


def token(s1: Any, s2: Any, *, s1_at_0: float, s2_at_0: float, format: Optional[str] = "bf16",  # noqa: A002
          eps: float = 0.0) -> dict[str, Any]:
    """Token statistics of two keys' score windows: inversion (the key preferred at distance 0 loses at m),
    aliasing (equal after rounding to ``format``, or within ``eps`` when format is None) and attention
    invariance (unordered position pairs whose key exchange leaves both scores unchanged)."""
    return _core.token(float(s1_at_0), float(s2_at_0), float64_vector(s1, "s1"), float64_vector(s2, "s2"), format,
                       float(eps))


def sweep(spec: SpecLike, q: Any, k: Any, bases: Sequence[float], contexts: Sequence[int], *, k2: Any = None,
          preset: Optional[str] = None, set: Overrides = None, format: str = "bf16",  # noqa: A002
          eps: Optional[float] = None, threads: int = 0, progress: ProgressCallback = None) -> Table:
    """Tidy rows (base, context, statistic, value) over bases x contexts, each the mean over the heads of
    ``q``/``k`` (arrays [heads, head_dim]); token statistics with ``k2``."""
    d = _core.sweep(*resolve_spec(spec), preset, overrides_text(set), float64_matrix(q, "q"), float64_matrix(k, "k"),
                    None if k2 is None else float64_matrix(k2, "k2"), [float(b) for b in bases],
                    [int(c) for c in contexts], format, eps, int(threads), progress)
    return Table(d)


def gaussian(heads: int, dim: int, *, rho: float = 0.0, scale: float = 1.0, seed: int = 0,
             stream: int = 0) -> np.ndarray:
    """The stats Gaussian model's vectors [heads, dim]: stream 0 is q = s g, stream j > 0 a key
    s (rho g + sqrt(1 - rho^2) xi_j) correlated with that q (the same draws as ``ropelab stats --gaussian``)."""
    return _core.gaussian_vectors(heads, dim, rho, scale, seed, stream)
