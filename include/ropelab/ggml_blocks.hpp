// ggml's block byte layouts (src/ggml-common.h:194-268 @ d99724f2b141fed9e1a9f402213506c081433465): QuantizedBlocks of
// q8_0, q4_0, q4_1, q5_0, q5_1 and mxfp4 as ggml stores them (and llama.cpp writes its quantized K cache).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "ropelab/block_quant.hpp"

namespace ropelab {

// Bytes of one 32-element block: q8_0 34 (d, qs[32]), q4_0 18 (d, qs[16]), q4_1 20 (d, m, qs[16]), q5_0 22 (d, qh[4],
// qs[16]), q5_1 24 (d, m, qh[4], qs[16]), mxfp4 17 (e, qs[16]). Element j of a 4/5-bit block is the low nibble of
// qs[j] for j < 16 and the high nibble of qs[j - 16] above; bit j of the little-endian qh is bit 4 of element j.
// Throws std::invalid_argument for a format without a ggml layout or with a block size other than 32.
std::size_t ggml_block_bytes(const BlockFormat& format);

// The blocks in ggml's layout; codes are combined exactly as quantize_row_*_ref does (qs[j] = xi0 | xi1 << 4).
std::vector<std::uint8_t> ggml_pack(const QuantizedBlocks& blocks, const BlockFormat& format);

// The inverse of ggml_pack: codes, scale codes (and q4_1/q5_1 offsets) of bytes holding whole blocks.
QuantizedBlocks ggml_unpack(std::span<const std::uint8_t> bytes, const BlockFormat& format);

}  // namespace ropelab
