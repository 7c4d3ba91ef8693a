// The precision-wall measurement: blocks of positions in parallel, per-block statistics merged in block
// order so the report is identical for any thread count.
#include "ropelab/rope/wall.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <numbers>
#include <random>
#include <stdexcept>
#include <string>

#include <omp.h>

#include "ropelab/round.hpp"
#include "ropelab/rope/exact_reference.hpp"

namespace ropelab::rope {
namespace {

constexpr std::size_t kBlockPositions = 4096;

// Statistics of one block of positions; merged in block order.
struct BlockStats {
  std::vector<PairWall> pairs;
  std::vector<PositionWall> positions;  // per position of the block, when requested
  std::vector<float> phase_errors;      // [position][pair] of the block, when requested
  double max_rotated_key_error = 0;
  double max_score_error = 0;
  int max_colliding_pairs = 0;
  std::int64_t max_colliding_position = -1;
  std::int64_t first_full_collision = -1;
};

// Keeps the larger error; on ties the earlier position (blocks are merged in position order).
void keep_max(double error, std::int64_t position, double& max, std::int64_t& at) {
  if (error > max || (std::isnan(error) && !std::isnan(max))) {
    max = error;
    at = position;
  }
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

using Vectors = SeededPairs;

class BlockMeasurer {
 public:
  BlockMeasurer(const Pipeline& p, const WallOptions& o, const Vectors& v) : p_(p), o_(o), v_(v) {
    sample_stride_ = std::max<long>(1, o.context_length / kSampledPositions);
    tan_tau_ = o.tau < std::numbers::pi / 2 ? std::tan(o.tau) * (1 - 1e-12) : 0;  // a lower bound: exact test follows
    const auto pairs = static_cast<std::size_t>(p.pairs());
    offset_cos_.resize((kBlockPositions + 1) * pairs);
    offset_sin_.resize((kBlockPositions + 1) * pairs);
    const int threads = o.threads > 0 ? o.threads : omp_get_max_threads();
#pragma omp parallel for num_threads(threads) schedule(static)
    for (std::size_t i = 0; i < pairs; ++i) {
      std::vector<double> c(kBlockPositions + 1), s(kBlockPositions + 1);
      fast_reference_rotations(0, kBlockPositions + 1, p.reference_omega[i], c, s);
      for (std::size_t j = 0; j <= kBlockPositions; ++j) {
        offset_cos_[j * pairs + i] = c[j];
        offset_sin_[j * pairs + i] = s[j];
      }
    }
  }

  // Positions [m0, m0 + count); rows for m0 + count are computed too, to compare adjacent positions.
  BlockStats measure(std::int64_t m0, std::size_t count, std::vector<double>& phase_state) const {
    const auto pairs = static_cast<std::size_t>(p_.pairs());
    const std::size_t rows = count + 1;
    // Per-thread scratch reused across blocks (fresh multi-MiB vectors per block cost page faults).
    thread_local std::vector<double> c, s, ref_c, ref_s;
    for (std::vector<double>* v : {&c, &s, &ref_c, &ref_s}) v->resize(rows * pairs);
    // phase_state advances by `rows`; the extra row belongs to the next block, so step it back after.
    emulate_rotations(p_, m0, count, c, s, phase_state);
    const std::vector<double> state_after_block = phase_state;
    emulate_rotations(p_, m0 + static_cast<std::int64_t>(count), 1,
                      std::span<double>(c).subspan(count * pairs), std::span<double>(s).subspan(count * pairs),
                      phase_state);
    phase_state = state_after_block;
    reference_block(m0, rows, ref_c, ref_s);
    BlockStats stats;
    init_pairs(stats);
    if (o_.per_position) stats.positions.resize(count);
    if (o_.phase_error_map) stats.phase_errors.resize(count * pairs);
    const Format& table = p_.recipe.table_format;
    const std::int64_t last_adjacent = o_.context_length - 2;
    std::vector<double> max_tangent(pairs, -1.0);
    for (std::size_t j = 0; j < count; ++j) {
      const std::int64_t m = m0 + static_cast<std::int64_t>(j);
      int colliding = 0;
      PhaseDelta position_worst{0, 1};
      for (std::size_t i = 0; i < pairs; ++i) {
        PairWall& w = stats.pairs[i];
        const std::size_t e = j * pairs + i;
        const PhaseDelta delta = phase_delta(c[e], s[e], ref_c[e], ref_s[e]);
        const double tangent = delta.tangent();
        if (o_.phase_error_map) stats.phase_errors[e] = static_cast<float>(delta.radians());
        if (tangent > max_tangent[i] || std::isinf(tangent)) {
          const double error = delta.radians();
          if (error > w.max_phase_error || w.max_phase_error_position < 0) {
            w.max_phase_error = error;
            w.max_phase_error_position = m;
            max_tangent[i] = tangent;
          }
        }
        if (w.first_tau_exceed < 0 && tangent > tan_tau_ && delta.radians() > o_.tau) w.first_tau_exceed = m;
        if (o_.per_position && tangent > position_worst.tangent()) position_worst = delta;
        w.max_cos_ulps = std::max(w.max_cos_ulps, ulps(c[e], ref_c[e], table));
        w.max_sin_ulps = std::max(w.max_sin_ulps, ulps(s[e], ref_s[e], table));
        if (m <= last_adjacent && c[e] == c[e + pairs] && s[e] == s[e + pairs]) {
          ++colliding;
          if (w.first_adjacent_collision < 0) w.first_adjacent_collision = m;
        }
      }
      if (colliding > stats.max_colliding_pairs) {
        stats.max_colliding_pairs = colliding;
        stats.max_colliding_position = m;
      }
      if (colliding == static_cast<int>(pairs) && stats.first_full_collision < 0) stats.first_full_collision = m;
      if (o_.per_position) stats.positions[j] = {m, colliding, position_worst.radians()};
      if (m % sample_stride_ == 0 || m == o_.context_length - 1) measure_key_and_score(c, s, ref_c, ref_s, j, stats);
    }
    return stats;
  }

  void init_pairs(BlockStats& stats) const {
    stats.pairs.resize(static_cast<std::size_t>(p_.pairs()));
    for (int i = 0; i < p_.pairs(); ++i) stats.pairs[static_cast<std::size_t>(i)].pair = i;
  }

 private:
  // Exact rotations of positions m0 + j as R(m0) R(j): R(m0) from the fast reference per block, R(j) from
  // the per-pair offset table; one binary64 complex multiply adds <= ~2 ulp (tests/rope/wall_test.cc).
  void reference_block(std::int64_t m0, std::size_t rows, std::vector<double>& ref_c, std::vector<double>& ref_s) const {
    const auto pairs = static_cast<std::size_t>(p_.pairs());
    for (std::size_t i = 0; i < pairs; ++i) {
      const ReferenceRotation start = fast_reference_rotation(m0, p_.reference_omega[i]);
      for (std::size_t j = 0; j < rows; ++j) {
        const std::size_t e = j * pairs + i;
        ref_c[e] = start.cos * offset_cos_[e] - start.sin * offset_sin_[e];
        ref_s[e] = start.sin * offset_cos_[e] + start.cos * offset_sin_[e];
      }
    }
  }

  void measure_key_and_score(const std::vector<double>& c, const std::vector<double>& s,
                             const std::vector<double>& ref_c, const std::vector<double>& ref_s, std::size_t j,
                             BlockStats& stats) const {
    const auto pairs = static_cast<std::size_t>(p_.pairs());
    const std::span<const double> row_c(c.data() + j * pairs, pairs), row_s(s.data() + j * pairs, pairs);
    std::vector<double> y0(pairs), y1(pairs);
    emulate_rotate_pairs(p_.recipe, v_.k0, v_.k1, row_c, row_s, y0, y1);
    emulate_key_cache(p_.recipe, y0);
    emulate_key_cache(p_.recipe, y1);
    double score = 0, ref_score = 0;
    for (std::size_t i = 0; i < pairs; ++i) {
      const std::size_t e = j * pairs + i;
      const double r0 = v_.k0[i] * ref_c[e] - v_.k1[i] * ref_s[e];
      const double r1 = v_.k1[i] * ref_c[e] + v_.k0[i] * ref_s[e];
      stats.max_rotated_key_error = std::max({stats.max_rotated_key_error, std::abs(y0[i] - r0), std::abs(y1[i] - r1)});
      score += v_.q0[i] * y0[i] + v_.q1[i] * y1[i];
      ref_score += v_.q0[i] * r0 + v_.q1[i] * r1;
    }
    const double error = std::abs(score - ref_score);
    stats.max_score_error = std::max(stats.max_score_error, std::isnan(error) ? INFINITY : error);
  }

  const Pipeline& p_;
  const WallOptions& o_;
  const Vectors& v_;
  long sample_stride_ = 1;
  double tan_tau_ = 0;
  std::vector<double> offset_cos_, offset_sin_;  // R(j) for j in [0, kBlockPositions], [j][pair]
};

void validate_options(const WallOptions& o) {
  if (o.context_length < 2) {
    throw std::invalid_argument("context length: " + std::to_string(o.context_length) + " is not >= 2");
  }
  if (o.context_length > max_reference_position) {
    throw std::invalid_argument("context length: " + std::to_string(o.context_length) + " is beyond 2^53");
  }
  if (!(o.tau > 0)) throw std::invalid_argument("tau: " + std::to_string(o.tau) + " is not > 0");
}

void fill_omega_facts(const Pipeline& p, WallReport& report) {
  const Format& holder = p.recipe.omega_cast ? p.recipe.omega_cast_format : p.recipe.omega_format;
  for (PairWall& w : report.pairs) {
    const auto i = static_cast<std::size_t>(w.pair);
    w.reference_omega = p.reference_omega[i].hi + p.reference_omega[i].lo;
    w.stored_omega = p.stored_inverse_frequency(w.pair);
    const double stored = p.stored_omega[i];
    w.omega_subnormal = stored != 0 && std::abs(stored) < holder.min_normal();
    w.omega_flushed = stored == 0 && w.reference_omega != 0;
  }
}

int report_max_colliding_pairs(const WallReport& report) {
  return static_cast<int>(std::lround(report.max_colliding_fraction * static_cast<double>(report.pairs.size())));
}

void merge(const BlockStats& block, WallReport& report) {
  for (std::size_t i = 0; i < block.pairs.size(); ++i) {
    const PairWall& b = block.pairs[i];
    PairWall& w = report.pairs[i];
    keep_first(b.first_adjacent_collision, w.first_adjacent_collision);
    keep_first(b.first_tau_exceed, w.first_tau_exceed);
    keep_max(b.max_phase_error, b.max_phase_error_position, w.max_phase_error, w.max_phase_error_position);
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

// Whole-report quantities from the per-pair results.
void summarise(WallReport& report) {
  for (const PairWall& w : report.pairs) {
    keep_first(w.first_adjacent_collision, report.first_any_collision);
    keep_first(w.first_tau_exceed, report.first_tau_exceed);
    keep_max(w.max_phase_error, w.max_phase_error_position, report.max_phase_error, report.max_phase_error_position);
  }
}

}  // namespace

SeededPairs seeded_query_key(const Pipeline& p, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  const auto pairs = static_cast<std::size_t>(p.pairs());
  SeededPairs v{std::vector<double>(pairs), std::vector<double>(pairs), std::vector<double>(pairs),
                std::vector<double>(pairs)};
  for (std::vector<double>* x : {&v.q0, &v.q1, &v.k0, &v.k1}) {
    for (double& value : *x) value = round_value(normal(rng), p.recipe.input_format);
  }
  return v;
}

std::uint64_t wall_memory_bytes(const Pipeline& p, const WallOptions& o) {
  const auto pairs = static_cast<std::uint64_t>(p.pairs());
  const auto blocks = static_cast<std::uint64_t>((o.context_length + kBlockPositions - 1) / kBlockPositions);
  const std::uint64_t per_thread = (kBlockPositions + 1) * (4 * pairs + 2) * sizeof(double);
  const std::uint64_t per_block = pairs * sizeof(PairWall) + sizeof(BlockStats);
  const auto threads = static_cast<std::uint64_t>(std::max(1, o.threads > 0 ? o.threads : omp_get_max_threads()));
  const std::uint64_t batch = std::min<std::uint64_t>(blocks, 16 * threads);
  const auto context = static_cast<std::uint64_t>(o.context_length);
  const std::uint64_t rows = (o.per_position ? context * sizeof(PositionWall) * 2 : 0) +
                             (o.phase_error_map ? context * pairs * sizeof(float) * 2 : 0);
  return 2 * per_thread * threads + batch * per_block + rows;
}

WallReport measure_wall(const Pipeline& p, const WallOptions& o) {
  validate_options(o);
  const Vectors vectors = seeded_query_key(p, o.seed);
  const BlockMeasurer measurer(p, o, vectors);
  const auto blocks = static_cast<std::int64_t>((o.context_length + kBlockPositions - 1) / kBlockPositions);
  const bool sequential = p.recipe.incremental != Incremental::none;
  const int threads = sequential ? 1 : (o.threads > 0 ? o.threads : omp_get_max_threads());
  // Blocks run in batches and each batch is merged in block order, so memory stays O(batch * pairs)
  // whatever the context length, and the result does not depend on the thread count.
  const std::int64_t batch = 16 * static_cast<std::int64_t>(threads);
  std::vector<BlockStats> stats(static_cast<std::size_t>(std::min(batch, blocks)));
  std::vector<double> accumulator(phase_state_size(p.pairs()), 0.0);
  WallReport report;
  BlockStats empty;
  measurer.init_pairs(empty);
  report.pairs = empty.pairs;
  for (std::int64_t first = 0; first < blocks; first += batch) {
    const std::int64_t last = std::min(blocks, first + batch);
    const auto measure_block = [&](std::int64_t b, std::vector<double>& phase_state) {
      const std::int64_t m0 = b * static_cast<std::int64_t>(kBlockPositions);
      const auto count = static_cast<std::size_t>(std::min<std::int64_t>(kBlockPositions, o.context_length - m0));
      stats[static_cast<std::size_t>(b - first)] = measurer.measure(m0, count, phase_state);
    };
    if (sequential) {  // incremental recipes carry their state from block to block
      for (std::int64_t b = first; b < last; ++b) measure_block(b, accumulator);
    } else {
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
      for (std::int64_t b = first; b < last; ++b) {
        std::vector<double> unused;
        measure_block(b, unused);
      }
    }
    for (std::int64_t b = first; b < last; ++b) merge(stats[static_cast<std::size_t>(b - first)], report);
    if (o.progress) o.progress(static_cast<double>(last) / static_cast<double>(blocks));
  }
  fill_omega_facts(p, report);
  summarise(report);
  return report;
}

}  // namespace ropelab::rope
