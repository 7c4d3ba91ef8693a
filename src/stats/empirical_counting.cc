// Exact pair counting over a window of scores: position inversion and aliasing (contract in empirical.hpp).
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>

#include "ropelab/parallel_for.hpp"
#include "ropelab/round.hpp"
#include "ropelab/stats/empirical.hpp"
#include "stats/sort_scores.hpp"

namespace ropelab::stats {
namespace {

std::vector<double> sorted_finite_or_inf(std::span<const double> x) {
  std::vector<double> v;
  v.reserve(x.size());
  for (double s : x) {
    if (!std::isnan(s)) v.push_back(s);
  }
  detail::sort_scores(v);
  return v;
}

// k-nearest-neighbour density at every element of sorted v (same order): k / (N · width of the k-window).
std::vector<double> knn_density(const std::vector<double>& v) {
  const std::size_t n = v.size();
  std::vector<double> f(n, 0);
  if (n < 2) return f;
  const auto k0 = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(n))));
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = std::min(k0, n - 1);; k = std::min(2 * k, n - 1)) {
      const std::size_t lo = std::min(i > k / 2 ? i - k / 2 : 0, n - 1 - k);
      const double width = v[lo + k] - v[lo];
      if (width > 0) {
        f[i] = static_cast<double>(k) / (static_cast<double>(n) * width);
        break;
      }
      if (k == n - 1) {
        f[i] = std::numeric_limits<double>::infinity();
        break;
      }
    }
  }
  return f;
}

std::vector<double> normal_density(const std::vector<double>& v) {
  const SampleMoments m = sample_moments(v);
  const double sigma = std::sqrt(m.variance);
  std::vector<double> f(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    const double z = (v[i] - m.mean) / sigma;
    f[i] = std::exp(-0.5 * z * z) / (sigma * std::sqrt(2 * std::numbers::pi));
  }
  return f;
}

// pairs ≈ C(N,2)·E[f w], fraction ≈ E[1 − exp(−(N−1) f w)] over sorted v with cell widths w.
template <class Width>
AliasingPrediction predict(std::span<const double> scores, Density density, Width&& width) {
  const std::vector<double> v = sorted_finite_or_inf(scores);
  const std::size_t n = v.size();
  if (n < 2) return {};
  const std::vector<double> f = density == Density::empirical ? knn_density(v) : normal_density(v);
  double mean_fw = 0, fraction = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double fw = f[i] * width(v[i]);
    mean_fw += fw;
    fraction += 1 - std::exp(-static_cast<double>(n - 1) * fw);
  }
  const double nn = static_cast<double>(n);
  return {nn * (nn - 1) / 2 * mean_fw / nn, fraction / nn};
}

}  // namespace

SampleMoments sample_moments(std::span<const double> scores) {
  SampleMoments m;
  std::size_t n = 0;
  for (double s : scores) {
    if (!std::isnan(s)) {
      m.mean += s;
      ++n;
    }
  }
  if (n == 0) return m;
  m.mean /= static_cast<double>(n);
  for (double s : scores) {
    if (!std::isnan(s)) m.variance += (s - m.mean) * (s - m.mean);
  }
  m.variance /= static_cast<double>(n);
  return m;
}

InversionCount count_inversions(std::span<const double> near, std::span<const double> far) {
  InversionCount c;
  c.pairs = static_cast<std::uint64_t>(near.size()) * static_cast<std::uint64_t>(far.size());
  std::vector<double> a, b;
  parallel_for(0, 2, 2, Schedule::static_shares, [&](std::int64_t half) {
    (half == 0 ? a : b) = sorted_finite_or_inf(half == 0 ? near : far);
  });
  // For ascending near values, the far values strictly above: a pointer that only moves forward.
  std::size_t j = 0;
  for (double x : a) {
    while (j < b.size() && b[j] <= x) ++j;
    c.inversions += b.size() - j;
  }
  return c;
}

double normal_inversion_probability(std::span<const double> near, std::span<const double> far) {
  const SampleMoments n = sample_moments(near), f = sample_moments(far);
  const double sd = std::sqrt(n.variance + f.variance);
  if (sd == 0) return f.mean > n.mean ? 1.0 : 0.0;
  return 0.5 * std::erfc(-(f.mean - n.mean) / sd / std::numbers::sqrt2);
}

AliasingCount count_aliasing_rounded(std::span<const double> scores, const Format& format) {
  std::vector<double> r;
  r.reserve(scores.size());
  for (double s : scores) {
    if (!std::isnan(s)) r.push_back(s);
  }
  round_in_place(std::span<double>(r), format);
  detail::sort_scores(r);
  AliasingCount c;
  c.positions = r.size();
  for (std::size_t i = 0; i < r.size();) {
    std::size_t j = i + 1;
    while (j < r.size() && r[j] == r[i]) ++j;
    const std::uint64_t run = j - i;
    if (run >= 2) {
      c.pairs += run * (run - 1) / 2;
      c.with_partner += run;
    }
    i = j;
  }
  return c;
}

AliasingCount count_aliasing_tolerance(std::span<const double> scores, double eps) {
  if (!(eps >= 0 && std::isfinite(eps))) throw std::invalid_argument("eps: " + std::to_string(eps) + " is not finite >= 0");
  const std::vector<double> v = sorted_finite_or_inf(scores);
  AliasingCount c;
  c.positions = v.size();
  std::size_t j = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    j = std::max(j, i + 1);
    while (j < v.size() && v[j] - v[i] <= eps) ++j;
    c.pairs += j - i - 1;
    const bool left = i > 0 && v[i] - v[i - 1] <= eps;
    const bool right = i + 1 < v.size() && v[i + 1] - v[i] <= eps;
    c.with_partner += left || right;
  }
  return c;
}

double format_ulp(double x, const Format& format) {
  const double a = std::abs(x);
  const int p = format.precision;
  if (!(a >= format.min_normal())) return std::ldexp(1.0, static_cast<int>(format.emin) - p + 1);
  return std::ldexp(1.0, std::ilogb(a) - p + 1);
}

AliasingPrediction predict_aliasing_rounded(std::span<const double> scores, const Format& format, Density density) {
  return predict(scores, density, [&](double x) { return format_ulp(x, format); });
}

AliasingPrediction predict_aliasing_tolerance(std::span<const double> scores, double eps, Density density) {
  if (!(eps >= 0 && std::isfinite(eps))) throw std::invalid_argument("eps: " + std::to_string(eps) + " is not finite >= 0");
  return predict(scores, density, [&](double) { return 2 * eps; });
}

}  // namespace ropelab::stats
