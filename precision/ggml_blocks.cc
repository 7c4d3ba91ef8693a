// ggml's block byte layouts (contract in ropelab/ggml_blocks.hpp).
#include "ropelab/ggml_blocks.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace ropelab {
namespace {

constexpr std::size_t kBlock = 32;

struct Layout {
  std::size_t scale_bytes;  // 2 (fp16 d) or 1 (E8M0 e)
  bool offset;              // fp16 m after d
  bool high_bits;           // qh[4] before qs
  bool bytes_per_code;      // q8_0: qs[32] holds one code per byte
};

Layout layout_of(const BlockFormat& f) {
  if (f.block_size != static_cast<int>(kBlock)) {
    throw std::invalid_argument("ggml layout: block format '" + f.name + "': field 'block': ggml blocks hold 32 elements");
  }
  switch (f.rule) {
    case ScaleRule::ggml_q8_0:
    case ScaleRule::ggml_q8_0_avx2: return {2, false, false, true};
    case ScaleRule::ggml_signed_max: return {2, false, f.element_bits == 5, false};
    case ScaleRule::ggml_min_offset: return {2, true, f.element_bits == 5, false};
    case ScaleRule::ggml_mxfp4: return {1, false, false, false};
    default: break;
  }
  throw std::invalid_argument("ggml layout: block format '" + f.name + "' is not a ggml block type");
}

}  // namespace

std::size_t ggml_block_bytes(const BlockFormat& f) {
  const Layout l = layout_of(f);
  return l.scale_bytes + (l.offset ? 2 : 0) + (l.high_bits ? 4 : 0) + (l.bytes_per_code ? kBlock : kBlock / 2);
}

std::vector<std::uint8_t> ggml_pack(const QuantizedBlocks& q, const BlockFormat& f) {
  const Layout l = layout_of(f);
  const std::size_t blocks = q.scales.size();
  if (q.codes.size() != blocks * kBlock || (l.offset && q.offsets.size() != blocks)) {
    throw std::invalid_argument("ggml_pack: codes/offsets do not match " + std::to_string(blocks) + " blocks");
  }
  std::vector<std::uint8_t> bytes;
  bytes.reserve(blocks * ggml_block_bytes(f));
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::uint8_t* c = q.codes.data() + b * kBlock;
    bytes.push_back(static_cast<std::uint8_t>(q.scales[b]));
    if (l.scale_bytes == 2) bytes.push_back(static_cast<std::uint8_t>(q.scales[b] >> 8));
    if (l.offset) {
      bytes.push_back(static_cast<std::uint8_t>(q.offsets[b]));
      bytes.push_back(static_cast<std::uint8_t>(q.offsets[b] >> 8));
    }
    if (l.bytes_per_code) {
      bytes.insert(bytes.end(), c, c + kBlock);
      continue;
    }
    if (l.high_bits) {
      std::uint32_t qh = 0;
      for (std::size_t j = 0; j < kBlock; ++j) qh |= static_cast<std::uint32_t>((c[j] & 0x10u) >> 4) << j;
      for (int k = 0; k < 4; ++k) bytes.push_back(static_cast<std::uint8_t>(qh >> (8 * k)));
    }
    for (std::size_t j = 0; j < kBlock / 2; ++j) {
      const unsigned low = l.high_bits ? c[j] & 0x0Fu : c[j];
      const unsigned high = l.high_bits ? c[j + 16] & 0x0Fu : c[j + 16];
      bytes.push_back(static_cast<std::uint8_t>(low | high << 4));
    }
  }
  return bytes;
}

QuantizedBlocks ggml_unpack(std::span<const std::uint8_t> bytes, const BlockFormat& f) {
  const Layout l = layout_of(f);
  const std::size_t size = ggml_block_bytes(f);
  if (bytes.size() % size != 0) {
    throw std::invalid_argument("ggml_unpack: " + std::to_string(bytes.size()) + " bytes are not whole " +
                                std::to_string(size) + "-byte blocks");
  }
  const std::size_t blocks = bytes.size() / size;
  QuantizedBlocks q;
  q.codes.resize(blocks * kBlock);
  q.scales.resize(blocks);
  if (l.offset) q.offsets.resize(blocks);
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::uint8_t* p = bytes.data() + b * size;
    std::uint8_t* c = q.codes.data() + b * kBlock;
    q.scales[b] = l.scale_bytes == 2 ? static_cast<std::uint32_t>(p[0] | p[1] << 8) : p[0];
    p += l.scale_bytes;
    if (l.offset) {
      q.offsets[b] = static_cast<std::uint16_t>(p[0] | p[1] << 8);
      p += 2;
    }
    if (l.bytes_per_code) {
      std::copy(p, p + kBlock, c);
      continue;
    }
    std::uint32_t qh = 0;
    if (l.high_bits) {
      qh = static_cast<std::uint32_t>(p[0] | p[1] << 8 | p[2] << 16) | static_cast<std::uint32_t>(p[3]) << 24;
      p += 4;
    }
    for (std::size_t j = 0; j < kBlock / 2; ++j) {
      c[j] = static_cast<std::uint8_t>((p[j] & 0x0F) | ((qh >> j) & 1u) << 4);
      c[j + 16] = static_cast<std::uint8_t>((p[j] >> 4) | ((qh >> (j + 16)) & 1u) << 4);
    }
  }
  return q;
}

}  // namespace ropelab
