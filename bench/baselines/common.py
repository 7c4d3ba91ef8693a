"""Shared pieces of the numpy baselines (bench/baselines/*.py): bf16 rounding, vectors, the JSON result line.

Each baseline prints one JSON object on stdout: the workload, what it computes, the seconds its computation
took (time.perf_counter around the work, excluding imports and file loading) and its result, so bench/compare
can set it beside ropelab's.
"""
import json
import os
import sys
import time

import numpy as np


def bf16_rne(x):
    """Round float32 values to bfloat16 (round to nearest, ties to even; NaN kept quiet), as float32."""
    bits = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32)
    rounded = (bits + np.uint32(0x7FFF) + ((bits >> np.uint32(16)) & np.uint32(1))) & np.uint32(0xFFFF0000)
    rounded = np.where(np.isnan(x), bits | np.uint32(0x00400000), rounded)
    return rounded.astype(np.uint32).view(np.float32)


def load_vector(path, dim):
    """One vector of `dim` values from a .npy file (float32/float64, shape (dim,) or (1, dim)), as float64."""
    v = np.load(path).astype(np.float64).reshape(-1)
    if v.size != dim:
        sys.exit(f"{path}: {v.size} values; need {dim}")
    return v


def gaussian_vectors(dim, rho, seed):
    """q ~ N(0, I), k = rho q + sqrt(1 - rho^2) xi: the Gaussian model of ropelab stats (not the same draws)."""
    rng = np.random.default_rng(seed)
    q = rng.standard_normal(dim)
    k = rho * q + np.sqrt(1 - rho * rho) * rng.standard_normal(dim)
    return q, k


def report(workload, computes, seconds, **result):
    """Prints the result line: workload, what was timed, seconds, threads numpy's BLAS may use, result."""
    line = {"workload": workload, "computes": computes, "seconds": seconds,
            "omp_num_threads": os.environ.get("OMP_NUM_THREADS", "unset"), "numpy": np.__version__}
    line.update(result)
    print(json.dumps(line))


class Timer:
    """with Timer() as t: ...; t.seconds"""

    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
