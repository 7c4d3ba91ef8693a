// The vectorised wall scan (wall_scan_kernels.cc behind scan_rows) against the plain scalar scan it replaced,
// which is kept here as the oracle: one loop over cells applying the definitions of wall.hpp directly (no
// screening, no kernel). Inputs are built to sit on the screens' edges: equal phase-error tangents at several
// positions (the earlier must win), tangents one ulp around tan(tau), NaN and infinite table entries, cos Δ <= 0,
// collisions at the first row, non-adjacent listed rows, pair counts that are not a multiple of any lane count,
// NaN stored angles and an ω outside the kernel's exact two-product range. Every SIMD target, bit for bit.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <random>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "precision/simd_targets.hpp"
#include "rope/test_specs.hpp"
#include "ropelab/rope/angle_error.hpp"
#include "ropelab/rope/pipeline.hpp"
#include "ropelab/round.hpp"
#include "ropelab/rope/wall.hpp"
#include "pipeline_kernels.hpp"
#include "wall_rows.hpp"

using namespace ropelab;
using namespace ropelab::rope;

namespace {

// The scalar scan as it stood before the kernel (wall_rows.cc at ee1121e), per-pair and per-row results only.
BlockStats oracle_scan(const Pipeline& p, const WallOptions& o, const TableRows& rows) {
  const auto pairs = static_cast<std::size_t>(p.pairs());
  const auto ulps = [&](double value, double exact) {
    const auto biased = static_cast<int>((std::bit_cast<std::uint64_t>(exact) >> 52) & 0x7ff);
    const int exponent = std::max(biased - 1023, static_cast<int>(p.recipe.table_format.emin));
    const int scale = p.recipe.table_format.precision - 1 - exponent;
    return std::abs(value - exact) * std::bit_cast<double>(static_cast<std::uint64_t>(1023 + scale) << 52);
  };
  const auto radians = [](double sd, double cd) {
    const double e = std::atan2(std::abs(sd), cd);
    return std::isnan(e) ? std::numbers::pi : e;
  };
  const auto tangent = [](double sd, double cd) {
    return cd > 0 ? std::abs(sd) / cd : std::numeric_limits<double>::infinity();
  };
  BlockStats stats = empty_block_stats(p.pairs());
  if (o.per_position) stats.positions.resize(rows.measured);
  if (o.phase_error_map) stats.phase_errors.resize(rows.measured * pairs);
  if (rows.angle.empty()) {
    for (PairWall& w : stats.pairs) w.max_angle_error = std::numeric_limits<double>::quiet_NaN();
  }
  const double tan_tau = o.tau < std::numbers::pi / 2 ? std::tan(o.tau) * (1 - 1e-12) : 0;
  std::vector<double> max_tangent(pairs, -1.0);
  for (std::size_t j = 0; j < rows.measured; ++j) {
    const std::int64_t m = rows.positions[j];
    const bool next = j + 1 < rows.positions.size() && rows.positions[j + 1] == m + 1;
    int colliding = 0;
    double worst_sd = 0, worst_cd = 1;
    for (std::size_t i = 0; i < pairs; ++i) {
      PairWall& w = stats.pairs[i];
      const std::size_t e = j * pairs + i;
      const double c = rows.cos[e], s = rows.sin[e], rc = rows.ref_cos[e], rs = rows.ref_sin[e];
      const double sd = s * rc - c * rs, cd = c * rc + s * rs;
      const double t = tangent(sd, cd);
      if (o.phase_error_map) stats.phase_errors[e] = static_cast<float>(radians(sd, cd));
      if (t > max_tangent[i] || std::isinf(t)) {
        const double error = radians(sd, cd);
        if (error > w.max_phase_error || w.max_phase_error_position < 0) {
          w.max_phase_error = error;
          w.max_phase_error_position = m;
          max_tangent[i] = t;
        }
      }
      if (w.first_tau_exceed < 0 && t > tan_tau && radians(sd, cd) > o.tau) w.first_tau_exceed = m;
      if (o.per_position && t > tangent(worst_sd, worst_cd)) {
        worst_sd = sd;
        worst_cd = cd;
      }
      if (!rows.angle.empty()) {
        const double a = angle_error(rows.angle[e], m, p.reference_omega[i]);
        if (a > w.max_angle_error || std::isnan(a)) w.max_angle_error = a;
      }
      w.max_cos_ulps = std::max(w.max_cos_ulps, ulps(c, rc));
      w.max_sin_ulps = std::max(w.max_sin_ulps, ulps(s, rs));
      if (next && c == rows.cos[e + pairs] && s == rows.sin[e + pairs]) {
        ++colliding;
        if (w.first_adjacent_collision < 0) w.first_adjacent_collision = m;
      }
    }
    if (colliding > stats.max_colliding_pairs) {
      stats.max_colliding_pairs = colliding;
      stats.max_colliding_position = m;
    }
    if (colliding == static_cast<int>(pairs) && stats.first_full_collision < 0) stats.first_full_collision = m;
    if (o.per_position) stats.positions[j] = {m, colliding, radians(worst_sd, worst_cd)};
  }
  return stats;
}

bool same_bits(double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); }

