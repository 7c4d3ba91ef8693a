// The block oracle's ggml rules: ggml src/ggml-quants.c @ d99724f2b141fed9e1a9f402213506c081433465 transcribed
// loop for loop (quantize_row_*_ref, dequantize_row_*), plus the AVX2 q8_0 of src/ggml-cpu/arch/x86/quants.c:302-398.
// C's float-to-integer conversions become x86_convert (what GCC emits on x86-64), log2f becomes the correctly rounded
// RN32(log2) from MPFR, GGML_FP32_TO_FP16 the MPFR oracle's binary16 rounding.
#include <mpfr.h>

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdint>

#include "block_oracle_internal.hpp"
#include "ropelab/mpfr_value.hpp"

namespace ropelab::oracle_detail {
namespace {

constexpr int kValuesMxfp4[16] = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};  // ggml-common.h:1126

// (int8_t) of a float, as compiled: cvttss2si then the low byte.
std::int8_t to_int8(float v) { return static_cast<std::int8_t>(static_cast<std::uint8_t>(x86_convert(v) & 0xFF)); }

float log2f_correctly_rounded(float x) {
  MpfrValue value(24);
  mpfr_set_flt(value.get(), x, MPFR_RNDN);
  mpfr_log2(value.get(), value.get(), MPFR_RNDN);
  return mpfr_get_flt(value.get(), MPFR_RNDN);
}

// ggml_e8m0_to_fp32_half (src/ggml-impl.h:477).
float e8m0_half(std::uint8_t x) {
  const std::uint32_t bits = x < 2 ? 0x00200000u << x : static_cast<std::uint32_t>(x - 1) << 23;
  return std::bit_cast<float>(bits);
}

// best_index_mxfp4 (ggml-quants.c:337-348).
int best_index_mxfp4(float x, float e) {
  int best_index = 0;
  float best_err = std::fabs(static_cast<float>(kValuesMxfp4[0]) * e - x);
  for (int i = 1; i < 16; i++) {
    const float err = std::fabs(static_cast<float>(kValuesMxfp4[i]) * e - x);
    if (err < best_err) {
      best_index = i;
      best_err = err;
    }
  }
  return best_index;
}

void q8_0(std::span<const float> x, bool avx2, std::span<std::uint8_t> codes, std::uint32_t& scale) {
  float amax = 0.0f;
  for (const float v : x) amax = amax > std::fabs(v) ? amax : std::fabs(v);  // MAX(amax, fabsf(v))
  const float d = amax / ((1 << 7) - 1);
  scale = binary16_bits(round_binary16(d));
  if (avx2) {
    const float id = amax != 0.0f ? 127.f / amax : 0.0f;
    for (std::size_t j = 0; j < x.size(); ++j) {
      const std::int32_t q = x86_convert(std::nearbyint(x[j] * id));  // _mm256_round_ps, _mm256_cvtps_epi32
      codes[j] = static_cast<std::uint8_t>(q < -128 ? -128 : q > 127 ? 127 : q);  // packs_epi32 / packs_epi16
    }
    return;
  }
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  for (std::size_t j = 0; j < x.size(); ++j) codes[j] = static_cast<std::uint8_t>(to_int8(std::roundf(x[j] * id)));
}

void signed_max(std::span<const float> x, int bits, std::span<std::uint8_t> codes, std::uint32_t& scale) {
  float amax = 0.0f;
  float max = 0.0f;
  for (const float v : x) {
    if (amax < std::fabs(v)) {
      amax = std::fabs(v);
      max = v;
    }
  }
  const int half = 1 << (bits - 1);
  const float d = max / -half;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  scale = binary16_bits(round_binary16(d));
  const float add = static_cast<float>(half) + 0.5f;  // 8.5f (q4_0), 16.5f (q5_0)
  for (std::size_t j = 0; j < x.size(); ++j) {
    const int q = to_int8(x[j] * id + add);
    codes[j] = static_cast<std::uint8_t>(q < 2 * half - 1 ? q : 2 * half - 1);  // MIN(15 or 31, ...)
  }
}

void min_offset(std::span<const float> x, int bits, std::span<std::uint8_t> codes, std::uint32_t& scale,
                std::uint16_t& offset) {
  float min = FLT_MAX;
  float max = -FLT_MAX;
  for (const float v : x) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const float d = (max - min) / ((1 << bits) - 1);
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  scale = binary16_bits(round_binary16(d));
  offset = binary16_bits(round_binary16(min));
  for (std::size_t j = 0; j < x.size(); ++j) {
    const float v = (x[j] - min) * id + 0.5f;
    codes[j] = bits == 4 ? static_cast<std::uint8_t>(std::min<int>(15, to_int8(v)))  // q4_1: MIN(15, (int8_t)v)
                         : static_cast<std::uint8_t>(x86_convert(v) & 0xFF);       // q5_1: (uint8_t)v
  }
}

void mxfp4(std::span<const float> x, std::span<std::uint8_t> codes, std::uint32_t& scale) {
  float amax = 0.0f;
  for (const float v : x) {
    if (amax < std::fabs(v)) amax = std::fabs(v);
  }
  std::uint8_t e = 0;
  if (amax > 0.0f) {
    const float l = std::isinf(amax) ? amax : log2f_correctly_rounded(amax);
    e = static_cast<std::uint8_t>(x86_convert(std::floor(l) - 2 + 127) & 0xFF);
  }
  scale = e;
  const float d = e8m0_half(e);
  for (std::size_t j = 0; j < x.size(); ++j) codes[j] = static_cast<std::uint8_t>(best_index_mxfp4(x[j], d));
}

}  // namespace

