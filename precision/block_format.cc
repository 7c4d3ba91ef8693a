// The named block formats, their derived quantities and validation.
#include "ropelab/block_format.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace ropelab {
namespace {

[[noreturn]] void fail(const BlockFormat& f, const std::string& field, const std::string& message) {
  throw std::invalid_argument("block format '" + f.name + "': field '" + field + "': " + message);
}

// An element grid: overflow saturates (OCP MX §6.3 "clamping normal numbers"; NVIDIA's cvt .satfinite).
Format element_grid(std::string name, int p, long emin, long emax, std::uint64_t max_significand,
                    SpecialValues specials) {
  Format f;
  f.name = std::move(name);
  f.precision = p;
  f.emin = emin;
  f.emax = emax;
  f.subnormals = true;
  f.specials = specials;
  f.overflow = OverflowPolicy::saturate;
  f.max_significand = max_significand;
  return f;
}

// OCP MX v1.0 table 2 / OFP8 rev 1.0: E4M3 max 448 (S.1111.111 is NaN), E5M2 max 57344, E3M2 max 28, E2M3 max 7.5,
// E2M1 max 6, all with subnormals.
Format e4m3_grid() { return element_grid("e4m3fn", 4, -6, 8, 0b1110, SpecialValues::nan_only); }
Format e5m2_grid() { return element_grid("e5m2", 3, -14, 15, 0b111, SpecialValues::ieee); }
Format e3m2_grid() { return element_grid("e3m2", 3, -2, 4, 0b111, SpecialValues::none); }
Format e2m3_grid() { return element_grid("e2m3", 4, 0, 2, 0b1111, SpecialValues::none); }
Format e2m1_grid() { return element_grid("e2m1", 2, 0, 2, 0b11, SpecialValues::none); }
// MXINT8 (OCP MX v1.0 §5.3): a two's-complement byte k with an implicit 2^-6, |k| <= 127 (max 1 + 63/64): the grid
// k / 64 is a p = 7 format whose only binade is [1, 2) with subnormals below.
Format int8_grid() { return element_grid("int8/64", 7, 0, 0, 127, SpecialValues::none); }

BlockFormat mx(std::string name, Format element, int bits, std::string description) {
  BlockFormat f;
  f.name = std::move(name);
  f.rule = ScaleRule::ocp_mx;
  f.element = std::move(element);
  f.encoding = ElementEncoding::float_bits;
  f.element_bits = bits;
  f.block_size = 32;
  f.scale_format = ScaleFormat::e8m0;
  f.description = std::move(description);
  f.source = "OCP Microscaling Formats (MX) v1.0 §6.3; microsoft/microxcaling mx/mx_ops.py _quantize_mx";
  return f;
}

BlockFormat ggml(std::string name, ScaleRule rule, int bits, std::string description, std::string lines) {
  BlockFormat f;
  f.name = std::move(name);
  f.rule = rule;
  f.encoding = ElementEncoding::ggml_integer;
  f.element_bits = bits;
  f.block_size = 32;
  f.scale_format = ScaleFormat::binary16;
  f.offset_bits = rule == ScaleRule::ggml_min_offset ? 16 : 0;
  f.description = std::move(description);
  f.source = "ggml " + lines + " @ d99724f2b141fed9e1a9f402213506c081433465";
  return f;
}

BlockFormat fp8_scaled(std::string name, ScaleRule rule, std::string description, std::string source) {
  BlockFormat f;
  f.name = std::move(name);
  f.rule = rule;
  f.element = e4m3_grid();
  f.encoding = ElementEncoding::float_bits;
  f.element_bits = 8;
  f.block_size = 0;
  f.scale_format = ScaleFormat::binary32;
  f.margin = rule == ScaleRule::amax_margin ? 200 : 0;
  f.description = std::move(description);
  f.source = std::move(source);
  return f;
}

bool takes_rounding_choice(ScaleRule rule) {
  switch (rule) {
    case ScaleRule::ocp_mx:
    case ScaleRule::nvfp4:
    case ScaleRule::static_divide:
    case ScaleRule::static_reciprocal:
    case ScaleRule::amax_margin:
    case ScaleRule::amax_per_token: return true;
    default: return false;
  }
}

}  // namespace

