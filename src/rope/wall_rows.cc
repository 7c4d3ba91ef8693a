// The per-row measurement of the precision wall and the in-order merge of its blocks.
#include "wall_rows.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <numbers>

#include "ropelab/rope/angle_error.hpp"

namespace ropelab::rope {
namespace {

// Keeps the larger error; on ties the earlier position (blocks are merged in position order).
void keep_max(double error, std::int64_t position, double& max, std::int64_t& at) {
  if (error > max || (std::isnan(error) && !std::isnan(max))) {
    max = error;
    at = position;
  }
}

// Keeps the larger error, and NaN once one is seen (a missing stored angle stays visible).
void keep_max_or_nan(double error, double& max) {
  if (error > max || std::isnan(error)) max = error;
}

void keep_first(std::int64_t candidate, std::int64_t& first) {
  if (candidate >= 0 && (first < 0 || candidate < first)) first = candidate;
}

// |value - exact| in ulps of format f at `exact` (the quantum of exact's binade, or the subnormal quantum).
// Bit arithmetic instead of ilogb/ldexp: this runs once per table entry.
double ulps(double value, double exact, const Format& f) {
  const auto biased = static_cast<int>((std::bit_cast<std::uint64_t>(exact) >> 52) & 0x7ff);
  const int exponent = std::max(biased - 1023, static_cast<int>(f.emin));
  const int scale_exponent = f.precision - 1 - exponent;  // 1 / quantum = 2^(p - 1 - e)
  const double inverse_quantum = std::bit_cast<double>(static_cast<std::uint64_t>(1023 + scale_exponent) << 52);
  return std::abs(value - exact) * inverse_quantum;
}

// The phase error |wrap(atan2(s, c) - reference angle)| is atan2(|sin Δ|, cos Δ) with
// sin Δ = s c_ref - c s_ref and cos Δ = c c_ref + s s_ref. It is monotone in the ratio |sin Δ| / cos Δ while
// cos Δ > 0, so the hot loop compares ratios and calls atan2 only for a new maximum.
struct PhaseDelta {
  double sin_delta, cos_delta;
  // tan|Δ| for |Δ| < π/2, +inf otherwise (and for NaN tables of overflowed pipelines).
  [[nodiscard]] double tangent() const {
    return cos_delta > 0 ? std::abs(sin_delta) / cos_delta : std::numeric_limits<double>::infinity();
  }
  [[nodiscard]] double radians() const {
    const double error = std::atan2(std::abs(sin_delta), cos_delta);
    return std::isnan(error) ? std::numbers::pi : error;
  }
};

PhaseDelta phase_delta(double c, double s, double ref_c, double ref_s) {
  return {s * ref_c - c * ref_s, c * ref_c + s * ref_s};
}

int report_max_colliding_pairs(const WallReport& report) {
  return static_cast<int>(std::lround(report.max_colliding_fraction * static_cast<double>(report.pairs.size())));
}

}  // namespace

PairCoordinates pair_coordinates(const RopeSpec& spec, std::size_t pair) {
  if (spec.pairing == Pairing::interleaved) return {2 * pair, 2 * pair + 1};
  return {pair, pair + static_cast<std::size_t>(spec.rotary_dims / 2)};
}

BlockStats empty_block_stats(int pairs) {
  BlockStats stats;
  stats.pairs.resize(static_cast<std::size_t>(pairs));
  for (int i = 0; i < pairs; ++i) stats.pairs[static_cast<std::size_t>(i)].pair = i;
  return stats;
}

BlockStats scan_rows(const Pipeline& p, const WallOptions& o, const TableRows& rows) {
  const auto pairs = static_cast<std::size_t>(p.pairs());
  const std::span<const double> c = rows.cos, s = rows.sin, ref_c = rows.ref_cos, ref_s = rows.ref_sin;
  BlockStats stats = empty_block_stats(p.pairs());
  if (o.per_position) stats.positions.resize(rows.measured);
  if (o.phase_error_map) stats.phase_errors.resize(rows.measured * pairs);
  if (rows.angle.empty()) {
    for (PairWall& w : stats.pairs) w.max_angle_error = std::numeric_limits<double>::quiet_NaN();
  }
  const Format& table = p.recipe.table_format;
  const double tan_tau = o.tau < std::numbers::pi / 2 ? std::tan(o.tau) * (1 - 1e-12) : 0;  // a lower bound: exact test follows
  std::vector<double> max_tangent(pairs, -1.0);
  for (std::size_t j = 0; j < rows.measured; ++j) {
    const std::int64_t m = rows.positions[j];
    const bool next_is_adjacent = j + 1 < rows.positions.size() && rows.positions[j + 1] == m + 1;
    int colliding = 0;
    PhaseDelta position_worst{0, 1};
    for (std::size_t i = 0; i < pairs; ++i) {
      PairWall& w = stats.pairs[i];
      const std::size_t e = j * pairs + i;
      const PhaseDelta delta = phase_delta(c[e], s[e], ref_c[e], ref_s[e]);
      const double tangent = delta.tangent();
      if (o.phase_error_map) stats.phase_errors[e] = static_cast<float>(delta.radians());
      if (tangent > max_tangent[i] || std::isinf(tangent)) {
        const double error = delta.radians();
        if (error > w.max_phase_error || w.max_phase_error_position < 0) {
          w.max_phase_error = error;
          w.max_phase_error_position = m;
          max_tangent[i] = tangent;
        }
      }
      if (w.first_tau_exceed < 0 && tangent > tan_tau && delta.radians() > o.tau) w.first_tau_exceed = m;
      if (o.per_position && tangent > position_worst.tangent()) position_worst = delta;
      if (!rows.angle.empty()) keep_max_or_nan(angle_error(rows.angle[e], m, p.reference_omega[i]), w.max_angle_error);
      w.max_cos_ulps = std::max(w.max_cos_ulps, ulps(c[e], ref_c[e], table));
      w.max_sin_ulps = std::max(w.max_sin_ulps, ulps(s[e], ref_s[e], table));
      if (next_is_adjacent && c[e] == c[e + pairs] && s[e] == s[e + pairs]) {
        ++colliding;
        if (w.first_adjacent_collision < 0) w.first_adjacent_collision = m;
      }
    }
    if (colliding > stats.max_colliding_pairs) {
      stats.max_colliding_pairs = colliding;
      stats.max_colliding_position = m;
    }
    if (colliding == static_cast<int>(pairs) && stats.first_full_collision < 0) stats.first_full_collision = m;
    if (o.per_position) stats.positions[j] = {m, colliding, position_worst.radians()};
  }
  return stats;
}

void add_key_and_score_errors(const SeededPairs& v, std::span<const double> y0, std::span<const double> y1,
                              std::span<const double> ref_c, std::span<const double> ref_s, BlockStats& stats) {
  double score = 0, ref_score = 0;
  for (std::size_t i = 0; i < y0.size(); ++i) {
    const double r0 = v.k0[i] * ref_c[i] - v.k1[i] * ref_s[i];
    const double r1 = v.k1[i] * ref_c[i] + v.k0[i] * ref_s[i];
    stats.max_rotated_key_error = std::max({stats.max_rotated_key_error, std::abs(y0[i] - r0), std::abs(y1[i] - r1)});
    score += v.q0[i] * y0[i] + v.q1[i] * y1[i];
    ref_score += v.q0[i] * r0 + v.q1[i] * r1;
  }
  const double error = std::abs(score - ref_score);
  stats.max_score_error = std::max(stats.max_score_error, std::isnan(error) ? INFINITY : error);
}

void merge(const BlockStats& block, WallReport& report) {
  for (std::size_t i = 0; i < block.pairs.size(); ++i) {
    const PairWall& b = block.pairs[i];
    PairWall& w = report.pairs[i];
    keep_first(b.first_adjacent_collision, w.first_adjacent_collision);
    keep_first(b.first_tau_exceed, w.first_tau_exceed);
    keep_max(b.max_phase_error, b.max_phase_error_position, w.max_phase_error, w.max_phase_error_position);
    keep_max_or_nan(b.max_angle_error, w.max_angle_error);
    w.max_cos_ulps = std::max(w.max_cos_ulps, b.max_cos_ulps);
    w.max_sin_ulps = std::max(w.max_sin_ulps, b.max_sin_ulps);
  }
  report.max_rotated_key_error = std::max(report.max_rotated_key_error, block.max_rotated_key_error);
  report.max_score_error = std::max(report.max_score_error, block.max_score_error);
  report.positions.insert(report.positions.end(), block.positions.begin(), block.positions.end());
  report.phase_error_map.insert(report.phase_error_map.end(), block.phase_errors.begin(), block.phase_errors.end());
  keep_first(block.first_full_collision, report.first_full_collision);
  if (block.max_colliding_pairs > 0 && block.max_colliding_pairs > report_max_colliding_pairs(report)) {
    report.max_colliding_fraction = static_cast<double>(block.max_colliding_pairs) / static_cast<double>(block.pairs.size());
    report.max_colliding_fraction_position = block.max_colliding_position;
  }
}

void finish_report(const Pipeline& p, std::span<const double> stored_inverse_frequency, std::span<const double> held,
                   WallReport& report) {
  const Format& holder = p.recipe.omega_cast ? p.recipe.omega_cast_format : p.recipe.omega_format;
  for (PairWall& w : report.pairs) {
    const auto i = static_cast<std::size_t>(w.pair);
    w.reference_omega = p.reference_omega[i].hi + p.reference_omega[i].lo;
    w.stored_omega = stored_inverse_frequency[i];
    w.omega_subnormal = held[i] != 0 && std::abs(held[i]) < holder.min_normal();
    w.omega_flushed = held[i] == 0 && w.reference_omega != 0;
    keep_first(w.first_adjacent_collision, report.first_any_collision);
    keep_first(w.first_tau_exceed, report.first_tau_exceed);
    keep_max(w.max_phase_error, w.max_phase_error_position, report.max_phase_error, report.max_phase_error_position);
    keep_max_or_nan(w.max_angle_error, report.max_angle_error);
  }
}

}  // namespace ropelab::rope
