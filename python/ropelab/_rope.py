"""The RoPE emulator and the precision wall: presets run on a model's spec."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional, Sequence, Union

import numpy as np

from . import _core
from ._arrays import float64_vector, positions_array
from ._results import Table
from ._spec import SpecLike, model_names, overrides_text, resolve_spec

Overrides = Optional[Union[str, Mapping[str, Any]]]
ProgressCallback = Optional[Callable[[float], None]]


def presets() -> Table:
    """Every pipeline preset (``ropelab presets``): name, description, source and its stages."""
    infos = _core.presets()
    return Table({"name": [p["name"] for p in infos], "description": [p["description"] for p in infos],
                  "source": [p["source"] for p in infos], "stages": [p["stages"] for p in infos]})


def preset(name: str, set: Overrides = None) -> dict[str, Any]:  # noqa: A002
    """One preset with stage overrides applied: name, description, source and stages {stage: value}."""
    return _core.preset_info(name, overrides_text(set))


def spec(spec: SpecLike) -> dict[str, Any]:
    """The RoPE spec a model name, config.json path or config dict gives (head_dim, rotary_dims, base, ...)."""
    return _core.spec_info(*resolve_spec(spec))


def models() -> list[str]:
    """The shipped model names (experiments/models)."""
    return model_names()


@dataclass
class Emulation:
    """What a preset's pipeline stores at the listed positions: the arrays of ``ropelab emulate`` (float64).

    ``angle``, ``cos``, ``sin``: [position, pair]; ``key``, ``key_cache``: [position, head_dim] in the input's
    coordinate order; ``omega``: [pair], the stored inverse frequency.
    """

    positions: np.ndarray
    omega: np.ndarray
    angle: np.ndarray
    cos: np.ndarray
    sin: np.ndarray
    key: np.ndarray
    key_cache: np.ndarray
    context_length: int
    spec: dict[str, Any]
    preset: dict[str, Any]
    key_cache_format: str

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays by the file names ``ropelab emulate --out`` uses (without .npy)."""
        return {n: getattr(self, n) for n in ("positions", "omega", "angle", "cos", "sin", "key", "key_cache")}


def emulate(
    preset: str,
    spec: SpecLike,
    positions: Any,
    k: Any = None,
    set: Overrides = None,  # noqa: A002
    *,
    seed: int = 0,
    context: Optional[int] = None,
) -> Emulation:
    """Runs ``preset`` on ``spec`` at ``positions``, as ``ropelab emulate`` does, and returns its arrays.

    ``spec``: a shipped model name (``ropelab.models()``), a config.json path, or a dict (HF ``config.to_dict()``).
    ``positions``: integers (any order), or the CLI's text ``"0:8,4096"``. ``k``: the key (head_dim values,
    rounded to the preset's input format), else wall's seeded N(0,1) key of ``seed``. ``set``: stage overrides
    ``{"table_format": "bf16"}`` (``ropelab presets --stages``). ``context``: the table length (default:
    largest position + 1). Errors are ValueError naming the field and its allowed range.
    """
    key = None if k is None else float64_vector(k, "k")
    if k is not None and seed != 0:
        raise ValueError("seed: not with k (the key is given)")
    d = _core.emulate(preset, overrides_text(set), *resolve_spec(spec), positions_array(positions), key, seed,
                      0 if context is None else int(context))
    return Emulation(**d)


@dataclass
class Wall:
    """The precision wall of one pipeline at one context length (C++ ``rope::WallReport``).

    Positions are -1 where nothing happened (no collision, no threshold crossing). ``pairs`` is a Table with one
    row per rotary pair; ``positions`` (with ``per_position=True``) one row per position; ``phase_error_map``
    (with ``phase_error_map=True``) is |phase error| of every (position, pair) in float32.
    """

    first_any_collision: int
    first_full_collision: int
    first_tau_exceed: int
    max_phase_error: float
    max_phase_error_position: int
    max_angle_error: float
    max_colliding_fraction: float
    max_colliding_fraction_position: int
    max_rotated_key_error: float
    max_score_error: float
    key_sample_step: int
    pairs: Table
    preset: dict[str, Any]
    spec: dict[str, Any]
    context_length: int
    tau: float
    positions: Optional[Table] = None
    phase_error_map: Optional[np.ndarray] = field(default=None, repr=False)

    def summary(self) -> dict[str, Any]:
        """The scalar quantities (what ``ropelab wall`` prints in its overall table)."""
        skip = {"pairs", "positions", "phase_error_map", "preset", "spec"}
        return {k: v for k, v in self.__dict__.items() if k not in skip}


def wall(
    preset: str,
    spec: SpecLike,
    context: int,
    *,
    set: Overrides = None,  # noqa: A002
    tau: float = 0.1,
    seed: int = 0,
    q: Any = None,
    k: Any = None,
    per_position: bool = False,
    phase_error_map: bool = False,
    threads: int = 0,
    progress: ProgressCallback = None,
) -> Wall:
    """Measures the precision wall of ``preset`` on ``spec`` over positions ``0 .. context - 1`` (``ropelab wall``).

    ``tau``: phase-error threshold in radians, in (0, pi]. ``q``/``k``: the query/key for the key and score errors
    (head_dim values), else the seeded N(0,1) draws of ``seed``. ``progress(fraction)`` is called as the work
    advances (the GIL is released meanwhile; results do not depend on ``threads``).
    """
    query = None if q is None else float64_vector(q, "q")
    key = None if k is None else float64_vector(k, "k")
    d = _core.wall(preset, overrides_text(set), *resolve_spec(spec), int(context), float(tau), int(threads), int(seed),
                   query, key, per_position, phase_error_map, progress)
    d["pairs"] = Table(d["pairs"])
    if "positions" in d:
        d["positions"] = Table(d["positions"])
    return Wall(**d)


def compare(
    presets: Sequence[str],
    spec: SpecLike,
    context: int,
    *,
    set: Union[Overrides, Sequence[Overrides]] = None,  # noqa: A002
    tau: float = 0.1,
    threads: int = 0,
    progress: ProgressCallback = None,
) -> Table:
    """Several presets side by side (``ropelab compare``): one row per preset with its wall summary.

    ``set``: one override mapping for every preset, or one per preset in order. The full reports are in the
    table's ``wall`` column.
    """
    names = [presets] if isinstance(presets, str) else list(presets)
    if isinstance(set, (list, tuple)):
        if len(set) != len(names):
            raise ValueError(f"set: given {len(set)} times for {len(names)} presets; give one, or one per preset")
        per_preset = list(set)
    else:
        per_preset = [set] * len(names)
    walls = []
    for i, (name, overrides) in enumerate(zip(names, per_preset)):
        step = None if progress is None else (lambda f, i=i: progress((i + f) / len(names)))
        walls.append(wall(name, spec, context, set=overrides, tau=tau, threads=threads, progress=step))
    table = Table({"preset": names, "set": [overrides_text(o) for o in per_preset]})
    for key in walls[0].summary():
        table[key] = np.array([w.summary()[key] for w in walls])
    table["wall"] = walls
    return table
