// The block quantization array API: validation, tensor-level statistics, and chunks of whole blocks on OpenMP
// threads. Every element's result depends only on its block (and the array's statistics for whole-array blocks),
// so results never depend on the split or the thread count.
#include "ropelab/block_quant.hpp"

#include <omp.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>
#include <string>

#include "block_dispatch.hpp"
#include "ropelab/parallel_for.hpp"

namespace ropelab {
namespace {

constexpr std::size_t kChunkElements = std::size_t{1} << 16;

// Runs body(begin, end) over [0, n) in pieces of `chunk` on up to `threads` threads (0: all); one piece runs
// without an OpenMP region, so calls on short rows stay cheap inside callers' parallel loops.
template <class Body>
void for_each_piece(std::size_t n, std::size_t chunk, int threads, const Body& body) {
  const auto pieces = static_cast<std::int64_t>((n + chunk - 1) / chunk);
  if (pieces <= 1) {
    if (n > 0) body(std::size_t{0}, n);
    return;
  }
  parallel_for(0, pieces, threads, Schedule::static_shares, [&](std::int64_t c) {
    const std::size_t begin = static_cast<std::size_t>(c) * chunk;
    body(begin, std::min(n, begin + chunk));
  });
}

// The statistics of a whole array: chunk statistics merged in order (first occurrences stay first).
detail::BlockStats array_stats(std::span<const float> x, detail::StatsNeeded needed, int threads) {
  const std::size_t pieces = (x.size() + kChunkElements - 1) / kChunkElements;
  std::vector<detail::BlockStats> parts(pieces);
  for_each_piece(x.size(), kChunkElements, threads, [&](std::size_t b, std::size_t e) {
    parts[b / kChunkElements] = detail::reduce_stats_kernel(x.data() + b, e - b, needed);
  });
  detail::BlockStats stats = parts.front();
  for (std::size_t i = 1; i < parts.size(); ++i) stats = detail::merge_stats(stats, parts[i]);
  return stats;
}

// nvfp4's tensor scales: g_enc = 448 * 6 / amax of the array (1 when amax is 0 or not finite), or 1 / s for a static
// decode scale s; the decode scale is fl(1 / g_enc) either way.
void set_tensor_scale(detail::BlockParams& p, const BlockFormat& f, std::span<const float> x, int threads) {
  if (f.rule != ScaleRule::nvfp4) return;
  if (f.static_scale > 0) {
    detail::set_nvfp4_tensor_scale(p, 1.0f / static_cast<float>(f.static_scale));
  } else {
    const float amax = x.empty() ? 0.0f : std::bit_cast<float>(array_stats(x, {}, threads).amax_bits);
    detail::set_nvfp4_tensor_scale(p, amax > 0 && std::isfinite(amax) ? 2688.0f / amax : 1.0f);
  }
}

detail::BlockOutputs offset_outputs(const detail::BlockOutputs& o, std::size_t element, std::size_t block) {
  return {o.codes ? o.codes + element : nullptr, o.scales ? o.scales + block : nullptr,
          o.offsets ? o.offsets + block : nullptr, o.values ? o.values + element : nullptr};
}

void run_quantize(std::span<const float> x, const BlockFormat& f, const detail::BlockParams& p,
                  const detail::BlockOutputs& out, const BlockOptions& o) {
  if (x.empty()) return;
  if (f.block_size > 0) {
    const auto block = static_cast<std::size_t>(f.block_size);
    const std::size_t per_piece = std::max<std::size_t>(1, kChunkElements / block);
    for_each_piece(x.size() / block, per_piece, o.threads, [&](std::size_t b, std::size_t e) {
      detail::quantize_blocks_kernel(x.data() + b * block, e - b, block, p, nullptr, offset_outputs(out, b * block, b),
                                     o.seed, o.first_index + b * block);
    });
    return;
  }
  const detail::BlockStats stats = array_stats(x, p.needed, o.threads);
  for_each_piece(x.size(), kChunkElements, o.threads, [&](std::size_t b, std::size_t e) {
    detail::BlockOutputs piece = offset_outputs(out, b, 0);
    if (b != 0) piece.scales = nullptr, piece.offsets = nullptr;  // every piece computes the same scale
    detail::quantize_blocks_kernel(x.data() + b, 1, e - b, p, &stats, piece, o.seed, o.first_index + b);
  });
}

void require_size(std::size_t got, std::size_t want, const char* what) {
  if (got != want) {
    throw std::invalid_argument(std::string(what) + ": " + std::to_string(got) + " entries, expected " +
                                std::to_string(want));
  }
}

}  // namespace

std::size_t block_count(const BlockFormat& f, std::size_t n) {
  if (n == 0) return 0;
  if (f.block_size == 0) return 1;
  require_block_divides(f, static_cast<long>(n), "the array length");
  return n / static_cast<std::size_t>(f.block_size);
}

void quantize_blocks(std::span<const float> values, const BlockFormat& f, QuantizedBlocks& out,
                     const BlockOptions& options) {
  detail::BlockParams p = detail::make_block_params(f);
  const std::size_t blocks = block_count(f, values.size());
  set_tensor_scale(p, f, values, options.threads);
  // Every code, scale and offset is written below: resize, not assign (a second pass over the output).
  out.codes.resize(values.size());
  out.scales.resize(blocks);
  out.offsets.resize(f.offset_bits > 0 ? blocks : 0);
  out.tensor_scale = p.tensor_encode;
  run_quantize(values, f, p,
               {out.codes.data(), out.scales.data(), out.offsets.empty() ? nullptr : out.offsets.data(), nullptr},
               options);
}

void quantize_dequantize(std::span<float> values, const BlockFormat& f, const BlockOptions& options) {
  detail::BlockParams p = detail::make_block_params(f);
  block_count(f, values.size());
  set_tensor_scale(p, f, values, options.threads);
  run_quantize(values, f, p, {nullptr, nullptr, nullptr, values.data()}, options);
}

void dequantize_blocks(const QuantizedBlocks& q, const BlockFormat& f, std::span<float> out,
                       const BlockOptions& options) {
  detail::BlockParams p = detail::make_block_params(f);
  const std::size_t blocks = block_count(f, out.size());
  require_size(q.codes.size(), out.size(), "dequantize_blocks: codes");
  require_size(q.scales.size(), blocks, "dequantize_blocks: scales");
  if (f.offset_bits > 0) require_size(q.offsets.size(), blocks, "dequantize_blocks: offsets");
  if (f.rule == ScaleRule::nvfp4) detail::set_nvfp4_tensor_scale(p, q.tensor_scale);
  const std::uint16_t* offsets = f.offset_bits > 0 ? q.offsets.data() : nullptr;
  if (out.empty()) return;
  if (f.block_size > 0) {
    const auto block = static_cast<std::size_t>(f.block_size);
    for_each_piece(blocks, std::max<std::size_t>(1, kChunkElements / block), options.threads,
                   [&](std::size_t b, std::size_t e) {
                     detail::dequantize_blocks_kernel(q.codes.data() + b * block, e - b, block, p, q.scales.data() + b,
                                                      offsets ? offsets + b : nullptr, out.data() + b * block);
                   });
    return;
  }
  for_each_piece(out.size(), kChunkElements, options.threads, [&](std::size_t b, std::size_t e) {
    detail::dequantize_blocks_kernel(q.codes.data() + b, 1, e - b, p, q.scales.data(), offsets, out.data() + b);
  });
}

}  // namespace ropelab
