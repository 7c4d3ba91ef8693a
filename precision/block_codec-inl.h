// Per-target helpers of the block kernels (compiled once per Highway target): element encode/decode, x86 float to
// integer conversion semantics, random words, and block reductions. Included by the block_rules*-inl.h files.

// Per-target include guard ("toggle" idiom, see hwy/examples/skeleton-inl.h).
#if defined(ROPELAB_BLOCK_CODEC_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef ROPELAB_BLOCK_CODEC_INL_H_
#undef ROPELAB_BLOCK_CODEC_INL_H_
#else
#define ROPELAB_BLOCK_CODEC_INL_H_
#endif

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "block_params.hpp"
#include "hwy/highway.h"
#include "round_kernels-inl.h"

HWY_BEFORE_NAMESPACE();
namespace ropelab::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using DF = hn::ScalableTag<float>;
using DU = hn::RebindToUnsigned<DF>;
using DI = hn::RebindToSigned<DF>;
using D8 = hn::Rebind<std::uint8_t, DF>;
using VF = hn::Vec<DF>;
using VU = hn::Vec<DU>;
using VI = hn::Vec<DI>;

// 2^e as a binary32 value for e in [-149, 127] (subnormal powers included).
inline float PowerOfTwo(int e) {
  return e >= -126 ? std::bit_cast<float>(static_cast<std::uint32_t>(e + 127) << 23)
                   : std::bit_cast<float>(std::uint32_t{1} << (e + 149));
}

// floor(log2 |x|) of a finite nonzero binary32 bit pattern (exact, subnormals included).
inline int Log2Floor(std::uint32_t magnitude_bits) {
  const int field = static_cast<int>(magnitude_bits >> 23);
  if (field != 0) return field - 127;
  return -149 + (31 - std::countl_zero(magnitude_bits));
}

// One binary32 value rounded to a format with prepared parameters (nearest even), through the vector kernel so
// scales round exactly as elements do.
inline float RoundScalar(float x, const detail::RoundParams<float>& p) {
  const DF d;
  return hn::GetLane(RoundVector<RoundingMode::nearest_even>(d, hn::Set(d, x), p, hn::Zero(DU())));
}

// Round to nearest even onto the grid of precision p, smallest normal 2^emin (subnormals below), saturating at
// `max`, for lanes with |v| < 2^(emax + 1) (callers guarantee it; NaN excluded). Magic-number rounding: with q the
// lane's grid exponent max(E, emin) - p + 1, (|v| + c) - c for c = 1.5 * 2^(q + 23) leaves |v| rounded to a multiple of
// 2^q, ties to even, by the FPU's own rounding; the sign is copied back so -0 stays -0. Same bits as
// RoundVector<nearest_even> with a saturating format on that range (block_exhaustive_test.cc checks every target).
HWY_INLINE VF RoundNearestSaturate(VF v, int emin, int precision, float max) {
  const DF df;
  const DU du;
  const DI di;
  const VF a = hn::Abs(v);
  const VI field = hn::BitCast(di, hn::ShiftRight<23>(hn::BitCast(du, a)));
  const VI quantum = hn::Sub(hn::Max(field, hn::Set(di, emin + 127)), hn::Set(di, precision - 1 - 23));
  const VF c = hn::BitCast(df, hn::Or(hn::ShiftLeft<23>(hn::BitCast(du, quantum)), hn::Set(du, 0x00400000u)));
  return hn::CopySign(hn::Min(hn::Sub(hn::Add(a, c), c), hn::Set(df, max)), v);
}

// Element rounding of the rules with a rounding choice: the magic-number path for nearest even where every lane is
// inside the element range (always, for OCP MX), RoundVector elsewhere.
template <RoundingMode kMode>
HWY_INLINE VF RoundElement(VF v, const detail::BlockParams& p, VU random) {
  const DF df;
  if constexpr (kMode == RoundingMode::nearest_even) {
    if (hn::AllTrue(df, hn::Lt(hn::Abs(v), hn::Set(df, p.element_limit)))) {
      return RoundNearestSaturate(v, p.element_emin, p.element_precision, p.element_max);
    }
  }
  return RoundVector<kMode>(df, v, p.element, random);
}

