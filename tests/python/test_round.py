"""ropelab.round against independent oracles: exhaustive bf16 enumeration with midpoints (ties to even decided
by the enumeration's own parity), e4m3fn's 256 codes decoded by the OCP formula, the CLI bit for bit, and numpy
edge cases (layouts, byte order, NaN/Inf, empty arrays, wrong dtypes)."""
from __future__ import annotations

import csv
import io
import math

import numpy as np
import pytest

import ropelab


def bf16_values(bits: np.ndarray) -> np.ndarray:
    """bf16 patterns as float32: the pattern is the top half of a binary32 (exact, independent of ropelab)."""
    return (bits.astype(np.uint32) << 16).view(np.float32)


def test_readme_example():
    assert ropelab.round(np.array([1.01171875], np.float32), "bf16").tolist() == [1.015625]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bf16_exhaustive_values_and_midpoints(dtype):
    # Every positive finite bf16 value a_i (patterns 0 .. 0x7f7f) and the next one up, a_(i+1) (0x7f80 = +inf).
    lo_bits = np.arange(0, 0x7F80, dtype=np.uint16)
    hi_bits = lo_bits + np.uint16(1)
    lo, hi = bf16_values(lo_bits).astype(np.float64), bf16_values(hi_bits).astype(np.float64)
    finite_hi = np.isfinite(hi)
    # Midpoints are exact in binary32 (8 bits + 1 < 24); above max finite the "next value" is 2^128.
    hi_for_mid = np.where(finite_hi, hi, 2.0**128)
    mid = ((lo + hi_for_mid) / 2).astype(dtype)
    below = np.nextafter(mid, dtype(0))
    above = np.nextafter(mid, dtype(np.inf))
    even = (lo_bits & 1) == 0
    # Values round to themselves with their own pattern.
    values = lo.astype(dtype)
    assert np.array_equal(ropelab.round(values, "bf16"), values)
    assert np.array_equal(ropelab.round(values, "bf16", out="bits"), lo_bits)
    # Ties go to the even pattern; just below / above the midpoint go to the nearer neighbour.
    expect_mid = np.where(even, lo_bits, hi_bits)
    assert np.array_equal(ropelab.round(mid, "bf16", out="bits"), expect_mid)
    assert np.array_equal(ropelab.round(below, "bf16", out="bits"), lo_bits)
    assert np.array_equal(ropelab.round(above, "bf16", out="bits"), hi_bits)
    # Directed modes on the midpoint: rz / rd give the lower, ru the upper neighbour (max finite for rz above).
    assert np.array_equal(ropelab.round(mid, "bf16", "rz", out="bits"), lo_bits)
    assert np.array_equal(ropelab.round(mid, "bf16", "rd", out="bits"), lo_bits)
    assert np.array_equal(ropelab.round(mid, "bf16", "ru", out="bits"), hi_bits)
    # The negative half mirrors the positive one under every symmetric mode.
    assert np.array_equal(ropelab.round(-mid, "bf16", out="bits"), expect_mid | np.uint16(0x8000))
    assert np.array_equal(ropelab.round(-mid, "bf16", "ru", out="bits"), lo_bits | np.uint16(0x8000))


def e4m3fn_decode(code: int) -> float:
    """OCP FP8 E4M3 (v1.0 table 2): bias 7, subnormals at e = 0, S.1111.111 is NaN, max 448."""
    s, e, m = code >> 7, (code >> 3) & 0xF, code & 7
    if e == 0xF and m == 7:
        return math.nan
    v = (m / 8) * 2.0**-6 if e == 0 else (1 + m / 8) * 2.0 ** (e - 7)
    return -v if s else v


def test_e4m3fn_every_code():
    codes = np.arange(256)
    values = np.array([e4m3fn_decode(int(c)) for c in codes])
    finite = ~np.isnan(values)
    rounded = ropelab.round(values, "e4m3fn")
    assert np.array_equal(rounded[finite], values[finite])
    bits = ropelab.round(values[finite], "e4m3fn", out="bits")
    assert bits.dtype == np.uint8
    assert np.array_equal(bits, codes[finite].astype(np.uint8))
    assert np.isnan(rounded[~finite]).all()
    # Overflow: e4m3fn overflows to NaN; the largest finite is 448.
    assert ropelab.format("e4m3fn").max_finite == 448
    assert np.isnan(ropelab.round(np.array([1e6]), "e4m3fn")[0])


def test_cli_bit_for_bit(run_cli):
    rng = np.random.default_rng(20261201)
    x = np.concatenate([rng.normal(scale=3.0, size=40), [0.0, -0.0, 1e-9, 447.9, 500.0, np.inf, -np.inf]])
    for fmt, mode in [("e4m3fn", "rne"), ("bf16", "sr"), ("fp16", "rz"), ("e5m2", "ru"), ("tf32", "rd")]:
        text = run_cli("round", "--format", fmt, "--mode", mode, "--seed", 7, "--index", 3, "--csv",
                       *[repr(float(v)) if np.isfinite(v) else ("inf" if v > 0 else "-inf") for v in x])
        rows = list(csv.DictReader(io.StringIO(text)))
        cli_values = np.array([float(r["result"]) for r in rows])
        ours = ropelab.round(x, fmt, mode, seed=7, index=3)
        assert np.array_equal(ours, cli_values, equal_nan=True), fmt
        bits_column = [k for k in rows[0] if k.endswith("_bits")][0]
        cli_bits = np.array([int(r[bits_column], 16) for r in rows], dtype=np.uint64)
        assert np.array_equal(ropelab.round(x, fmt, mode, seed=7, index=3, out="bits").astype(np.uint64), cli_bits), fmt


