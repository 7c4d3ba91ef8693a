// Precision-wall measurement: facts derivable by hand, independence from threads and SIMD target, and the
// accuracy of the streamed reference.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include <catch2/catch_test_macros.hpp>
#include <hwy/targets.h>

#include "rope/test_specs.hpp"
#include "ropelab/round.hpp"
#include "ropelab/rope/wall.hpp"

using namespace ropelab;
using namespace ropelab::rope;
using ropelab::testing::plain_spec;

namespace {


// Every stage exact (binary64) except the ones the test sets.
Recipe exact_recipe() {
  Recipe r;
  r.name = "test-exact";
  r.omega_method = OmegaMethod::correctly_rounded;
  r.omega_format = formats::binary64();
  r.position_format = formats::binary64();
  r.angle_format = formats::binary64();
  r.trig_format = formats::binary64();
  r.table_format = formats::binary64();
  r.rotation = Rotation::wide_then_round;
  r.rotation_math_format = formats::binary64();
  r.input_format = formats::binary64();
  r.storage_format = formats::binary64();
  r.key_cache_format = formats::binary64();
  return r;
}

// The direct fp-p angle pipeline of phase-bounds.md §5 (P1): fl(fl(m) * fl(ω)) in format f, exact trig.
Recipe direct_angle_recipe(const Format& f) {
  Recipe r = exact_recipe();
  r.omega_format = f;
  r.position_format = f;
  r.angle_format = f;
  return r;
}

WallReport wall(const RopeSpec& spec, const Recipe& recipe, long context, int threads = 0) {
  return measure_wall(make_pipeline(spec, recipe, context),
                      WallOptions{.context_length = context, .tau = 0.1, .threads = threads, .seed = 1,
                                  .per_position = true, .progress = {}});
}

}  // namespace

TEST_CASE("positions are exact up to 2^p: bf16 256, fp16 2048, fp32 2^24", "[rope-wall]") {
  struct Case { Format format; long exact_up_to; };
  for (const Case& c : {Case{formats::bfloat16(), 256}, Case{formats::binary16(), 2048},
                        Case{formats::binary32(), 1L << 24}}) {
    Recipe r = exact_recipe();
    r.position_format = c.format;
    // One pair with ω = 1 (pair 0): the angle is the rounded position itself. 2^p + 1 rounds to 2^p (tie to
    // even), so positions 2^p and 2^p + 1 are the first two that coincide.
    const WallReport report = wall(plain_spec(10000, 2), r, c.exact_up_to + 2);
    INFO(c.format.name);
    CHECK(report.first_any_collision == c.exact_up_to);
    CHECK(report.first_full_collision == c.exact_up_to);
    CHECK(round_value(static_cast<double>(c.exact_up_to + 1), c.format) == static_cast<double>(c.exact_up_to));
  }
}

TEST_CASE("a direct fp-p angle pipeline first collides in [2^(p-1), 2^p] whatever the base", "[rope-wall]") {
  for (const double base : {1e4, 5e5, 1e6, 1e9}) {
    for (const Format& f : {formats::bfloat16(), formats::binary16()}) {
      const long two_p = 1L << f.precision;
      const WallReport report = wall(plain_spec(base, 128), direct_angle_recipe(f), two_p + 2);
      // Pairs whose ω flushed to 0 in the format never rotate (fp16 above base ~4.4e7, phase-bounds.md §5);
      // the claim is about the others.
      std::int64_t first = -1;
      for (const PairWall& w : report.pairs) {
        if (w.omega_flushed) {
          CHECK(w.first_adjacent_collision == 0);
        } else if (first < 0 || w.first_adjacent_collision < first) {
          first = w.first_adjacent_collision;
        }
      }
      INFO(f.name << " base " << base << " first collision " << first);
      CHECK(first >= two_p / 2);
      CHECK(first <= two_p);
    }
  }
  for (const double base : {1e4, 1e9}) {  // fp32: 2^24 positions, so a narrow head keeps the test short
    const WallReport report = wall(plain_spec(base, 8), direct_angle_recipe(formats::binary32()), (1L << 24) + 2);
    INFO("binary32 base " << base << " first collision " << report.first_any_collision);
    CHECK(report.first_any_collision >= (1L << 23));
    CHECK(report.first_any_collision <= (1L << 24));
  }
}

TEST_CASE("an all-binary64 pipeline stays within binary64 rounding of the exact reference", "[rope-wall]") {
  // The emulated angle fl(m ω) is off by <= ulp(m ω) / 2 <= 2^-53 m; everything else adds ~1e-15. This bounds
  // the streamed reference (block start times offset table) and the accurate trig together.
  const long context = 1L << 20;
  const WallReport report = wall(plain_spec(10000, 64), exact_recipe(), context);
  CHECK(report.max_phase_error <= std::ldexp(1.0, -53) * context + 2e-15);
  CHECK(report.first_any_collision == -1);
  CHECK(report.max_rotated_key_error <= 1e-9);
}

