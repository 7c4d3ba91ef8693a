// The block oracle (contract in ropelab/block_oracle.hpp): OCP MX, NVFP4 and the FP8 scale rules; ggml's rules are
// in block_oracle_ggml.cc.
#include "ropelab/block_oracle.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "block_oracle_internal.hpp"
#include "ropelab/counter_rng.hpp"
#include "ropelab/mpfr_oracle.hpp"

namespace ropelab {
namespace {

using namespace oracle_detail;

// The element nearest to v on the grid (saturating), or the stochastic choice for element `index`.
double round_element(float v, const Format& grid, const BlockFormat& f, const BlockOptions& o, std::uint64_t index) {
  if (f.rounding == RoundingMode::stochastic) {
    return mpfr_oracle_round_stochastic(v, grid, counter_random_u32(o.seed, o.first_index + index));
  }
  return mpfr_oracle_round_to_binary32(v, grid, RoundingMode::nearest_even);
}

float max_abs(std::span<const float> x) {
  float amax = 0;
  for (const float v : x) amax = std::max(amax, std::fabs(v));
  return amax;
}

// OCP MX v1.0 §6.3 (Algorithm 1): shared_exp = floor(log2(max |V_i|)) - emax_elem, X = 2^shared_exp, P_i =
// quantize(V_i / X) with normal numbers clamped. Scale limits and specials as microxcaling _quantize_mx: the
// exponent is clamped below at -127 (amax 0 counts as the minimum normal 2^-126), and a NaN/Inf makes X NaN.
void mx_block(std::span<const float> x, const BlockFormat& f, const BlockOptions& o, std::uint64_t first,
              std::span<std::uint8_t> codes, std::uint32_t& scale) {
  const ElementLayout layout = element_layout(f);
  if (std::any_of(x.begin(), x.end(), [](float v) { return !std::isfinite(v); })) {
    scale = 0xFF;
    std::fill(codes.begin(), codes.end(), 0);
    return;
  }
  const float amax = max_abs(x);
  const int e = amax == 0 ? -126 : std::ilogb(amax);
  const int shared = std::clamp(e - static_cast<int>(f.element.emax), -127, 127);
  scale = static_cast<std::uint32_t>(shared + 127);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const auto v = static_cast<float>(static_cast<double>(x[i]) * std::ldexp(1.0, -shared));  // fl32(x * 2^-s)
    codes[i] = static_cast<std::uint8_t>(value_code(layout, round_element(v, layout.grid, f, o, first + i)));
  }
}

// NVFP4 (TensorRT-LLM cvt_warp_fp16_to_fp4): sf = e4m3(g_enc * (amax * fl(1/6))); elements e2m1(x * fl(1 /
// fl(sf * fl(1/g_enc)))); a zero scale stores zero codes.
void nvfp4_block(std::span<const float> x, const BlockFormat& f, float encode, const BlockOptions& o,
                 std::uint64_t first, std::span<std::uint8_t> codes, std::uint32_t& scale) {
  const ElementLayout layout = element_layout(f);
  const ElementLayout scale_layout = e4m3_scale_layout();
  const float wanted = encode * (max_abs(x) * (1.0f / 6.0f));
  const float sf = mpfr_oracle_round_to_binary32(wanted, scale_layout.grid, RoundingMode::nearest_even);
  scale = value_code(scale_layout, sf);
  if (wanted == 0 || sf == 0) {
    std::fill(codes.begin(), codes.end(), 0);
    return;
  }
  const float to_element = 1.0f / (sf * (1.0f / encode));
  for (std::size_t i = 0; i < x.size(); ++i) {
    codes[i] = static_cast<std::uint8_t>(value_code(layout, round_element(x[i] * to_element, layout.grid, f, o, first + i)));
  }
}

// FP8 with one binary32 scale: static (vLLM divides, TensorRT-LLM multiplies by the reciprocal), amax / margin
// (vLLM calc_kv_scales), or TensorRT-LLM's per-token max(amax, 1e-6) / 448.
void scaled_fp8_block(std::span<const float> x, const BlockFormat& f, const BlockOptions& o, std::uint64_t first,
                      std::span<std::uint8_t> codes, std::uint32_t& scale) {
  const ElementLayout layout = element_layout(f);
  const float amax = max_abs(x);
  const auto element_max = static_cast<float>(f.element.max_finite());
  float s = static_cast<float>(f.static_scale);
  bool divide = true;
  float multiplier = 0;
  if (f.rule == ScaleRule::static_reciprocal) {
    divide = false;
    multiplier = 1.0f / s;
  } else if (f.rule == ScaleRule::amax_margin) {
    s = amax / static_cast<float>(f.margin);
    if (!(s > 0) || std::isinf(s)) s = 1.0f;
  } else if (f.rule == ScaleRule::amax_per_token) {
    const float row_max = std::max(amax, 1e-6f);
    s = row_max / element_max;
    divide = false;
    multiplier = element_max / row_max;
  }
  scale = std::bit_cast<std::uint32_t>(s);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const float v = divide ? x[i] / s : x[i] * multiplier;
    codes[i] = static_cast<std::uint8_t>(value_code(layout, round_element(v, layout.grid, f, o, first + i)));
  }
}