def test_stochastic_counter_semantics():
    x = np.linspace(1.0, 1.0078125, 1000, dtype=np.float32)  # inside one bf16 binade, between 1 and 1 + 2^-7
    whole = ropelab.round(x, "bf16", "sr", seed=11, index=5)
    again = ropelab.round(x, "bf16", "sr", seed=11, index=5, threads=0)
    parts = np.concatenate([ropelab.round(x[:300], "bf16", "sr", seed=11, index=5),
                            ropelab.round(x[300:], "bf16", "sr", seed=11, index=305)])
    assert np.array_equal(whole, again) and np.array_equal(whole, parts)
    assert not np.array_equal(whole, ropelab.round(x, "bf16", "sr", seed=12, index=5))
    # 1 + 2^-9 is a quarter of the way from 1 to 1 + 2^-7: it rounds up with probability 1/4.
    y = np.full(40000, 1 + 2.0**-9)
    up = np.mean(ropelab.round(y, "bf16", "sr", seed=3) > 1)
    assert abs(up - 0.25) < 4 * math.sqrt(0.25 * 0.75 / y.size), up


def test_layouts_and_byte_order():
    rng = np.random.default_rng(1)
    base = rng.normal(size=(6, 8)).astype(np.float32)
    expect = ropelab.round(np.ascontiguousarray(base[:, ::2]), "fp16")
    assert np.array_equal(ropelab.round(base[:, ::2], "fp16"), expect)  # non-contiguous
    assert np.array_equal(ropelab.round(np.asfortranarray(base)[:, ::2], "fp16"), expect)
    big = base.astype(">f4")
    out = ropelab.round(big, "fp16")
    assert out.dtype == np.float32 and out.dtype.isnative
    assert np.array_equal(out, ropelab.round(base, "fp16"))
    assert ropelab.round(base.reshape(2, 3, 8), "fp16").shape == (2, 3, 8)
    # The input is never modified.
    copy = base.copy()
    ropelab.round(base, "e4m3fn")
    assert np.array_equal(base, copy)


def test_nan_inf_and_empty():
    x = np.array([np.nan, np.inf, -np.inf, -0.0], dtype=np.float32)
    r = ropelab.round(x, "bf16")
    assert np.isnan(r[0]) and r[1] == np.inf and r[2] == -np.inf and r[3] == 0 and np.signbit(r[3])
    assert ropelab.round(x[1:], "bf16", out="bits").tolist() == [0x7F80, 0xFF80, 0x8000]
    e4 = ropelab.round(x, "e4m3fn")  # no Inf in e4m3fn: Inf becomes NaN (overflow to NaN)
    assert np.isnan(e4[:3]).all()
    for shape in [(0,), (0, 3)]:
        empty = np.zeros(shape, np.float64)
        assert ropelab.round(empty, "bf16").shape == shape
        assert ropelab.round(empty, "bf16", out="bits").shape == shape


@pytest.mark.parametrize("bad", [np.arange(3), np.zeros(3, np.float16), np.zeros(3, np.complex64), ["a"]])
def test_wrong_dtype_is_type_error(bad):
    with pytest.raises(TypeError, match="dtype"):
        ropelab.round(bad, "bf16")


def test_value_errors_name_the_field():
    x = np.ones(3)
    with pytest.raises(ValueError, match="bf17"):
        ropelab.round(x, "bf17")
    with pytest.raises(ValueError, match="rne"):
        ropelab.round(x, "bf16", "nearest-ish")
    with pytest.raises(ValueError, match="index"):
        ropelab.round(x, "bf16", "sr", index=2**64 - 2)
    with pytest.raises(ValueError, match="encoding"):
        ropelab.round(x, "mpfr:100", out="bits")
    with pytest.raises(ValueError, match="out"):
        ropelab.round(x, "bf16", out="hex")


def test_format_objects_and_table():
    bf16 = ropelab.format("bf16")
    assert (bf16.precision, bf16.emin, bf16.emax, bf16.bits) == (8, -126, 127, 16)
    assert bf16.max_finite == (2 - 2.0**-7) * 2.0**127
    assert bf16.unit_roundoff == 2.0**-8
    table = ropelab.formats(("p=3,emin=-2,emax=3,subnormals=on,overflow=saturate",))
    assert "e4m3fn" in table["name"] and len(table["name"]) == len(table["precision"])
    assert table["max_finite"][-1] == 1.75 * 8  # p = 3: 1.11b * 2^3
