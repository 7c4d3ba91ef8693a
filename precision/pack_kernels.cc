// binary32 <-> bfloat16 / binary16 storage. Highway 1.0.3's DemoteTo truncates to bf16 and is
// target-dependent for f16 (formats-and-libraries.md section 1), so rounding reuses RoundVector and the
// encodings are produced from the already-rounded (hence exactly representable) values by integer code.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "pack_kernels.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "hwy/highway.h"
#include "round_kernels-inl.h"

HWY_BEFORE_NAMESPACE();
namespace ropelab::HWY_NAMESPACE {

// Encodes binary32 values that are exactly bfloat16 values (or Inf/NaN) as bfloat16: the top 16 bits.
template <class DF>
HWY_INLINE hn::Vec<hn::Rebind<std::uint16_t, DF>> EncodeBf16(DF /*df*/, hn::Vec<DF> v) {
  const hn::RebindToSigned<DF> di;
  const hn::Rebind<std::uint16_t, DF> d16;
  return hn::DemoteTo(d16, hn::BitCast(di, hn::ShiftRight<16>(hn::BitCast(hn::RebindToUnsigned<DF>(), v))));
}

// Encodes binary32 values that are exactly binary16 values (or +-Inf/NaN) as binary16.
template <class DF>
HWY_INLINE hn::Vec<hn::Rebind<std::uint16_t, DF>> EncodeF16(DF df, hn::Vec<DF> v) {
  const hn::RebindToUnsigned<DF> du;
  const hn::RebindToSigned<DF> di;
  const hn::Rebind<std::uint16_t, DF> d16;
  const auto bits = hn::BitCast(du, v);
  const auto sign = hn::ShiftRight<16>(hn::And(bits, hn::Set(du, 0x80000000u)));
  const auto a = hn::And(bits, hn::Set(du, 0x7FFFFFFFu));
  // Normal: rebias the exponent (127 -> 15) and keep the top 10 mantissa bits (the rest are zero).
  const auto normal = hn::Sub(hn::ShiftRight<13>(a), hn::Set(du, (127u - 15u) << 10));
  // Subnormal (|x| < 2^-14): the significand is |x| * 2^24, an integer below 1024. Other lanes convert 0:
  // Highway 1.0.3's SCALAR ConvertTo is a plain cast, undefined behaviour for NaN.
  const auto is_subnormal = hn::Lt(hn::BitCast(di, a), hn::Set(di, 0x38800000));
  const auto small = hn::IfThenElseZero(hn::RebindMask(df, is_subnormal), hn::BitCast(df, a));
  const auto subnormal = hn::BitCast(du, hn::ConvertTo(di, hn::Mul(small, hn::Set(df, 16777216.0f))));
  const auto inf_bits = hn::Set(du, 0x7F800000u);
  const auto nan = hn::Or(hn::Set(du, 0x7E00u), hn::And(hn::ShiftRight<13>(a), hn::Set(du, 0x3FFu)));
  auto h = hn::IfThenElse(hn::RebindMask(du, is_subnormal), subnormal, normal);
  h = hn::IfThenElse(hn::Eq(a, inf_bits), hn::Set(du, 0x7C00u), h);
  h = hn::IfThenElse(hn::RebindMask(du, hn::Gt(hn::BitCast(di, a), hn::BitCast(di, inf_bits))), nan, h);
  return hn::DemoteTo(d16, hn::BitCast(di, hn::Or(h, sign)));
}

template <class DF>
HWY_INLINE hn::Vec<DF> DecodeBf16(DF df, hn::Vec<hn::Rebind<std::uint16_t, DF>> h) {
  const hn::RebindToUnsigned<DF> du;
  return hn::BitCast(df, hn::ShiftLeft<16>(hn::PromoteTo(du, h)));
}

template <class DF>
HWY_INLINE hn::Vec<DF> DecodeF16(DF df, hn::Vec<hn::Rebind<std::uint16_t, DF>> h16) {
  const hn::RebindToUnsigned<DF> du;
  const hn::RebindToSigned<DF> di;
  const auto h = hn::PromoteTo(du, h16);
  const auto sign = hn::ShiftLeft<16>(hn::And(h, hn::Set(du, 0x8000u)));
  const auto a = hn::And(h, hn::Set(du, 0x7FFFu));
  const auto normal = hn::Add(hn::ShiftLeft<13>(a), hn::Set(du, (127u - 15u) << 23));
  const auto subnormal =
      hn::BitCast(du, hn::Mul(hn::ConvertTo(df, hn::BitCast(di, a)), hn::Set(df, 1.0f / 16777216.0f)));
  const auto special = hn::Or(hn::ShiftLeft<13>(a), hn::Set(du, 0x7F800000u));
  auto bits = hn::IfThenElse(hn::RebindMask(du, hn::Lt(hn::BitCast(di, a), hn::Set(di, 0x0400))), subnormal,
                             normal);
  bits = hn::IfThenElse(hn::RebindMask(du, hn::Gt(hn::BitCast(di, a), hn::Set(di, 0x7BFF))), special, bits);
  return hn::BitCast(df, hn::Or(bits, sign));
}

template <class Encode>
HWY_INLINE void Pack(const float* HWY_RESTRICT in, std::uint16_t* HWY_RESTRICT out, std::size_t n,
                     const detail::RoundParams<float>& p, RoundingMode mode, std::uint64_t seed,
                     std::uint64_t first_index, const Encode& encode) {
  RoundSpan(in, n, p, mode, seed, first_index, [&](auto d, auto v, std::size_t i, std::size_t count) {
    StoreFirst(encode(d, v), hn::Rebind<std::uint16_t, decltype(d)>(), out + i, count);
  });
}

void PackBf16(const float* HWY_RESTRICT in, std::uint16_t* HWY_RESTRICT out, std::size_t n,
              const detail::RoundParams<float>& p, RoundingMode mode, std::uint64_t seed, std::uint64_t first) {
  Pack(in, out, n, p, mode, seed, first, [](auto d, auto v) { return EncodeBf16(d, v); });
}

void PackF16(const float* HWY_RESTRICT in, std::uint16_t* HWY_RESTRICT out, std::size_t n,
             const detail::RoundParams<float>& p, RoundingMode mode, std::uint64_t seed, std::uint64_t first) {
  Pack(in, out, n, p, mode, seed, first, [](auto d, auto v) { return EncodeF16(d, v); });
}

template <class Decode>
HWY_INLINE void Unpack(const std::uint16_t* HWY_RESTRICT in, float* HWY_RESTRICT out, std::size_t n,
                       const Decode& decode) {
  const hn::ScalableTag<float> df;
  const hn::Rebind<std::uint16_t, decltype(df)> d16;
  for (std::size_t i = 0; i < n; i += hn::Lanes(df)) {
    const std::size_t count = std::min(hn::Lanes(df), n - i);
    StoreFirst(decode(df, LoadFirst(d16, in + i, count)), df, out + i, count);
  }
}

void UnpackBf16(const std::uint16_t* HWY_RESTRICT in, float* HWY_RESTRICT out, std::size_t n) {
  Unpack(in, out, n, [](auto d, auto h) { return DecodeBf16(d, h); });
}

void UnpackF16(const std::uint16_t* HWY_RESTRICT in, float* HWY_RESTRICT out, std::size_t n) {
  Unpack(in, out, n, [](auto d, auto h) { return DecodeF16(d, h); });
}

}  // namespace ropelab::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include <stdexcept>