int scale_bits(ScaleFormat scale_format) {
  switch (scale_format) {
    case ScaleFormat::e8m0:
    case ScaleFormat::e4m3: return 8;
    case ScaleFormat::binary16: return 16;
    case ScaleFormat::binary32: return 32;
  }
  return 0;
}

double bits_per_element(const BlockFormat& f, long row_length) {
  const double block = f.block_size > 0 ? f.block_size : static_cast<double>(row_length);
  return f.element_bits + (scale_bits(f.scale_format) + f.offset_bits) / block;
}

std::string_view to_string(ScaleFormat scale_format) {
  switch (scale_format) {
    case ScaleFormat::e8m0: return "e8m0";
    case ScaleFormat::e4m3: return "e4m3";
    case ScaleFormat::binary16: return "binary16";
    case ScaleFormat::binary32: return "binary32";
  }
  return "?";
}

std::string_view to_string(ScaleRule rule) {
  switch (rule) {
    case ScaleRule::ocp_mx: return "ocp_mx";
    case ScaleRule::nvfp4: return "nvfp4";
    case ScaleRule::static_divide: return "static_divide";
    case ScaleRule::static_reciprocal: return "static_reciprocal";
    case ScaleRule::amax_margin: return "amax_margin";
    case ScaleRule::amax_per_token: return "amax_per_token";
    case ScaleRule::ggml_q8_0: return "ggml_q8_0";
    case ScaleRule::ggml_q8_0_avx2: return "ggml_q8_0_avx2";
    case ScaleRule::ggml_signed_max: return "ggml_signed_max";
    case ScaleRule::ggml_min_offset: return "ggml_min_offset";
    case ScaleRule::ggml_mxfp4: return "ggml_mxfp4";
  }
  return "?";
}

void validate(const BlockFormat& f) {
  constexpr int kMaxBlock = 1 << 20;
  if (f.block_size < 0 || f.block_size > kMaxBlock) {
    fail(f, "block", std::to_string(f.block_size) + " is not in [1, 2^20] or 'row'");
  }
  if (f.encoding != ElementEncoding::ggml_integer) validate(f.element);
  if (f.rounding != RoundingMode::nearest_even &&
      (!takes_rounding_choice(f.rule) || f.rounding != RoundingMode::stochastic)) {
    fail(f, "rounding", std::string(to_string(f.rounding)) + " is not allowed; " +
                            (takes_rounding_choice(f.rule) ? "allowed: rne, sr"
                                                           : "the ggml rule fixes its own rounding (allowed: rne)"));
  }
  const bool is_static = f.rule == ScaleRule::static_divide || f.rule == ScaleRule::static_reciprocal;
  if (is_static && !(std::isfinite(f.static_scale) && f.static_scale > 0)) {
    fail(f, "scale", "the decode scale must be a positive finite number");
  }
  if (f.rule == ScaleRule::nvfp4 && !(std::isfinite(f.static_scale) && f.static_scale >= 0)) {
    fail(f, "scale", "the tensor decode scale must be positive and finite, or 'dynamic'");
  }
  if (f.rule == ScaleRule::amax_margin && !(std::isfinite(f.margin) && f.margin > 0)) {
    fail(f, "margin", "must be a positive finite number");
  }
}

void require_block_divides(const BlockFormat& f, long row_length, std::string_view row_name) {
  if (f.block_size > 0 && row_length % f.block_size != 0) {
    fail(f, "block", std::to_string(f.block_size) + " does not divide " + std::string(row_name) + " = " +
                         std::to_string(row_length));
  }
}

