// Token statistics for two keys under one query: inversion, aliasing, attention invariance (empirical.hpp).
#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>
#include <utility>

#include "ropelab/round.hpp"
#include "ropelab/stats/empirical.hpp"

namespace ropelab::stats {
namespace {

void require_same_size(std::span<const double> s1, std::span<const double> s2) {
  if (s1.size() != s2.size()) {
    throw std::invalid_argument("token scores: " + std::to_string(s1.size()) + " and " + std::to_string(s2.size()) +
                                " positions differ");
  }
}

std::vector<double> rounded(std::span<const double> x, const Format& format) {
  std::vector<double> r(x.begin(), x.end());
  round_in_place(std::span<double>(r), format);
  return r;
}

void check_eps(double eps) {
  if (!(eps >= 0 && std::isfinite(eps))) throw std::invalid_argument("eps: " + std::to_string(eps) + " is not finite >= 0");
}

}  // namespace

TokenInversion token_inversion(double s1_at_0, double s2_at_0, std::span<const double> s1, std::span<const double> s2) {
  require_same_size(s1, s2);
  TokenInversion t;
  t.inverted.assign(s1.size(), 0);
  const bool first_preferred = s1_at_0 > s2_at_0, second_preferred = s1_at_0 < s2_at_0;
  for (std::size_t m = 0; m < s1.size(); ++m) {
    const bool flipped = (first_preferred && s1[m] < s2[m]) || (second_preferred && s1[m] > s2[m]);
    t.inverted[m] = flipped;
    t.count += flipped;
  }
  return t;
}

TokenAliasing token_aliasing(std::span<const double> s1, std::span<const double> s2, const Equality& equality) {
  require_same_size(s1, s2);
  TokenAliasing t;
  t.aliased.assign(s1.size(), 0);
  if (equality.format) {
    const std::vector<double> r1 = rounded(s1, *equality.format), r2 = rounded(s2, *equality.format);
    for (std::size_t m = 0; m < s1.size(); ++m) t.aliased[m] = r1[m] == r2[m];
  } else {
    check_eps(equality.eps);
    for (std::size_t m = 0; m < s1.size(); ++m) t.aliased[m] = std::abs(s1[m] - s2[m]) <= equality.eps;
  }
  for (std::uint8_t a : t.aliased) t.count += a;
  return t;
}

TokenAliasingPrediction predict_token_aliasing(std::span<const double> s1, std::span<const double> s2,
                                               const Format& format) {
  require_same_size(s1, s2);
  TokenAliasingPrediction p;
  std::vector<double> t(s1.size());
  double mean_ulp = 0;
  for (std::size_t m = 0; m < s1.size(); ++m) {
    t[m] = s1[m] - s2[m];
    const double ulp = format_ulp(s1[m], format);
    mean_ulp += ulp;
    p.per_position += std::max(0.0, 1 - std::abs(t[m]) / ulp);
  }
  if (s1.empty()) return p;
  mean_ulp /= static_cast<double>(s1.size());
  const SampleMoments mt = sample_moments(t);
  const double sigma = std::sqrt(mt.variance);
  p.normal = static_cast<double>(s1.size()) * mean_ulp * std::exp(-mt.mean * mt.mean / (2 * mt.variance)) /
             (sigma * std::sqrt(2 * std::numbers::pi));
  return p;
}

std::uint64_t count_attention_invariance(std::span<const double> s1, std::span<const double> s2,
                                         const Equality& equality) {
  require_same_size(s1, s2);
  std::uint64_t ordered = 0;
  if (equality.format) {
    const std::vector<double> r1 = rounded(s1, *equality.format), r2 = rounded(s2, *equality.format);
    std::vector<std::pair<double, double>> points;  // (RN S1(m), RN S2(m))
    for (std::size_t m = 0; m < r1.size(); ++m) {
      if (!std::isnan(r1[m]) && !std::isnan(r2[m])) points.emplace_back(r1[m], r2[m]);
    }
    std::sort(points.begin(), points.end());
    // Partners m2 of m1 = (a, b): S1(m2) = b and S2(m2) = a. Rounded scores repeat, so the points are grouped
    // (equal under the pairs' <, as equal_range would match them) and each group meets its mirror (b, a) in one
    // merge of two sorted lists: Σ over m1 of #{m2 : (S1, S2)(m2) ~ (b, a)}, less m1 itself where a == b.
    std::vector<std::pair<std::pair<double, double>, std::uint64_t>> groups, mirrors;
    for (const auto& point : points) {
      if (groups.empty() || groups.back().first < point) {
        groups.push_back({point, 1});
      } else {
        ++groups.back().second;
      }
    }
    for (const auto& [point, count] : groups) {
      mirrors.push_back({{point.second, point.first}, count});
      if (point.first == point.second) ordered -= count;  // not m1 itself (wraps back when the matches are added)
    }
    std::sort(mirrors.begin(), mirrors.end());
    auto group = groups.begin();
    for (const auto& [key, count] : mirrors) {
      while (group != groups.end() && group->first < key) ++group;
      if (group != groups.end() && !(key < group->first)) ordered += count * group->second;
    }
    return ordered / 2;
  }
  check_eps(equality.eps);
  const double eps = equality.eps;
  std::vector<std::pair<double, double>> points;  // (S2(m), S1(m)), sorted by S2
  for (std::size_t m = 0; m < s1.size(); ++m) {
    if (!std::isnan(s1[m]) && !std::isnan(s2[m])) points.emplace_back(s2[m], s1[m]);
  }
  std::sort(points.begin(), points.end());
  for (const auto& point : points) {  // m1 with S1 = a, S2 = b; partners: |a − S2(m2)| <= eps, |S1(m2) − b| <= eps
    const double b = point.first, a = point.second;  // named copies: clang 14 cannot capture structured bindings
    // fl(|a − x|) is monotone on each side of a, so the S2 values within eps of a are one contiguous run.
    const auto start = std::partition_point(points.begin(), points.end(),
                                            [&](const auto& p) { return p.first < a && a - p.first > eps; });
    const auto stop = std::partition_point(start, points.end(),
                                           [&](const auto& p) { return !(p.first > a && p.first - a > eps); });
    for (auto it = start; it != stop; ++it) ordered += std::abs(it->second - b) <= eps;
    ordered -= std::abs(a - b) <= eps;  // m1 matched itself
  }
  return ordered / 2;
}

}  // namespace ropelab::stats
