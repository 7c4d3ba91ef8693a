// The block kernels' dispatched entry points (block_kernels.cc), for the array API in block_quant.cc.
#pragma once

#include <cstddef>
#include <cstdint>

#include "block_params.hpp"

namespace ropelab::detail {

// Where one call's results go: the stored (dequantized) values when `values` is set (it may alias the input),
// else the codes and the scale codes (null scales / offsets are not written).
struct BlockOutputs {
  std::uint8_t* codes = nullptr;    // one per element
  std::uint32_t* scales = nullptr;  // one per block
  std::uint16_t* offsets = nullptr; // one per block
  float* values = nullptr;          // one per element
};

// Quantizes `blocks` consecutive blocks of `block` elements of x. `fixed`: statistics to use for every block
// instead of reducing each (a whole-array block split into chunks). Element i's random word (stochastic rounding)
// is counter_random_u32(seed, first_index + i).
void quantize_blocks_kernel(const float* x, std::size_t blocks, std::size_t block, const BlockParams& params,
                            const BlockStats* fixed, const BlockOutputs& out, std::uint64_t seed,
                            std::uint64_t first_index);

// Decodes `blocks` blocks; `scales` / `offsets` hold one code per block (offsets may be null).
void dequantize_blocks_kernel(const std::uint8_t* codes, std::size_t blocks, std::size_t block,
                              const BlockParams& params, const std::uint32_t* scales, const std::uint16_t* offsets,
                              float* out);

// The statistics of x[0, n), n >= 1.
BlockStats reduce_stats_kernel(const float* x, std::size_t n, StatsNeeded needed);

}  // namespace ropelab::detail
