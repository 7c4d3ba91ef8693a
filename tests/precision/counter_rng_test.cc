// The SIMD counter RNG equals the scalar definition on every target, for any start index and length.
#include <cstdint>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "ropelab/counter_rng.hpp"
#include "ropelab/round.hpp"
#include "simd_targets.hpp"

using namespace ropelab;

TEST_CASE("lowbias32 matches its published test value", "[rng]") {
  // Published in C. Wellons, "Hash function prospector" (lowbias32): lowbias32(0) == 0 and it is a bijection
  // with these constants; spot-check against a hand evaluation of the five steps for x = 1.
  std::uint32_t x = 1;
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  CHECK(lowbias32(1) == x);
  CHECK(lowbias32(0) == 0);
}

TEST_CASE("SIMD counter RNG equals counter_random_u32 on every target", "[rng][simd]") {
  const std::uint64_t seed = 0x1234'5678'9abc'def0ull;
  // Start just below a 2^32 boundary so a block-key change falls inside the span, with an odd length.
  const std::uint64_t first = (std::uint64_t{7} << 32) - 37;
  std::vector<std::uint32_t> got(1001);
  testing::for_each_simd_target([&](const std::string&) {
    fill_counter_random(got, seed, first);
    int mismatches = 0;
    for (std::size_t i = 0; i < got.size(); ++i) mismatches += got[i] != counter_random_u32(seed, first + i);
    CHECK(mismatches == 0);
  });
}

TEST_CASE("counter RNG words are uniform: each bit is set about half the time", "[rng]") {
  constexpr int kCount = 1 << 20;
  int ones[32] = {};
  for (int i = 0; i < kCount; ++i) {
    const std::uint32_t r = counter_random_u32(42, static_cast<std::uint64_t>(i));
    for (int b = 0; b < 32; ++b) ones[b] += (r >> b) & 1;
  }
  // Binomial(2^20, 1/2): sigma = 512; allow 5 sigma.
  for (int b = 0; b < 32; ++b) {
    INFO("bit " << b);
    CHECK(std::abs(ones[b] - kCount / 2) < 5 * 512);
  }
}
