// Helpers shared by the block oracle's files (block_oracle.cc, block_oracle_ggml.cc); none is used by the kernels.
#pragma once

#include <cstdint>
#include <span>

#include "ropelab/block_format.hpp"
#include "ropelab/block_quant.hpp"

namespace ropelab::oracle_detail {

// An element grid and how its codes are laid out.
struct ElementLayout {
  Format grid;
  ElementEncoding encoding;
  int bits;
};

ElementLayout element_layout(const BlockFormat& format);
// OCP E4M3 as NVFP4 stores its block scales (saturating).
ElementLayout e4m3_scale_layout();

// The value of a code by the format's definition (sign, exponent field, mantissa); NaN/Inf where the format
// encodes them.
double code_value(const ElementLayout& layout, unsigned code);
// The code of a value of the grid: the one with the same value and sign, else the same value (two's complement has
// one zero). Throws std::logic_error if the value is not on the grid.
unsigned value_code(const ElementLayout& layout, double value);

// binary16 rounding (MPFR oracle, nearest even, overflow to Inf) and its bits / value by the IEEE 754 definition.
float round_binary16(float x);
std::uint16_t binary16_bits(float value);
float binary16_value(std::uint16_t bits);

// What x86-64 code compiled by GCC gives for a float-to-integer conversion: the truncated int32 if |v| < 2^31, else
// INT32_MIN (cvttss2si's "integer indefinite"), also for NaN.
std::int32_t x86_convert(float v);

// The ggml rules, one block each (block_oracle_ggml.cc). codes has one entry per element of x.
void ggml_quantize_block(std::span<const float> x, const BlockFormat& format, std::span<std::uint8_t> codes,
                         std::uint32_t& scale, std::uint16_t& offset);
void ggml_dequantize_block(std::span<const std::uint8_t> codes, const BlockFormat& format, std::uint32_t scale,
                           std::uint16_t offset, std::span<float> out);

}  // namespace ropelab::oracle_detail