namespace block_formats {
std::vector<BlockFormat> named() {
  std::vector<BlockFormat> all = {
      mx("mxfp8_e4m3", e4m3_grid(), 8, "OCP MXFP8: 32 x e4m3 + E8M0 scale"),
      mx("mxfp8_e5m2", e5m2_grid(), 8, "OCP MXFP8: 32 x e5m2 + E8M0 scale"),
      mx("mxfp6_e3m2", e3m2_grid(), 6, "OCP MXFP6: 32 x e3m2 + E8M0 scale"),
      mx("mxfp6_e2m3", e2m3_grid(), 6, "OCP MXFP6: 32 x e2m3 + E8M0 scale"),
      mx("mxfp4", e2m1_grid(), 4, "OCP MXFP4: 32 x e2m1 + E8M0 scale"),
  };
  BlockFormat mxint8 = mx("mxint8", int8_grid(), 8, "OCP MXINT8: 32 x int8/64 + E8M0 scale");
  mxint8.encoding = ElementEncoding::twos_complement;
  all.push_back(mxint8);

  BlockFormat nvfp4;
  nvfp4.name = "nvfp4";
  nvfp4.rule = ScaleRule::nvfp4;
  nvfp4.element = e2m1_grid();
  nvfp4.element_bits = 4;
  nvfp4.block_size = 16;
  nvfp4.scale_format = ScaleFormat::e4m3;
  nvfp4.static_scale = 0;
  nvfp4.description = "NVIDIA NVFP4: 16 x e2m1 + e4m3 scale, fp32 tensor scale (array amax)";
  nvfp4.source = "NVIDIA TensorRT-LLM cpp/tensorrt_llm/kernels/quantization.cuh cvt_warp_fp16_to_fp4 @ 0193dbd4";
  all.push_back(nvfp4);

  all.push_back(ggml("q8_0", ScaleRule::ggml_q8_0, 8, "ggml q8_0 (reference): 32 x int8 + fp16 d",
                     "src/ggml-quants.c:276-299"));
  all.push_back(ggml("q8_0_avx2", ScaleRule::ggml_q8_0_avx2, 8,
                     "ggml q8_0 as the x86 AVX2 CPU writes it (llama.cpp K cache): 32 x int8 + fp16 d",
                     "src/ggml-cpu/arch/x86/quants.c:302-398"));
  all.push_back(ggml("q4_0", ScaleRule::ggml_signed_max, 4, "ggml q4_0: 32 x 4-bit + fp16 d", "src/ggml-quants.c:113-148"));
  all.push_back(ggml("q4_1", ScaleRule::ggml_min_offset, 4, "ggml q4_1: 32 x 4-bit + fp16 d, m",
                     "src/ggml-quants.c:150-185"));
  all.push_back(ggml("q5_0", ScaleRule::ggml_signed_max, 5, "ggml q5_0: 32 x 5-bit + fp16 d", "src/ggml-quants.c:187-229"));
  all.push_back(ggml("q5_1", ScaleRule::ggml_min_offset, 5, "ggml q5_1: 32 x 5-bit + fp16 d, m",
                     "src/ggml-quants.c:231-274"));
  BlockFormat ggml_mxfp4 = ggml("mxfp4_ggml", ScaleRule::ggml_mxfp4, 4, "ggml mxfp4: 32 x e2m1 + E8M0 (log2f rule)",
                                "src/ggml-quants.c:337-382");
  ggml_mxfp4.scale_format = ScaleFormat::e8m0;
  ggml_mxfp4.element = e2m1_grid();  // kvalues_mxfp4 = 2 x e2m1, in e2m1's code order (ggml-common.h:1124-1129)
  ggml_mxfp4.encoding = ElementEncoding::float_bits;
  all.push_back(ggml_mxfp4);

  all.push_back(fp8_scaled("fp8_e4m3_per_tensor", ScaleRule::static_divide,
                           "e4m3 / static per-tensor k_scale (default 1.0), fp32 scale",
                           "vLLM csrc/cache_kernels.cu reshape_and_cache_flash: fp8::scaled_convert(k, k_scale)"));
  all.push_back(fp8_scaled("fp8_e4m3_per_head", ScaleRule::static_divide,
                           "e4m3 / static per-KV-head scale (one head: as per-tensor), fp32 scale",
                           "compressed-tensors kv_cache_scheme strategy 'attn_head' (vLLM per-head k_scale)"));
  all.push_back(fp8_scaled("fp8_e4m3_per_token", ScaleRule::amax_per_token,
                           "e4m3 x (448 / amax) per key row, fp32 scale amax/448",
                           "NVIDIA TensorRT-LLM cpp/tensorrt_llm/kernels/quantization.cuh perTokenQuantization"));
  all.push_back(fp8_scaled("fp8_e4m3_dynamic", ScaleRule::amax_margin,
                           "e4m3 / (amax / 200) per key row, fp32 scale",
                           "vLLM vllm/attention/layer.py calc_kv_scales (K_SCALE_CONSTANT = 200)"));
  for (const BlockFormat& f : all) validate(f);
  return all;
}
}  // namespace block_formats

}  // namespace ropelab
