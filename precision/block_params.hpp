// Per-call constants of the block kernels, derived once from a BlockFormat (not per block, not per target).
#pragma once

#include <array>
#include <cstdint>

#include "ropelab/block_format.hpp"
#include "round_params.hpp"

namespace ropelab::detail {

// What a block's scale is computed from, reduced over its elements (or over the whole array for block_size 0).
// Bit patterns, so that NaN handling never depends on the SIMD target's min/max semantics.
struct BlockStats {
  std::uint32_t amax_bits = 0;        // max of |x| bits (NaN patterns above +Inf)
  std::uint32_t signed_max_bits = 0;  // the first element whose |x| bits equal amax_bits (+0 when amax is 0)
  std::uint32_t min_bits = 0;         // the first element equal (as a float) to the minimum
  std::uint32_t max_bits = 0;         // the first element equal to the maximum
};

// Which statistics a rule needs (the kernels skip the others).
struct StatsNeeded {
  bool signed_max = false;
  bool min_max = false;
};

struct BlockParams {
  ScaleRule rule = ScaleRule::ocp_mx;
  RoundingMode rounding = RoundingMode::nearest_even;
  ElementEncoding encoding = ElementEncoding::float_bits;
  StatsNeeded needed;
  // The element grid (float_bits / twos_complement): rounding constants and layout.
  RoundParams<float> element{};
  int element_precision = 0;
  int element_emin = 0;
  int element_emax = 0;
  int element_bits = 0;
  bool element_nan_only = false;  // e4m3fn: the all-ones magnitude is NaN
  bool element_ieee = false;      // e5m2: the all-ones exponent is Inf/NaN
  float element_max = 0;
  float element_limit = 0;  // 2^(emax + 1): every finite |v| below it rounds inside the grid (or saturates)
  // ggml's d and m: binary16 rounding (overflow to Inf) beyond the magic-number path's range.
  RoundParams<float> binary16{};
  int ggml_bits = 0;  // 8, 4 or 5
  // Static decode scale (static rules), margin (amax_margin).
  float static_scale = 1;
  float margin = 0;
  // nvfp4: the tensor encode scale g_enc and fl(1/g_enc), set per call (static, or from the array's amax).
  float tensor_encode = 1;
  float tensor_decode = 1;
  // nvfp4: 1 / (sf * tensor_decode) for every non-negative e4m3 block scale code sf (0 for sf = 0), set with them.
  std::array<float, 128> nvfp4_to_element{};
  // ggml_mxfp4: floor(RN32(log2 x)) for x in binade [2^E, 2^(E+1)) is E + 1 iff the bits of x are >= this
  // threshold (index E + 149); 0xFFFFFFFF: never.
  const std::array<std::uint32_t, 277>* log2_round_up = nullptr;
};

// Throws std::invalid_argument (validate(BlockFormat)).
BlockParams make_block_params(const BlockFormat& format);

// Sets nvfp4's tensor scales from the encode scale g_enc: tensor_decode = fl(1/g_enc) and the to_element table.
void set_nvfp4_tensor_scale(BlockParams& params, float encode);

// Merges the statistics of two consecutive parts of one block (a before b): the first occurrence wins ties.
BlockStats merge_stats(const BlockStats& a, const BlockStats& b);

// The total-order key of a binary32 bit pattern that compares as the float does (-0 == +0).
inline std::int32_t order_key(std::uint32_t bits) {
  const auto magnitude = static_cast<std::int32_t>(bits & 0x7FFFFFFFu);
  return (bits >> 31) != 0 ? -magnitude : magnitude;
}

}  // namespace ropelab::detail
