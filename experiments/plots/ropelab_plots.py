"""Shared helpers of the report's plotting scripts: read a report CSV (its "# key=value" metadata lines and
tidy rows), and save a figure as PNG and SVG atomically (temporary file + os.replace).

Every fig_*.py script is run as `python3 fig_X.py DATA_DIR FIGURES_DIR` and reads only DATA_DIR/*.csv.
"""
import csv
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")  # headless: no display on a build machine
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

plt.rcParams.update({"figure.dpi": 110, "font.size": 9, "axes.grid": True, "grid.alpha": 0.3})


def directories():
    if len(sys.argv) != 3:
        sys.exit(f"usage: {os.path.basename(sys.argv[0])} DATA_DIR FIGURES_DIR")
    return sys.argv[1], sys.argv[2]


def read_csv(data_dir, name):
    """Returns (meta, rows): meta from the leading '# key=value' lines, rows as dicts of strings."""
    meta, lines = {}, []
    with open(os.path.join(data_dir, name + ".csv"), newline="") as f:
        for line in f:
            if line.startswith("#") and not lines:
                key, _, value = line[1:].strip().partition("=")
                meta[key] = value
            else:
                lines.append(line)
    return meta, list(csv.DictReader(lines))


def num(text):
    """A CSV number; '' -> nan."""
    return float(text) if text not in ("", None) else math.nan


def event(text):
    """A position of an event; -1 (the event does not happen) -> nan."""
    value = num(text)
    return math.nan if value < 0 else value


def save(fig, figures_dir, stem):
    fig.tight_layout()
    for ext in ("png", "svg"):
        final = os.path.join(figures_dir, f"{stem}.{ext}")
        temporary = f"{final}.tmp.{os.getpid()}"
        fig.savefig(temporary, format=ext)
        os.replace(temporary, final)
    plt.close(fig)
