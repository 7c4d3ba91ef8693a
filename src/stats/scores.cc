// S(m) = q^T R(m) k over a window of distances, exact or through a pipeline (contract in scores.hpp).
// Work is streamed in blocks of positions; every position's score depends only on that position (and, for
// incremental recipes, on a recurrence run serially), so any thread count gives the same bits.
#include "ropelab/stats/scores.hpp"

#include <omp.h>

#include <algorithm>
#include <array>
#include <bit>
#include <atomic>
#include <cmath>
#include <stdexcept>
#include <string>

#include "ropelab/block_format.hpp"
#include "ropelab/nearest_even.hpp"
#include "ropelab/parallel_for.hpp"
#include "ropelab/format_arith.hpp"
#include "ropelab/round.hpp"
#include "ropelab/rope/exact_reference.hpp"
#include "ropelab/rope/pipeline.hpp"
#include "stats/exact_terms.hpp"
#include "stats/pipeline_scores_kernel.hpp"

namespace ropelab::stats {
namespace {

using detail::ExactProduct;
using detail::exact_product;
using rope::PairLayout;
using rope::pair_layout;

// --- Exact path -------------------------------------------------------------------------------------------

void exact_scores(const ScoreSource& source, std::span<const QueryKey> products, std::int64_t first,
                  std::int64_t end, const ScoreOptions& options, std::vector<std::vector<double>>& out) {
  const PairLayout layout = pair_layout(source.spec);
  const long context = source.context_length > 0 ? source.context_length : static_cast<long>(end);
  const std::vector<rope::DoubleDouble> omega = rope::reference_inverse_frequencies(source.spec, context);
  std::vector<ExactProduct> terms;
  for (const QueryKey& p : products) terms.push_back(exact_product(layout, p));
  const std::size_t pairs = omega.size();
  const std::size_t block = options.block_positions;
  const auto total = static_cast<std::size_t>(end - first);
  const std::size_t blocks = (total + block - 1) / block;
  detail::for_each_block(blocks, options.threads, options.progress, [&](std::size_t b) {
    const std::size_t offset = b * block;
    const std::size_t count = std::min(block, total - offset);
    const auto m0 = first + static_cast<std::int64_t>(offset);
    std::vector<double> cos(count * pairs), sin(count * pairs);  // column-major [pair][position]
    for (std::size_t n = 0; n < pairs; ++n) {
      rope::fast_reference_rotations(m0, count, omega[n], std::span(cos).subspan(n * count, count),
                                     std::span(sin).subspan(n * count, count));
    }
    for (std::size_t j = 0; j < terms.size(); ++j) {
      for (std::size_t i = 0; i < count; ++i) {
        double s = 0;
        for (std::size_t n = 0; n < pairs; ++n) {
          s += detail::exact_term(terms[j].a[n], terms[j].b[n], cos[n * count + i], sin[n * count + i]);
        }
        out[j][offset + i] = s + terms[j].constant;
      }
    }
  });
}

// --- Pipeline path ----------------------------------------------------------------------------------------

std::vector<double> rounded(std::span<const double> x, const Format& format) {
  std::vector<double> r(x.begin(), x.end());
  round_in_place(std::span<double>(r), format);
  return r;
}

struct PipelineProduct {
  std::vector<double> q, k;  // rounded to input_format
};

// A product in binary32 for the binary32-lane kernel, with the magnitudes its range tests need.
struct Binary32Product {
  std::vector<float> q, k;
  double q_largest = 0, q_smallest_nonzero = HUGE_VAL, k_largest = 0, k_smallest_nonzero = HUGE_VAL;