TEST_CASE("the wall is identical for 1 and 2 threads and on every SIMD target", "[rope-wall]") {
  const RopeSpec spec = plain_spec(500000, 128);
  const Recipe& recipe = preset("hf-eager-bf16");  // bf16 tables go through the SIMD rounding kernels
  const WallReport reference = wall(spec, recipe, 50000, 1);
  const auto same = [&](const WallReport& r) {
    REQUIRE(r.pairs.size() == reference.pairs.size());
    REQUIRE(r.positions.size() == reference.positions.size());
    int differing = 0;
    for (std::size_t i = 0; i < r.pairs.size(); ++i) {
      const PairWall &a = r.pairs[i], &b = reference.pairs[i];
      differing += a.first_adjacent_collision != b.first_adjacent_collision || a.first_tau_exceed != b.first_tau_exceed ||
                   a.max_phase_error != b.max_phase_error || a.max_phase_error_position != b.max_phase_error_position ||
                   a.max_cos_ulps != b.max_cos_ulps || a.max_sin_ulps != b.max_sin_ulps || a.stored_omega != b.stored_omega;
    }
    for (std::size_t j = 0; j < r.positions.size(); ++j) {
      const PositionWall &a = r.positions[j], &b = reference.positions[j];
      differing += a.position != b.position || a.colliding_pairs != b.colliding_pairs || a.max_phase_error != b.max_phase_error;
    }
    CHECK(differing == 0);
    CHECK(r.max_score_error == reference.max_score_error);
    CHECK(r.max_rotated_key_error == reference.max_rotated_key_error);
    CHECK(r.max_colliding_fraction == reference.max_colliding_fraction);
  };
  same(wall(spec, recipe, 50000, 2));
  for (const std::int64_t target : supported_simd_targets()) {
    hwy::SetSupportedTargetsForTest(target);
    INFO(simd_target_name(target));
    same(wall(spec, recipe, 50000, 2));
  }
  hwy::SetSupportedTargetsForTest(0);
}

TEST_CASE("wall options outside their range are refused", "[rope-wall]") {
  const Pipeline p = make_pipeline(plain_spec(10000, 8), exact_recipe(), 100);
  CHECK_THROWS_AS(measure_wall(p, WallOptions{.context_length = 1, .progress = {}}), std::invalid_argument);
  CHECK_THROWS_AS(measure_wall(p, WallOptions{.context_length = 100, .tau = 0, .progress = {}}), std::invalid_argument);
  CHECK_THROWS_AS(make_pipeline(plain_spec(10000, 8), exact_recipe(), 0), std::invalid_argument);
}

TEST_CASE("memory does not grow with the context length unless the per-position map is requested", "[rope-wall]") {
  const Pipeline p = make_pipeline(plain_spec(500000, 128), preset("hf-eager-bf16"), 1L << 24);
  const WallOptions small{.context_length = 1L << 20, .threads = 2, .progress = {}};
  const WallOptions large{.context_length = 1L << 24, .threads = 2, .progress = {}};
  CHECK(wall_memory_bytes(p, small) == wall_memory_bytes(p, large));
  WallOptions mapped = large;
  mapped.per_position = true;
  CHECK(wall_memory_bytes(p, mapped) > (std::uint64_t{1} << 24) * sizeof(PositionWall));
}

TEST_CASE("a p-bit phase accumulator stalls after 2^(p-1) to 3 * 2^p steps, whatever the base", "[rope-wall]") {
  // φ <- fl(φ + ω) stops moving once ω <= ulp(φ)/2, i.e. once φ reaches the power of two in [2^p ω, 2^(p+1) ω)
  // (phase-bounds.md §5, accumulator P3: "after roughly 2^p steps", a condition on m, not on ω). Before
  // that, each step adds ω rounded to a multiple of ulp(φ) <= 2ω, which lies in [ω / 1.5, 2ω]; so the stall
  // comes after at least 2^p ω / 2ω = 2^(p-1) and at most 2^(p+1) ω / (ω / 1.5) = 3 * 2^p steps.
  for (const double base : {1e4, 1e6}) {
    for (const Format& f : {formats::bfloat16(), formats::binary16()}) {
      Recipe r = direct_angle_recipe(f);
      r.incremental = Incremental::phase_accumulator;
      const long two_p = 1L << f.precision;
      const WallReport report = wall(plain_spec(base, 32), r, 3 * two_p + 2);
      for (const PairWall& w : report.pairs) {
        if (w.omega_subnormal || w.omega_flushed) continue;
        INFO(f.name << " base " << base << " pair " << w.pair << " stalls at " << w.first_adjacent_collision);
        CHECK(w.first_adjacent_collision >= two_p / 2);
        CHECK(w.first_adjacent_collision <= 3 * two_p);
      }
    }
  }
}

TEST_CASE("a binary64 rotation recurrence drifts by ~1e-16 per step", "[rope-wall]") {
  Recipe r = exact_recipe();
  r.incremental = Incremental::rotation_recurrence;
  const long context = 65536;
  const WallReport report = wall(plain_spec(10000, 16), r, context);
  CHECK(report.max_phase_error <= 4e-16 * context);
  CHECK(report.first_any_collision == -1);
}

TEST_CASE("the (position, pair) phase-error map agrees with the per-pair and per-position maxima", "[rope-wall]") {
  const RopeSpec spec = plain_spec(500000, 16);
  const long context = 10000;
  const WallReport r = measure_wall(make_pipeline(spec, preset("hf-eager-bf16"), context),
                                    WallOptions{.context_length = context, .per_position = true,
                                                .phase_error_map = true, .progress = {}});
  REQUIRE(r.phase_error_map.size() == static_cast<std::size_t>(context) * r.pairs.size());
  for (const PairWall& w : r.pairs) {
    float worst = 0;
    for (long m = 0; m < context; ++m) worst = std::max(worst, r.phase_error_map[static_cast<std::size_t>(m) * r.pairs.size() + w.pair]);
    CHECK(worst == static_cast<float>(w.max_phase_error));
  }
  for (const PositionWall& row : r.positions) {
    float worst = 0;
    for (std::size_t i = 0; i < r.pairs.size(); ++i) worst = std::max(worst, r.phase_error_map[row.position * r.pairs.size() + i]);
    CHECK(worst == static_cast<float>(row.max_phase_error));
  }
}
