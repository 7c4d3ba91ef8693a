// The block-format oracle: scalar, slow, written from the specifications (OCP MX v1.0 §6.3; ggml's
// quantize_row_*_ref and dequantize_row_* at d99724f2; NVIDIA TensorRT-LLM's NVFP4 and FP8 recipes). It shares no code
// with the SIMD kernels: element and scale roundings go through the MPFR oracle (mpfr_oracle.hpp), codes are found
// in value tables built from each format's definition, and ggml's loops are transcribed with x86's float-to-integer
// conversion made explicit.
#pragma once

#include <span>

#include "ropelab/block_quant.hpp"

namespace ropelab {

// The contract of quantize_blocks, one block and one element at a time (options.threads is ignored).
void block_oracle_quantize(std::span<const float> values, const BlockFormat& format, QuantizedBlocks& out,
                           const BlockOptions& options = {});

// The contract of dequantize_blocks.
void block_oracle_dequantize(const QuantizedBlocks& blocks, const BlockFormat& format, std::span<float> out);

// The value of an element code as the format defines it (float_bits / twos_complement: sign, exponent field,
// mantissa; ggml_integer: the signed integer ggml multiplies by d, before any offset). For tests and tools.
double block_oracle_element_value(const BlockFormat& format, unsigned code);

}  // namespace ropelab
