// RN_bfloat16(RN_binary32(x)) on binary64 lanes, shared by the Highway kernels that round tables to bfloat16
// (pipeline_kernels.cc, accurate_sincos_kernels.cc). Highway per-target header: include it after
// "hwy/highway.h" inside a file compiled through foreach_target.h.
// Valid for lanes below 2^127 in magnitude (finite binary32 values whose bf16 rounding is finite); callers send
// any other vector through the scalar round_value(static_cast<float>(x), bfloat16).
#if defined(ROPELAB_ROPE_BFLOAT16_ROUNDING_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef ROPELAB_ROPE_BFLOAT16_ROUNDING_INL_H_
#undef ROPELAB_ROPE_BFLOAT16_ROUNDING_INL_H_
#else
#define ROPELAB_ROPE_BFLOAT16_ROUNDING_INL_H_
#endif

#include <cstdint>

#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace ropelab::rope::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Lanes below 2^127 in magnitude (false for NaN): there DemoteTo is the IEEE conversion on every target (Highway's
// scalar targets clamp out-of-range values instead of overflowing, so those lanes go through the scalar cast).
template <class D>
HWY_INLINE bool AllInRange(D d, hn::Vec<D> x) {
  return hn::AllTrue(d, hn::Lt(hn::Abs(x), hn::Set(d, 0x1p127)));
}

// RNE at bit 16 of binary32 bit patterns (int32 lanes): add 0x7fff plus the kept part's lowest bit, then truncate
// (no carry reaches the sign). Exact for finite binary32 values below 2^127 in magnitude, subnormals included
// (bf16 and binary32 share the exponent range).
template <class DI>
HWY_INLINE hn::Vec<DI> Bfloat16RoundedBits(DI di, hn::Vec<DI> bits) {
  const auto keep = hn::Set(di, static_cast<std::int32_t>(0xffff0000u));
  const auto half = hn::Set(di, 0x7fff), one = hn::Set(di, 1);
  return hn::And(hn::Add(bits, hn::Add(half, hn::And(hn::ShiftRight<16>(bits), one))), keep);
}

// RN_bfloat16(RN_binary32(v)) of binary64 lanes; exact for AllInRange lanes.
template <class D>
HWY_INLINE hn::Vec<D> Binary32ThenBfloat16(D d, hn::Vec<D> v) {
  const hn::Rebind<float, D> df;
  const hn::RebindToSigned<decltype(df)> di;
  const auto rounded = Bfloat16RoundedBits(di, hn::BitCast(di, hn::DemoteTo(df, v)));
  return hn::PromoteTo(d, hn::BitCast(df, rounded));
}

}  // namespace ropelab::rope::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // ROPELAB_ROPE_BFLOAT16_ROUNDING_INL_H_
