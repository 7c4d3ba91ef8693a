// Derives the block kernels' per-call constants from a BlockFormat.
#include "block_params.hpp"

#include <mpfr.h>

#include <bit>
#include <cmath>

#include "ropelab/mpfr_value.hpp"

namespace ropelab::detail {
namespace {

// RN32(log2 x) for finite x > 0, by MPFR at 24 bits (the result lies in [-149, 128], far inside binary32's
// normal range, so no subnormalisation is needed).
float log2_binary32(float x) {
  MpfrValue value(24);
  mpfr_set_flt(value.get(), x, MPFR_RNDN);  // exact
  mpfr_log2(value.get(), value.get(), MPFR_RNDN);
  return mpfr_get_flt(value.get(), MPFR_RNDN);
}

// For every binade [2^E, 2^(E+1)) of binary32 (E = -149 .. 127, subnormal binades included), the smallest bit
// pattern whose RN32(log2) reaches E + 1: RN32(log2 x) is monotone, so a binary search over the binade's
// patterns finds it.
std::array<std::uint32_t, 277> make_log2_round_up() {
  std::array<std::uint32_t, 277> table{};
  for (int e = -149; e <= 127; ++e) {
    const auto low = std::bit_cast<std::uint32_t>(std::ldexp(1.0f, e));
    const std::uint32_t high = e == 127 ? 0x7F7FFFFFu : std::bit_cast<std::uint32_t>(std::ldexp(1.0f, e + 1)) - 1;
    std::uint32_t threshold = 0xFFFFFFFFu;
    if (std::floor(log2_binary32(std::bit_cast<float>(high))) > static_cast<float>(e)) {
      std::uint32_t lo = low, hi = high;  // invariant: hi rounds up
      while (lo < hi) {
        const std::uint32_t mid = lo + (hi - lo) / 2;
        if (std::floor(log2_binary32(std::bit_cast<float>(mid))) > static_cast<float>(e)) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
      threshold = hi;
    }
    table[static_cast<std::size_t>(e + 149)] = threshold;
  }
  return table;
}

}  // namespace

BlockParams make_block_params(const BlockFormat& format) {
  validate(format);
  BlockParams p;
  p.rule = format.rule;
  p.rounding = format.rounding;
  p.encoding = format.encoding;
  p.needed.signed_max = format.rule == ScaleRule::ggml_signed_max;
  p.needed.min_max = format.rule == ScaleRule::ggml_min_offset;
  p.element_bits = format.element_bits;
  p.ggml_bits = format.element_bits;
  if (format.encoding != ElementEncoding::ggml_integer) {
    p.element = make_round_params<float>(format.element, format.rounding);
    p.element_precision = format.element.precision;
    p.element_emin = static_cast<int>(format.element.emin);
    p.element_emax = static_cast<int>(format.element.emax);
    p.element_nan_only = format.element.specials == SpecialValues::nan_only;
    p.element_ieee = format.element.specials == SpecialValues::ieee;
    p.element_max = static_cast<float>(format.element.max_finite());
    p.element_limit = std::ldexp(1.0f, static_cast<int>(format.element.emax) + 1);
  }
  p.binary16 = make_round_params<float>(formats::binary16(), RoundingMode::nearest_even);
  p.static_scale = static_cast<float>(format.static_scale);
  p.margin = static_cast<float>(format.margin);
  if (format.rule == ScaleRule::ggml_mxfp4) {
    static const std::array<std::uint32_t, 277> table = make_log2_round_up();
    p.log2_round_up = &table;
  }
  return p;
}

void set_nvfp4_tensor_scale(BlockParams& p, float encode) {
  p.tensor_encode = encode;
  p.tensor_decode = 1.0f / encode;
  for (std::uint32_t code = 0; code < 128; ++code) {
    // e4m3: subnormals m * 2^-9 below exponent field 1, else (8 + m) * 2^(e - 10); 0x7F is NaN.
    const std::uint32_t e = code >> 3, m = code & 7;
    const float sf = e == 0 ? std::ldexp(static_cast<float>(m), -9) : std::ldexp(static_cast<float>(8 + m), static_cast<int>(e) - 10);
    p.nvfp4_to_element[code] = code == 0x7F ? NAN : code == 0 ? 0.0f : 1.0f / (sf * p.tensor_decode);
  }
}

BlockStats merge_stats(const BlockStats& a, const BlockStats& b) {
  BlockStats m = a;
  if (b.amax_bits > a.amax_bits) {
    m.amax_bits = b.amax_bits;
    m.signed_max_bits = b.signed_max_bits;
  }
  if (order_key(b.min_bits) < order_key(a.min_bits)) m.min_bits = b.min_bits;
  if (order_key(b.max_bits) > order_key(a.max_bits)) m.max_bits = b.max_bits;
  return m;
}

}  // namespace ropelab::detail
