"""ropelab: mixed-precision numerics of rotary positional embeddings, on numpy arrays.

Formats and rounding::

    >>> import numpy as np, ropelab
    >>> ropelab.round(np.array([1.01171875], np.float32), "bf16")
    array([1.015625], dtype=float32)

The RoPE emulator and analyses: :func:`emulate`, :func:`wall`, :func:`compare`, :func:`check_model`,
:func:`zone`, :func:`bounds`, the claims registry :func:`check_claims` and the :mod:`ropelab.stats` module.
Results are dataclasses and dicts of numpy arrays; :class:`Table` results convert to pandas with
``.to_pandas()`` when pandas is installed. Bad input raises ValueError naming the field and its allowed range;
a non-float array raises TypeError. Long calls release the GIL and take an optional ``progress`` callback.
"""
from . import _core, attention, stats
from ._formats import Format, QuantizedBlocks, block_formats, dequantize, format, formats, quantize, \
    quantize_dequantize, round
from ._results import Table
from ._rope import Emulation, Wall, compare, emulate, models, preset, presets, spec, wall
from ._theory import ModelCheck, bounds, check_claims, check_model, zone

__version__ = _core.__version__

# round and format stay out of __all__: `from ropelab import *` must not shadow the builtins.
__all__ = [
    "Emulation", "Format", "attention", "ModelCheck", "QuantizedBlocks", "Table", "Wall", "block_formats", "bounds",
    "check_claims", "check_model", "compare", "dequantize", "emulate", "formats", "models", "preset", "presets",
    "quantize", "quantize_dequantize", "spec", "stats", "wall", "zone",
]