float nvfp4_tensor_encode(std::span<const float> x, const BlockFormat& f) {
  if (f.static_scale > 0) return 1.0f / static_cast<float>(f.static_scale);
  const float amax = max_abs(x);
  return amax > 0 && std::isfinite(amax) ? 2688.0f / amax : 1.0f;
}

// One block's stored values from its codes.
void dequantize_block(std::span<const std::uint8_t> codes, const BlockFormat& f, std::uint32_t scale,
                      std::uint16_t offset, float tensor_scale, std::span<float> out) {
  if (f.encoding == ElementEncoding::ggml_integer || f.rule == ScaleRule::ggml_mxfp4) {
    ggml_dequantize_block(codes, f, scale, offset, out);
    return;
  }
  const ElementLayout layout = element_layout(f);
  for (std::size_t i = 0; i < codes.size(); ++i) {
    const double p = code_value(layout, codes[i]);
    switch (f.rule) {
      case ScaleRule::ocp_mx:
        out[i] = scale == 0xFF ? std::numeric_limits<float>::quiet_NaN()
                               : static_cast<float>(p * std::ldexp(1.0, static_cast<int>(scale) - 127));
        break;
      case ScaleRule::nvfp4: {
        const auto sf = static_cast<float>(code_value(e4m3_scale_layout(), scale));
        out[i] = static_cast<float>(p * sf) * (1.0f / tensor_scale);
        break;
      }
      default: out[i] = static_cast<float>(p * std::bit_cast<float>(scale)); break;
    }
  }
}

}  // namespace

void block_oracle_quantize(std::span<const float> values, const BlockFormat& f, QuantizedBlocks& out,
                           const BlockOptions& o) {
  validate(f);
  const std::size_t blocks = block_count(f, values.size());
  const std::size_t length = f.block_size > 0 ? static_cast<std::size_t>(f.block_size) : values.size();
  out.codes.assign(values.size(), 0);
  out.scales.assign(blocks, 0);
  out.offsets.assign(f.offset_bits > 0 ? blocks : 0, 0);
  out.tensor_scale = f.rule == ScaleRule::nvfp4 ? nvfp4_tensor_encode(values, f) : 1.0f;
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::span<const float> x = values.subspan(b * length, length);
    const std::span<std::uint8_t> codes = std::span(out.codes).subspan(b * length, length);
    std::uint16_t offset = 0;
    switch (f.rule) {
      case ScaleRule::ocp_mx: mx_block(x, f, o, b * length, codes, out.scales[b]); break;
      case ScaleRule::nvfp4: nvfp4_block(x, f, out.tensor_scale, o, b * length, codes, out.scales[b]); break;
      case ScaleRule::static_divide:
      case ScaleRule::static_reciprocal:
      case ScaleRule::amax_margin:
      case ScaleRule::amax_per_token: scaled_fp8_block(x, f, o, b * length, codes, out.scales[b]); break;
      default: ggml_quantize_block(x, f, codes, out.scales[b], offset); break;
    }
    if (f.offset_bits > 0) out.offsets[b] = offset;
  }
}

void block_oracle_dequantize(const QuantizedBlocks& q, const BlockFormat& f, std::span<float> out) {
  validate(f);
  const std::size_t blocks = block_count(f, out.size());
  if (q.codes.size() != out.size() || q.scales.size() != blocks) {
    throw std::invalid_argument("block_oracle_dequantize: codes/scales do not match the output size");
  }
  const std::size_t length = f.block_size > 0 ? static_cast<std::size_t>(f.block_size) : out.size();
  for (std::size_t b = 0; b < blocks; ++b) {
    dequantize_block(std::span(q.codes).subspan(b * length, length), f, q.scales[b],
                     f.offset_bits > 0 ? q.offsets.at(b) : std::uint16_t{0}, q.tensor_scale,
                     out.subspan(b * length, length));
  }
}

double block_oracle_element_value(const BlockFormat& f, unsigned code) {
  if (f.encoding == ElementEncoding::ggml_integer) {
    const unsigned mask = (1u << f.element_bits) - 1;
    if (f.rule == ScaleRule::ggml_q8_0 || f.rule == ScaleRule::ggml_q8_0_avx2) return static_cast<std::int8_t>(code);
    if (f.rule == ScaleRule::ggml_signed_max) return static_cast<int>(code & mask) - (1 << (f.element_bits - 1));
    return static_cast<int>(code & mask);
  }
  return code_value(element_layout(f), code);
}

}  // namespace ropelab
