// The query and keys rotated through the RoPE pipeline at their own absolute positions (contract in attention.hpp).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "attention/attention_internal.hpp"
#include "ropelab/attention/attention.hpp"
#include "ropelab/parallel_for.hpp"
#include "ropelab/rope/pair_layout.hpp"
#include "ropelab/round.hpp"

namespace ropelab::attention {
namespace detail {

void emulated_table(const rope::Pipeline& pipeline, std::span<const std::int64_t> positions, std::span<double> cos,
                    std::span<double> sin) {
  const auto pairs = static_cast<std::size_t>(pipeline.pairs());
  std::vector<double> state(rope::phase_state_size(pipeline.pairs()));
  if (pipeline.recipe.incremental == rope::Incremental::none) {
    std::size_t i = 0;
    while (i < positions.size()) {
      std::size_t run = 1;
      while (i + run < positions.size() && positions[i + run] == positions[i + run - 1] + 1) ++run;
      rope::emulate_rotations(pipeline, positions[i], run, cos.subspan(i * pairs, run * pairs),
                              sin.subspan(i * pairs, run * pairs), state);
      i += run;
    }
    return;
  }
  // A recurrence: walk [0, max] in order and copy the rows asked for.
  std::vector<std::size_t> order(positions.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return positions[a] < positions[b]; });
  constexpr std::size_t kChunk = 4096;
  std::vector<double> c(kChunk * pairs), s(kChunk * pairs);
  std::size_t next = 0;
  for (std::int64_t p0 = 0; next < order.size(); p0 += static_cast<std::int64_t>(kChunk)) {
    rope::emulate_rotations(pipeline, p0, kChunk, c, s, state);
    while (next < order.size() && positions[order[next]] < p0 + static_cast<std::int64_t>(kChunk)) {
      const auto row = static_cast<std::size_t>(positions[order[next]] - p0);
      std::copy_n(&c[row * pairs], pairs, &cos[order[next] * pairs]);
      std::copy_n(&s[row * pairs], pairs, &sin[order[next] * pairs]);
      ++next;
    }
  }
}

}  // namespace detail

namespace {

// Rotates `count` vectors (rows of d values, already input-rounded) whose tables are rows of cos/sin, into out.
void rotate_rows(const rope::Pipeline& pipeline, const rope::PairLayout& layout, std::span<const double> in,
                 std::size_t count, std::span<const double> cos, std::span<const double> sin, bool key_cache,
                 std::span<double> out) {
  const auto pairs = layout.first.size();
  const auto d = static_cast<std::size_t>(pipeline.spec.head_dim);
  std::vector<double> x0(count * pairs), x1(count * pairs), y0(count * pairs), y1(count * pairs);
  for (std::size_t r = 0; r < count; ++r) {
    for (std::size_t n = 0; n < pairs; ++n) {
      x0[r * pairs + n] = in[r * d + static_cast<std::size_t>(layout.first[n])];
      x1[r * pairs + n] = in[r * d + static_cast<std::size_t>(layout.second[n])];
    }
  }
  rope::emulate_rotate_pairs(pipeline.recipe, x0, x1, cos.first(count * pairs), sin.first(count * pairs), y0, y1);
  for (std::size_t r = 0; r < count; ++r) {
    std::span<double> r0 = std::span(y0).subspan(r * pairs, pairs), r1 = std::span(y1).subspan(r * pairs, pairs);
    if (key_cache) rope::emulate_key_cache_pairs(pipeline, r0, r1);
    for (std::size_t n = 0; n < pairs; ++n) {
      out[r * d + static_cast<std::size_t>(layout.first[n])] = r0[n];
      out[r * d + static_cast<std::size_t>(layout.second[n])] = r1[n];
    }
    for (int x : layout.pass) out[r * d + static_cast<std::size_t>(x)] = in[r * d + static_cast<std::size_t>(x)];
  }
}

}  // namespace

Layout shifted(const Layout& layout, std::int64_t shift) {
  Layout out = layout;
  out.query_position += shift;
  for (std::int64_t& p : out.key_positions) p += shift;
  return out;
}

std::span<const double> HeadVectors::query(int h) const {
  return std::span(q).subspan(static_cast<std::size_t>(h) * static_cast<std::size_t>(dim), static_cast<std::size_t>(dim));
}
std::span<const double> HeadVectors::key(int h, std::size_t j) const {
  const auto d = static_cast<std::size_t>(dim);
  return std::span(k).subspan((static_cast<std::size_t>(h) * keys + j) * d, d);
}
std::span<const double> HeadVectors::value(int h, std::size_t j) const {
  const auto d = static_cast<std::size_t>(dim);
  return std::span(v).subspan((static_cast<std::size_t>(h) * keys + j) * d, d);
}

