// check-model --key-cache: what each key-cache format does to adjacent positions and to scores, measured on the
// pipeline's emulated rotated key at every position of the context.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "ropelab/block_format.hpp"
#include "ropelab/parallel_for.hpp"
#include "ropelab/rope/exact_reference.hpp"
#include "ropelab/rope/recipe_stages.hpp"
#include "ropelab/rope/wall.hpp"
#include "ropelab/theory/model_check.hpp"

namespace ropelab::theory {
namespace {

constexpr std::size_t kBlockPositions = 4096;

// One format's cache stage: a pipeline whose recipe stores keys in that format (the tables do not depend on it).
struct CacheVariant {
  std::string format;
  rope::Pipeline pipeline;
};

// Per block of positions and format: partial results, merged in block order.
struct BlockResult {
  std::int64_t first_key_collision = -1;
  double max_score_error = 0;
  std::int64_t equal_neighbours = 0;
};

// The wall's seeded query and key for this context and seed.
rope::WallOptions wall_options(const KeyCacheOptions& o) {
  rope::WallOptions w;
  w.context_length = o.context_length;
  w.seed = o.seed;
  return w;
}

class KeyCacheMeasurer {
 public:
  KeyCacheMeasurer(const rope::Pipeline& base, const std::vector<CacheVariant>& variants, const KeyCacheOptions& o)
      : base_(base), variants_(variants), o_(o),
        vectors_(rope::wall_query_key(base, wall_options(o))) {
    sample_step_ = std::max<long>(1, o.context_length / rope::kSampledPositions);
  }

  [[nodiscard]] std::int64_t sample_step() const { return sample_step_; }

  // Positions [m0, m0 + count) plus the next one inside the context (to compare neighbours). out[v] per variant.
  void measure(std::int64_t m0, std::size_t count, std::vector<double>& phase_state, std::vector<BlockResult>& out) const {
    const auto pairs = static_cast<std::size_t>(base_.pairs());
    const std::size_t rows = m0 + static_cast<std::int64_t>(count) < o_.context_length ? count + 1 : count;
    std::vector<double> c(rows * pairs), s(rows * pairs);
    rope::emulate_rotations(base_, m0, count, c, s, phase_state);
    if (rows > count) {  // the extra row belongs to the next block: step the state back after it
      const std::vector<double> state_after_block = phase_state;
      rope::emulate_rotations(base_, m0 + static_cast<std::int64_t>(count), 1, std::span(c).subspan(count * pairs),
                              std::span(s).subspan(count * pairs), phase_state);
      phase_state = state_after_block;
    }
    std::vector<double> y0(rows * pairs), y1(rows * pairs), reference(rows, NAN);
    for (std::size_t j = 0; j < rows; ++j) {
      const auto row = [&](std::vector<double>& x) { return std::span(x).subspan(j * pairs, pairs); };
      rope::emulate_rotate_pairs(base_.recipe, vectors_.k0, vectors_.k1, row(c), row(s), row(y0), row(y1));
      const std::int64_t m = m0 + static_cast<std::int64_t>(j);
      if (j < count && (m % sample_step_ == 0 || m == o_.context_length - 1)) reference[j] = reference_score(m);
    }
    out.assign(variants_.size(), BlockResult{});
    std::vector<double> c0(rows * pairs), c1(rows * pairs), score(rows);
    for (std::size_t v = 0; v < variants_.size(); ++v) {
      BlockResult& r = out[v];
      for (std::size_t j = 0; j < rows; ++j) {
        const std::span<double> a = std::span(c0).subspan(j * pairs, pairs), b = std::span(c1).subspan(j * pairs, pairs);
        std::copy_n(y0.begin() + static_cast<std::ptrdiff_t>(j * pairs), pairs, a.begin());
        std::copy_n(y1.begin() + static_cast<std::ptrdiff_t>(j * pairs), pairs, b.begin());
        rope::emulate_key_cache_pairs(variants_[v].pipeline, a, b);
        score[j] = 0;
        for (std::size_t i = 0; i < pairs; ++i) score[j] += vectors_.q0[i] * a[i] + vectors_.q1[i] * b[i];
        if (!std::isnan(reference[j])) {
          const double error = std::abs(score[j] - reference[j]);
          r.max_score_error = std::max(r.max_score_error, std::isnan(error) ? INFINITY : error);
        }
      }
      for (std::size_t j = 0; j + 1 < rows && j < count; ++j) {
        const auto same = [&](const std::vector<double>& x) {
          return std::equal(x.begin() + static_cast<std::ptrdiff_t>(j * pairs), x.begin() + static_cast<std::ptrdiff_t>((j + 1) * pairs),
                            x.begin() + static_cast<std::ptrdiff_t>((j + 1) * pairs));
        };
        if (r.first_key_collision < 0 && same(c0) && same(c1)) r.first_key_collision = m0 + static_cast<std::int64_t>(j);
        r.equal_neighbours += score[j] == score[j + 1];
      }
    }
  }

