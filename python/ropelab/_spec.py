"""Which model a call means: a shipped model name, a config.json path, or a dict (an HF ``config.to_dict()``)."""
from __future__ import annotations

import json
import os
import pathlib
from typing import Any, Mapping, Optional, Union

SpecLike = Union[str, "os.PathLike[str]", Mapping[str, Any]]

# An installed package carries the shipped model configs (python/CMakeLists.txt), so model names do not depend on
# the source tree the module was built from; the in-tree module reads experiments/models through the C++ core.
PACKAGED_MODELS = pathlib.Path(__file__).resolve().parent / "models"


def model_names() -> list[str]:
    """The shipped model names: the package's copies when installed, else the source tree's."""
    if PACKAGED_MODELS.is_dir():
        return sorted(p.stem for p in PACKAGED_MODELS.glob("*.json"))
    from . import _core  # noqa: PLC0415

    return _core.model_names()


def resolve_spec(spec: SpecLike) -> tuple[str, str]:
    """(kind, value) for the C++ core: ("model", name), ("config_file", path) or ("config_json", text)."""
    if isinstance(spec, Mapping):
        return "config_json", json.dumps(dict(spec), default=str)
    if isinstance(spec, os.PathLike):
        return "config_file", os.fspath(spec)
    if isinstance(spec, str):
        if spec.endswith(".json") or os.sep in spec:
            return "config_file", spec
        if PACKAGED_MODELS.is_dir():
            packaged = PACKAGED_MODELS / f"{spec}.json"
            if not packaged.is_file():
                raise ValueError(f"spec: model '{spec}' is not shipped; known: {', '.join(model_names())}")
            return "config_file", str(packaged)
        return "model", spec
    raise TypeError(f"spec: {type(spec).__name__} is not a model name, a config.json path or a dict")


def spec_layers(spec: SpecLike, kind: str, value: str) -> Optional[int]:
    """num_hidden_layers of the spec's config, if it has one."""
    from . import _core  # noqa: PLC0415

    if kind == "config_json":
        layers = dict(spec).get("num_hidden_layers")  # type: ignore[arg-type]
        if layers is None:
            return None
        if not isinstance(layers, int) or layers < 1:
            raise ValueError(f"spec: 'num_hidden_layers' {layers!r} is not a positive integer")
        return layers
    return _core.layers_of(kind, value)


def overrides_text(set: Optional[Union[str, Mapping[str, Any]]]) -> str:  # noqa: A002 - the CLI's --set
    """A stage-override mapping {stage: value} (or the CLI's "STAGE=VALUE,...") as the CLI's text."""
    if set is None:
        return ""
    if isinstance(set, str):
        return set
    if isinstance(set, Mapping):
        return ",".join(f"{stage}={value}" for stage, value in set.items())
    raise TypeError(f"set: {type(set).__name__} is not a dict of stage overrides or 'STAGE=VALUE,...' text")
