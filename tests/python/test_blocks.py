"""Block formats from Python against the specifications written out in numpy: OCP MX v1.0 §6.3 (MXFP8 E4M3:
shared E8M0 scale 2^(floor(log2 amax) - 8), elements rounded to nearest even on the e4m3 grid, saturating) and
ggml's quantize_row_q8_0_ref (d = amax/127, q = roundf(x/d), d stored as fp16)."""
from __future__ import annotations

import math

import numpy as np
import pytest

import ropelab


def e4m3_grid() -> tuple[np.ndarray, np.ndarray]:
    """Non-negative finite e4m3fn values and their codes (bias 7, subnormals, no 0x7f)."""
    codes = np.arange(0x7F)
    e, m = codes >> 3, codes & 7
    values = np.where(e == 0, m / 8 * 2.0**-6, (1 + m / 8) * 2.0 ** (e - 7))
    return values, codes


def mx_e4m3_oracle(block: np.ndarray) -> tuple[np.ndarray, int]:
    values, codes = e4m3_grid()
    amax = float(np.max(np.abs(block)))
    s = min(max(math.floor(math.log2(amax)) - 8, -127), 127)
    out = np.empty(block.size)
    for i, x in enumerate(block.astype(np.float64) * 2.0**-s):
        a = min(abs(x), 448.0)
        dist = np.abs(values - a)
        best = np.flatnonzero(dist == dist.min())
        pick = best[0] if best.size == 1 else best[(codes[best] & 1) == 0][0]  # tie: even code
        out[i] = math.copysign(values[pick], x)
    return out * 2.0**s, s + 127


def test_mxfp8_e4m3_against_spec():
    rng = np.random.default_rng(8)
    x = (rng.normal(size=(4, 64)) * np.exp(rng.uniform(-6, 6, size=(4, 1)))).astype(np.float32)
    x[0, :32] = np.float32(1.0) + np.arange(32, dtype=np.float32) * np.float32(2.0**-5)  # ties on the grid
    q = ropelab.quantize(x, "mxfp8_e4m3")
    assert q.codes.dtype == np.uint8 and q.codes.size == x.size and q.scales.size == x.size // 32
    back = ropelab.dequantize(q)
    assert back.shape == x.shape and back.dtype == np.float32
    flat = x.reshape(-1)
    for b in range(flat.size // 32):
        expect, scale_code = mx_e4m3_oracle(flat[32 * b:32 * b + 32])
        assert q.scales[b] == scale_code
        assert np.array_equal(back.reshape(-1)[32 * b:32 * b + 32], expect.astype(np.float32)), b
    assert np.array_equal(ropelab.quantize_dequantize(x, "mxfp8_e4m3"), back)
    assert np.array_equal(ropelab.round(x, "mxfp8_e4m3"), back)


def test_q8_0_against_ggml_reference():
    rng = np.random.default_rng(3)
    x = rng.normal(size=96).astype(np.float32)
    back = ropelab.quantize_dequantize(x, "q8_0")
    for b in range(3):
        block = x[32 * b:32 * b + 32]
        d = np.float32(np.max(np.abs(block))) / np.float32(127)
        v = (block * (np.float32(1) / d)).astype(np.float64)
        q = np.sign(v) * np.floor(np.abs(v) + 0.5)  # roundf: half away from zero (exact in binary64)
        expect = (q.astype(np.float32) * np.float32(np.float16(d))).astype(np.float32)
        assert np.array_equal(back[32 * b:32 * b + 32], expect), b


def test_block_errors_and_stochastic():
    with pytest.raises(ValueError, match="block"):
        ropelab.quantize(np.ones(33, np.float32), "mxfp8_e4m3")
    with pytest.raises(ValueError, match="no_such_block|format"):
        ropelab.quantize(np.ones(32, np.float32), "no_such_block:block=32")
    x = np.random.default_rng(0).normal(size=256).astype(np.float32)
    a = ropelab.quantize_dequantize(x, "mxfp4:rounding=sr", seed=5)
    assert np.array_equal(a, ropelab.quantize_dequantize(x, "mxfp4:rounding=sr", seed=5, threads=0))
    assert not np.array_equal(a, ropelab.quantize_dequantize(x, "mxfp4:rounding=sr", seed=6))
    with pytest.raises(TypeError):
        ropelab.quantize(np.ones(32, np.int32), "mxfp8_e4m3")
    table = ropelab.block_formats()
    assert "mxfp8_e4m3" in table["name"] and "q8_0" in table["name"]
