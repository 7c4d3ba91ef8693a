// The angle-only phase error (angle_error.hpp), a user's query/key in the wall, and the wall of a dump
// (wall_dump.hpp). Oracles: MPFR (exact m·ω with ω = base^(-2i/d) computed here, not by the spec code), and
// facts of the layout (a dump of a pipeline's own rows is that pipeline).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "rope/test_specs.hpp"
#include "ropelab/mpfr_value.hpp"
#include "ropelab/round.hpp"
#include "ropelab/rope/angle_error.hpp"
#include "ropelab/rope/wall.hpp"
#include "ropelab/rope/wall_dump.hpp"

using namespace ropelab;
using namespace ropelab::rope;
using ropelab::testing::plain_spec;

namespace {

// ω_i = base^(-2i/d) at 300 bits (d a power of two, so 2i/d is exact).
MpfrValue exact_omega(double base, int i, int d) {
  MpfrValue omega(300, base), exponent(300, -2.0 * i / d);
  mpfr_pow(omega.get(), omega.get(), exponent.get(), MPFR_RNDN);
  return omega;
}

// |stored − m·ω| from MPFR, rounded once to binary64 (m·ω exact at 600 bits; the difference exact too).
double mpfr_angle_error(double stored, std::int64_t m, const MpfrValue& omega) {
  MpfrValue x(1200, static_cast<double>(m));
  mpfr_mul(x.get(), x.get(), omega.get(), MPFR_RNDN);
  mpfr_d_sub(x.get(), stored, x.get(), MPFR_RNDN);
  return std::abs(mpfr_get_d(x.get(), MPFR_RNDN));
}

DoubleDouble split(const MpfrValue& x) {
  const double hi = mpfr_get_d(x.get(), MPFR_RNDN);
  MpfrValue rest(300);
  mpfr_sub_d(rest.get(), x.get(), hi, MPFR_RNDN);
  return {hi, mpfr_get_d(rest.get(), MPFR_RNDN)};
}

// angle_error's contract: within 2^-52·result + 2^-104·m·ω of the exact value.
bool within_contract(double got, double exact, std::int64_t m, double omega) {
  return std::abs(got - exact) <= std::ldexp(exact, -52) + std::ldexp(static_cast<double>(m) * omega, -104);
}

Recipe binary64_recipe() {
  Recipe r;
  r.name = "test-binary64";
  r.omega_method = OmegaMethod::correctly_rounded;
  for (Format* f : {&r.omega_format, &r.position_format, &r.angle_format, &r.trig_format, &r.table_format,
                    &r.rotation_math_format, &r.input_format, &r.storage_format, &r.key_cache_format}) {
    *f = formats::binary64();
  }
  r.rotation = Rotation::wide_then_round;
  return r;
}

WallOptions options(long context, int threads = 0) {
  return WallOptions{.context_length = context, .threads = threads, .seed = 5, .per_position = true, .progress = {}};
}

// The rows a pipeline stores at positions [0, count), as a dump.
WallDump own_rows(const Pipeline& p, std::int64_t count) {
  const auto n = static_cast<std::size_t>(count) * static_cast<std::size_t>(p.pairs());
  WallDump d{.positions = {}, .omega = {}, .angle = std::vector<double>(n), .cos = std::vector<double>(n),
             .sin = std::vector<double>(n), .key = {}};
  for (std::int64_t m = 0; m < count; ++m) d.positions.push_back(m);
  for (int i = 0; i < p.pairs(); ++i) d.omega.push_back(p.stored_inverse_frequency(i));
  std::vector<double> angle_state(phase_state_size(p.pairs())), table_state(angle_state.size());
  emulate_angles(p, 0, static_cast<std::size_t>(count), d.angle, angle_state);
  emulate_rotations(p, 0, static_cast<std::size_t>(count), d.cos, d.sin, table_state);
  return d;
}

}  // namespace

TEST_CASE("angle_error is within its contract of MPFR up to m = 2^53 - 1", "[rope-wall-angle]") {
  std::mt19937_64 rng(20240611);
  std::vector<std::int64_t> positions{0, 1, 2, 4095, (1LL << 24) + 1, (1LL << 40) + 3, (1LL << 53) - 1, (1LL << 53) - 2};
  for (int k = 0; k < 200; ++k) positions.push_back(static_cast<std::int64_t>(rng() >> 11));  // [0, 2^53)
  int checked = 0;
  for (const double base : {1e4, 5e5}) {
    for (const int i : {0, 1, 17, 63}) {
      const MpfrValue omega = exact_omega(base, i, 128);
      const DoubleDouble w = split(omega);
      for (const std::int64_t m : positions) {
        MpfrValue theta(600, static_cast<double>(m));
        mpfr_mul(theta.get(), theta.get(), omega.get(), MPFR_RNDN);
        const double nearest = mpfr_get_d(theta.get(), MPFR_RNDN);
        // Stored angles as pipelines make them: binary64, binary32 and bf16 roundings of m·ω, and a few ulps off.
        for (const double stored : {nearest, std::nextafter(nearest, 0.0), round_value(nearest, formats::binary32()),
                                    round_value(nearest, formats::bfloat16()), nearest * (1 + 0x1p-20)}) {
          const double exact = mpfr_angle_error(stored, m, omega);
          const double got = angle_error(stored, m, w);
          INFO("base " << base << " pair " << i << " m " << m << " stored " << stored << " exact " << exact << " got " << got);
          CHECK(within_contract(got, exact, m, w.hi));
          ++checked;
        }
      }
    }
  }
  CHECK(checked == 2 * 4 * 208 * 5);
  CHECK(std::isnan(angle_error(std::numeric_limits<double>::quiet_NaN(), 5, {1, 0})));
  CHECK(std::isinf(angle_error(std::numeric_limits<double>::infinity(), 5, {1, 0})));
}