// binary16 RNE of one value (overflow to Inf): the magic-number path below 65520 (the tie between 65504 and
// 2^16), RoundVector with the binary16 parameters elsewhere.
inline float RoundBinary16(float x, const detail::BlockParams& p) {
  if (std::fabs(x) < 65520.0f) return hn::GetLane(RoundNearestSaturate(hn::Set(DF(), x), -14, 11, 65504.0f));
  return RoundScalar(x, p.binary16);
}

// The binary16 bits of a binary32 value that is a binary16 value, +-Inf or NaN (quiet, sign kept).
inline std::uint32_t Binary16Bits(float h) {
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(h);
  const std::uint32_t sign = (bits >> 16) & 0x8000u;
  const std::uint32_t a = bits & 0x7FFFFFFFu;
  if (a > 0x7F800000u) return sign | 0x7E00u;
  if (a == 0x7F800000u) return sign | 0x7C00u;
  if (a < 0x38800000u) return sign | static_cast<std::uint32_t>(std::bit_cast<float>(a) * 16777216.0f);
  return sign | ((a >> 13) - ((127u - 15u) << 10));
}

// The binary32 value of binary16 bits (exact).
inline float Binary16Value(std::uint32_t h) {
  const std::uint32_t sign = (h & 0x8000u) << 16;
  const std::uint32_t a = h & 0x7FFFu;
  std::uint32_t bits;
  if (a >= 0x7C00u) {
    bits = 0x7F800000u | (a & 0x3FFu) << 13;
  } else if (a < 0x0400u) {
    bits = std::bit_cast<std::uint32_t>(static_cast<float>(a) / 16777216.0f);
  } else {
    bits = (a << 13) + ((127u - 15u) << 23);
  }
  return std::bit_cast<float>(sign | bits);
}

// The code of a finite value of the element grid (float_bits or twos_complement), from its binary32 lanes.
// Every lane must hold a value of the grid (magnitude <= max, on the grid): the kernels encode rounded values.
HWY_INLINE VU EncodeElement(VF value, const detail::BlockParams& p) {
  const DF df;
  const DU du;
  const DI di;
  const int p1 = p.element_precision - 1;
  const float quantum_inverse = PowerOfTwo(p1 - p.element_emin);  // 1 / 2^(emin - p + 1)
  if (p.encoding == ElementEncoding::twos_complement) {
    return hn::And(hn::BitCast(du, hn::ConvertTo(di, hn::Mul(value, hn::Set(df, quantum_inverse)))),
                   hn::Set(du, 0xFFu));
  }
  const auto bits = hn::BitCast(du, value);
  const auto sign = hn::ShiftLeftSame(hn::ShiftRight<31>(bits), p.element_bits - 1);
  const auto a = hn::And(bits, hn::Set(du, 0x7FFFFFFFu));
  // Normal: the exponent field and the kept mantissa bits move down together; rebias 127 -> 1 - emin.
  const auto normal = hn::Sub(hn::ShiftRightSame(a, 23 - p1),
                              hn::Set(du, static_cast<std::uint32_t>(127 + p.element_emin - 1) << p1));
  // Subnormal or zero: the significand is |value| / quantum, an integer below 2^(p-1).
  const auto subnormal = hn::BitCast(du, hn::ConvertTo(di, hn::Mul(hn::BitCast(df, a), hn::Set(df, quantum_inverse))));
  const auto is_subnormal = hn::RebindMask(
      du, hn::Lt(hn::BitCast(di, a), hn::Set(di, static_cast<std::int32_t>((127 + p.element_emin) << 23))));
  return hn::Or(hn::IfThenElse(is_subnormal, subnormal, normal), sign);
}