  explicit Binary32Product(const PipelineProduct& p) : q(p.q.begin(), p.q.end()), k(p.k.begin(), p.k.end()) {
    // A NaN or infinite coordinate makes the largest magnitude +inf: the kernel's range tests then fail.
    for (const double v : p.q) {
      q_largest = std::isfinite(v) ? std::max(q_largest, std::abs(v)) : HUGE_VAL;
      if (v != 0) q_smallest_nonzero = std::min(q_smallest_nonzero, std::abs(v));
    }
    for (const double v : p.k) {
      k_largest = std::isfinite(v) ? std::max(k_largest, std::abs(v)) : HUGE_VAL;
      if (v != 0) k_smallest_nonzero = std::min(k_smallest_nonzero, std::abs(v));
    }
  }
};

// True when every value of `format` is a binary32 value: p <= 24, emax <= 127 and a spacing >= 2^-149.
bool values_fit_binary32(const Format& f) {
  return f.fits_binary64() && f.precision <= 24 && f.emax <= 127 && f.emin - f.precision + 1 >= -149;
}

// The recipe's rotation and dot product (steps 3–5 of scores.hpp) for one block of positions, from the
// block's table (pair-major [pair][position] for the SIMD kernels, row-major [position][pair] for the scalar
// one: table_by_pair() says which). The rotation repeats rope::emulate_rotate_pairs operation for operation (binary64 products and sums, each rounded to the rotation format, then storage, then key
// cache); positions are processed in tiles so the fp32 accumulation vectorises across positions while each
// position keeps its own sequential coordinate order. A block-scaled key cache quantizes each position's whole
// key row (rope::emulate_key_cache, pass-through coordinates included) once all its pairs are rotated.
class PipelineKernel {
 public:
  PipelineKernel(const rope::Recipe& recipe, const PairLayout& layout)
      : recipe_(recipe),
        layout_(layout),
        op_format_(op_format(recipe)),
        storage_format_(recipe.storage_format),
        cache_format_(recipe.key_cache_format),
        fused_(recipe.rotation == rope::Rotation::fma),
        wide_(recipe.storage_format == formats::binary64()),
        skip_storage_(recipe.storage_format == op_format(recipe)),
        block_cache_(recipe.key_cache_block.has_value()),
        skip_cache_(block_cache_ || recipe.key_cache_format == recipe.storage_format),
        op_rounder_(op_format_),
        storage_rounder_(storage_format_),
        cache_rounder_(cache_format_) {
    // The kernel takes the unfused rotation with an fp32 dot; fused rotations, binary64 storage and block key
    // caches stay scalar.
    vector_ = !fused_ && !wide_ && !block_cache_ && detail::lane_rounding(op_format_, op_rounder_, op_lanes_) &&
              detail::lane_rounding(storage_format_, storage_rounder_, storage_lanes_) &&
              detail::lane_rounding(cache_format_, cache_rounder_, cache_lanes_);
    // The binary32-lane kernel's static preconditions (pipeline_scores_kernel.hpp, Binary32ScoreTile).
    const int p_in = recipe.input_format.precision, p_op = op_format_.precision;
    binary32_ = vector_ && op_lanes_.kind == detail::LaneRounding::Kind::significand && p_op <= 11 &&
                op_format_.min_normal() >= 0x1p-126 && op_format_.max_finite() <= 0x1.fffffep127 &&
                (skip_storage_ || storage_format_ == formats::binary32()) &&
                (skip_cache_ || cache_format_ == formats::binary32()) && values_fit_binary32(recipe.input_format) &&
                values_fit_binary32(recipe.table_format) && p_in + recipe.table_format.precision <= 24 &&
                p_in + p_op <= 24 && 2 * p_in <= 24;
  }
  PipelineKernel(const PipelineKernel&) = delete;  // the lane roundings point into this object
  PipelineKernel& operator=(const PipelineKernel&) = delete;

  void scores(const PipelineProduct& p, std::size_t count, std::span<const double> cos, std::span<const double> sin,
              std::span<double> out) const {
    const std::span<double> outs[] = {out};
    scores(std::span<const PipelineProduct>(&p, 1), count, cos, sin, outs);
  }

  // The table layout scores() takes: pair-major for the SIMD kernels.
  bool table_by_pair() const { return vector_; }