int differences(const BlockStats& a, const BlockStats& b) {
  int n = 0;
  for (std::size_t i = 0; i < a.pairs.size(); ++i) {
    const PairWall &x = a.pairs[i], &y = b.pairs[i];
    const bool same = x.first_adjacent_collision == y.first_adjacent_collision &&
                      x.first_tau_exceed == y.first_tau_exceed && same_bits(x.max_phase_error, y.max_phase_error) &&
                      x.max_phase_error_position == y.max_phase_error_position &&
                      same_bits(x.max_angle_error, y.max_angle_error) && same_bits(x.max_cos_ulps, y.max_cos_ulps) &&
                      same_bits(x.max_sin_ulps, y.max_sin_ulps);
    if (!same) {
      UNSCOPED_INFO("pair " << i << ": collision " << x.first_adjacent_collision << " vs " << y.first_adjacent_collision
                            << ", tau " << x.first_tau_exceed << " vs " << y.first_tau_exceed << ", max "
                            << x.max_phase_error << "@" << x.max_phase_error_position << " vs " << y.max_phase_error
                            << "@" << y.max_phase_error_position << ", angle " << x.max_angle_error << " vs "
                            << y.max_angle_error << ", ulps " << x.max_cos_ulps << "/" << x.max_sin_ulps << " vs "
                            << y.max_cos_ulps << "/" << y.max_sin_ulps);
      ++n;
    }
  }
  n += a.max_colliding_pairs != b.max_colliding_pairs || a.max_colliding_position != b.max_colliding_position ||
       a.first_full_collision != b.first_full_collision;
  n += a.positions.size() != b.positions.size() || a.phase_errors.size() != b.phase_errors.size();
  for (std::size_t j = 0; j < std::min(a.positions.size(), b.positions.size()); ++j) {
    n += a.positions[j].position != b.positions[j].position ||
         a.positions[j].colliding_pairs != b.positions[j].colliding_pairs ||
         !same_bits(a.positions[j].max_phase_error, b.positions[j].max_phase_error);
  }
  for (std::size_t e = 0; e < std::min(a.phase_errors.size(), b.phase_errors.size()); ++e) {
    n += std::bit_cast<std::uint32_t>(a.phase_errors[e]) != std::bit_cast<std::uint32_t>(b.phase_errors[e]);
  }
  return n;
}

// A block of rows of a bf16 table against a binary64 reference, with the edge cases of the file comment.
struct AdversarialBlock {
  std::vector<std::int64_t> positions;
  std::vector<double> cos, sin, ref_cos, ref_sin, angle;
  std::size_t measured = 0;
};

AdversarialBlock adversarial_block(const Pipeline& p, std::size_t rows, double tau, std::uint64_t seed) {
  const auto pairs = static_cast<std::size_t>(p.pairs());
  AdversarialBlock b;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::int64_t m = 1000;
  for (std::size_t j = 0; j < rows; ++j) {
    b.positions.push_back(m);
    m += (j % 37 == 36) ? 3 : 1;  // gaps: rows whose next listed row is not m + 1
  }
  b.measured = rows - 1;
  const double tan_tau = std::tan(tau) * (1 - 1e-12);
  for (std::size_t j = 0; j < rows; ++j) {
    for (std::size_t i = 0; i < pairs; ++i) {
      const double theta = 2 * std::numbers::pi * uniform(rng);
      const double rc = std::cos(theta), rs = std::sin(theta);
      const int kind = static_cast<int>(uniform(rng) * 20);
      double err = (uniform(rng) - 0.5) * 0.01;
      if (kind == 0) err = 0.004;                     // the same error at many positions: ties
      if (kind == 1) err = std::atan(tan_tau);        // on the tau screen's edge
      if (kind == 2) err = std::nextafter(tau, 1.0);  // just past tau
      if (kind == 3) err = 2.5;                       // cos Δ < 0
      const double c = round_value(std::cos(theta + err), formats::bfloat16());
      const double s = round_value(std::sin(theta + err), formats::bfloat16());
      const std::size_t e = j * pairs + i;
      b.ref_cos.push_back(rc);
      b.ref_sin.push_back(rs);
      b.cos.push_back(kind == 4 ? std::numeric_limits<double>::quiet_NaN() : c);
      b.sin.push_back(kind == 5 ? std::numeric_limits<double>::infinity() : s);
      if (kind >= 6 && kind <= 8 && j > 0) {  // collide with the previous row
        b.cos[e] = b.cos[e - pairs];
        b.sin[e] = b.sin[e - pairs];
      }
      const double exact_angle = static_cast<double>(b.positions[j]) * p.reference_omega[i].hi;
      b.angle.push_back(kind == 9 ? std::numeric_limits<double>::quiet_NaN()
                                  : static_cast<double>(static_cast<float>(exact_angle)));
    }
  }
  return b;
}