// The binary32 value of element codes (any code: NaN/Inf encodings of e4m3fn/e5m2 decode to NaN/Inf).
HWY_INLINE VF DecodeElement(VU code, const detail::BlockParams& p) {
  const DF df;
  const DU du;
  const DI di;
  const int p1 = p.element_precision - 1;
  const float quantum = PowerOfTwo(p.element_emin - p1);
  if (p.encoding == ElementEncoding::twos_complement) {
    const auto k = hn::ShiftRight<24>(hn::BitCast(di, hn::ShiftLeft<24>(code)));  // sign-extended byte
    return hn::Mul(hn::ConvertTo(df, k), hn::Set(df, quantum));
  }
  const int bits = p.element_bits;
  const auto sign = hn::ShiftLeftSame(hn::ShiftRightSame(code, bits - 1), 31);
  const std::uint32_t magnitude_mask = (1u << (bits - 1)) - 1;
  const auto magnitude = hn::And(code, hn::Set(du, magnitude_mask));
  const auto normal = hn::Add(hn::ShiftLeftSame(magnitude, 23 - p1),
                              hn::Set(du, static_cast<std::uint32_t>(127 + p.element_emin - 1) << 23));
  const auto mantissa = hn::And(magnitude, hn::Set(du, (1u << p1) - 1));
  const auto subnormal = hn::BitCast(du, hn::Mul(hn::ConvertTo(df, hn::BitCast(di, mantissa)), hn::Set(df, quantum)));
  const auto is_subnormal = hn::Lt(hn::BitCast(di, magnitude), hn::Set(di, 1 << p1));
  auto result = hn::IfThenElse(hn::RebindMask(du, is_subnormal), subnormal, normal);
  if (p.element_nan_only) {
    result = hn::IfThenElse(hn::Eq(magnitude, hn::Set(du, magnitude_mask)), hn::Set(du, 0x7FC00000u), result);
  } else if (p.element_ieee) {
    const std::uint32_t exponent_ones = magnitude_mask & ~((1u << p1) - 1);
    const auto special = hn::Eq(hn::And(magnitude, hn::Set(du, exponent_ones)), hn::Set(du, exponent_ones));
    const auto inf_or_nan = hn::IfThenElse(hn::Eq(mantissa, hn::Zero(du)), hn::Set(du, 0x7F800000u),
                                           hn::Set(du, 0x7FC00000u));
    result = hn::IfThenElse(special, inf_or_nan, result);
  }
  return hn::BitCast(df, hn::Or(result, sign));
}

// x86 cvttss2si / cvtps2dq on already-integral or out-of-range lanes: the int32 value if |v| < 2^31, else
// INT32_MIN (also for NaN), as C's float-to-integer conversions compile on x86-64 (the "integer indefinite").
HWY_INLINE VI ConvertX86(VF v) {
  const DF df;
  const DI di;
  const auto in_range = hn::Lt(hn::Abs(v), hn::Set(df, 2147483648.0f));  // false for NaN
  const auto converted = hn::ConvertTo(di, hn::IfThenElseZero(in_range, v));
  return hn::IfThenElse(hn::RebindMask(di, in_range), converted, hn::Set(di, INT32_MIN));
}

// The low byte of an int32 as a signed value (C's (int8_t) of the conversion result).
HWY_INLINE VI LowByteSigned(VI i) { return hn::ShiftRight<24>(hn::ShiftLeft<24>(i)); }