  // Every product over the same table block: outs[j] = the scores of products[j].
  void scores(std::span<const PipelineProduct> products, std::size_t count, std::span<const double> cos,
              std::span<const double> sin, std::span<const std::span<double>> outs) const {
    if (vector_) {
      vector_scores(products, count, cos, sin, outs);
    } else {
      for (std::size_t j = 0; j < products.size(); ++j) scalar_scores(products[j], count, cos, sin, outs[j]);
    }
    for (const std::span<double> out : outs) round_in_place(out.first(count), storage_format_);
  }

 private:
  // A tile of the block's pair-major table ([pair][count]) into the kernel's [pair][kScoreTile].
  static void tile_of(const double* table, std::size_t pairs, std::size_t count, std::size_t t0, std::size_t tile,
                      double* out) {
    for (std::size_t n = 0; n < pairs; ++n) std::copy_n(table + n * count + t0, tile, out + n * detail::kScoreTile);
  }

  // The SIMD kernel (pipeline_scores_kernel.hpp): the table tile transposed to [pair][position] once for all
  // products, one dispatch per tile and product.
  void vector_scores(std::span<const PipelineProduct> products, std::size_t count, std::span<const double> cos,
                     std::span<const double> sin, std::span<const std::span<double>> outs) const {
    if (binary32_) {
      binary32_scores(products, count, cos, sin, outs);
      return;
    }
    constexpr std::size_t kTile = detail::kScoreTile;
    const std::size_t pairs = layout_.first.size();
    const std::size_t d = products.front().q.size();
    thread_local std::vector<double> c, s, y;
    c.resize(pairs * kTile);  // lanes past a short last tile hold stale table values: computed, not returned
    s.resize(pairs * kTile);
    y.resize(d * kTile);
    double tile_out[kTile];
    detail::ScoreTile t = binary64_tile(d, c.data(), s.data(), y.data(), tile_out);
    for (std::size_t t0 = 0; t0 < count; t0 += kTile) {
      const std::size_t tile = std::min(kTile, count - t0);
      tile_of(cos.data(), pairs, count, t0, tile, c.data());
      tile_of(sin.data(), pairs, count, t0, tile, s.data());
      for (std::size_t j = 0; j < products.size(); ++j) {
        t.k = products[j].k.data();
        t.q = products[j].q.data();
        detail::score_tile(t);
        std::copy_n(tile_out, tile, outs[j].begin() + static_cast<std::ptrdiff_t>(t0));
      }
    }
  }

  // One tile through score_tile (binary64 lanes): the fallback of the binary32 kernel.
  void wide_tile(const PipelineProduct& p, std::span<const double> cos, std::span<const double> sin,
                 std::size_t count, std::size_t t0, std::size_t tile, double* out) const {
    constexpr std::size_t kTile = detail::kScoreTile;
    const std::size_t pairs = layout_.first.size();
    thread_local std::vector<double> c, s, y;
    c.assign(pairs * kTile, 0.0);
    s.assign(pairs * kTile, 0.0);
    y.resize(p.q.size() * kTile);
    tile_of(cos.data(), pairs, count, t0, tile, c.data());
    tile_of(sin.data(), pairs, count, t0, tile, s.data());
    detail::ScoreTile t = binary64_tile(p.q.size(), c.data(), s.data(), y.data(), out);
    t.k = p.k.data();
    t.q = p.q.data();
    detail::score_tile(t);
  }

  // score_tile's arguments for this recipe and layout over the given scratch (k and q left to the caller).
  detail::ScoreTile binary64_tile(std::size_t head_dim, const double* c, const double* s, double* y, double* out) const {
    return {.pairs = layout_.first.size(), .head_dim = head_dim, .cos = c, .sin = s, .k = nullptr, .q = nullptr,
            .first = layout_.first.data(), .second = layout_.second.data(), .op = op_lanes_,
            .storage = storage_lanes_, .cache = cache_lanes_, .skip_storage = skip_storage_,
            .skip_cache = skip_cache_, .y = y, .out = out};
  }