TEST_CASE("the wall's max angle error per pair is the max over positions of the MPFR angle error", "[rope-wall-angle]") {
  const long context = 5000;  // two blocks
  for (const char* name : {"hf-eager-bf16", "hf-4.37-cast-bf16", "llama.cpp-cpu"}) {
    const RopeSpec spec = plain_spec(10000, 16);
    const Pipeline p = make_pipeline(spec, preset(name), context);
    const WallReport report = measure_wall(p, options(context));
    std::vector<double> angles(static_cast<std::size_t>(context) * 8), state(phase_state_size(8));
    emulate_angles(p, 0, static_cast<std::size_t>(context), angles, state);
    double overall = 0;
    for (int i = 0; i < 8; ++i) {
      const MpfrValue omega = exact_omega(10000, i, 16);
      double worst = 0;
      for (long m = 0; m < context; ++m) {
        worst = std::max(worst, mpfr_angle_error(angles[static_cast<std::size_t>(m) * 8 + static_cast<std::size_t>(i)], m, omega));
      }
      const double got = report.pairs[static_cast<std::size_t>(i)].max_angle_error;
      INFO(name << " pair " << i << " MPFR " << worst << " wall " << got);
      CHECK(within_contract(got, worst, context, 1.0));
      overall = std::max(overall, worst);
    }
    CHECK(within_contract(report.max_angle_error, overall, context, 1.0));
    const WallReport one_thread = measure_wall(p, options(context, 1));
    for (std::size_t i = 0; i < 8; ++i) CHECK(one_thread.pairs[i].max_angle_error == report.pairs[i].max_angle_error);
  }
}

TEST_CASE("a correctly rounded binary32 angle is within half an ulp; no stored angle gives NaN", "[rope-wall-angle]") {
  Recipe r = binary64_recipe();
  r.angle_format = formats::binary32();  // RN32(RN64(m · RN64(ω))): half an ulp of binary32 + ~2^-29 of one
  const long context = 4096;
  const WallReport report = measure_wall(make_pipeline(plain_spec(10000, 32), r, context), options(context));
  for (const PairWall& w : report.pairs) {
    const double largest_angle = static_cast<double>(context - 1) * w.reference_omega;
    const double half_ulp = std::ldexp(1.0, std::ilogb(largest_angle) - 24);
    INFO("pair " << w.pair << " error " << w.max_angle_error << " half ulp " << half_ulp);
    CHECK(w.max_angle_error <= half_ulp * (1 + 0x1p-20));
  }
  CHECK(report.pairs[0].max_angle_error == 0);         // ω = 1: the angle is the position, exact
  CHECK(report.pairs[1].max_angle_error > 0.9 * std::ldexp(1.0, std::ilogb(4095 * report.pairs[1].reference_omega) - 24));
  r.incremental = Incremental::rotation_recurrence;
  const WallReport recurrence = measure_wall(make_pipeline(plain_spec(10000, 32), r, context), options(context));
  CHECK(std::isnan(recurrence.max_angle_error));
  CHECK(std::all_of(recurrence.pairs.begin(), recurrence.pairs.end(), [](const PairWall& w) { return std::isnan(w.max_angle_error); }));
}