 private:
  // q^T R(m) k with the exact rotation of every pair (fast reference path, within 1 ulp per cos/sin).
  double reference_score(std::int64_t m) const {
    double score = 0;
    for (std::size_t i = 0; i < vectors_.k0.size(); ++i) {
      const rope::ReferenceRotation r = rope::fast_reference_rotation(m, base_.reference_omega[i]);
      const double r0 = vectors_.k0[i] * r.cos - vectors_.k1[i] * r.sin;
      const double r1 = vectors_.k1[i] * r.cos + vectors_.k0[i] * r.sin;
      score += vectors_.q0[i] * r0 + vectors_.q1[i] * r1;
    }
    return score;
  }

  const rope::Pipeline& base_;
  const std::vector<CacheVariant>& variants_;
  const KeyCacheOptions& o_;
  rope::SeededPairs vectors_;
  std::int64_t sample_step_ = 1;
};

std::vector<CacheVariant> variants(const rope::Pipeline& base, const std::vector<std::string>& formats) {
  std::vector<CacheVariant> out;
  for (const std::string& text : formats) {
    CacheVariant v{text, base};
    rope::set_stage(v.pipeline.recipe, "key_cache", text);
    if (v.pipeline.recipe.key_cache_block) {
      require_block_divides(*v.pipeline.recipe.key_cache_block, base.spec.head_dim, "head_dim");
    }
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace

std::vector<KeyCacheRow> check_key_caches(const rope::RopeSpec& spec, const rope::Recipe& recipe,
                                          const std::vector<std::string>& formats, const KeyCacheOptions& o) {
  if (o.context_length < 2) throw std::invalid_argument("context length: " + std::to_string(o.context_length) + " is not >= 2");
  if (!(o.logit_tolerance > 0)) throw std::invalid_argument("logit tolerance: must be > 0");
  const rope::Pipeline base = rope::make_pipeline(spec, recipe, o.context_length);
  const std::vector<CacheVariant> cache_variants = variants(base, formats);
  const KeyCacheMeasurer measurer(base, cache_variants, o);
  const auto blocks = static_cast<std::int64_t>((o.context_length + kBlockPositions - 1) / kBlockPositions);
  std::vector<std::vector<BlockResult>> results(static_cast<std::size_t>(blocks));
  const auto measure_block = [&](std::int64_t b, std::vector<double>& state) {
    const std::int64_t m0 = b * static_cast<std::int64_t>(kBlockPositions);
    const auto count = static_cast<std::size_t>(std::min<std::int64_t>(kBlockPositions, o.context_length - m0));
    measurer.measure(m0, count, state, results[static_cast<std::size_t>(b)]);
  };
  if (recipe.incremental != rope::Incremental::none) {  // incremental recipes carry their state from block to block
    std::vector<double> state(rope::phase_state_size(base.pairs()), 0.0);
    for (std::int64_t b = 0; b < blocks; ++b) measure_block(b, state);
  } else {
    const int threads = o.threads > 0 ? o.threads : omp_get_max_threads();
    parallel_for(0, blocks, threads, Schedule::dynamic_single, [&](std::int64_t b) {
      std::vector<double> unused;
      measure_block(b, unused);
    });
  }
  std::vector<KeyCacheRow> rows;
  const double sqrt_d = std::sqrt(static_cast<double>(spec.head_dim));
  for (std::size_t v = 0; v < cache_variants.size(); ++v) {
    KeyCacheRow row;
    row.format = cache_variants[v].format;
    row.score_sample_step = measurer.sample_step();
    std::int64_t equal = 0;
    for (const std::vector<BlockResult>& block : results) {
      const BlockResult& r = block[v];
      if (row.first_key_collision < 0) row.first_key_collision = r.first_key_collision;
      row.max_score_error = std::max(row.max_score_error, r.max_score_error);
      equal += r.equal_neighbours;
    }
    row.max_logit_error = row.max_score_error / sqrt_d;
    row.equal_neighbour_fraction = static_cast<double>(equal) / static_cast<double>(o.context_length - 1);
    row.safe = row.first_key_collision < 0 && equal == 0 && row.max_logit_error <= o.logit_tolerance;
    rows.push_back(row);
  }
  return rows;
}

}  // namespace ropelab::theory