  // The binary32-lane kernel where its per-tile range tests pass, else score_tile on the same tile in binary64.
  void binary32_scores(std::span<const PipelineProduct> products, std::size_t count, std::span<const double> cos,
                       std::span<const double> sin, std::span<const std::span<double>> outs) const {
    constexpr std::size_t kTile = detail::kScoreTile;
    const std::size_t pairs = layout_.first.size();
    const std::size_t d = products.front().q.size();
    std::vector<Binary32Product> narrow;
    narrow.reserve(products.size());
    for (const PipelineProduct& p : products) narrow.emplace_back(p);
    thread_local std::vector<float> y;
    y.resize(d * kTile);
    double tile_out[kTile];
    detail::Binary32ScoreTile t{.pairs = pairs, .head_dim = d, .table_stride = count,
                                .first = layout_.first.data(), .second = layout_.second.data(),
                                .op_shift = 24 - op_format_.precision, .op_min_normal = op_format_.min_normal(),
                                .op_max_finite = op_format_.max_finite(), .y = y.data(), .out = tile_out};
    for (std::size_t t0 = 0; t0 < count; t0 += kTile) {
      const std::size_t tile = std::min(kTile, count - t0);
      t.cos_table = cos.data() + t0;
      t.sin_table = sin.data() + t0;
      for (std::size_t j = 0; j < products.size(); ++j) {
        const Binary32Product& p = narrow[j];
        t.q = p.q.data();
        t.k = p.k.data();
        t.q_largest = p.q_largest;
        t.q_smallest_nonzero = p.q_smallest_nonzero;
        t.k_largest = p.k_largest;
        t.k_smallest_nonzero = p.k_smallest_nonzero;
        if (tile < kTile || !detail::score_tile_binary32(t)) wide_tile(products[j], cos, sin, count, t0, tile, tile_out);
        std::copy_n(tile_out, tile, outs[j].begin() + static_cast<std::ptrdiff_t>(t0));
      }
    }
  }