void ggml_quantize_block(std::span<const float> x, const BlockFormat& f, std::span<std::uint8_t> codes,
                         std::uint32_t& scale, std::uint16_t& offset) {
  switch (f.rule) {
    case ScaleRule::ggml_q8_0: return q8_0(x, false, codes, scale);
    case ScaleRule::ggml_q8_0_avx2: return q8_0(x, true, codes, scale);
    case ScaleRule::ggml_signed_max: return signed_max(x, f.element_bits, codes, scale);
    case ScaleRule::ggml_min_offset: return min_offset(x, f.element_bits, codes, scale, offset);
    case ScaleRule::ggml_mxfp4: return mxfp4(x, codes, scale);
    default: break;
  }
}

// dequantize_row_q8_0 (:553-567), q4_0 (:459-477), q5_0 (:500-524), q4_1 (:479-498), q5_1 (:526-551),
// mxfp4 (:569-587): one float multiply per element, plus an unfused add of m for q4_1/q5_1.
void ggml_dequantize_block(std::span<const std::uint8_t> codes, const BlockFormat& f, std::uint32_t scale,
                           std::uint16_t offset, std::span<float> out) {
  if (f.rule == ScaleRule::ggml_mxfp4) {
    const float d = e8m0_half(static_cast<std::uint8_t>(scale));
    for (std::size_t j = 0; j < codes.size(); ++j) out[j] = static_cast<float>(kValuesMxfp4[codes[j] & 0x0F]) * d;
    return;
  }
  const float d = binary16_value(static_cast<std::uint16_t>(scale));
  const float m = binary16_value(offset);
  const int mask = (1 << f.element_bits) - 1;
  for (std::size_t j = 0; j < codes.size(); ++j) {
    int q = 0;
    switch (f.rule) {
      case ScaleRule::ggml_q8_0:
      case ScaleRule::ggml_q8_0_avx2: q = static_cast<std::int8_t>(codes[j]); break;
      case ScaleRule::ggml_signed_max: q = (codes[j] & mask) - (1 << (f.element_bits - 1)); break;
      default: q = codes[j] & mask; break;
    }
    out[j] = f.rule == ScaleRule::ggml_min_offset ? static_cast<float>(q) * d + m : static_cast<float>(q) * d;
  }
}

}  // namespace ropelab::oracle_detail
