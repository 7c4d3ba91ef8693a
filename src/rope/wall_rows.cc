// The per-row measurement of the precision wall and the in-order merge of its blocks.
#include "wall_rows.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <numbers>

#include "ropelab/rope/angle_error.hpp"
#include "wall_scan.hpp"

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

BlockStats empty_block_stats(int pairs) {
  BlockStats stats;
  stats.pairs.resize(static_cast<std::size_t>(pairs));
  for (int i = 0; i < pairs; ++i) stats.pairs[static_cast<std::size_t>(i)].pair = i;
  return stats;
}

namespace {

// The decisions the kernel screens, for cell (j, i) of the current rows: a new max phase error, the first tau
// crossing, the first adjacent collision. Exactly the scalar scan's expressions; a cell that cannot change them
// is a no-op.
void decide_cell(BlockScan::State& r, std::size_t j, std::size_t i, bool next_is_adjacent) {
  const std::size_t pairs = r.stats.pairs.size();
  const std::size_t e = j * pairs + i;
  const std::int64_t m = r.rows.positions[j];
  PairWall& w = r.stats.pairs[i];
  const PhaseDelta delta = phase_delta(r.rows.cos[e], r.rows.sin[e], r.rows.ref_cos[e], r.rows.ref_sin[e]);
  const double tangent = delta.tangent();
  if (tangent > r.max_tangent[i] || std::isinf(tangent)) {
    const double error = delta.radians();
    if (error > w.max_phase_error || w.max_phase_error_position < 0) {
      w.max_phase_error = error;
      w.max_phase_error_position = m;
      r.max_tangent[i] = tangent;
    }
  }
  if (w.first_tau_exceed < 0 && tangent > r.tan_tau && delta.radians() > r.o.tau) {
    w.first_tau_exceed = m;
    r.tau_threshold[i] = std::numeric_limits<double>::infinity();
  }
  if (next_is_adjacent && w.first_adjacent_collision < 0 && r.rows.cos[e] == r.rows.cos[e + pairs] &&
      r.rows.sin[e] == r.rows.sin[e + pairs]) {
    w.first_adjacent_collision = m;
    r.collision_open[i] = 0;
  }
}

void add_angle_error(BlockScan::State& r, std::size_t j, std::size_t i) {
  const std::size_t e = j * r.stats.pairs.size() + i;
  keep_max_or_nan(angle_error(r.rows.angle[e], r.rows.positions[j], r.p.reference_omega[i]),
                  r.stats.pairs[i].max_angle_error);
}

// The kernel's own work for a lane it does not cover: ulps, angle error; returns 1 if the cell collides.
int measure_cell(BlockScan::State& r, std::size_t j, std::size_t i, bool next_is_adjacent) {
  const std::size_t pairs = r.stats.pairs.size();
  const std::size_t e = j * pairs + i;
  PairWall& w = r.stats.pairs[i];
  const Format& table = r.p.recipe.table_format;
  if (!r.rows.angle.empty()) add_angle_error(r, j, i);
  w.max_cos_ulps = std::max(w.max_cos_ulps, ulps(r.rows.cos[e], r.rows.ref_cos[e], table));
  w.max_sin_ulps = std::max(w.max_sin_ulps, ulps(r.rows.sin[e], r.rows.ref_sin[e], table));
  return next_is_adjacent && r.rows.cos[e] == r.rows.cos[e + pairs] && r.rows.sin[e] == r.rows.sin[e + pairs] ? 1 : 0;
}

// WallScanBlock::attend: the scalar pass over one row.
void attend_row(void* context, std::size_t j, std::size_t vector_pairs, std::span<const std::uint32_t> flagged,
                int* colliding) {
  BlockScan::State& r = *static_cast<BlockScan::State*>(context);
  const std::size_t pairs = r.stats.pairs.size();
  const std::int64_t m = r.rows.positions[j];
  const bool next_is_adjacent = j + 1 < r.rows.positions.size() && r.rows.positions[j + 1] == m + 1;
  for (const std::uint32_t i : flagged) decide_cell(r, j, i, next_is_adjacent);
  for (std::size_t i = vector_pairs; i < pairs; ++i) {
    decide_cell(r, j, i, next_is_adjacent);
    *colliding += measure_cell(r, j, i, next_is_adjacent);
  }
  if (r.scalar_angle) {
    for (std::size_t i = 0; i < vector_pairs; ++i) add_angle_error(r, j, i);
  }
  if (!r.o.per_position && !r.o.phase_error_map) return;
  PhaseDelta position_worst{0, 1};
  for (std::size_t i = 0; i < pairs; ++i) {
    const std::size_t e = j * pairs + i;
    const PhaseDelta delta = phase_delta(r.rows.cos[e], r.rows.sin[e], r.rows.ref_cos[e], r.rows.ref_sin[e]);
    if (r.o.phase_error_map) r.stats.phase_errors[(r.row_base + j) * pairs + i] = static_cast<float>(delta.radians());
    if (r.o.per_position && delta.tangent() > position_worst.tangent()) position_worst = delta;
  }
  if (r.o.per_position) r.stats.positions[r.row_base + j] = {m, 0, position_worst.radians()};
}

// The kernel's exact two-product needs ω.hi away from underflow and overflow (wall_scan.hpp).
bool kernel_angle_range(std::span<const DoubleDouble> omega) {
  return std::all_of(omega.begin(), omega.end(), [](const DoubleDouble& w) {
    const double a = std::abs(w.hi);
    return a == 0 || (a >= 0x1p-900 && a <= 0x1p900);
  });
}

}  // namespace

