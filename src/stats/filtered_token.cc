// Token statistics of the exact path decided on the fast scores (contract: ropelab/stats/filtered.hpp).
// Rounded equality needs only RN(E) per position (rounded_exact); the token inversion needs only the order of
// E1(m) and E2(m) at each m (ordered_against). Both are decided from F with the radii and recomputed where the
// radii do not separate; the statistics are then the exact path's functions on values with the same roundings
// and the same per-position order as E1, E2.
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "ropelab/round.hpp"
#include "ropelab/stats/filtered.hpp"

namespace ropelab::stats {

std::vector<double> FilteredScores::rounded_exact(PositionWindow w, const Format& format) {
  const std::span<const double> f = window(w);
  std::vector<std::int64_t> undecided;
  if (!std::isfinite(radius_)) {
    for (std::int64_t m = w.begin; m < w.end; ++m) undecided.push_back(m);
  } else {
    // Decided: RN(lo) == RN(hi) for lo <= F − δ, hi >= F + δ (as count_aliasing_rounded).
    std::vector<double> lo(f.size()), hi(f.size());
    for (std::size_t i = 0; i < f.size(); ++i) {
      lo[i] = std::nextafter(f[i] - radius_, -HUGE_VAL);
      hi[i] = std::nextafter(f[i] + radius_, HUGE_VAL);
    }
    const RoundOptions options{.threads = threads_};
    round_in_place(std::span<double>(lo), format, options);
    round_in_place(std::span<double>(hi), format, options);
    for (std::size_t i = 0; i < f.size(); ++i) {
      if (lo[i] != hi[i]) undecided.push_back(w.begin + static_cast<std::int64_t>(i));
    }
  }
  std::vector<double> values = exact_values(w, undecided);
  round_in_place(std::span<double>(values), format, RoundOptions{.threads = threads_});
  return values;
}

std::pair<std::vector<double>, std::vector<double>> FilteredScores::ordered_against(FilteredScores& other,
                                                                                   PositionWindow w) {
  const std::span<const double> f = window(w), g = other.window(w);
  // |E − F| <= δ and |E' − F'| <= δ', so |F − F'| > δ + δ' fixes the strict order of E, E'. fl(F − F') is within
  // u of F − F', and the threshold's two roundings are covered by the 2^-51 margin.
  const double separation = (radius_ + other.radius_) * (1 + 0x1p-51);
  std::vector<std::int64_t> undecided;
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (!(std::abs(f[i] - g[i]) > separation)) undecided.push_back(w.begin + static_cast<std::int64_t>(i));
  }
  return {exact_values(w, undecided), other.exact_values(w, undecided)};
}

FilteredTokenStatistics filtered_token_statistics(FilteredScores& s1, FilteredScores& s2, PositionWindow w,
                                                  const Format& format) {
  FilteredTokenStatistics t;
  const double e1 = s1.exact(w.begin), e2 = s2.exact(w.begin);
  const auto [o1, o2] = s1.ordered_against(s2, w);
  t.inversion = token_inversion(e1, e2, o1, o2);
  const std::vector<double> r1 = s1.rounded_exact(w, format), r2 = s2.rounded_exact(w, format);
  const Equality equality{format, 0};
  t.aliasing = token_aliasing(r1, r2, equality);
  t.attention_invariance = count_attention_invariance(r1, r2, equality);
  t.recomputed = s1.recomputed() + s2.recomputed();
  return t;
}

}  // namespace ropelab::stats