void check_attention_input(const rope::Pipeline& pipeline, const Layout& layout, const HeadVectors& vectors) {
  if (layout.key_positions.empty() || vectors.keys == 0) throw std::invalid_argument("keys: the key set is empty");
  if (layout.key_positions.size() != vectors.keys) {
    throw std::invalid_argument("keys: " + std::to_string(vectors.keys) + " key vectors for " +
                                std::to_string(layout.key_positions.size()) + " key positions");
  }
  const std::int64_t context = pipeline.context_length;
  const auto check_position = [&](const std::string& name, std::int64_t p) {
    if (p < 0 || p >= context) {
      throw std::invalid_argument(name + ": " + std::to_string(p) + " is not in [0, " + std::to_string(context - 1) +
                                  "] (the context)");
    }
  };
  check_position("--query-position", layout.query_position);
  for (std::int64_t p : layout.key_positions) check_position("key position", p);
  if (vectors.heads < 1) throw std::invalid_argument("heads: " + std::to_string(vectors.heads) + " is not >= 1");
  if (vectors.dim != pipeline.spec.head_dim) {
    throw std::invalid_argument("head_dim: vectors have " + std::to_string(vectors.dim) + " values, the model " +
                                std::to_string(pipeline.spec.head_dim));
  }
  const auto heads = static_cast<std::size_t>(vectors.heads), d = static_cast<std::size_t>(vectors.dim);
  if (vectors.q.size() != heads * d) throw std::invalid_argument("q: size does not match heads x head_dim");
  if (vectors.k.size() != heads * vectors.keys * d) throw std::invalid_argument("k: size does not match heads x keys x head_dim");
  if (vectors.v.size() != heads * vectors.keys * d) throw std::invalid_argument("v: size does not match heads x keys x head_dim");
  const auto finite = [](const std::vector<double>& x, const char* name) {
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (!std::isfinite(x[i])) throw std::invalid_argument(std::string(name) + ": value " + std::to_string(i) + " is not finite");
    }
  };
  finite(vectors.q, "q");
  finite(vectors.k, "k");
  finite(vectors.v, "v");
}

namespace detail {

std::vector<double> rotate_queries(const rope::Pipeline& pipeline, std::span<const std::int64_t> positions,
                                   std::span<const double> q, std::size_t heads) {
  const rope::PairLayout pl = rope::pair_layout(pipeline.spec);
  const auto pairs = static_cast<std::size_t>(pipeline.pairs());
  const auto d = static_cast<std::size_t>(pipeline.spec.head_dim);
  const std::size_t count = positions.size();
  std::vector<double> c(count * pairs), s(count * pairs), qin(q.begin(), q.end()), out(heads * count * d);
  round_in_place(std::span<double>(qin), pipeline.recipe.input_format);
  emulated_table(pipeline, positions, c, s);
  for (std::size_t h = 0; h < heads; ++h) {
    rotate_rows(pipeline, pl, std::span(qin).subspan(h * count * d, count * d), count, c, s, false,
                std::span(out).subspan(h * count * d, count * d));
  }
  return out;
}

std::vector<double> rotate_keys(const rope::Pipeline& pipeline, std::span<const std::int64_t> positions,
                                std::span<const double> k, std::size_t heads, int threads) {
  const rope::PairLayout pl = rope::pair_layout(pipeline.spec);
  const auto pairs = static_cast<std::size_t>(pipeline.pairs());
  const auto d = static_cast<std::size_t>(pipeline.spec.head_dim);
  const std::size_t n = positions.size();
  std::vector<double> out(heads * n * d);
  const std::size_t blocks = (n + kKeyBlock - 1) / kKeyBlock;
  const bool incremental = pipeline.recipe.incremental != rope::Incremental::none;
  parallel_for(0, static_cast<std::int64_t>(blocks), incremental ? 1 : threads, Schedule::dynamic_single,
               [&](std::int64_t b) {
    const std::size_t j0 = static_cast<std::size_t>(b) * kKeyBlock;
    const std::size_t count = std::min(kKeyBlock, n - j0);
    std::vector<double> c(count * pairs), s(count * pairs), kin(count * d);
    emulated_table(pipeline, positions.subspan(j0, count), c, s);
    for (std::size_t h = 0; h < heads; ++h) {
      std::copy_n(&k[(h * n + j0) * d], count * d, kin.begin());
      round_in_place(std::span<double>(kin), pipeline.recipe.input_format);
      rotate_rows(pipeline, pl, kin, count, c, s, true, std::span(out).subspan((h * n + j0) * d, count * d));
    }
  });
  return out;
}

}  // namespace detail

RotatedHeads emulate_rotated_heads(const rope::Pipeline& pipeline, const Layout& layout, const HeadVectors& vectors,
                                   int threads) {
  check_attention_input(pipeline, layout, vectors);
  const auto heads = static_cast<std::size_t>(vectors.heads);
  return {detail::rotate_queries(pipeline, std::span(&layout.query_position, 1), vectors.q, heads),
          detail::rotate_keys(pipeline, layout.key_positions, vectors.k, heads, threads)};
}

}  // namespace ropelab::attention
