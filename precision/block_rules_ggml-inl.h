// Per-target ggml block rules (ggml src/ggml-quants.c @ d99724f2b141fed9e1a9f402213506c081433465; line numbers in
// ScaleRule). Every step is the binary32 operation ggml performs, float-to-integer conversions with x86's
// out-of-range result (ConvertX86), so the blocks ggml's own code writes on x86-64 are reproduced bit for bit,
// including the undefined-behaviour blocks (tiny scales) of shared/conformance/ggml-quant. Included only by
// block_kernels.cc.

#if defined(ROPELAB_BLOCK_RULES_GGML_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef ROPELAB_BLOCK_RULES_GGML_INL_H_
#undef ROPELAB_BLOCK_RULES_GGML_INL_H_
#else
#define ROPELAB_BLOCK_RULES_GGML_INL_H_
#endif

#include <bit>
#include <cmath>
#include <cstdint>

#include "block_codec-inl.h"
#include "block_rules-inl.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace ropelab::HWY_NAMESPACE {

// roundf: nearest, ties away from zero (|v| >= 2^23 is already integral; Inf and NaN pass through).
HWY_INLINE VF RoundHalfAway(VF v) {
  const DF df;
  const VF t = hn::Trunc(v);
  const auto away = hn::Ge(hn::Abs(hn::Sub(v, t)), hn::Set(df, 0.5f));
  return hn::Add(t, hn::IfThenElseZero(away, hn::CopySign(hn::Set(df, 1.0f), v)));
}

HWY_INLINE VF SignedByteValue(VU code) { return hn::ConvertTo(DF(), LowByteSigned(hn::BitCast(DI(), code))); }

// q8_0: d = amax / 127 stored as fp16; the reference path quantizes with 1/d and roundf, the AVX2 path with
// 127/amax, ties to even and saturating packs.
template <bool kAvx2>
struct GgmlQ8Rule {
  struct Scale {
    float id;
    float d;  // the stored fp16 d
  };
  static Scale Prepare(const detail::BlockStats& st, const detail::BlockParams& p, ScaleCodes& codes) {
    const float amax = std::bit_cast<float>(st.amax_bits);
    const float d = amax / 127.0f;
    const float id = kAvx2 ? (amax != 0.0f ? 127.0f / amax : 0.0f) : (d != 0.0f ? 1.0f / d : 0.0f);
    const float stored = RoundBinary16(d, p);
    codes.scale = Binary16Bits(stored);
    return {id, stored};
  }
  static Scale FromCodes(ScaleCodes codes, const detail::BlockParams&) { return {0, Binary16Value(codes.scale)}; }
  template <RoundingMode>
  static HWY_INLINE QuantizedVector Quantize(VF x, const Scale& s, const detail::BlockParams& p, VU) {
    const DF df;
    const DI di;
    const VF v = hn::Mul(x, hn::Set(df, s.id));
    VI q;
    if constexpr (kAvx2) {
      q = hn::Min(hn::Max(ConvertX86(hn::Round(v)), hn::Set(di, -128)), hn::Set(di, 127));
    } else {
      q = ConvertX86(RoundHalfAway(v));
    }
    const VU code = hn::And(hn::BitCast(DU(), q), hn::Set(DU(), 0xFFu));
    return {code, Decode(code, s, p)};
  }
  static HWY_INLINE VF Decode(VU code, const Scale& s, const detail::BlockParams&) {
    return hn::Mul(SignedByteValue(code), hn::Set(DF(), s.d));
  }
};

// q4_0 / q5_0: d = max / -2^(b-1) from the first element of largest |x|; q = min(2^b - 1, (int8_t)(x*id + 2^(b-1) + 0.5f)).
struct GgmlSignedMaxRule {
  struct Scale {
    float id;
    float d;
  };
  static Scale Prepare(const detail::BlockStats& st, const detail::BlockParams& p, ScaleCodes& codes) {
    const float max = st.amax_bits == 0 ? 0.0f : std::bit_cast<float>(st.signed_max_bits);
    const float d = max / -static_cast<float>(1 << (p.ggml_bits - 1));
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    const float stored = RoundBinary16(d, p);
    codes.scale = Binary16Bits(stored);
    return {id, stored};
  }
  static Scale FromCodes(ScaleCodes codes, const detail::BlockParams&) { return {0, Binary16Value(codes.scale)}; }
  template <RoundingMode>
  static HWY_INLINE QuantizedVector Quantize(VF x, const Scale& s, const detail::BlockParams& p, VU) {
    const DF df;
    const DI di;
    const int half = 1 << (p.ggml_bits - 1);
    const VF v = hn::Add(hn::Mul(x, hn::Set(df, s.id)), hn::Set(df, static_cast<float>(half) + 0.5f));
    const VI q = hn::Min(LowByteSigned(ConvertX86(v)), hn::Set(di, 2 * half - 1));
    const VU code = hn::And(hn::BitCast(DU(), q), hn::Set(DU(), 0xFFu));
    return {code, Decode(code, s, p)};
  }
  static HWY_INLINE VF Decode(VU code, const Scale& s, const detail::BlockParams& p) {
    const DI di;
    const int half = 1 << (p.ggml_bits - 1);
    const VI q = hn::Sub(hn::BitCast(di, hn::And(code, hn::Set(DU(), 2u * half - 1))), hn::Set(di, half));
    return hn::Mul(hn::ConvertTo(DF(), q), hn::Set(DF(), s.d));
  }
};

