"""Floating-point and block formats, and rounding numpy arrays to them."""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Literal, Optional

import numpy as np

from . import _core
from ._arrays import float_array
from ._results import Table

_BITS_DTYPES = {8: np.uint8, 16: np.uint16, 19: np.uint32, 32: np.uint32, 64: np.uint64}


@dataclass(frozen=True)
class Format:
    """A binary floating-point format with every policy spelled out (the fields of C++ ``ropelab::Format``).

    Values are ``±M · 2^(e − p + 1)`` with ``M < 2^p``; normal numbers have ``e`` in ``[emin, emax]``.
    ``specials`` is ``ieee`` (±Inf and NaN), ``nan`` (NaN only, OCP e4m3fn) or ``none``; ``overflow`` is what a
    finite result beyond ``max_finite`` becomes (``inf``, ``saturate``, ``nan``). ``bits`` is the width of
    the interchange encoding (None for custom and mpfr:P formats).
    """

    name: str
    precision: int
    emin: int
    emax: int
    subnormals: bool
    specials: str
    overflow: str
    max_significand: int
    is_mpfr: bool
    unit_roundoff: float
    machine_epsilon: float
    max_finite: float
    min_normal: float
    min_subnormal: float
    max_exact_integer: float
    bits: Optional[int]
    exponent_bits: Optional[int]
    fraction_bits: Optional[int]


def format(name: str) -> Format:  # noqa: A001 - the problem's word
    """The format NAME ("bf16", "e4m3fn", "mpfr:200", or "p=11,emin=-14,emax=15,subnormals=on,overflow=inf")."""
    return Format(**_core.format_info(name))


def formats(extra: tuple[str, ...] = ()) -> Table:
    """Every named format (the rows of ``ropelab formats``) plus any EXTRA format descriptions, as a Table."""
    listed = [format(n) for n in _core.named_formats()] + [format(n) for n in extra]
    return Table({f.name: [getattr(x, f.name) for x in listed] for f in fields(Format)})


def block_formats() -> Table:
    """Every named block format (``ropelab formats --block``) as a Table."""
    infos = [_core.block_format_info(n) for n in _core.named_block_formats()]
    columns = ["name", "rule", "element_bits", "block_size", "scale_format", "scale_bits", "offset_bits", "rounding",
               "description", "source"]
    table = Table({c: [i[c] for i in infos] for c in columns})
    table["element"] = [i["element"]["name"] for i in infos]
    return table


def round(  # noqa: A001 - the problem's word
    x: Any,
    format: str,  # noqa: A002
    mode: str = "rne",
    *,
    seed: int = 0,
    index: int = 0,
    out: Literal["float", "bits"] = "float",
    threads: int = 1,
) -> np.ndarray:
    """Rounds every element of ``x`` (float32 or float64, any shape, any layout or byte order) to ``format``.

    ``mode``: ``rne`` (nearest even), ``rz``, ``ru``, ``rd``, or ``sr`` (stochastic: element ``i`` of ``x`` in C
    order uses the counter RNG at ``(seed, index + i)``, so results never depend on ``threads`` or chunking).
    ``out="float"`` returns the rounded values in ``x``'s float dtype (native byte order, C order, same shape);
    ``out="bits"`` returns the format's encodings as uint8 (fp8), uint16 (bf16/fp16), uint32 (tf32's 19 bits,
    fp32) or uint64 (fp64). A block format name (``mxfp8_e4m3``, ``nvfp4``, ``q8_0`` ...) quantizes and
    dequantizes consecutive C-order elements block by block (float32 storage, ``out="float"`` only).

    Raises TypeError for a non-float dtype and ValueError naming the field for a bad format, mode or index.
    NaN stays NaN, ±Inf stays ±Inf where the format has Inf (else it saturates or becomes NaN, as the format's
    overflow policy says), exactly as ``ropelab round`` and the C++ ``round_in_place``.
    """
    a = float_array(x)
    if out not in ("float", "bits"):
        raise ValueError(f"out: '{out}' is not 'float' or 'bits'")
    if _core.is_block_format(format):
        if out != "float":
            raise ValueError("out: block formats give floats only (use quantize() for their codes)")
        if _core.rounding_mode_name(mode) != _core.rounding_mode_name("rne"):
            raise ValueError(f"mode: block formats take their rounding from the name ('{format}:rounding=sr')")
        return quantize_dequantize(a, format, seed=seed, index=index, threads=threads).astype(a.dtype)
    result = a.copy()
    flat = result.reshape(-1)
    if a.dtype == np.float32:
        _core.round_f32(flat, format, mode, seed, index, threads)
    else:
        _core.round_f64(flat, format, mode, seed, index, threads)
    if out == "float":
        return result
    info = _core.format_info(format)
    if info["bits"] is None:
        raise ValueError(f"format: {info['name']} has no standard encoding (out='bits' needs a named format)")
    bits = _core.encode(flat.astype(np.float64), format)
    return bits.astype(_BITS_DTYPES[info["bits"]]).reshape(a.shape)


@dataclass
class QuantizedBlocks:
    """One array in a block format: one code per element, one scale code per block (see C++ QuantizedBlocks)."""

    format: str
    shape: tuple[int, ...]
    codes: np.ndarray  # uint8, one per element (C order)
    scales: np.ndarray  # uint32 scale codes, one per block
    offsets: np.ndarray  # uint16 binary16 bits of the block minimum (q4_1, q5_1), else empty
    tensor_scale: float  # nvfp4's tensor encode scale, else 1


def quantize(x: Any, format: str, *, seed: int = 0, index: int = 0, threads: int = 1) -> QuantizedBlocks:  # noqa: A002
    """Quantizes ``x`` (converted to float32) to a block format, blocks of consecutive C-order elements.

    The element count must be a multiple of the block size (ValueError naming 'block' otherwise). Stochastic
    element rounding (``NAME:rounding=sr``) uses counter ``(seed, index + i)`` for element ``i``.
    """
    a = float_array(x)
    flat = np.ascontiguousarray(a, dtype=np.float32).reshape(-1)
    d = _core.quantize_blocks(flat, format, seed, index, threads)
    return QuantizedBlocks(format, a.shape, d["codes"], d["scales"], d["offsets"], d["tensor_scale"])


def dequantize(blocks: QuantizedBlocks, *, threads: int = 1) -> np.ndarray:
    """The stored values of quantized blocks as float32, in the shape that was quantized."""
    flat = _core.dequantize_blocks(np.ascontiguousarray(blocks.codes, dtype=np.uint8),
                                   np.ascontiguousarray(blocks.scales, dtype=np.uint32),
                                   np.ascontiguousarray(blocks.offsets, dtype=np.uint16),
                                   float(blocks.tensor_scale), blocks.format, threads)
    return flat.reshape(blocks.shape)


def quantize_dequantize(x: Any, format: str, *, seed: int = 0, index: int = 0, threads: int = 1) -> np.ndarray:  # noqa: A002
    """``dequantize(quantize(x))`` in one pass, as float32 (what a quantized KV cache gives back)."""
    a = float_array(x)
    result = np.array(a, dtype=np.float32, order="C", copy=True)
    _core.quantize_dequantize(result.reshape(-1), format, seed, index, threads)
    return result

