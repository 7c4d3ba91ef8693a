// Per-target scale rules of the block kernels (ScaleRule in ropelab/block_format.hpp documents each). A rule turns a
// block's statistics into its stored scale (scalar, once per block) and quantizes / decodes vectors of elements.
// Included only by block_kernels.cc.

#if defined(ROPELAB_BLOCK_RULES_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef ROPELAB_BLOCK_RULES_INL_H_
#undef ROPELAB_BLOCK_RULES_INL_H_
#else
#define ROPELAB_BLOCK_RULES_INL_H_
#endif

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "block_codec-inl.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace ropelab::HWY_NAMESPACE {

// One vector of quantized elements: their codes and the values they store (the dequantized elements).
struct QuantizedVector {
  VU code;
  VF value;
};

// What a block stores besides its element codes.
struct ScaleCodes {
  std::uint32_t scale = 0;
  std::uint16_t offset = 0;
};

HWY_INLINE VF NaNs() { return hn::Set(DF(), std::numeric_limits<float>::quiet_NaN()); }

// OCP MX v1.0: shared exponent from the block max, E8M0 scale, saturating element conversion.
struct MxRule {
  struct Scale {
    bool nan;
    float to_element;  // 2^-s
    float x;           // X = 2^s
  };
  static Scale Prepare(const detail::BlockStats& st, const detail::BlockParams& p, ScaleCodes& codes) {
    if (st.amax_bits >= 0x7F800000u) {  // Inf or NaN in the block
      codes.scale = 0xFF;
      return {true, 0, 0};
    }
    const int e = st.amax_bits == 0 ? -126 : Log2Floor(st.amax_bits);  // microxcaling: amax 0 counts as 2^-126
    const int shared = std::clamp(e - p.element_emax, -127, 127);
    codes.scale = static_cast<std::uint32_t>(shared + 127);
    return {false, PowerOfTwo(-shared), PowerOfTwo(shared)};
  }
  static Scale FromCodes(ScaleCodes codes, const detail::BlockParams&) {
    if (codes.scale == 0xFF) return {true, 0, 0};
    const int shared = static_cast<int>(codes.scale) - 127;
    return {false, PowerOfTwo(-shared), PowerOfTwo(shared)};
  }
  template <RoundingMode kMode>
  static HWY_INLINE QuantizedVector Quantize(VF x, const Scale& s, const detail::BlockParams& p, VU random) {
    const DF df;
    if (s.nan) return {hn::Zero(DU()), NaNs()};
    const VF element = RoundElement<kMode>(hn::Mul(x, hn::Set(df, s.to_element)), p, random);
    const VU code = EncodeElement(element, p);
    // A two's-complement byte has one zero: an element rounded to -0 is stored as +0.
    const VF stored = p.encoding == ElementEncoding::twos_complement ? DecodeElement(code, p) : element;
    return {code, hn::Mul(stored, hn::Set(df, s.x))};
  }
  static HWY_INLINE VF Decode(VU code, const Scale& s, const detail::BlockParams& p) {
    if (s.nan) return NaNs();
    return hn::Mul(DecodeElement(code, p), hn::Set(DF(), s.x));
  }
};

// The e4m3 bits of a non-negative e4m3 value or NaN (NVFP4 block scales).
inline std::uint32_t E4m3Bits(float v) {
  if (std::isnan(v)) return 0x7F;
  if (v < 0.015625f) return static_cast<std::uint32_t>(v * 512.0f);  // subnormal: v / 2^-9
  return (std::bit_cast<std::uint32_t>(v) >> 20) - ((127u - 7u) << 3);
}

inline float E4m3Value(std::uint32_t code) {
  const std::uint32_t magnitude = code & 0x7F;
  if (magnitude == 0x7F) return std::numeric_limits<float>::quiet_NaN();
  const float v = magnitude < 8 ? static_cast<float>(magnitude) / 512.0f
                                : std::bit_cast<float>((magnitude << 20) + ((127u - 7u) << 23));
  return (code & 0x80) != 0 ? -v : v;
}

