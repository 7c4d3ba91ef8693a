"""The phase bounds on the RoPE base, the zone between them, and the pre-deployment model check."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence

from . import _core
from ._rope import Overrides
from ._results import Table
from ._spec import SpecLike, overrides_text, resolve_spec, spec_layers


def zone(
    spec: Optional[SpecLike] = None,
    *,
    base: Optional[float] = None,
    rotary_dims: Optional[int] = None,
    context: Optional[float] = None,
    eps: float = 0.5,
    layers: Optional[int] = None,
    format: str = "fp32",  # noqa: A002
    eps_mach: str = "ulp",
) -> dict[str, dict[str, Any]]:
    """The four base bounds, the zone and the verdict in both theta_min conventions (``ropelab zone``).

    Either ``spec`` (model name, config.json path or dict; ``context`` defaults to its max_position_embeddings,
    ``layers`` to its num_hidden_layers, else 1; scaled RoPE uses the effective base) or ``base`` and
    ``rotary_dims`` with ``context``. ``eps`` is the coherence threshold in (0, 1), not machine epsilon;
    ``eps_mach`` is "ulp" (2^(1-p)) or "unit-roundoff" (2^-p). Returns {"approximate": {...}, "exact": {...}}.
    """
    if (spec is None) == (base is None):
        raise ValueError("spec: give a spec, or base and rotary_dims (not both)")
    if not 0 < eps < 1:
        raise ValueError(f"eps: {eps} is not in (0, 1) (a coherence threshold, not machine epsilon)")
    if layers is not None and not 1 <= layers <= 1_000_000:
        raise ValueError(f"layers: {layers} is not an integer in [1, 1000000]")
    out = {}
    if spec is not None:
        kind, value = resolve_spec(spec)
        if context is None:
            context = _core.spec_info(kind, value)["max_position_embeddings"]
        n = layers if layers is not None else (spec_layers(spec, kind, value) or 1)
        for convention in ("approximate", "exact"):
            out[convention] = _core.zone_of_spec(kind, value, int(context), eps, n, format, eps_mach, convention)
        return out
    if rotary_dims is None or context is None:
        raise ValueError("rotary_dims: required with base (and context)")
    for convention in ("approximate", "exact"):
        out[convention] = _core.zone_of_base(float(base), int(rotary_dims), float(context), eps, layers or 1, format,
                                             eps_mach, convention)
    return out


def bounds(
    context: float,
    rotary_dims: int,
    *,
    eps: float = 0.5,
    layers: int = 1,
    format: str = "fp32",  # noqa: A002
    eps_mach: str = "ulp",
    convention: str = "approximate",
) -> dict[str, float]:
    """The base bounds of arXiv:2602.10959 for context L and d rotary dims: aliasing (base > L/(2 pi)),
    DC stability (base >= L/arccos(eps)), depth (base >= L/arccos(eps^(1/N))) and the precision wall
    (base < 1/eps_mach), plus the per-layer phase budget arccos(eps^(1/N))."""
    z = zone(base=2.0, rotary_dims=rotary_dims, context=context, eps=eps, layers=layers, format=format,
             eps_mach=eps_mach)[convention]
    return {"aliasing_min_base": z["aliasing_min_base"], "dc_min_base": z["dc_min_base"],
            "depth_min_base": z["depth_min_base"], "precision_wall": z["precision_wall"],
            "phase_budget": _core.phase_budget(eps, layers)}


@dataclass
class ModelCheck:
    """``ropelab check-model``'s result: the verdict, the problems, and which stage upgrade fixes each."""

    safe: bool
    problems: list[str]
    unresolved_pairs: list[int]
    subnormal_pairs: list[int]
    flushed_pairs: list[int]
    upgrades: list[dict[str, Any]]
    combined_upgrade: Optional[dict[str, Any]]
    zone: dict[str, Any]
    key_cache: list[dict[str, Any]]
    first_any_collision: int
    first_full_collision: int
    first_tau_exceed: int
    max_phase_error: float
    max_score_error: float


def check_model(
    preset: str,
    spec: SpecLike,
    context: int,
    *,
    set: Overrides = None,  # noqa: A002
    tau: float = 0.1,
    eps: float = 0.5,
    layers: Optional[int] = None,
    key_cache: Sequence[str] = (),
    logit_tolerance: float = 0.1,
    threads: int = 0,
) -> ModelCheck:
    """Is ``spec`` safe on ``preset`` up to ``context``? As ``ropelab check-model`` (zone in the exact theta_min
    convention; ``layers`` gates the depth bound only when given). ``key_cache``: formats to compare as the key
    cache (scalar or block names), one row each."""
    kind, value = resolve_spec(spec)
    if not 0 < eps < 1:
        raise ValueError(f"eps: {eps} is not in (0, 1)")
    return ModelCheck(**_core.check_model(preset, overrides_text(set), kind, value, int(context), float(tau), float(eps),
                                          layers or 1, int(threads), list(key_cache), float(logit_tolerance)))


def check_claims(filter: str = "", *, directory: Optional[str] = None,  # noqa: A002 - the CLI's --filter
                 progress: Optional[Callable[[str], None]] = None) -> Table:
    """Evaluates the claims registry (experiments/claims/*.toml) as ``ropelab check`` does: one row per claim whose
    id contains ``filter``, with its expected and measured verdict and the numbers behind it. ``progress(id)`` is
    called before each claim. A bad registry file raises ValueError naming the file, line and key."""
    return Table(_core.check_claims(filter, directory or "", progress))
