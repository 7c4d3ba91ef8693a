// Counts of the exact path decided on the fast scores (contract: ropelab/stats/filtered.hpp).
//
// Each count is taken over keys K(m) = F(m) where the radius decides every comparison m takes part in, and
// K(m) = E(m) (recomputed) elsewhere; then every comparison the count makes on K has the outcome it has on E:
//  - two recomputed positions compare E with E;
//  - a decided position's interval [F − δ, F + δ] is disjoint from the interval of every position it is
//    compared with, and both K values lie in their intervals, as do both E values: same strict order.
// Recomputing more positions than needed keeps this true, so positions are selected by value (every position
// whose F equals an undecided value).
#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>
#include <string>

#include "ropelab/parallel_for.hpp"
#include "ropelab/round.hpp"
#include "ropelab/stats/filtered.hpp"
#include "stats/sort_scores.hpp"

namespace ropelab::stats {
namespace {

constexpr double kUnit = 0x1p-53;

std::vector<double> sorted_copy(std::span<const double> x) {
  std::vector<double> v(x.begin(), x.end());
  detail::sort_scores(v);
  return v;
}

// Pairs (x in a, y in b) with x < y over sorted a and b (as count_inversions after its sort) and, for w >= 0,
// the values of a and of b that have a partner on the other side within w (|fl(x − y)| <= w), ascending,
// without repeats. One pass with three forward pointers into b: the first value above x (the count), and the
// ends [lo, hi) of the run within w of x, marked in a difference array.
struct SortedCount {
  std::uint64_t below = 0;
  std::vector<double> close_a, close_b;
};

SortedCount count_sorted(const std::vector<double>& a, const std::vector<double>& b, double w) {
  SortedCount c;
  std::vector<int> marks;
  std::size_t j = 0, lo = 0, hi = 0;
  for (double x : a) {
    while (j < b.size() && b[j] <= x) ++j;
    c.below += b.size() - j;
    if (w < 0) continue;
    while (lo < b.size() && b[lo] < x && x - b[lo] > w) ++lo;
    hi = std::max(hi, lo);
    while (hi < b.size() && !(b[hi] > x && b[hi] - x > w)) ++hi;
    if (lo == hi) continue;
    if (c.close_a.empty() || c.close_a.back() != x) c.close_a.push_back(x);
    if (marks.empty()) marks.assign(b.size() + 1, 0);
    ++marks[lo];
    --marks[hi];
  }
  int open = 0;
  for (std::size_t i = 0; i < marks.size() - (marks.empty() ? 0 : 1); ++i) {
    open += marks[i];
    if (open > 0 && (c.close_b.empty() || c.close_b.back() != b[i])) c.close_b.push_back(b[i]);
  }
  return c;
}

// Positions of the window starting at `begin` whose value lies in sorted `values` (±0 alike). A 2^16-bit
// filter of the values' hashes skips the search for almost every position.
std::vector<std::int64_t> positions_with_values(std::span<const double> window, std::int64_t begin,
                                                const std::vector<double>& values) {
  std::vector<std::int64_t> positions;
  if (values.empty()) return positions;
  const auto hash = [](double x) {
    return static_cast<std::uint32_t>((std::bit_cast<std::uint64_t>(x == 0 ? 0.0 : x) * 0x9E3779B97F4A7C15ULL) >> 48);
  };
  std::vector<std::uint64_t> filter(1 << 10, 0);
  for (double x : values) filter[hash(x) >> 6] |= std::uint64_t{1} << (hash(x) & 63);
  for (std::size_t i = 0; i < window.size(); ++i) {
    const double v = window[i];
    if (((filter[hash(v) >> 6] >> (hash(v) & 63)) & 1) == 0) continue;
    if (std::binary_search(values.begin(), values.end(), v)) positions.push_back(begin + static_cast<std::int64_t>(i));
  }
  return positions;
}

// Sorted `v` with every entry whose value is in sorted `values` replaced by `replacements` (sorted result).
std::vector<double> replace_values(const std::vector<double>& v, const std::vector<double>& values,
                                   std::vector<double> replacements) {
  std::vector<double> kept;
  kept.reserve(v.size());
  std::size_t k = 0;
  for (double x : v) {
    while (k < values.size() && values[k] < x) ++k;
    if (k == values.size() || values[k] != x) kept.push_back(x);
  }
  std::sort(replacements.begin(), replacements.end());
  std::vector<double> out(kept.size() + replacements.size());
  std::merge(kept.begin(), kept.end(), replacements.begin(), replacements.end(), out.begin());
  return out;
}

std::vector<std::int64_t> all_positions(PositionWindow w) {
  std::vector<std::int64_t> positions(static_cast<std::size_t>(w.end - w.begin));
  for (std::size_t i = 0; i < positions.size(); ++i) positions[i] = w.begin + static_cast<std::int64_t>(i);
  return positions;
}

}  // namespace

std::vector<double> FilteredScores::exact_values(PositionWindow w, std::span<const std::int64_t> positions) {
  recompute(positions);
  std::vector<double> k(window(w).begin(), window(w).end());
  for (std::int64_t m : positions) k[static_cast<std::size_t>(m - w.begin)] = exact_.at(m);
  return k;
}

InversionCount FilteredScores::count_inversions(PositionWindow near, PositionWindow far) {
  const std::span<const double> fn = window(near), ff = window(far);
  if (!std::isfinite(radius_)) {
    return stats::count_inversions(exact_values(near, all_positions(near)), exact_values(far, all_positions(far)));
  }
  std::vector<double> a, b;
  parallel_for(0, 2, threads_ > 0 ? std::min(threads_, 2) : 2, Schedule::static_shares,
               [&](std::int64_t side) { (side == 0 ? a : b) = sorted_copy(side == 0 ? fn : ff); });
  // Decided: |x − y| > 2δ, guaranteed by |fl(x − y)| > 2δ(1 + 2^-51) (fl(x − y) <= (1 + u)|x − y|).
  const double w = 2 * radius_ * (1 + 0x1p-51);
  const SortedCount fast = count_sorted(a, b, w);
  InversionCount c;
  c.pairs = static_cast<std::uint64_t>(fn.size()) * static_cast<std::uint64_t>(ff.size());
  c.inversions = fast.below;
  if (fast.close_a.empty()) return c;
  const std::vector<std::int64_t> pa = positions_with_values(fn, near.begin, fast.close_a);
  const std::vector<std::int64_t> pb = positions_with_values(ff, far.begin, fast.close_b);
  std::vector<std::int64_t> both(pa);
  both.insert(both.end(), pb.begin(), pb.end());
  recompute(both);
  std::vector<double> ea, eb;
  for (std::int64_t m : pa) ea.push_back(exact_.at(m));
  for (std::int64_t m : pb) eb.push_back(exact_.at(m));
  c.inversions = count_sorted(replace_values(a, fast.close_a, ea), replace_values(b, fast.close_b, eb), -1).below;
  return c;
}

AliasingCount FilteredScores::count_aliasing_rounded(PositionWindow w, const Format& format) {
  const std::span<const double> f = window(w);
  if (!std::isfinite(radius_)) return stats::count_aliasing_rounded(exact_values(w, all_positions(w)), format);
  // Decided: RN(lo) == RN(hi) for lo <= F − δ, hi >= F + δ; RN is monotone, so every value between, E
  // included, rounds to the same value as F.
  std::vector<double> lo(f.size()), hi(f.size());
  for (std::size_t i = 0; i < f.size(); ++i) {
    lo[i] = std::nextafter(f[i] - radius_, -HUGE_VAL);
    hi[i] = std::nextafter(f[i] + radius_, HUGE_VAL);
  }
  const RoundOptions options{.threads = threads_};
  round_in_place(std::span<double>(lo), format, options);
  round_in_place(std::span<double>(hi), format, options);
  std::vector<std::int64_t> undecided;
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (lo[i] != hi[i]) undecided.push_back(w.begin + static_cast<std::int64_t>(i));
  }
  return stats::count_aliasing_rounded(exact_values(w, undecided), format);
}