#include "parallel_chunks.hpp"
#include "ropelab/round.hpp"

namespace ropelab {

HWY_EXPORT(PackBf16);
HWY_EXPORT(PackF16);
HWY_EXPORT(UnpackBf16);
HWY_EXPORT(UnpackF16);

namespace {
void require_same_size(std::size_t in, std::size_t out, const char* what) {
  if (in != out) {
    throw std::invalid_argument(std::string(what) + ": output has " + std::to_string(out) +
                                " elements, input has " + std::to_string(in));
  }
}
}  // namespace

void pack_bf16(std::span<const float> in, std::span<std::uint16_t> out, const RoundOptions& options) {
  require_same_size(in.size(), out.size(), "pack_bf16");
  const auto params = detail::make_round_params<float>(formats::bfloat16(), options.mode);
  detail::for_each_chunk(in.size(), options.threads, [&](std::size_t b, std::size_t e) {
    HWY_DYNAMIC_DISPATCH(PackBf16)(in.data() + b, out.data() + b, e - b, params, options.mode, options.seed,
                                 options.first_index + b);
  });
}

void pack_f16(std::span<const float> in, std::span<std::uint16_t> out, const RoundOptions& options) {
  require_same_size(in.size(), out.size(), "pack_f16");
  const auto params = detail::make_round_params<float>(formats::binary16(), options.mode);
  detail::for_each_chunk(in.size(), options.threads, [&](std::size_t b, std::size_t e) {
    HWY_DYNAMIC_DISPATCH(PackF16)(in.data() + b, out.data() + b, e - b, params, options.mode, options.seed,
                                 options.first_index + b);
  });
}

void unpack_bf16(std::span<const std::uint16_t> in, std::span<float> out) {
  require_same_size(in.size(), out.size(), "unpack_bf16");
  HWY_DYNAMIC_DISPATCH(UnpackBf16)(in.data(), out.data(), in.size());
}

void unpack_f16(std::span<const std::uint16_t> in, std::span<float> out) {
  require_same_size(in.size(), out.size(), "unpack_f16");
  HWY_DYNAMIC_DISPATCH(UnpackF16)(in.data(), out.data(), in.size());
}

}  // namespace ropelab
#endif  // HWY_ONCE
