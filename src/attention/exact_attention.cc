// The exact reference of the attention rows (contract and error bound in attention.hpp): rotations from the exact
// RoPE reference, double-double scores, long double softmax and output with compensated sums.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "attention/attention_internal.hpp"
#include "attention/softmax_plan.hpp"
#include "ropelab/attention/attention.hpp"
#include "ropelab/parallel_for.hpp"
#include "ropelab/rope/exact_reference.hpp"
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
void rotate_exact(const detail::PairLayout& layout, std::span<const rope::ReferenceRotation> rotations,
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
  const detail::PairLayout layout = detail::pair_layout(spec);
  double b = 0;
  for (std::size_t n = 0; n < layout.first.size(); ++n) {
    const auto i = static_cast<std::size_t>(layout.first[n]), j = static_cast<std::size_t>(layout.second[n]);
    b += (std::abs(q[i]) + std::abs(q[j])) * (std::abs(k[i]) + std::abs(k[j]));
  }
  for (int p : layout.pass) b += std::abs(q[static_cast<std::size_t>(p)] * k[static_cast<std::size_t>(p)]);
  return std::ldexp(b, -50);
}

std::vector<AttentionRow> exact_attention(const rope::RopeSpec& spec, long context_length, const Format& input_format,
                                          const Layout& layout, const HeadVectors& vectors, int threads,
                                          double softmax_scale) {
  const std::vector<DoubleDouble> omega = rope::reference_inverse_frequencies(spec, context_length);
  const detail::PairLayout pl = detail::pair_layout(spec);
  const auto d = static_cast<std::size_t>(vectors.dim);
  const std::size_t n = vectors.keys;
  const auto heads = static_cast<std::size_t>(vectors.heads);
  if (d != static_cast<std::size_t>(spec.head_dim) || n != layout.key_positions.size() || n == 0) {
    throw std::invalid_argument("exact_attention: vectors do not match the spec or the layout");
  }
  std::vector<double> q(vectors.q), k(vectors.k), v(vectors.v);
  round_in_place(std::span<double>(q), input_format);
  round_in_place(std::span<double>(k), input_format);
  round_in_place(std::span<double>(v), input_format);

  std::vector<DoubleDouble> qr(heads * d);
  const std::vector<rope::ReferenceRotation> query_rotations = rotations_at(omega, layout.query_position);
  for (std::size_t h = 0; h < heads; ++h) {
    rotate_exact(pl, query_rotations, std::span(q).subspan(h * d, d), std::span(qr).subspan(h * d, d));
  }
  std::vector<DoubleDouble> scores(heads * n);
  const std::size_t blocks = (n + detail::kKeyBlock - 1) / detail::kKeyBlock;
  parallel_for(0, static_cast<std::int64_t>(blocks), threads, Schedule::dynamic_single, [&](std::int64_t b) {
    const std::size_t j0 = static_cast<std::size_t>(b) * detail::kKeyBlock;
    const std::size_t end = std::min(n, j0 + detail::kKeyBlock);
    std::vector<DoubleDouble> y(d);
    for (std::size_t j = j0; j < end; ++j) {
      const std::vector<rope::ReferenceRotation> rotations = rotations_at(omega, layout.key_positions[j]);
      for (std::size_t h = 0; h < heads; ++h) {
        rotate_exact(pl, rotations, std::span(k).subspan((h * n + j) * d, d), y);
        DoubleDouble s{0, 0};
        for (std::size_t x = 0; x < d; ++x) s = add(s, mul(qr[h * d + x], y[x]));
        scores[h * n + j] = s;
      }
    }
  });

  std::vector<AttentionRow> rows(heads);
  std::vector<double> hi(n), lo(n);
  for (std::size_t h = 0; h < heads; ++h) {
    for (std::size_t j = 0; j < n; ++j) {
      hi[j] = scores[h * n + j].hi;
      lo[j] = scores[h * n + j].lo;
    }
    detail::exact_weights(hi, lo, d, rows[h], softmax_scale);
    detail::exact_output(std::span<const double>(v).subspan(h * n * d, n * d), d, rows[h]);
  }
  return rows;
}

}  // namespace ropelab::attention