void check_block(const Pipeline& p, const WallOptions& o, const AdversarialBlock& b, bool with_angle) {
  const TableRows rows{.positions = b.positions, .measured = b.measured, .cos = b.cos, .sin = b.sin,
                       .ref_cos = b.ref_cos, .ref_sin = b.ref_sin,
                       .angle = with_angle ? std::span<const double>(b.angle) : std::span<const double>()};
  const BlockStats expected = oracle_scan(p, o, rows);
  ropelab::testing::for_each_simd_target([&](const std::string&) { CHECK(differences(scan_rows(p, o, rows), expected) == 0); });
}

}  // namespace

TEST_CASE("the vectorised wall scan equals the scalar scan on adversarial rows, every SIMD target", "[rope-wall-scan]") {
  for (const int dim : {2, 26, 128, 130}) {  // 1, 13, 64 and 65 pairs
    const Pipeline p = make_pipeline(testing::plain_spec(500000, dim), preset("hf-eager-bf16"), 1 << 20);
    for (const bool per_position : {false, true}) {
      const WallOptions o{.context_length = 1 << 20, .tau = 0.1, .per_position = per_position,
                          .phase_error_map = per_position, .progress = {}};
      INFO("pairs " << p.pairs() << ", per position " << per_position);
      const AdversarialBlock b = adversarial_block(p, 300, o.tau, static_cast<std::uint64_t>(dim));
      check_block(p, o, b, true);
      check_block(p, o, b, false);
    }
  }
}

TEST_CASE("the wall scan takes the scalar angle error where ω is outside the kernel's two-product range", "[rope-wall-scan]") {
  Pipeline p = make_pipeline(testing::plain_spec(500000, 16), preset("hf-eager-bf16"), 1 << 20);
  p.reference_omega[3] = {0x1p-1000, 0};  // Dekker's split would lose the product error to underflow
  const WallOptions o{.context_length = 1 << 20, .tau = 0.1, .progress = {}};
  check_block(p, o, adversarial_block(p, 200, o.tau, 7), true);
}

TEST_CASE("the wall scan's first-row collisions and tau crossings are found at the block's first position", "[rope-wall-scan]") {
  const Pipeline p = make_pipeline(testing::plain_spec(10000, 128), preset("hf-eager-bf16"), 1 << 20);
  const auto pairs = static_cast<std::size_t>(p.pairs());
  AdversarialBlock b;
  b.positions = {5, 6, 7};
  b.measured = 2;
  for (std::size_t j = 0; j < 3; ++j) {
    for (std::size_t i = 0; i < pairs; ++i) {
      b.cos.push_back(j < 2 ? 0.5 : 0.25);  // rows 0 and 1 equal: every pair collides at m = 5
      b.sin.push_back(0.75);
      b.ref_cos.push_back(1);
      b.ref_sin.push_back(0);
      b.angle.push_back(0);
    }
  }
  const WallOptions o{.context_length = 1 << 20, .tau = 0.1, .progress = {}};
  check_block(p, o, b, true);
  const TableRows rows{.positions = b.positions, .measured = b.measured, .cos = b.cos, .sin = b.sin,
                       .ref_cos = b.ref_cos, .ref_sin = b.ref_sin, .angle = b.angle};
  const BlockStats stats = scan_rows(p, o, rows);
  CHECK(stats.first_full_collision == 5);
  CHECK(stats.pairs[17].first_adjacent_collision == 5);
  CHECK(stats.pairs[17].first_tau_exceed == 5);  // atan2(0.75, 0.5) > 0.1
}