  void scalar_scores(const PipelineProduct& p, std::size_t count, std::span<const double> cos,
                     std::span<const double> sin, std::span<double> out) const {
    const std::size_t pairs = layout_.first.size();
    const std::size_t d = p.q.size();
    std::array<double, kTile> acc{};
    std::vector<double> y(d * kTile);  // [coordinate][position in tile]
    const NearestEvenRounder op(op_format_), storage(storage_format_), cache(cache_format_);
    std::array<double, kTile> c{}, s{}, a{}, b{}, ra{}, rb{}, sum{};
    // y = key_cache(storage(op(op(u) ± op(v)))), as emulate_rotate_pairs.
    // Rotation::fma: the product of k0 (a for y0, b for y1, exact in binary64) is fused with the other,
    // rounded product, and the sum rounds once (FormatArithmetic::fma's exact paths), as emulate_rotate_pairs.
    FormatArithmetic fused(op_format_, RoundingMode::nearest_even);
    const auto combine_fused = [&](double* y_out, double k0, const double* factor, double* rounded_product,
                                   double sign, std::size_t n) {
      op.apply(rounded_product, rb.data(), n);
      for (std::size_t t = 0; t < n; ++t) sum[t] = fused.fma(k0, factor[t], sign * rb[t]);
      std::copy(sum.begin(), sum.begin() + static_cast<std::ptrdiff_t>(n), y_out);
      if (!skip_storage_) {
        storage.apply(y_out, sum.data(), n);
        std::copy(sum.begin(), sum.begin() + static_cast<std::ptrdiff_t>(n), y_out);
      }
      if (!skip_cache_) {
        cache.apply(y_out, sum.data(), n);
        std::copy(sum.begin(), sum.begin() + static_cast<std::ptrdiff_t>(n), y_out);
      }
    };
    const auto combine = [&](double* y_out, double sign, std::size_t n) {
      op.apply(a.data(), ra.data(), n);
      op.apply(b.data(), rb.data(), n);
      for (std::size_t t = 0; t < n; ++t) sum[t] = ra[t] + sign * rb[t];
      op.apply(sum.data(), y_out, n);
      if (!skip_storage_) {
        storage.apply(y_out, sum.data(), n);
        std::copy(sum.begin(), sum.begin() + static_cast<std::ptrdiff_t>(n), y_out);
      }
      if (!skip_cache_) {
        cache.apply(y_out, sum.data(), n);
        std::copy(sum.begin(), sum.begin() + static_cast<std::ptrdiff_t>(n), y_out);
      }
    };
    for (std::size_t t0 = 0; t0 < count; t0 += kTile) {
      const std::size_t tile = std::min(kTile, count - t0);
      for (int x : layout_.pass) {
        for (std::size_t t = 0; t < kTile; ++t) y[static_cast<std::size_t>(x) * kTile + t] = p.k[x];
      }
      for (std::size_t n = 0; n < pairs; ++n) {
        const double k0 = p.k[layout_.first[n]], k1 = p.k[layout_.second[n]];
        for (std::size_t t = 0; t < tile; ++t) {
          c[t] = cos[(t0 + t) * pairs + n];
          s[t] = sin[(t0 + t) * pairs + n];
        }
        // y0 = k0 c − k1 s (the subtraction of rounded products is exact-then-rounded in binary64, as there).
        for (std::size_t t = 0; t < tile; ++t) { a[t] = k0 * c[t]; b[t] = k1 * s[t]; }
        double* y0 = &y[static_cast<std::size_t>(layout_.first[n]) * kTile];
        if (fused_) combine_fused(y0, k0, c.data(), b.data(), -1.0, tile); else combine(y0, -1.0, tile);
        // y1 = k1 c + k0 s
        for (std::size_t t = 0; t < tile; ++t) { a[t] = k1 * c[t]; b[t] = k0 * s[t]; }
        double* y1 = &y[static_cast<std::size_t>(layout_.second[n]) * kTile];
        if (fused_) combine_fused(y1, k0, s.data(), a.data(), 1.0, tile); else combine(y1, 1.0, tile);
      }
      if (block_cache_) cache_key_rows(y, d, tile);
      acc.fill(0);
      if (wide_) {
        for (std::size_t x = 0; x < d; ++x) {
          for (std::size_t t = 0; t < kTile; ++t) acc[t] += p.q[x] * y[x * kTile + t];
        }
      } else {
        std::array<float, kTile> fsum{};
        for (std::size_t x = 0; x < d; ++x) {
          const double qx = p.q[x];
          for (std::size_t t = 0; t < kTile; ++t) {
            fsum[t] = static_cast<float>(static_cast<double>(fsum[t]) + qx * y[x * kTile + t]);
          }
        }
        for (std::size_t t = 0; t < kTile; ++t) acc[t] = fsum[t];
      }
      for (std::size_t t = 0; t < tile; ++t) out[t0 + t] = acc[t];
    }
  }

