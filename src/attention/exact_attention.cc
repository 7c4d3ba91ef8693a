// The exact reference of the attention rows (contract and error bound in attention.hpp): rotations from the exact
// RoPE reference, double-double scores, long double softmax and output with compensated sums.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "attention/attention_internal.hpp"
#include "attention/exact_rows.hpp"
#include "attention/softmax_plan.hpp"
#include "ropelab/attention/attention.hpp"
#include "ropelab/parallel_for.hpp"
#include "ropelab/rope/exact_reference.hpp"
#include "ropelab/rope/pair_layout.hpp"
#include "ropelab/round.hpp"

namespace ropelab::attention {
namespace {

using rope::DoubleDouble;

// Error-free transformations (Dekker; no FMA, so the same bits everywhere). Valid for |a|, |b| <= 2^995.
DoubleDouble two_sum(double a, double b) {
  const double s = a + b, bb = s - a;
  return {s, (a - (s - bb)) + (b - bb)};
}
DoubleDouble split(double a) {
  const double c = 134217729.0 * a;  // 2^27 + 1
  const double hi = c - (c - a);
  return {hi, a - hi};
}
DoubleDouble two_prod(double a, double b) {
  const double p = a * b;
  const DoubleDouble x = split(a), y = split(b);
  return {p, ((x.hi * y.hi - p) + x.hi * y.lo + x.lo * y.hi) + x.lo * y.lo};
}
DoubleDouble add(DoubleDouble a, DoubleDouble b) {
  DoubleDouble s = two_sum(a.hi, b.hi);
  s.lo += a.lo + b.lo;
  return two_sum(s.hi, s.lo);
}
DoubleDouble mul(DoubleDouble a, DoubleDouble b) {
  DoubleDouble p = two_prod(a.hi, b.hi);
  p.lo += a.hi * b.lo + a.lo * b.hi;
  return two_sum(p.hi, p.lo);
}

// The exact rotations of every pair at one position.
std::vector<rope::ReferenceRotation> rotations_at(std::span<const DoubleDouble> omega, std::int64_t position) {
  std::vector<rope::ReferenceRotation> r(omega.size());
  for (std::size_t n = 0; n < omega.size(); ++n) r[n] = rope::fast_reference_rotation(position, omega[n]);
  return r;
}

// A vector rotated exactly by the rotations of one position: [coordinate] as double-double.
void rotate_exact(const rope::PairLayout& layout, std::span<const rope::ReferenceRotation> rotations,
                  std::span<const double> x, std::span<DoubleDouble> y) {
  for (std::size_t n = 0; n < rotations.size(); ++n) {
    const rope::ReferenceRotation& r = rotations[n];
    const double x0 = x[static_cast<std::size_t>(layout.first[n])], x1 = x[static_cast<std::size_t>(layout.second[n])];
    const DoubleDouble a = two_prod(x0, r.cos), b = two_prod(x1, r.sin), c = two_prod(x1, r.cos), e = two_prod(x0, r.sin);
    y[static_cast<std::size_t>(layout.first[n])] = add(a, {-b.hi, -b.lo});
    y[static_cast<std::size_t>(layout.second[n])] = add(c, e);
  }
  for (int p : layout.pass) y[static_cast<std::size_t>(p)] = {x[static_cast<std::size_t>(p)], 0};
}

}  // namespace

double exact_score_bound(const rope::RopeSpec& spec, std::span<const double> q, std::span<const double> k) {
  const rope::PairLayout layout = rope::pair_layout(spec);
  double b = 0;
  for (std::size_t n = 0; n < layout.first.size(); ++n) {
    const auto i = static_cast<std::size_t>(layout.first[n]), j = static_cast<std::size_t>(layout.second[n]);
    b += (std::abs(q[i]) + std::abs(q[j])) * (std::abs(k[i]) + std::abs(k[j]));
  }
  for (int p : layout.pass) b += std::abs(q[static_cast<std::size_t>(p)] * k[static_cast<std::size_t>(p)]);
  return std::ldexp(b, -50);
}

namespace detail {

std::vector<AttentionRow> exact_rows(const rope::RopeSpec& spec, long context_length, const Format& input_format,
                                     const ExactRowsInput& in, int threads) {
  const std::vector<DoubleDouble> omega = rope::reference_inverse_frequencies(spec, context_length);
  const rope::PairLayout pl = rope::pair_layout(spec);
  const auto d = static_cast<std::size_t>(spec.head_dim);
  const std::size_t n = in.key_positions.size(), queries = in.query_positions.size(), heads = in.heads;
  if (in.q.size() != heads * queries * d || in.k.size() != heads * n * d || in.v.size() != heads * n * d ||
      in.visible.size() != queries || n == 0) {
    throw std::invalid_argument("exact_attention: vectors do not match the spec or the layout");
  }
  for (std::size_t visible : in.visible) {
    if (visible < 1 || visible > n) throw std::invalid_argument("exact_attention: a query sees no key or too many");
  }
  std::vector<double> q(in.q.begin(), in.q.end()), k(in.k.begin(), in.k.end()), v(in.v.begin(), in.v.end());
  round_in_place(std::span<double>(q), input_format);
  round_in_place(std::span<double>(k), input_format);
  round_in_place(std::span<double>(v), input_format);

  std::vector<DoubleDouble> qr(heads * queries * d);
  for (std::size_t i = 0; i < queries; ++i) {
    const std::vector<rope::ReferenceRotation> query_rotations = rotations_at(omega, in.query_positions[i]);
    for (std::size_t h = 0; h < heads; ++h) {
      const std::size_t at = (h * queries + i) * d;
      rotate_exact(pl, query_rotations, std::span(q).subspan(at, d), std::span(qr).subspan(at, d));
    }
  }
  // scores[(h · queries + i) · n + j]: each written by the one block that holds key j.
  std::vector<DoubleDouble> scores(heads * queries * n);
  const std::size_t blocks = (n + detail::kKeyBlock - 1) / detail::kKeyBlock;
  parallel_for(0, static_cast<std::int64_t>(blocks), threads, Schedule::dynamic_single, [&](std::int64_t b) {
    const std::size_t j0 = static_cast<std::size_t>(b) * detail::kKeyBlock;
    const std::size_t end = std::min(n, j0 + detail::kKeyBlock);
    std::vector<DoubleDouble> y(d);
    for (std::size_t j = j0; j < end; ++j) {
      const std::vector<rope::ReferenceRotation> rotations = rotations_at(omega, in.key_positions[j]);
      for (std::size_t h = 0; h < heads; ++h) {
        rotate_exact(pl, rotations, std::span(k).subspan((h * n + j) * d, d), y);
        for (std::size_t i = 0; i < queries; ++i) {
          if (j >= in.visible[i]) continue;
          const DoubleDouble* qx = &qr[(h * queries + i) * d];
          DoubleDouble s{0, 0};
          for (std::size_t x = 0; x < d; ++x) s = add(s, mul(qx[x], y[x]));
          scores[(h * queries + i) * n + j] = s;
        }
      }
    }
  });

  std::vector<AttentionRow> rows(heads * queries);
  parallel_for(0, static_cast<std::int64_t>(rows.size()), threads, Schedule::dynamic_single, [&](std::int64_t r) {
    const auto row = static_cast<std::size_t>(r);
    const std::size_t h = row / queries, visible = in.visible[row % queries];
    std::vector<double> hi(visible), lo(visible);
    for (std::size_t j = 0; j < visible; ++j) {
      hi[j] = scores[row * n + j].hi;
      lo[j] = scores[row * n + j].lo;
    }
    detail::exact_weights(hi, lo, d, rows[row], in.softmax_scale);
    detail::exact_output(std::span<const double>(v).subspan(h * n * d, visible * d), d, rows[row]);
  });
  return rows;
}

}  // namespace detail

std::vector<AttentionRow> exact_attention(const rope::RopeSpec& spec, long context_length, const Format& input_format,
                                          const Layout& layout, const HeadVectors& vectors, int threads,
                                          double softmax_scale) {
  if (vectors.dim != spec.head_dim || vectors.keys != layout.key_positions.size()) {
    throw std::invalid_argument("exact_attention: vectors do not match the spec or the layout");
  }
  const std::size_t visible[] = {vectors.keys};
  const detail::ExactRowsInput in{std::span(&layout.query_position, 1), visible, layout.key_positions, vectors.q,
                                  vectors.k, vectors.v, static_cast<std::size_t>(vectors.heads), softmax_scale};
  return detail::exact_rows(spec, context_length, input_format, in, threads);
}

}  // namespace ropelab::attention
