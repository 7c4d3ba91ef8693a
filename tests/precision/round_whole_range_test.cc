// The whole-range round-to-nearest-even path (bfloat16 and tf32 from binary32: the target has binary32's
// exponent range, so every pattern rounds by one addition on its bits) against round-to-nearest-even written
// from its definition on the bit pattern: every high part with every deciding remainder on every compiled
// target, all 2^32 patterns (bfloat16) on the dispatched one; and tf32's gap probes against the MPFR oracle on every
// target (bfloat16's are in round_exhaustive_test.cc).
#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "format_values.hpp"
#include "ropelab/mpfr_oracle.hpp"
#include "ropelab/round.hpp"
#include "simd_targets.hpp"

using namespace ropelab;

namespace {

// RNE of a binary32 pattern to p bits with binary32's exponent range, from the definition: the magnitude's
// low `drop` bits are the remainder; round up past half, or at half when the kept part is odd. Binary32's
// magnitudes are ordered as integers and a carry out of the significand is the next binade (or Inf). NaNs
// become quiet, keeping sign and payload.
std::uint32_t reference_rne(std::uint32_t bits, int precision) {
  const int drop = 24 - precision;
  const std::uint32_t sign = bits & 0x80000000u, magnitude = bits & 0x7FFFFFFFu;
  if (magnitude > 0x7F800000u) return bits | 0x00400000u;
  const std::uint32_t remainder = magnitude & ((1u << drop) - 1), half = 1u << (drop - 1);
  const std::uint32_t kept = magnitude - remainder;
  const bool odd = ((kept >> drop) & 1) != 0;
  const bool up = remainder > half || (remainder == half && odd);
  return sign | (up ? kept + (1u << drop) : kept);
}

// Rounds `patterns` on the current target and counts the results that differ from reference_rne.
std::uint64_t mismatches(const std::vector<std::uint32_t>& patterns, const Format& f, const std::string& target) {
  static std::vector<float> got;  // reused: the 2^32 sweep calls this 256 times
  got.resize(patterns.size());
#pragma omp parallel for schedule(static)
  for (std::size_t i = 0; i < patterns.size(); ++i) got[i] = std::bit_cast<float>(patterns[i]);
  round_in_place(std::span<float>(got), f, RoundOptions{.threads = 0});
  std::uint64_t bad = 0;
#pragma omp parallel for schedule(static) reduction(+ : bad)
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    bad += std::bit_cast<std::uint32_t>(got[i]) != reference_rne(patterns[i], f.precision);
  }
  for (std::size_t i = 0, shown = 0; i < patterns.size() && bad > 0 && shown < 5; ++i) {
    const std::uint32_t want = reference_rne(patterns[i], f.precision);
    if (std::bit_cast<std::uint32_t>(got[i]) == want) continue;
    ++shown;
    UNSCOPED_INFO(f.name << " " << target << ": pattern 0x" << std::hex << patterns[i] << " got 0x"
                         << std::bit_cast<std::uint32_t>(got[i]) << " want 0x" << want << std::dec);
  }
  return bad;
}

}  // namespace

TEST_CASE("whole range: every kept part with every kind of remainder, bfloat16 and tf32, on every target",
          "[round][exhaustive]") {
  // Every sign, exponent code and kept significand (all 2^(9 + p - 1) high parts: zeros, subnormals, the top
  // binade's overflow, Inf, NaNs) joined with the remainders that decide RNE: 0, 1, half - 1, half (a tie),
  // half + 1, all ones.
  for (const Format& f : {formats::bfloat16(), formats::tf32()}) {
    const int drop = 24 - f.precision;
    const std::uint32_t half = 1u << (drop - 1);
    std::vector<std::uint32_t> patterns;
    for (std::uint32_t high = 0; high < (1u << (32 - drop)); ++high) {
      for (std::uint32_t low : {0u, 1u, half - 1, half, half + 1, (1u << drop) - 1}) patterns.push_back(high << drop | low);
    }
    testing::for_each_simd_target([&](const std::string& target) { CHECK(mismatches(patterns, f, target) == 0); });
  }
}

TEST_CASE("whole range: all 2^32 binary32 patterns to bfloat16 on the dispatched target", "[round][exhaustive]") {
  constexpr std::uint64_t kChunk = std::uint64_t{1} << 24;
  std::vector<std::uint32_t> patterns(kChunk);
  std::uint64_t bad = 0;
  for (std::uint64_t first = 0; first < (std::uint64_t{1} << 32); first += kChunk) {
    for (std::uint64_t i = 0; i < kChunk; ++i) patterns[i] = static_cast<std::uint32_t>(first + i);
    bad += mismatches(patterns, formats::bfloat16(), active_simd_target());
  }
  CHECK(bad == 0);
}

TEST_CASE("whole range: tf32 gap probes equal the oracle on every target", "[round][exhaustive]") {
  const Format f = formats::tf32();
  const std::vector<float> probes = testing::gap_probes<float>(f);
  std::vector<float> expected(probes.size());
#pragma omp parallel for schedule(static)
  for (std::size_t i = 0; i < probes.size(); ++i) {
    expected[i] = mpfr_oracle_round_to_binary32(probes[i], f, RoundingMode::nearest_even);
  }
  testing::for_each_simd_target([&](const std::string& target) {
    std::vector<float> got = probes;
    round_in_place(std::span<float>(got), f);
    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < got.size(); ++i) {
      if (std::bit_cast<std::uint32_t>(got[i]) == std::bit_cast<std::uint32_t>(expected[i])) continue;
      if (++mismatches <= 5) UNSCOPED_INFO(target << ": x=" << std::hexfloat << probes[i] << " got " << got[i]);
    }
    CHECK(mismatches == 0);
  });
}
