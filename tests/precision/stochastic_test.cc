// Stochastic rounding: exact decisions against the oracle for the documented random words, the
// empirical probability against the distance ratio, and independence from threads and SIMD target.
#include <bit>
#include <cstring>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "format_values.hpp"
#include "ropelab/counter_rng.hpp"
#include "ropelab/mpfr_oracle.hpp"
#include "ropelab/round.hpp"
#include "simd_targets.hpp"

using namespace ropelab;

namespace {
constexpr std::uint64_t kSeed = 0xC0FFEE;
}

TEST_CASE("stochastic: every decision equals the oracle's for the counter RNG word", "[stochastic]") {
  for (const Format& f : {formats::bfloat16(), formats::binary16(), formats::e4m3fn(), formats::e5m2()}) {
    const std::vector<float> probes32 = testing::gap_probes<float>(f);
    const std::vector<double> probes64 = testing::gap_probes<double>(f);
    const std::uint64_t first = (std::uint64_t{1} << 32) - 1000;  // crosses a block-key boundary
    testing::for_each_simd_target([&](const std::string& target) {
      std::vector<float> got32 = probes32;
      std::vector<double> got64 = probes64;
      const RoundOptions options{.mode = RoundingMode::stochastic, .seed = kSeed, .first_index = first};
      round_in_place(std::span<float>(got32), f, options);
      round_in_place(std::span<double>(got64), f, options);
      int mismatches = 0;
      for (std::size_t i = 0; i < probes32.size(); ++i) {
        const double want = mpfr_oracle_round_stochastic(probes32[i], f, counter_random_u32(kSeed, first + i));
        if (!(std::isnan(want) ? std::isnan(got32[i]) : static_cast<double>(got32[i]) == want) && ++mismatches < 5) {
          UNSCOPED_INFO(f.name << " " << target << " f32 x=" << std::hexfloat << probes32[i] << " got " << got32[i]
                               << " want " << want);
        }
      }
      for (std::size_t i = 0; i < probes64.size(); ++i) {
        const double want = mpfr_oracle_round_stochastic(probes64[i], f, counter_random_u32(kSeed, first + i));
        if (!(std::isnan(want) ? std::isnan(got64[i]) : got64[i] == want) && ++mismatches < 5) {
          UNSCOPED_INFO(f.name << " " << target << " f64 x=" << std::hexfloat << probes64[i] << " got " << got64[i]
                               << " want " << want);
        }
      }
      CHECK(mismatches == 0);
    });
  }
}

TEST_CASE("stochastic: P(round away) is within 5 sigma of the distance ratio", "[stochastic]") {
  // x = lower + t * gap for several t; n independent elements (distinct counter indices) per x.
  constexpr int kCount = 200'000;
  struct Case { Format format; double lower, gap; };
  const Case cases[] = {{formats::bfloat16(), 1.0, 0x1p-7}, {formats::binary16(), 0x1p-20, 0x1p-24},
                        {formats::e4m3fn(), 256.0, 32.0}, {formats::bfloat16(), -3.0, -0x1p-6}};
  for (const Case& c : cases) {
    for (const double t : {0.001, 0.25, 0.5, 0.8125, 0.999}) {
      const double x = c.lower + t * c.gap;
      const double p = mpfr_oracle_neighbours(x, c.format).probability_away;
      std::vector<double> values(kCount, x);
      round_in_place(std::span<double>(values), c.format, {.mode = RoundingMode::stochastic, .seed = kSeed});
      int away = 0;
      for (const double v : values) {
        REQUIRE((v == c.lower || v == c.lower + c.gap));
        away += v == c.lower + c.gap;
      }
      const double sigma = std::sqrt(kCount * p * (1 - p));
      INFO(c.format.name << " x=" << x << " p=" << p << " away=" << away << " seed=" << kSeed);
      CHECK(std::abs(away - kCount * p) <= 5 * sigma + 1);
    }
  }
}

TEST_CASE("stochastic: same seed gives identical bits with 1 and 2 threads and on every target", "[stochastic]") {
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  std::vector<float> input(600'000);  // several dispatch chunks
  for (float& v : input) v = normal(rng);
  std::vector<float> reference = input;
  round_in_place(std::span<float>(reference), formats::bfloat16(),
                 {.mode = RoundingMode::stochastic, .seed = kSeed, .threads = 1});
  testing::for_each_simd_target([&](const std::string&) {
    for (const int threads : {1, 2}) {
      std::vector<float> got = input;
      round_in_place(std::span<float>(got), formats::bfloat16(),
                     {.mode = RoundingMode::stochastic, .seed = kSeed, .threads = threads});
      INFO("threads " << threads);
      CHECK(std::memcmp(got.data(), reference.data(), got.size() * sizeof(float)) == 0);
    }
  });
  std::vector<float> other_seed = input;
  round_in_place(std::span<float>(other_seed), formats::bfloat16(), {.mode = RoundingMode::stochastic, .seed = 1});
  CHECK(std::memcmp(other_seed.data(), reference.data(), input.size() * sizeof(float)) != 0);
}

TEST_CASE("rounding a split array in two calls with first_index equals one call", "[stochastic]") {
  std::vector<double> whole(10'001);
  for (std::size_t i = 0; i < whole.size(); ++i) whole[i] = 1.0 + static_cast<double>(i) * 0x1p-20;
  std::vector<double> parts = whole;
  const RoundOptions options{.mode = RoundingMode::stochastic, .seed = 3};
  round_in_place(std::span<double>(whole), formats::binary16(), options);
  round_in_place(std::span<double>(parts).first(4321), formats::binary16(), options);
  RoundOptions rest = options;
  rest.first_index = 4321;
  round_in_place(std::span<double>(parts).subspan(4321), formats::binary16(), rest);
  CHECK(whole == parts);
}