BlockScan::BlockScan(const Pipeline& p, const WallOptions& o, bool with_angle)
    : state_{p, o, TableRows{}, empty_block_stats(p.pairs()),
             o.tau < std::numbers::pi / 2 ? std::tan(o.tau) * (1 - 1e-12) : 0,  // a lower bound: exact test follows
             with_angle && !kernel_angle_range(p.reference_omega), 0, {}, {}, {}} {
  const auto pairs = static_cast<std::size_t>(p.pairs());
  kernel_angle_ = with_angle && !state_.scalar_angle;
  if (!with_angle) {
    for (PairWall& w : state_.stats.pairs) w.max_angle_error = std::numeric_limits<double>::quiet_NaN();
  }
  state_.max_tangent.assign(pairs, -1.0);
  state_.tau_threshold.assign(pairs, state_.tan_tau);
  state_.collision_open.assign(pairs, 1.0);
  for (std::vector<double>* v : {&omega_hi_, &omega_lo_, &max_cos_ulps_, &max_sin_ulps_, &max_angle_error_}) {
    v->assign(pairs, 0.0);
  }
  for (std::size_t i = 0; i < pairs; ++i) {
    omega_hi_[i] = p.reference_omega[i].hi;
    omega_lo_[i] = p.reference_omega[i].lo;
  }
  flagged_.resize(pairs);
}

void BlockScan::add(const TableRows& rows) {
  State& r = state_;
  const std::size_t pairs = r.stats.pairs.size();
  r.rows = rows;
  r.row_base = scanned_rows_;
  if (r.o.per_position) r.stats.positions.resize(r.row_base + rows.measured);
  if (r.o.phase_error_map) r.stats.phase_errors.resize((r.row_base + rows.measured) * pairs);
  colliding_.assign(rows.measured, 0);
  const WallScanBlock block{.pairs = pairs, .rows = rows.positions.size(), .measured = rows.measured,
                            .positions = rows.positions.data(), .cos = rows.cos.data(), .sin = rows.sin.data(),
                            .ref_cos = rows.ref_cos.data(), .ref_sin = rows.ref_sin.data(),
                            .angle = kernel_angle_ ? rows.angle.data() : nullptr, .omega_hi = omega_hi_.data(),
                            .omega_lo = omega_lo_.data(), .table_precision = r.p.recipe.table_format.precision,
                            .table_emin = static_cast<int>(r.p.recipe.table_format.emin),
                            .attend_every_row = r.o.per_position || r.o.phase_error_map || r.scalar_angle,
                            .context = &r, .attend = attend_row, .flagged = flagged_.data(),
                            .colliding = colliding_.data()};
  wall_scan_block(block, WallScanState{r.max_tangent.data(), r.tau_threshold.data(), r.collision_open.data(),
                                       max_cos_ulps_.data(), max_sin_ulps_.data(), max_angle_error_.data()});
  vector_pairs_ = pairs - pairs % wall_scan_lanes();
  for (std::size_t j = 0; j < rows.measured; ++j) {
    const std::int64_t m = rows.positions[j];
    BlockStats& stats = r.stats;
    if (colliding_[j] > stats.max_colliding_pairs) {
      stats.max_colliding_pairs = colliding_[j];
      stats.max_colliding_position = m;
    }
    if (colliding_[j] == static_cast<int>(pairs) && stats.first_full_collision < 0) stats.first_full_collision = m;
    if (r.o.per_position) stats.positions[r.row_base + j].colliding_pairs = colliding_[j];
  }
  scanned_rows_ += rows.measured;
}

BlockStats BlockScan::finish() {
  // The kernel's lanes kept their maxima in its arrays (the scalar pass's lanes in the PairWall).
  for (std::size_t i = 0; i < vector_pairs_; ++i) {
    PairWall& w = state_.stats.pairs[i];
    w.max_cos_ulps = max_cos_ulps_[i];
    w.max_sin_ulps = max_sin_ulps_[i];
    if (kernel_angle_) w.max_angle_error = max_angle_error_[i];
  }
  return std::move(state_.stats);
}

BlockStats scan_rows(const Pipeline& p, const WallOptions& o, const TableRows& rows) {
  BlockScan scan(p, o, !rows.angle.empty());
  scan.add(rows);
  return scan.finish();
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