// NVFP4 two-level scaling, TensorRT-LLM cvt_warp_fp16_to_fp4 order of operations.
struct Nvfp4Rule {
  struct Scale {
    bool zero;  // the block scale is 0: every code 0
    float sf;   // the e4m3 block scale
    float to_element;
  };
  static Scale Prepare(const detail::BlockStats& st, const detail::BlockParams& p, ScaleCodes& codes) {
    const float amax = std::bit_cast<float>(st.amax_bits);
    const float wanted = p.tensor_encode * (amax * (1.0f / 6.0f));
    // e4m3 with saturation (__NV_SATFINITE): 512 and above (and Inf) store 448; NaN stays NaN.
    const float sf = !(wanted < 512.0f) ? (std::isnan(wanted) ? wanted : 448.0f)
                                        : hn::GetLane(RoundNearestSaturate(hn::Set(DF(), wanted), -6, 4, 448.0f));
    codes.scale = E4m3Bits(sf);
    return Make(wanted == 0 || sf == 0, codes.scale, p);
  }
  static Scale FromCodes(ScaleCodes codes, const detail::BlockParams& p) {
    return Make(E4m3Value(codes.scale) == 0, codes.scale, p);
  }
  static Scale Make(bool zero, std::uint32_t code, const detail::BlockParams& p) {
    return {zero, E4m3Value(code), zero ? 0.0f : p.nvfp4_to_element[code & 0x7F]};
  }
  template <RoundingMode kMode>
  static HWY_INLINE QuantizedVector Quantize(VF x, const Scale& s, const detail::BlockParams& p, VU random) {
    const DF df;
    if (s.zero) return {hn::Zero(DU()), hn::Zero(df)};
    const VF element = RoundElement<kMode>(hn::Mul(x, hn::Set(df, s.to_element)), p, random);
    return {EncodeElement(element, p), Value(element, s, p)};
  }
  static HWY_INLINE VF Decode(VU code, const Scale& s, const detail::BlockParams& p) { return Value(DecodeElement(code, p), s, p); }
  static HWY_INLINE VF Value(VF element, const Scale& s, const detail::BlockParams& p) {
    const DF df;
    return hn::Mul(hn::Mul(element, hn::Set(df, s.sf)), hn::Set(df, p.tensor_decode));
  }
};

// FP8 with one binary32 scale s per block (static_divide, static_reciprocal, amax_margin, amax_per_token).
struct ScaledFp8Rule {
  struct Scale {
    bool divide;  // x / s, else x * multiplier
    float s;
    float multiplier;
  };
  static Scale Prepare(const detail::BlockStats& st, const detail::BlockParams& p, ScaleCodes& codes) {
    const float amax = std::bit_cast<float>(st.amax_bits);
    Scale s{true, p.static_scale, 0};
    if (p.rule == ScaleRule::static_reciprocal) {
      s = {false, p.static_scale, 1.0f / p.static_scale};
    } else if (p.rule == ScaleRule::amax_margin) {
      const float k = amax / p.margin;
      s.s = k > 0 && k <= std::numeric_limits<float>::max() ? k : 1.0f;  // amax 0: k_scale keeps its initial 1.0
    } else if (p.rule == ScaleRule::amax_per_token) {
      const float row_max = amax > 1e-6f ? amax : 1e-6f;  // TensorRT-LLM starts the row max at 1e-6
      s = {false, row_max / p.element_max, p.element_max / row_max};
    }
    codes.scale = std::bit_cast<std::uint32_t>(s.s);
    return s;
  }
  static Scale FromCodes(ScaleCodes codes, const detail::BlockParams&) {
    return {true, std::bit_cast<float>(codes.scale), 0};
  }
  template <RoundingMode kMode>
  static HWY_INLINE QuantizedVector Quantize(VF x, const Scale& s, const detail::BlockParams& p, VU random) {
    const DF df;
    const VF scaled = s.divide ? hn::Div(x, hn::Set(df, s.s)) : hn::Mul(x, hn::Set(df, s.multiplier));
    const VF element = RoundElement<kMode>(scaled, p, random);
    return {EncodeElement(element, p), hn::Mul(element, hn::Set(df, s.s))};
  }
  static HWY_INLINE VF Decode(VU code, const Scale& s, const detail::BlockParams& p) {
    return hn::Mul(DecodeElement(code, p), hn::Set(DF(), s.s));
  }
};

}  // namespace ropelab::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // ROPELAB_BLOCK_RULES_INL_H_