// q4_1 / q5_1: d = (max - min) / (2^b - 1), m = fp16(min) (first occurrences); q from the unrounded min and id.
struct GgmlMinOffsetRule {
  struct Scale {
    float id;
    float min;
    float d;  // stored fp16 d
    float m;  // stored fp16 m
  };
  static Scale Prepare(const detail::BlockStats& st, const detail::BlockParams& p, ScaleCodes& codes) {
    const float min = std::bit_cast<float>(st.min_bits);
    const float max = std::bit_cast<float>(st.max_bits);
    const float d = (max - min) / static_cast<float>((1 << p.ggml_bits) - 1);
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    const float stored_d = RoundBinary16(d, p);
    const float stored_m = RoundBinary16(min, p);
    codes.scale = Binary16Bits(stored_d);
    codes.offset = static_cast<std::uint16_t>(Binary16Bits(stored_m));
    return {id, min, stored_d, stored_m};
  }
  static Scale FromCodes(ScaleCodes codes, const detail::BlockParams&) {
    return {0, 0, Binary16Value(codes.scale), Binary16Value(codes.offset)};
  }
  template <RoundingMode>
  static HWY_INLINE QuantizedVector Quantize(VF x, const Scale& s, const detail::BlockParams& p, VU) {
    const DF df;
    const DI di;
    const VF v = hn::Add(hn::Mul(hn::Sub(x, hn::Set(df, s.min)), hn::Set(df, s.id)), hn::Set(df, 0.5f));
    VI q = ConvertX86(v);
    if (p.ggml_bits == 4) q = hn::Min(LowByteSigned(q), hn::Set(di, 15));  // q5_1 stores (uint8_t) unclamped
    const VU code = hn::And(hn::BitCast(DU(), q), hn::Set(DU(), 0xFFu));
    return {code, Decode(code, s, p)};
  }
  static HWY_INLINE VF Decode(VU code, const Scale& s, const detail::BlockParams& p) {
    const DF df;
    const VF q = hn::ConvertTo(df, hn::BitCast(DI(), hn::And(code, hn::Set(DU(), (1u << p.ggml_bits) - 1))));
    return hn::Add(hn::Mul(q, hn::Set(df, s.d)), hn::Set(df, s.m));
  }
};

// mxfp4 (ggml): e = (uint8_t)(floor(RN32(log2 amax)) + 125); the element is the nearest of kvalue * d,
// d = 2^(e - 128), ties to the lower table index (the smaller magnitude; +0 for a negative value rounding to 0),
// among the candidates whose product is finite.
struct GgmlMxfp4Rule {
  struct Scale {
    float d;
    float to_half_units;  // 1 / (2d) = 2^(127 - e)
    int top_index;        // largest magnitude index with a finite kvalue * d
  };
  static Scale Prepare(const detail::BlockStats& st, const detail::BlockParams& p, ScaleCodes& codes) {
    std::uint32_t e = 0;  // amax 0 stores 0; amax Inf: (uint8_t) of +Inf is 0 on x86
    if (st.amax_bits != 0 && st.amax_bits < 0x7F800000u) {
      const int floor_log2 = Log2Floor(st.amax_bits);
      const int rounded = floor_log2 + (st.amax_bits >= (*p.log2_round_up)[static_cast<std::size_t>(floor_log2 + 149)]);
      e = static_cast<std::uint32_t>(rounded + 125) & 0xFFu;
    }
    codes.scale = e;
    return FromCodes(codes, p);
  }
  static Scale FromCodes(ScaleCodes codes, const detail::BlockParams&) {
    const std::uint32_t e = codes.scale & 0xFF;
    const float d = std::bit_cast<float>(e < 2 ? 0x00200000u << e : (e - 1) << 23);  // ggml_e8m0_to_fp32_half
    static constexpr float kMagnitudes[8] = {0, 1, 2, 3, 4, 6, 8, 12};
    int top = 7;
    while (top > 0 && !std::isfinite(kMagnitudes[top] * d)) --top;
    return {d, PowerOfTwo(127 - static_cast<int>(e)), top};
  }
  template <RoundingMode>
  static HWY_INLINE QuantizedVector Quantize(VF x, const Scale& s, const detail::BlockParams& p, VU) {
    const DF df;
    const DI di;
    const VF t = hn::Mul(hn::Abs(x), hn::Set(df, s.to_half_units));  // |x| in e2m1 units
    VI index = hn::Zero(di);
    for (const float midpoint : {0.25f, 0.75f, 1.25f, 1.75f, 2.5f, 3.5f, 5.0f}) {
      index = hn::Sub(index, hn::VecFromMask(di, hn::RebindMask(di, hn::Gt(t, hn::Set(df, midpoint)))));
    }
    index = hn::Min(index, hn::Set(di, s.top_index));
    const auto negative = hn::And(hn::Lt(hn::BitCast(di, x), hn::Zero(di)), hn::Gt(index, hn::Zero(di)));
    const VU code = hn::BitCast(DU(), hn::Or(index, hn::IfThenElseZero(negative, hn::Set(di, 8))));
    return {code, Decode(code, s, p)};
  }
  static HWY_INLINE VF Decode(VU code, const Scale& s, const detail::BlockParams& p) {
    const DF df;
    // kvalues_mxfp4 holds integers, so its code 8 is +0: adding +0 turns e2m1's -0 into +0 and changes nothing else.
    const VF kvalue = hn::Add(hn::Mul(DecodeElement(code, p), hn::Set(df, 2.0f)), hn::Zero(df));
    return hn::Mul(kvalue, hn::Set(df, s.d));
  }
};

}  // namespace ropelab::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // ROPELAB_BLOCK_RULES_GGML_INL_H_
