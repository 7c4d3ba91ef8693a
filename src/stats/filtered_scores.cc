// The fast scores of the filtered counts, their radius and the exact recomputation of single positions
// (contract and error bound: ropelab/stats/filtered.hpp).
#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>
#include <string>

#include "hwy/aligned_allocator.h"
#include "ropelab/rope/exact_reference.hpp"
#include "ropelab/rope/pair_layout.hpp"
#include "ropelab/stats/filtered.hpp"
#include "stats/exact_terms.hpp"
#include "stats/filtered_kernel.hpp"

namespace ropelab::stats {
namespace {

using detail::kTilePositions;

// The offset rotations R(j) = (cos jω_n, sin jω_n), j < block, of every pair from fast_reference_rotations,
// laid out in tiles for detail::block_scores.
hwy::AlignedFreeUniquePtr<double[]> offset_tiles(std::span<const rope::DoubleDouble> omega, std::size_t block,
                                                 int threads) {
  const std::size_t pairs = omega.size();
  auto tiles = hwy::AllocateAligned<double>(2 * pairs * block);
  detail::for_each_block(pairs, threads, {}, [&](std::size_t n) {
    std::vector<double> c(block), s(block);
    rope::fast_reference_rotations(0, block, omega[n], c, s);
    for (std::size_t j = 0; j < block; ++j) {
      double* tile = tiles.get() + (j / kTilePositions) * 2 * pairs * kTilePositions;
      tile[n * kTilePositions + j % kTilePositions] = c[j];
      tile[(pairs + n) * kTilePositions + j % kTilePositions] = s[j];
    }
  });
  return tiles;
}

}  // namespace

double filtered_score_radius(std::span<const double> a, std::span<const double> b, double constant) {
  constexpr double u = 0x1p-53;
  constexpr double tau = 4 * u;                  // cos/sin of fast_reference_rotation: 1.5 ulp <= 3u, + u margin
  constexpr double three_plus_sqrt2 = 4.4142136;  // > 3 + √2
  const auto h = static_cast<double>(a.size());
  double sum_alpha = 0;
  for (std::size_t n = 0; n < a.size(); ++n) sum_alpha += std::abs(a[n]) + std::abs(b[n]);
  const double gamma_h = h * u / (1 - h * u);
  const double bound = sum_alpha * (three_plus_sqrt2 * tau + 8 * u + 2 * gamma_h) + 2 * u * std::abs(constant);
  // Margin for the rounding of sum_alpha (<= 2h u relative), of this evaluation (<= 8u) and the (1 + 2^-45)
  // factors of the derivation; then the underflow term.
  const double margin = 1 + 0x1p-40 + 4 * h * u;
  return bound * margin + (8 * h + 2) * 0x1p-1074;
}

std::size_t filtered_block_positions(std::int64_t positions) {
  const auto root = static_cast<std::uint64_t>(std::sqrt(static_cast<double>(std::max<std::int64_t>(positions, 1))));
  return std::clamp<std::size_t>(std::bit_ceil(root), kTilePositions, 4096);
}

FilteredScores::FilteredScores(const ScoreSource& source, QueryKey product, std::int64_t first, std::int64_t end,
                               const ScoreOptions& options)
    : first_(first), threads_(options.threads) {
  if (source.recipe) throw std::invalid_argument("filtered scores: the exact path only; the source has a recipe");
  detail::check_score_arguments(source, std::span<const QueryKey>(&product, 1), first, end);
  const long context = source.context_length > 0 ? source.context_length : static_cast<long>(end);
  omega_ = rope::reference_inverse_frequencies(source.spec, context);
  const detail::ExactProduct terms = detail::exact_product(rope::pair_layout(source.spec), product);
  a_ = terms.a;
  b_ = terms.b;
  constant_ = terms.constant;
  radius_ = filtered_score_radius(a_, b_, constant_);

  const auto total = static_cast<std::size_t>(end - first);
  const std::size_t block = filtered_block_positions(end - first);
  const std::size_t pairs = omega_.size();
  const auto tiles = offset_tiles(omega_, block, threads_);
  const std::size_t blocks = (total + block - 1) / block;
  constexpr std::size_t kBlocksPerTask = 16;  // blocks sharing each pass over the offset table
  values_.resize(total);
  detail::for_each_block((blocks + kBlocksPerTask - 1) / kBlocksPerTask, threads_, options.progress, [&](std::size_t task) {
    const std::size_t b0 = task * kBlocksPerTask;
    const std::size_t count_blocks = std::min(kBlocksPerTask, blocks - b0);
    std::vector<double> p(count_blocks * pairs), q(count_blocks * pairs);
    for (std::size_t b = 0; b < count_blocks; ++b) {
      const auto m0 = first + static_cast<std::int64_t>((b0 + b) * block);
      for (std::size_t n = 0; n < pairs; ++n) {  // (P + iQ) = (A + iB)(ĉ0 + i ŝ0), each product and sum rounded
        const rope::ReferenceRotation r = rope::fast_reference_rotation(m0, omega_[n]);
        p[b * pairs + n] = a_[n] * r.cos - b_[n] * r.sin;
        q[b * pairs + n] = a_[n] * r.sin + b_[n] * r.cos;
      }
    }
    const std::size_t offset = b0 * block;
    const std::size_t count = std::min(count_blocks * block, total - offset);
    const std::size_t tile_count = block / kTilePositions;
    if (count == count_blocks * block) {
      detail::block_scores(p.data(), q.data(), count_blocks, pairs, tiles.get(), tile_count, constant_,
                           values_.data() + offset, block);
    } else {
      std::vector<double> out(count_blocks * block);
      detail::block_scores(p.data(), q.data(), count_blocks, pairs, tiles.get(), tile_count, constant_, out.data(),
                           block);
      std::copy_n(out.begin(), count, values_.begin() + static_cast<std::ptrdiff_t>(offset));
    }
  });
  const bool finite = std::all_of(values_.begin(), values_.end(), [](double v) { return std::isfinite(v); });
  if (!finite || !std::isfinite(radius_)) radius_ = HUGE_VAL;  // overflow: nothing is decided on the fast path
}

double FilteredScores::exact(std::int64_t position) {
  recompute(std::span<const std::int64_t>(&position, 1));
  return exact_.at(position);
}

void FilteredScores::recompute(std::span<const std::int64_t> positions) {
  std::vector<std::int64_t> missing;
  for (std::int64_t m : positions) {
    if (!exact_.contains(m)) missing.push_back(m);
  }
  std::sort(missing.begin(), missing.end());
  missing.erase(std::unique(missing.begin(), missing.end()), missing.end());
  const detail::ExactProduct terms{a_, b_, constant_};
  std::vector<double> e(missing.size());
  constexpr std::size_t kChunk = 64;
  detail::for_each_block((missing.size() + kChunk - 1) / kChunk, threads_, {}, [&](std::size_t c) {
    for (std::size_t i = c * kChunk; i < std::min(missing.size(), (c + 1) * kChunk); ++i) {
      e[i] = detail::exact_score(terms, omega_, missing[i]);
    }
  });
  for (std::size_t i = 0; i < missing.size(); ++i) exact_.emplace(missing[i], e[i]);
}

std::span<const double> FilteredScores::window(PositionWindow w) const {
  const auto end = first_ + static_cast<std::int64_t>(values_.size());
  if (!(first_ <= w.begin && w.begin < w.end && w.end <= end)) {
    throw std::invalid_argument("window: " + std::to_string(w.begin) + ":" + std::to_string(w.end) +
                                " is not a non-empty window inside " + std::to_string(first_) + ":" +
                                std::to_string(end));
  }
  return std::span<const double>(values_).subspan(static_cast<std::size_t>(w.begin - first_),
                                                  static_cast<std::size_t>(w.end - w.begin));
}

}  // namespace ropelab::stats
