// check-model --key-cache: the per-format table agrees with the wall's own key/score measurement, orders the formats
// by their precision, finds colliding keys in a cache too coarse to tell positions apart, and refuses bad formats
// and block sizes before measuring.
#include <cmath>
#include <stdexcept>
#include <string>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "rope/test_specs.hpp"
#include "ropelab/rope/wall.hpp"
#include "ropelab/theory/model_check.hpp"

using namespace ropelab;
using namespace ropelab::rope;
using namespace ropelab::theory;
using Catch::Matchers::ContainsSubstring;
using ropelab::testing::plain_spec;

TEST_CASE("key-cache table: the preset's own cache reproduces the wall's score error; coarser caches err more",
          "[model-check][key-cache]") {
  const RopeSpec spec = plain_spec(500000, 128);
  const Recipe recipe = preset("llama.cpp-cpu");  // f16 K cache
  constexpr long kContext = 8192;
  const auto rows = check_key_caches(spec, recipe, {"f16", "q8_0_avx2", "q4_0", "bf16"},
                                     {.context_length = kContext, .logit_tolerance = 0.1, .threads = 2, .seed = 0});
  REQUIRE(rows.size() == 4);
  // The wall measures the same seeded query/key with the preset's f16 cache; its exact rotations come from
  // R(b) R(m - b) (within ~2 ulp), these from fast_reference_rotation, so the errors agree to ~1e-12 relative.
  const WallReport wall = measure_wall(make_pipeline(spec, recipe, kContext),
                                       WallOptions{.context_length = kContext, .threads = 2, .progress = {}});
  CHECK(std::abs(rows[0].max_score_error - wall.max_score_error) <= 1e-12 * wall.max_score_error + 1e-14);
  CHECK(rows[0].score_sample_step == wall.key_sample_step);
  // Error grows as the cache coarsens: f16 (11 bits) < bf16 (8 bits) < q8_0 (8 bits per 32-block) < q4_0.
  CHECK(rows[0].max_score_error < rows[3].max_score_error);
  CHECK(rows[3].max_score_error < rows[1].max_score_error);
  CHECK(rows[1].max_score_error < rows[2].max_score_error);
  for (const KeyCacheRow& r : rows) {
    CHECK(r.max_logit_error == r.max_score_error / std::sqrt(128.0));
    CHECK(r.first_key_collision == -1);  // the fast pairs turn by ~1 rad per position
  }
  CHECK(rows[0].safe);
  CHECK(rows[1].safe);
  CHECK_FALSE(rows[2].safe);  // q4_0: logit error above 0.1 on this key
  CHECK(rows[2].format == "q4_0");
}

TEST_CASE("key-cache table: a cache that keeps only sign and unit magnitude merges adjacent keys",
          "[model-check][key-cache]") {
  // Values {0, +-1}: with two pairs every coordinate falls in one of three bins, so some adjacent rows coincide.
  const auto rows = check_key_caches(plain_spec(10000, 4), preset("llama.cpp-cpu"),
                                     {"p=1,emin=0,emax=0,specials=none,overflow=saturate", "f16"},
                                     {.context_length = 4096, .logit_tolerance = 0.1, .threads = 1, .seed = 0});
  CHECK(rows[0].first_key_collision >= 0);
  CHECK(rows[0].equal_neighbour_fraction > 0);
  CHECK_FALSE(rows[0].safe);
  CHECK(rows[1].first_key_collision == -1);
}

TEST_CASE("key-cache table: bad formats and block sizes are refused naming the field", "[model-check][key-cache]") {
  const KeyCacheOptions options{.context_length = 64, .logit_tolerance = 0.1, .threads = 1, .seed = 0};
  const auto message = [&](const std::string& format, int head_dim) {
    try {
      check_key_caches(plain_spec(10000, head_dim), preset("llama.cpp-cpu"), {"f16", format}, options);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(message("q4_0", 80), ContainsSubstring("field 'block'") && ContainsSubstring("head_dim = 80"));
  CHECK_THAT(message("mxfp4:block=48", 128), ContainsSubstring("field 'block'"));
  CHECK_THAT(message("q4_7", 128), ContainsSubstring("'q4_7'") && ContainsSubstring("q8_0"));
  CHECK_THAT(message("q4_0:rounding=sr", 128), ContainsSubstring("field 'rounding'"));
}