// counter_random_u32(seed, index + lane) for every lane (index's high word may change inside the vector).
HWY_INLINE VU RandomWords(std::uint64_t seed, std::uint64_t index) {
  const DU du;
  const auto low = static_cast<std::uint32_t>(index);
  if (low <= 0xFFFFFFFFu - hn::Lanes(du)) {
    const auto keys = counter_block_keys(seed, static_cast<std::uint32_t>(index >> 32));
    return CounterRandom(du, hn::Iota(du, 0), low, keys);
  }
  HWY_ALIGN std::uint32_t words[hn::MaxLanes(du)];
  for (std::size_t i = 0; i < hn::Lanes(du); ++i) words[i] = counter_random_u32(seed, index + i);
  return hn::Load(du, words);
}

// Loads count (<= Lanes) values; missing lanes repeat `fill` (a value of the block, so reductions are unchanged).
HWY_INLINE VF LoadPadded(const float* HWY_RESTRICT p, std::size_t count, float fill) {
  const DF df;
  if (count == hn::Lanes(df)) return hn::LoadU(df, p);
  HWY_ALIGN float buffer[hn::MaxLanes(df)];
  std::fill_n(buffer, hn::Lanes(df), fill);
  std::copy_n(p, count, buffer);
  return hn::Load(df, buffer);
}

// The statistics of x[0, n) (n >= 1) that `needed` asks for (amax always).
HWY_INLINE detail::BlockStats ReduceBlock(const float* HWY_RESTRICT x, std::size_t n, detail::StatsNeeded needed) {
  const DF df;
  const DI di;
  const std::size_t lanes = hn::Lanes(df);
  auto amax = hn::Zero(di);
  auto min_key = hn::Set(di, INT32_MAX);
  auto max_key = hn::Set(di, INT32_MIN);
  const auto keys_of = [&](VF v) {
    const auto bits = hn::BitCast(di, v);
    const auto magnitude = hn::And(bits, hn::Set(di, 0x7FFFFFFF));
    return hn::IfThenElse(hn::Lt(bits, hn::Zero(di)), hn::Neg(magnitude), magnitude);
  };
  for (std::size_t i = 0; i < n; i += lanes) {
    const VF v = LoadPadded(x + i, std::min(lanes, n - i), x[0]);
    amax = hn::Max(amax, hn::And(hn::BitCast(di, v), hn::Set(di, 0x7FFFFFFF)));
    if (needed.min_max) {
      const auto key = keys_of(v);
      min_key = hn::Min(min_key, key);
      max_key = hn::Max(max_key, key);
    }
  }
  detail::BlockStats stats;
  stats.amax_bits = static_cast<std::uint32_t>(hn::GetLane(hn::MaxOfLanes(di, amax)));
  if (!needed.signed_max && !needed.min_max) return stats;
  // First occurrences, in element order.
  const std::int32_t min_target = hn::GetLane(hn::MinOfLanes(di, min_key));
  const std::int32_t max_target = hn::GetLane(hn::MaxOfLanes(di, max_key));
  bool found_signed = !needed.signed_max || stats.amax_bits == 0, found_min = !needed.min_max, found_max = !needed.min_max;
  for (std::size_t i = 0; i < n && !(found_signed && found_min && found_max); i += lanes) {
    const VF v = LoadPadded(x + i, std::min(lanes, n - i), x[0]);
    const auto first = [&](auto mask, bool& found, std::uint32_t& out) {
      if (found || hn::AllFalse(di, mask)) return;
      out = std::bit_cast<std::uint32_t>(x[i + static_cast<std::size_t>(hn::FindFirstTrue(di, mask))]);
      found = true;
    };
    first(hn::Eq(hn::And(hn::BitCast(di, v), hn::Set(di, 0x7FFFFFFF)),
                 hn::Set(di, static_cast<std::int32_t>(stats.amax_bits))),
          found_signed, stats.signed_max_bits);
    const auto key = keys_of(v);
    first(hn::Eq(key, hn::Set(di, min_target)), found_min, stats.min_bits);
    first(hn::Eq(key, hn::Set(di, max_target)), found_max, stats.max_bits);
  }
  return stats;
}

}  // namespace ropelab::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // ROPELAB_BLOCK_CODEC_INL_H_