namespace {

// Doubles that probe the binary32 and bfloat16 roundings: every magnitude class, exact ties at both grids, one
// ulp either side of them, signed zeros, NaN, infinities, values that overflow either format.
std::vector<double> rounding_probes() {
  std::vector<double> x = {0.0, -0.0, 1.0, -1.0, std::numeric_limits<double>::quiet_NaN(),
                           -std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity(), 1e300, -1e300, 3.4028234663852886e38,
                           0x1.fffffep127, 0x1.ff8p127, 0x1.fefp127, 0x1p127, 0x1.fffp126, 0x1p-149, 0x1p-150,
                           0x1.8p-150, 0x1p-133, 0x1.8p-133, 0x1p-126, 0x1.fffffcp-127, 1e-320};
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  std::uniform_int_distribution<int> exponent(-160, 140);
  for (int k = 0; k < 20000; ++k) x.push_back(std::ldexp(unit(rng), exponent(rng)));
  for (int k = 0; k < 4000; ++k) {  // exact ties and neighbours at the bf16 grid (bit 15 of a binary32) and at binary32's
    const auto bits = static_cast<std::uint32_t>(rng()) & 0xffff0000u;
    const double tie_bf16 = std::bit_cast<float>(bits | 0x8000u);
    const double tie_f32 = static_cast<double>(std::bit_cast<float>(bits)) + std::ldexp(1.0, -30);
    for (const double v : {tie_bf16, tie_f32}) {
      if (!std::isfinite(v)) continue;
      x.push_back(v);
      x.push_back(std::nextafter(v, 0.0));
      x.push_back(std::nextafter(v, INFINITY));
    }
  }
  return x;
}

}  // namespace

TEST_CASE("the pipeline's binary32, binary32-then-bfloat16 and angle-row/pair kernels equal the scalar roundings, every SIMD target", "[rope-wall-scan]") {
  const std::vector<double> probes = rounding_probes();
  std::vector<double> to_f32(probes), to_bf16(probes);
  for (double& v : to_f32) v = static_cast<float>(v);
  for (double& v : to_bf16) v = round_value(static_cast<float>(v), formats::bfloat16());
  const auto same = [](const std::vector<double>& a, const std::vector<double>& b) {
    int differing = 0;
    for (std::size_t e = 0; e < a.size(); ++e) differing += !same_bits(a[e], b[e]);
    return differing;
  };
  ropelab::testing::for_each_simd_target([&](const std::string&) {
    std::vector<double> a(probes), b(probes);
    round_to_binary32(a);
    round_to_binary32_then_bfloat16(b);
    CHECK(same(a, to_f32) == 0);
    CHECK(same(b, to_bf16) == 0);
  });
  // Angle rows: products of positions and inverse frequencies, some beyond binary32's range, some NaN.
  std::vector<double> positions{0, 1, 255, 256, 257, 16777217, 3e38, 1e300}, omega;
  for (std::size_t i = 0; i < 37; ++i) omega.push_back(probes[(i * 997) % probes.size()]);
  std::vector<double> expected(positions.size() * omega.size());
  for (std::size_t j = 0; j < positions.size(); ++j) {
    for (std::size_t i = 0; i < omega.size(); ++i) expected[j * omega.size() + i] = static_cast<float>(positions[j] * omega[i]);
  }
  ropelab::testing::for_each_simd_target([&](const std::string&) {
    std::vector<double> angle(expected.size());
    angle_rows_binary32(positions.data(), positions.size(), omega.data(), omega.size(), angle.data());
    CHECK(same(angle, expected) == 0);
    // The pair-major form: the same products, transposed (more positions than lanes, and a short tail).
    std::vector<double> many_positions;
    for (int r = 0; r < 5; ++r) many_positions.insert(many_positions.end(), positions.begin(), positions.end());
    many_positions.push_back(12345.5);
    std::vector<double> by_pair(many_positions.size() * omega.size());
    angle_pairs_binary32(many_positions.data(), many_positions.size(), omega.data(), omega.size(), by_pair.data());
    int differing = 0;
    for (std::size_t j = 0; j < many_positions.size(); ++j) {
      for (std::size_t i = 0; i < omega.size(); ++i) {
        differing += !same_bits(by_pair[i * many_positions.size() + j], static_cast<float>(many_positions[j] * omega[i]));
      }
    }
    CHECK(differing == 0);
  });
}