  static constexpr std::size_t kTile = 32;
  // The block key cache on the tile's key rows (y is [coordinate][position in tile]).
  void cache_key_rows(std::vector<double>& y, std::size_t d, std::size_t tile) const {
    std::vector<double> row(d);
    for (std::size_t t = 0; t < tile; ++t) {
      for (std::size_t x = 0; x < d; ++x) row[x] = y[x * kTile + t];
      rope::emulate_key_cache(recipe_, row);
      for (std::size_t x = 0; x < d; ++x) y[x * kTile + t] = row[x];
    }
  }
  static Format op_format(const rope::Recipe& r) {
    return r.rotation == rope::Rotation::per_op ? r.storage_format : r.rotation_math_format;
  }
  const rope::Recipe& recipe_;
  const PairLayout& layout_;
  Format op_format_, storage_format_, cache_format_;
  bool fused_, wide_, skip_storage_, block_cache_, skip_cache_;
  NearestEvenRounder op_rounder_, storage_rounder_, cache_rounder_;
  detail::LaneRounding op_lanes_, storage_lanes_, cache_lanes_;
  bool vector_ = false;
  bool binary32_ = false;  // vector_ and the binary32-lane kernel's static preconditions hold
};

// The block's table in the layout the kernel takes.
void rotations(const rope::Pipeline& pipeline, const PipelineKernel& kernel, std::int64_t m0, std::size_t count,
               std::span<double> cos, std::span<double> sin, std::span<double> state) {
  if (kernel.table_by_pair()) {
    rope::emulate_rotations_by_pair(pipeline, m0, count, cos, sin, state);
  } else {
    rope::emulate_rotations(pipeline, m0, count, cos, sin, state);
  }
}

void pipeline_scores(const ScoreSource& source, std::span<const QueryKey> products, std::int64_t first,
                     std::int64_t end, const ScoreOptions& options, std::vector<std::vector<double>>& out) {
  const rope::Recipe& recipe = *source.recipe;
  const long context = source.context_length > 0 ? source.context_length : static_cast<long>(end);
  const rope::Pipeline pipeline = rope::make_pipeline(source.spec, recipe, context);
  const PairLayout layout = pair_layout(source.spec);
  std::vector<PipelineProduct> terms;
  for (const QueryKey& p : products) {
    terms.push_back({rounded(p.q, recipe.input_format), rounded(p.k, recipe.input_format)});
  }
  const auto pairs = static_cast<std::size_t>(pipeline.pairs());
  const std::size_t block = options.block_positions;
  const PipelineKernel kernel(recipe, layout);

  if (recipe.incremental != rope::Incremental::none) {
    // The phase state is a recurrence from position 0: one thread, blocks in order.
    std::vector<double> state(rope::phase_state_size(pipeline.pairs()));
    std::vector<double> cos(block * pairs), sin(block * pairs), scores(block);
    const auto total = static_cast<std::size_t>(end);
    for (std::size_t offset = 0; offset < total; offset += block) {
      const std::size_t count = std::min(block, total - offset);
      rotations(pipeline, kernel, static_cast<std::int64_t>(offset), count, cos, sin, state);
      if (options.progress) options.progress(static_cast<double>(offset + count) / static_cast<double>(total));
      if (static_cast<std::int64_t>(offset + count) <= first) continue;
      for (std::size_t j = 0; j < terms.size(); ++j) {
        kernel.scores(terms[j], count, cos, sin, scores);
        for (std::size_t i = 0; i < count; ++i) {
          const auto m = static_cast<std::int64_t>(offset + i);
          if (m >= first) out[j][static_cast<std::size_t>(m - first)] = scores[i];
        }
      }
    }
    return;
  }

  const auto total = static_cast<std::size_t>(end - first);
  const std::size_t blocks = (total + block - 1) / block;
  detail::for_each_block(blocks, options.threads, options.progress, [&](std::size_t b) {
    const std::size_t offset = b * block;
    const std::size_t count = std::min(block, total - offset);
    // Per-thread table scratch reused across blocks (zero-filling fresh vectors per block showed in profiles).
    thread_local std::vector<double> cos, sin;
    cos.resize(count * pairs);
    sin.resize(count * pairs);
    std::vector<double> state(rope::phase_state_size(pipeline.pairs()));
    rotations(pipeline, kernel, first + static_cast<std::int64_t>(offset), count, cos, sin, state);
    std::vector<std::span<double>> outs;
    for (std::size_t j = 0; j < terms.size(); ++j) outs.push_back(std::span(out[j]).subspan(offset, count));
    kernel.scores(terms, count, cos, sin, outs);
  });
}

}  // namespace

std::vector<std::vector<double>> compute_scores(const ScoreSource& source, std::span<const QueryKey> products,
                                                std::int64_t first, std::int64_t end, const ScoreOptions& options) {
  detail::check_score_arguments(source, products, first, end);
  if (options.block_positions == 0) throw std::invalid_argument("block_positions: 0 is not > 0");
  if (source.recipe && source.recipe->key_cache_block) {
    require_block_divides(*source.recipe->key_cache_block, source.spec.head_dim, "head_dim");
  }
  std::vector<std::vector<double>> out(products.size(), std::vector<double>(static_cast<std::size_t>(end - first)));
  if (source.recipe) {
    pipeline_scores(source, products, first, end, options, out);
  } else {
    exact_scores(source, products, first, end, options, out);
  }
  return out;
}

std::vector<double> compute_scores(const ScoreSource& source, QueryKey product, std::int64_t first, std::int64_t end,
                                   const ScoreOptions& options) {
  return std::move(compute_scores(source, std::span<const QueryKey>(&product, 1), first, end, options).front());
}

CosineSum cosine_sum(const rope::RopeSpec& spec, QueryKey product, long context_length) {
  rope::validate(spec);
  const PairLayout layout = pair_layout(spec);
  const ExactProduct e = exact_product(layout, product);
  CosineSum sum;
  for (const rope::DoubleDouble& w : rope::reference_inverse_frequencies(spec, context_length)) {
    sum.omega.push_back(w.hi + w.lo);
  }
  for (std::size_t n = 0; n < e.a.size(); ++n) {
    sum.amplitude.push_back(std::hypot(e.a[n], e.b[n]));
    sum.phase.push_back(std::atan2(e.b[n], e.a[n]));
  }
  sum.constant = e.constant;
  return sum;
}


namespace detail {

void check_score_arguments(const ScoreSource& source, std::span<const QueryKey> products, std::int64_t first,
                           std::int64_t end) {
  rope::validate(source.spec);
  if (first < 0) throw std::invalid_argument("first position: " + std::to_string(first) + " is not >= 0");
  if (end <= first) {
    throw std::invalid_argument("window: end " + std::to_string(end) + " is not > first " + std::to_string(first));
  }
  if (end > rope::max_reference_position) {
    throw std::invalid_argument("window: end " + std::to_string(end) + " is beyond 2^53 - 1");
  }
  const auto d = static_cast<std::size_t>(source.spec.head_dim);
  for (const QueryKey& p : products) {
    if (p.q.size() != d || p.k.size() != d) {
      throw std::invalid_argument("vectors: q has " + std::to_string(p.q.size()) + " and k " +
                                  std::to_string(p.k.size()) + " values; the spec's head_dim is " + std::to_string(d));
    }
  }
}

void for_each_block(std::size_t blocks, int threads, const std::function<void(double)>& progress,
                    const std::function<void(std::size_t)>& body) {
  std::atomic<std::size_t> done{0};
  parallel_for(0, static_cast<std::int64_t>(blocks), threads, Schedule::dynamic_single, [&](std::int64_t b) {
    body(static_cast<std::size_t>(b));
    const std::size_t finished = ++done;
    if (progress && omp_get_thread_num() == 0) progress(static_cast<double>(finished) / static_cast<double>(blocks));
  });
}

ExactProduct exact_product(const PairLayout& layout, QueryKey p) {
  ExactProduct e;
  for (std::size_t n = 0; n < layout.first.size(); ++n) {
    const double q0 = p.q[layout.first[n]], q1 = p.q[layout.second[n]];
    const double k0 = p.k[layout.first[n]], k1 = p.k[layout.second[n]];
    e.a.push_back(q0 * k0 + q1 * k1);
    e.b.push_back(q0 * k1 - q1 * k0);
  }
  for (int i : layout.pass) e.constant += p.q[i] * p.k[i];
  return e;
}

}  // namespace detail

}  // namespace ropelab::stats
