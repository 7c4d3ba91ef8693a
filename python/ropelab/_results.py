"""Result containers: plain dicts of numpy arrays, convertible to pandas when pandas is installed."""
from __future__ import annotations

from typing import Any

import numpy as np


class Table(dict):
    """Columns by name (each a numpy array or list of equal length); ``to_pandas()`` gives a DataFrame."""

    def to_pandas(self) -> Any:
        """A pandas DataFrame of the columns (ImportError when pandas is not installed)."""
        import pandas  # noqa: PLC0415 - optional dependency

        return pandas.DataFrame({k: list(v) if isinstance(v, list) else v for k, v in self.items()})

    def rows(self) -> list[dict[str, Any]]:
        """The table as a list of row dicts."""
        keys = list(self)
        n = len(self[keys[0]]) if keys else 0
        return [{k: self[k][i] for k in keys} for i in range(n)]

    def __repr__(self) -> str:
        keys = list(self)
        if not keys:
            return "Table()"
        cells = [[_cell(self[k][i]) for k in keys] for i in range(len(self[keys[0]]))]
        widths = [max([len(k)] + [len(r[j]) for r in cells]) for j, k in enumerate(keys)]
        lines = ["  ".join(k.ljust(w) for k, w in zip(keys, widths))]
        lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in cells]
        return "\n".join(lines)


def _cell(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    return str(value)