AliasingCount FilteredScores::count_aliasing_tolerance(PositionWindow w, double eps) {
  if (!(eps >= 0 && std::isfinite(eps))) throw std::invalid_argument("eps: " + std::to_string(eps) + " is not finite >= 0");
  const std::span<const double> f = window(w);
  if (!std::isfinite(radius_)) return stats::count_aliasing_tolerance(exact_values(w, all_positions(w)), eps);
  // The count decides fl(|E_i − E_j|) <= eps. With d = F_j − F_i >= 0 and |E_j − E_i − d| <= 2δ it is
  // decided when d <= eps − 2δ, or when d > eps(1 + 2u) + 2δ (then fl(|E_j − E_i|) > eps). Undecided pairs
  // are those with fl(d) in [eps − W, eps + W], W covering 2δ and the roundings of d, eps(1 + 2u) and the band.
  const std::vector<double> v = sorted_copy(f);
  const double width = 2 * radius_ + 8 * kUnit * (eps + 2 * radius_) + 0x1p-1070;
  const double low = eps - width, high = eps + width;
  std::vector<int> marks(v.size() + 1, 0);  // +1 / −1 at the ends of each undecided partner run
  std::size_t start = 0, stop = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    start = std::max(start, i + 1);
    while (start < v.size() && v[start] - v[i] < low) ++start;
    stop = std::max(stop, start);
    while (stop < v.size() && v[stop] - v[i] <= high) ++stop;
    if (start < stop) {
      ++marks[i];
      --marks[i + 1];
      ++marks[start];
      --marks[stop];
    }
  }
  std::vector<double> undecided_values;
  int open = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    open += marks[i];
    if (open > 0 && (undecided_values.empty() || undecided_values.back() != v[i])) undecided_values.push_back(v[i]);
  }
  return stats::count_aliasing_tolerance(exact_values(w, positions_with_values(f, w.begin, undecided_values)), eps);
}

}  // namespace ropelab::stats