TEST_CASE("a user's key and query laid out by the spec's pairing reproduce the seeded ones", "[rope-wall-angle]") {
  for (const Pairing pairing : {Pairing::half_split, Pairing::interleaved}) {
    RopeSpec spec = plain_spec(10000, 32);
    spec.rotary_dims = 24;  // coordinates 24..31 pass through and must not enter
    spec.pairing = pairing;
    const Pipeline p = make_pipeline(spec, preset("hf-eager-bf16"), 3000);
    const SeededPairs seeded = seeded_query_key(p, 9);
    std::vector<double> q(32, 1e6), k(32, -1e6);  // pass-through garbage
    for (std::size_t i = 0; i < 12; ++i) {
      const std::size_t a = pairing == Pairing::interleaved ? 2 * i : i, b = pairing == Pairing::interleaved ? 2 * i + 1 : i + 12;
      q[a] = seeded.q0[i];
      q[b] = seeded.q1[i];
      k[a] = seeded.k0[i];
      k[b] = seeded.k1[i];
    }
    WallOptions seeded_options = options(3000);
    seeded_options.seed = 9;
    const WallReport reference = measure_wall(p, seeded_options);
    WallOptions user = options(3000);
    user.query = q;
    user.key = k;
    const WallReport given = measure_wall(p, user);
    CHECK(given.max_rotated_key_error == reference.max_rotated_key_error);
    CHECK(given.max_score_error == reference.max_score_error);
    CHECK(given.max_rotated_key_error > 0);
    std::swap(user.key[0], user.key[1]);  // a different vector: a different error
    CHECK(measure_wall(p, user).max_score_error != reference.max_score_error);
    user.key.pop_back();
    CHECK_THROWS_AS(measure_wall(p, user), std::invalid_argument);
  }
}

TEST_CASE("a dump of a pipeline's own rows measures as that pipeline", "[rope-wall-angle]") {
  const long context = 6000;  // crosses the block boundary at 4096
  for (const char* name : {"hf-4.37-cast-bf16", "gpt-neox-fp16", "llama.cpp-cpu"}) {
    for (const bool accumulator : {false, true}) {
      Recipe r = preset(name);
      if (accumulator) r.incremental = Incremental::phase_accumulator;
      const Pipeline p = make_pipeline(plain_spec(10000, 32), r, context);
      const WallReport swept = measure_wall(p, options(context));
      const WallReport dumped = measure_dump_wall(p, own_rows(p, context), options(context, 1));
      INFO(name << (accumulator ? " + phase accumulator" : ""));
      CHECK(dumped.listed_positions);
      CHECK(std::isnan(dumped.max_rotated_key_error));  // no key dumped
      CHECK(dumped.first_any_collision == swept.first_any_collision);
      CHECK(dumped.first_full_collision == swept.first_full_collision);
      CHECK(dumped.first_tau_exceed == swept.first_tau_exceed);
      CHECK(dumped.max_phase_error == swept.max_phase_error);
      CHECK(dumped.max_phase_error_position == swept.max_phase_error_position);
      CHECK(dumped.max_angle_error == swept.max_angle_error);
      CHECK(dumped.max_colliding_fraction == swept.max_colliding_fraction);
      CHECK(dumped.max_colliding_fraction_position == swept.max_colliding_fraction_position);
      int differing = 0;
      for (std::size_t i = 0; i < swept.pairs.size(); ++i) {
        const PairWall &a = dumped.pairs[i], &b = swept.pairs[i];
        differing += a.first_adjacent_collision != b.first_adjacent_collision || a.max_cos_ulps != b.max_cos_ulps ||
                     a.max_sin_ulps != b.max_sin_ulps || a.stored_omega != b.stored_omega ||
                     a.max_phase_error_position != b.max_phase_error_position;
      }
      for (std::size_t j = 0; j < swept.positions.size(); ++j) {
        differing += dumped.positions[j].colliding_pairs != swept.positions[j].colliding_pairs ||
                     dumped.positions[j].max_phase_error != swept.positions[j].max_phase_error;
      }
      CHECK(differing == 0);
    }
  }
}

TEST_CASE("a dump's collisions count only listed m whose m + 1 is listed", "[rope-wall-angle]") {
  const Pipeline p = make_pipeline(plain_spec(10000, 8), binary64_recipe(), 100);
  // Every row holds the same rotation (1, 0): rows collide wherever two listed positions are adjacent.
  const std::vector<std::int64_t> positions{0, 1, 2, 10, 12, 13, (1LL << 53) - 1};
  const std::size_t n = positions.size() * 4;
  WallDump d{.positions = positions, .omega = std::vector<double>(4, 1.0), .angle = {},
             .cos = std::vector<double>(n, 1.0), .sin = std::vector<double>(n, 0.0), .key = {}};
  const WallReport r = measure_dump_wall(p, d, options(2));
  REQUIRE(r.positions.size() == positions.size());
  const std::vector<int> colliding{4, 4, 0, 0, 4, 0, 0};  // 2 -> 3, 10 -> 11, 13 -> 14 and the last: not listed
  for (std::size_t j = 0; j < positions.size(); ++j) {
    INFO("position " << positions[j]);
    CHECK(r.positions[j].position == positions[j]);
    CHECK(r.positions[j].colliding_pairs == colliding[j]);
  }
  CHECK(r.first_full_collision == 0);
  CHECK(std::isnan(r.max_angle_error));  // no angle.npy
  d.positions[4] = 10;  // not strictly increasing
  CHECK_THROWS_AS(measure_dump_wall(p, d, options(2)), std::invalid_argument);
  d.positions = positions;
  d.cos.pop_back();
  CHECK_THROWS_AS(measure_dump_wall(p, d, options(2)), std::invalid_argument);
}
