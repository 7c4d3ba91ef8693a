// Pipeline scores at absolute positions (contract in ropelab/stats/scores.hpp): the query rotated at P and every key
// at P − m by the emulator's own stages (rope::emulate_rotations, emulate_rotate_pairs, emulate_key_cache), the dot
// product as the relative-only pipeline path forms it. Scalar; every position's score depends only on that position
// (incremental recipes: on a recurrence walked serially), so any thread count gives the same bits.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "ropelab/block_format.hpp"
#include "ropelab/round.hpp"
#include "ropelab/rope/pipeline.hpp"
#include "ropelab/rope/exact_reference.hpp"
#include "ropelab/rope/pair_layout.hpp"
#include "ropelab/stats/scores.hpp"
#include "stats/exact_terms.hpp"

namespace ropelab::stats {
namespace {

using rope::PairLayout;

// Rotates `count` copies of one input-rounded vector x (d values) by the table rows [row][pair] into rows [row][d]:
// rotation arithmetic and storage_format, pass-through coordinates kept; with `key_cache` the key cache stage after.
void rotate_rows(const rope::Recipe& recipe, const PairLayout& layout, std::span<const double> x, std::size_t count,
                 std::span<const double> cos, std::span<const double> sin, bool key_cache, std::span<double> out) {
  const std::size_t pairs = layout.first.size(), d = x.size();
  std::vector<double> x0(count * pairs), x1(count * pairs), y0(count * pairs), y1(count * pairs);
  for (std::size_t r = 0; r < count; ++r) {
    for (std::size_t n = 0; n < pairs; ++n) {
      x0[r * pairs + n] = x[static_cast<std::size_t>(layout.first[n])];
      x1[r * pairs + n] = x[static_cast<std::size_t>(layout.second[n])];
    }
  }
  rope::emulate_rotate_pairs(recipe, x0, x1, cos.first(count * pairs), sin.first(count * pairs), y0, y1);
  const bool block_cache = key_cache && recipe.key_cache_block.has_value();
  if (key_cache && !block_cache) {  // a scalar cache rounds the rotated coordinates (pass-through ones stay inputs)
    round_in_place(std::span<double>(y0), recipe.key_cache_format);
    round_in_place(std::span<double>(y1), recipe.key_cache_format);
  }
  for (std::size_t r = 0; r < count; ++r) {
    const std::span<double> row = out.subspan(r * d, d);
    for (std::size_t n = 0; n < pairs; ++n) {
      row[static_cast<std::size_t>(layout.first[n])] = y0[r * pairs + n];
      row[static_cast<std::size_t>(layout.second[n])] = y1[r * pairs + n];
    }
    for (int p : layout.pass) row[static_cast<std::size_t>(p)] = x[static_cast<std::size_t>(p)];
    if (block_cache) rope::emulate_key_cache(recipe, row);  // the whole row, as the relative path's block cache
  }
}

// The dot product of step 4 (binary64 products; an fp32 running sum in coordinate order, binary64 for binary64
// storage), then step 5's rounding to storage_format.
double dot(const rope::Recipe& recipe, std::span<const double> q, std::span<const double> y) {
  double s = 0;
  if (recipe.storage_format == formats::binary64()) {
    for (std::size_t x = 0; x < q.size(); ++x) s += q[x] * y[x];
  } else {
    float f = 0;
    for (std::size_t x = 0; x < q.size(); ++x) f = static_cast<float>(static_cast<double>(f) + q[x] * y[x]);
    s = f;
  }
  round_in_place(std::span<double>(&s, 1), recipe.storage_format);
  return s;
}

struct Product {
  std::vector<double> q, k;  // q rotated at P (storage values); k input-rounded
};

void pipeline_scores(const ScoreSource& source, std::int64_t query_position, std::span<const QueryKey> products,
                     std::int64_t first, std::int64_t end, const ScoreOptions& options,
                     std::vector<std::vector<double>>& out) {
  const rope::Recipe& recipe = *source.recipe;
  const rope::Pipeline pipeline = rope::make_pipeline(source.spec, recipe, absolute_context(source, query_position, end));
  const PairLayout layout = rope::pair_layout(source.spec);
  const auto pairs = static_cast<std::size_t>(pipeline.pairs());
  const auto d = static_cast<std::size_t>(source.spec.head_dim);
  const bool incremental = recipe.incremental != rope::Incremental::none;
  const std::size_t block = options.block_positions;

  // Table rows of positions [p0, p0 + count); an incremental recipe continues `state` (positions in order from 0).
  const auto table = [&](std::int64_t p0, std::size_t count, std::vector<double>& cos, std::vector<double>& sin,
                         std::vector<double>& state) {
    cos.resize(count * pairs);
    sin.resize(count * pairs);
    rope::emulate_rotations(pipeline, p0, count, cos, sin, state);
  };

  // The query's table row at P (a recurrence walks there from 0).
  std::vector<double> qc, qs, state(rope::phase_state_size(pipeline.pairs()));
  if (incremental) {
    for (std::int64_t p0 = 0; p0 <= query_position; p0 += static_cast<std::int64_t>(block)) {
      table(p0, static_cast<std::size_t>(std::min<std::int64_t>(static_cast<std::int64_t>(block), query_position + 1 - p0)),
            qc, qs, state);
    }
    qc.erase(qc.begin(), qc.end() - static_cast<std::ptrdiff_t>(pairs));
    qs.erase(qs.begin(), qs.end() - static_cast<std::ptrdiff_t>(pairs));
  } else {
    table(query_position, 1, qc, qs, state);
  }
  std::vector<Product> terms;
  for (const QueryKey& p : products) {
    Product t{std::vector<double>(d), std::vector<double>(p.k.begin(), p.k.end())};
    std::vector<double> q(p.q.begin(), p.q.end());
    round_in_place(std::span<double>(q), recipe.input_format);
    round_in_place(std::span<double>(t.k), recipe.input_format);
    rotate_rows(recipe, layout, q, 1, qc, qs, false, t.q);
    terms.push_back(std::move(t));
  }

  // Keys at positions [lo, lo + count) = distances (P − lo − count, P − lo]: table row r is distance P − lo − r.
  const auto score_keys = [&](std::int64_t lo, std::size_t count, const std::vector<double>& cos,
                              const std::vector<double>& sin) {
    std::vector<double> y(count * d);
    for (std::size_t j = 0; j < terms.size(); ++j) {
      rotate_rows(recipe, layout, terms[j].k, count, cos, sin, true, y);
      for (std::size_t r = 0; r < count; ++r) {
        const std::int64_t m = query_position - lo - static_cast<std::int64_t>(r);
        out[j][static_cast<std::size_t>(m - first)] =
            dot(recipe, terms[j].q, std::span<const double>(y).subspan(r * d, d));
      }
    }
  };
  const std::int64_t key_lo = query_position - (end - 1), key_end = query_position - first + 1;
  if (incremental) {
    std::vector<double> cos, sin;
    for (std::int64_t p0 = 0; p0 < key_end; p0 += static_cast<std::int64_t>(block)) {
      const auto count = static_cast<std::size_t>(std::min<std::int64_t>(static_cast<std::int64_t>(block), key_end - p0));
      table(p0, count, cos, sin, state);
      if (options.progress) options.progress(static_cast<double>(p0 + static_cast<std::int64_t>(count)) / static_cast<double>(key_end));
      const std::int64_t lo = std::max(p0, key_lo), hi = p0 + static_cast<std::int64_t>(count);
      if (lo >= hi) continue;
      const auto skip = static_cast<std::ptrdiff_t>(static_cast<std::size_t>(lo - p0) * pairs);
      const std::vector<double> c(cos.begin() + skip, cos.end()), s(sin.begin() + skip, sin.end());
      score_keys(lo, static_cast<std::size_t>(hi - lo), c, s);
    }
    return;
  }
  const auto total = static_cast<std::size_t>(key_end - key_lo);
  const std::size_t blocks = (total + block - 1) / block;
  detail::for_each_block(blocks, options.threads, options.progress, [&](std::size_t b) {
    const std::int64_t lo = key_lo + static_cast<std::int64_t>(b * block);
    const std::size_t count = std::min(block, total - b * block);
    std::vector<double> cos, sin, scratch(rope::phase_state_size(pipeline.pairs()));
    table(lo, count, cos, sin, scratch);
    score_keys(lo, count, cos, sin);
  });
}

}  // namespace

long absolute_context(const ScoreSource& source, std::int64_t query_position, std::int64_t end) {
  const long context = source.context_length > 0 ? source.context_length : static_cast<long>(end);
  return std::max(context, static_cast<long>(query_position + 1));
}

std::vector<std::vector<double>> compute_absolute_scores(const ScoreSource& source, std::int64_t query_position,
                                                         std::span<const QueryKey> products, std::int64_t first,
                                                         std::int64_t end, const ScoreOptions& options) {
  detail::check_score_arguments(source, products, first, end);
  if (query_position < end - 1 || query_position > rope::max_reference_position - 2) {
    throw std::invalid_argument("query position: " + std::to_string(query_position) + " is not in [" +
                                std::to_string(end - 1) + ", 2^53 - 2] (every key position P - m, m < " +
                                std::to_string(end) + ", must be >= 0)");
  }
  ScoreSource at_context = source;
  at_context.context_length = absolute_context(source, query_position, end);
  if (!source.recipe) {
    std::vector<QueryKey> exchanged;
    for (const QueryKey& p : products) exchanged.push_back(absolute_exact_equivalent(p));
    return compute_scores(at_context, exchanged, first, end, options);
  }
  if (options.block_positions == 0) throw std::invalid_argument("block_positions: 0 is not > 0");
  if (source.recipe->key_cache_block) {
    require_block_divides(*source.recipe->key_cache_block, source.spec.head_dim, "head_dim");
  }
  std::vector<std::vector<double>> out(products.size(), std::vector<double>(static_cast<std::size_t>(end - first)));
  pipeline_scores(at_context, query_position, products, first, end, options, out);
  return out;
}

}  // namespace ropelab::stats
