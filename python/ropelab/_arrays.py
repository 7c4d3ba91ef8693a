"""Input checks shared by the array functions: dtypes, byte order, contiguity."""
from __future__ import annotations

from typing import Any

import numpy as np

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def float_array(x: Any, name: str = "x") -> np.ndarray:
    """``x`` as a C-contiguous, native-endian float32/float64 array (a copy only when needed).

    Raises TypeError for any other dtype (integers, float16, complex, object): rounding an integer array
    silently through float64 would hide a mistake.
    """
    a = np.asarray(x)
    if a.dtype.kind != "f" or a.dtype.itemsize not in (4, 8):
        raise TypeError(f"{name}: dtype {a.dtype} is not float32 or float64")
    native = np.dtype(np.float32 if a.dtype.itemsize == 4 else np.float64)
    return np.ascontiguousarray(a, dtype=native)


def float64_vector(x: Any, name: str) -> np.ndarray:
    """A 1-D float64 copy of a float32/float64 vector (query, key, scores)."""
    a = float_array(x, name)
    if a.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array, got shape {a.shape}")
    return np.ascontiguousarray(a, dtype=np.float64)


def float64_matrix(x: Any, name: str) -> np.ndarray:
    """A (heads, head_dim) float64 copy; a 1-D vector is one head."""
    a = float_array(x, name)
    if a.ndim == 1:
        a = a[np.newaxis, :]
    if a.ndim != 2:
        raise ValueError(f"{name}: expected a (heads, head_dim) array, got shape {a.shape}")
    return np.ascontiguousarray(a, dtype=np.float64)


def positions_array(positions: Any) -> np.ndarray:
    """Positions as int64: integers, a range, an array, or the CLI's text ``"0:8,100,4096:4100"``."""
    if isinstance(positions, str):
        values: list[int] = []
        for item in positions.split(","):
            item = item.strip()
            if ":" in item:
                a, b = item.split(":", 1)
                values.extend(range(int(a), int(b)))
            elif item:
                values.append(int(item))
        positions = values
    a = np.asarray(positions)
    if a.size == 0:
        raise ValueError("positions: no positions listed")
    if a.dtype.kind not in "iu":
        raise TypeError(f"positions: dtype {a.dtype} is not an integer dtype")
    if a.ndim != 1:
        raise ValueError(f"positions: expected a 1-D list, got shape {a.shape}")
    if (a < 0).any():
        raise ValueError(f"positions: {int(a.min())} is negative")
    return np.ascontiguousarray(a, dtype=np.int64)
