// Quantize / dequantize arrays to block-scaled formats: the precision core's SIMD entry points (Highway, dynamic
// dispatch, OpenMP across chunks of whole blocks).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "ropelab/block_format.hpp"

namespace ropelab {

struct BlockOptions {
  std::uint64_t seed = 0;         // stochastic rounding: element i uses counter_random_u32(seed, first_index + i)
  std::uint64_t first_index = 0;  // global index of element 0
  int threads = 1;                // 0: all hardware threads. Results are identical for any value.
};

// One array in a block format, unpacked: one code per element and one scale code per block.
struct QuantizedBlocks {
  std::vector<std::uint8_t> codes;    // element codes (BlockFormat::encoding), one per element
  std::vector<std::uint32_t> scales;  // scale codes (BlockFormat::scale_format bits), one per block
  std::vector<std::uint16_t> offsets; // binary16 bits of the block minimum m (q4_1, q5_1), else empty
  float tensor_scale = 1;             // nvfp4: the tensor encode scale g_enc in binary32; else 1
};

// Blocks an array of n elements has (n / block_size; 1 for a whole-array block). Throws std::invalid_argument
// naming 'block' unless the block size divides n.
std::size_t block_count(const BlockFormat& format, std::size_t n);

// Quantizes binary32 values (ScaleRule documents each rule, BlockFormat::rounding the element rounding).
// Formats: every BlockFormat (n must be a multiple of the block size). Valid range: finite inputs (OCP MX also
// specifies NaN/Inf: the block's scale is NaN); the other rules give deterministic but unspecified codes for NaN/Inf.
// Error: each element is its scaled value rounded once onto the block's grid (nearest even: at most half a grid
// step; stochastic: less than one step), saturating at the grid's largest value; ggml rules round as ggml does
// (q8_0 ties away, q8_0_avx2 ties to even, q4/q5 half up after a binary32 add, mxfp4 ties to the smaller magnitude).
// Exact: bit-identical to block_oracle_quantize on every compiled Highway target and for any thread count
// (tests/precision/block_kernels_test.cc, block_exhaustive_test.cc, ggml_golden_test.cc).
void quantize_blocks(std::span<const float> values, const BlockFormat& format, QuantizedBlocks& out,
                     const BlockOptions& options = {});

// The stored values of quantized blocks, in binary32: element value times scale, each product rounded once
// (q4_1/q5_1: q*d + m as two roundings, no FMA, as ggml's dequantize_row_*; nvfp4: (e2m1 * sf) * (1/g_enc)).
// A NaN E8M0 scale (OCP MX) gives NaN. Exact: bit-identical to block_oracle_dequantize on every target.
void dequantize_blocks(const QuantizedBlocks& blocks, const BlockFormat& format, std::span<float> out,
                       const BlockOptions& options = {});

// values = dequantize(quantize(values)) in one pass (what a quantized cache gives back to attention).
void quantize_dequantize(std::span<float> values, const BlockFormat& format, const BlockOptions& options = {});

}  // namespace ropelab
