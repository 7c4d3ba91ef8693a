// The "precision wall" claim against measured walls (phase-bounds.md §5): refuted as a bound on base,
// holding as a bound on position.
#include <catch2/catch_test_macros.hpp>

#include "ropelab/theory/wall_claim.hpp"

using namespace ropelab;
using namespace ropelab::theory;

TEST_CASE("base < 1/eps_mach is refuted for bf16 and fp16; the wall sits on position", "[wall-claim]") {
  WallClaimOptions options;
  options.bases = {10, 100, 1e3, 1e6, 1e9};  // both sides of bf16's 128 and fp16's 1024
  const std::vector<Format> formats{formats::bfloat16(), formats::binary16()};
  const std::vector<WallClaimRow> rows = measure_direct_walls(formats, options);
  REQUIRE(rows.size() == 10);
  for (const Format& f : formats) {
    const WallClaimVerdict v = judge_wall_claim(rows, f);
    INFO(v.evidence);
    CHECK_FALSE(v.holds_as_bound_on_base);
    CHECK(v.holds_as_bound_on_position);
  }
}

TEST_CASE("fp32: bases 1e3 and 1e9 both merge positions between 2^23 and 2^24", "[wall-claim]") {
  WallClaimOptions options;
  options.bases = {1e3, 1e9};  // below and above 1/eps = 2^23 = 8.4e6
  options.dim = 4;             // 2 pairs keep 2^24 positions quick
  const std::vector<WallClaimRow> rows = measure_direct_walls({formats::binary32()}, options);
  const WallClaimVerdict v = judge_wall_claim(rows, formats::binary32());
  INFO(v.evidence);
  CHECK_FALSE(v.holds_as_bound_on_base);
  CHECK(v.holds_as_bound_on_position);
}

TEST_CASE("a verdict needs measurements: no rows, no verdict", "[wall-claim]") {
  const WallClaimVerdict v = judge_wall_claim({}, formats::bfloat16());
  CHECK_FALSE(v.holds_as_bound_on_base);
  CHECK_FALSE(v.holds_as_bound_on_position);
}
