// Block-scaled and quantized formats as data: OCP MX, NVFP4, FP8 with a scale, and ggml's block types.
// A block of elements shares one scale; every policy that tells two "4-bit formats" apart is a field.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ropelab/format.hpp"
#include "ropelab/rounding_mode.hpp"

namespace ropelab {

// How a block's scale is chosen and applied, one value per family of real quantizers. x is a binary32 input,
// every operation below is one binary32 operation rounded to nearest even unless stated.
enum class ScaleRule {
  // OCP Microscaling Formats (MX) v1.0 §6.3, as microsoft/microxcaling mx/mx_ops.py _quantize_mx implements it:
  // X = 2^s, s = clamp(floor(log2 amax) - emax_elem, -127, 127) stored as E8M0 (amax = 0 counts as 2^-126);
  // P_i = x_i * 2^-s rounded to the element grid with saturation. A NaN or Inf in the block gives the NaN
  // scale 0xFF (every element NaN, element codes 0).
  ocp_mx,
  // NVIDIA NVFP4 as TensorRT-LLM cvt_warp_fp16_to_fp4 (kernels/quantization.cuh) computes it: tensor encode scale
  // g_enc = 448 * 6 / amax_tensor (or 1 / static_scale); block scale sf = e4m3(g_enc * (amax_block * (1/6)));
  // element e2m1(x * (1 / (sf * (1/g_enc)))). rcp.approx is modelled as a correctly rounded 1/x.
  nvfp4,
  static_divide,      // x / s with a given decode scale s (vLLM reshape_and_cache k_scale)
  static_reciprocal,  // x * fl(1/s) (TensorRT-LLM kv_scale_orig_quant = 1 / kv_scale_quant_orig)
  amax_margin,        // s = amax / margin, then x / s (vLLM calc_kv_scales: k_scale = max|k| / K_SCALE_CONSTANT)
  amax_per_token,     // s = max(amax, 1e-6) / max_elem, x * fl(max_elem / max(amax, 1e-6)) (TensorRT-LLM
                      // perTokenQuantization, kernels/quantization.cuh)
  // ggml reference quantizers (ggml src/ggml-quants.c @ d99724f2b141fed9e1a9f402213506c081433465):
  ggml_q8_0,          // quantize_row_q8_0_ref (:276-299): d = amax/127, id = d ? 1/d : 0, q = roundf(x*id)
  ggml_q8_0_avx2,     // quantize_row_q8_0, AVX2 branch (src/ggml-cpu/arch/x86/quants.c:302-398): id = 127/amax,
                      // q = ties-to-even, cvtps_epi32 then saturating packs (the llama.cpp K-cache path on x86)
  ggml_signed_max,    // q4_0 (:113-148) / q5_0 (:187-229): d = max / -2^(b-1) of the first element of largest
                      // |x|, q = min(2^b - 1, (int8_t)(x*id + 2^(b-1) + 0.5f))
  ggml_min_offset,    // q4_1 (:150-185) / q5_1 (:231-274): d = (max - min) / (2^b - 1), m = fp16(min),
                      // q = (int8_t)((x - min)*id + 0.5f), clamped to 15 for q4_1 only
  ggml_mxfp4,         // quantize_row_mxfp4_ref (:337-382): e = (uint8_t)(floorf(log2f(amax)) - 2 + 127), element =
                      // argmin |kvalue*2^(e-128) - x| with ties to the lower index
};

// How element codes are stored (QuantizedBlocks::codes holds one code per element in its low bits).
enum class ElementEncoding {
  float_bits,       // sign | exponent field | mantissa of BlockFormat::element (OCP FP8/FP6/FP4, NVFP4's e2m1)
  twos_complement,  // the element value / 2^(emin - p + 1) as a two's-complement byte (MXINT8: value = k / 64)
  ggml_integer,     // ggml's stored integer: q8_0 int8 q; q4_0/q5_0 q with value q - 2^(b-1); q4_1/q5_1 q
};

enum class ScaleFormat {
  e8m0,      // 2^(code - 127), code 0xFF = NaN (OCP MX §5.4); ggml's mxfp4 has no NaN (0xFF reads as 2^127)
  e4m3,      // OCP FP8 E4M3 (unsigned use: NVFP4 block scales)
  binary16,  // ggml's d and m
  binary32,  // FP8 per-tensor / per-token scales
};

struct BlockFormat {
  std::string name;
  ScaleRule rule = ScaleRule::ocp_mx;
  // The element grid for float_bits and twos_complement encodings (overflow saturates); unused by ggml_integer.
  Format element;
  ElementEncoding encoding = ElementEncoding::float_bits;
  int element_bits = 0;  // stored bits per element code
  // Elements sharing one scale along the quantized row (head_dim for a key); 0: the whole array given (one key
  // row per call: per token and head; with a static scale: per tensor or per head).
  int block_size = 32;
  ScaleFormat scale_format = ScaleFormat::e8m0;
  int offset_bits = 0;  // bits per block of a stored minimum (q4_1/q5_1 m); 0 if none
  // nearest_even or stochastic for rules that take a rounding choice (ocp_mx, nvfp4, the FP8 rules); ggml rules
  // fix their own rounding and keep nearest_even here.
  RoundingMode rounding = RoundingMode::nearest_even;
  // static_divide / static_reciprocal: the decode scale s (stored value = element * s). nvfp4: the tensor decode
  // scale 1/g_enc, or 0 for the dynamic amax of the array. Unused otherwise.
  double static_scale = 1;
  double margin = 0;         // amax_margin: the divisor of amax
  std::string description;   // one line for `ropelab formats --block`
  std::string source;        // the specification or code the rule follows

  friend bool operator==(const BlockFormat&, const BlockFormat&) = default;
};

// Stored bits per element: element bits plus the per-block scale (and minimum) bits spread over the block; a
// per-array scale (block_size 0) is spread over `row_length` elements. Tensor-level fp32 scales are not counted.
double bits_per_element(const BlockFormat& format, long row_length);

// Bits of one stored scale code.
int scale_bits(ScaleFormat scale_format);
std::string_view to_string(ScaleFormat scale_format);
std::string_view to_string(ScaleRule rule);

// Throws std::invalid_argument naming the field ('block', 'rounding', 'scale', ...) and what is allowed.
void validate(const BlockFormat& format);

// Throws std::invalid_argument naming 'block' unless the block size divides `row_length` (or is 0).
void require_block_divides(const BlockFormat& format, long row_length, std::string_view row_name);

namespace block_formats {
// The named block formats, in `ropelab formats --block` order.
std::vector<BlockFormat> named();
}  // namespace block_formats

// Parses NAME[:KEY=VALUE]... where NAME is a named block format and the keys override its fields:
// block=N|row, rounding=rne|sr, scale=S (a positive decode scale for static rules; nvfp4 also 'dynamic'),
// apply=divide|reciprocal (static rules). The result's name is the text as given. Throws std::invalid_argument
// naming the key (or the unknown name, listing the known ones).
BlockFormat parse_block_format(std::string_view text);
// True if the text before any ':' names a block format (so callers can route scalar format names elsewhere).
bool is_block_format_name(std::string_view text);
std::string block_format_syntax_help();

}  // namespace ropelab
