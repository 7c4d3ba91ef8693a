// The SIMD rounding kernels against the MPFR oracle: every value of the small formats and probes in every
// gap, from binary32 and binary64 storage, in every deterministic mode, on every compiled Highway target.
#include <bit>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "format_values.hpp"
#include "ropelab/mpfr_oracle.hpp"
#include "ropelab/round.hpp"
#include "simd_targets.hpp"

using namespace ropelab;

namespace {

template <typename T>
T oracle(T x, const Format& f, RoundingMode mode) {
  if constexpr (std::is_same_v<T, float>) {
    return mpfr_oracle_round_to_binary32(x, f, mode);
  } else {
    return mpfr_oracle_round(x, f, mode);
  }
}

template <typename T>
auto bits(T x) {
  return std::bit_cast<std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>>(x);
}

// Rounds `inputs` with the kernel on every target and every deterministic mode; requires bit equality
// with the oracle. Reports the first few mismatches with their inputs.
template <typename T>
void check_against_oracle(const std::vector<T>& inputs, const Format& f) {
  for (const RoundingMode mode : kDeterministicModes) {
    std::vector<T> expected(inputs.size());
#pragma omp parallel for schedule(static)
    for (std::size_t i = 0; i < inputs.size(); ++i) expected[i] = oracle(inputs[i], f, mode);
    testing::for_each_simd_target([&](const std::string& target) {
      std::vector<T> got = inputs;
      round_in_place(std::span<T>(got), f, RoundOptions{.mode = mode});
      std::size_t mismatches = 0;
      for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (bits(got[i]) == bits(expected[i])) continue;
        if (++mismatches <= 5) {
          UNSCOPED_INFO(f.name << " " << to_string(mode) << " " << target << ": x=" << std::hexfloat
                               << inputs[i] << " got " << got[i] << " want " << expected[i] << std::defaultfloat);
        }
      }
      CHECK(mismatches == 0);
    });
  }
}

// Random storage bit patterns (the whole range: subnormals, Inf, NaN) plus values near max_finite.
template <typename T>
std::vector<T> random_inputs(const Format& f, std::size_t count, std::uint64_t seed) {
  using Bits = decltype(bits(T{}));
  std::mt19937_64 rng(seed);
  std::vector<T> inputs;
  inputs.reserve(count);
  const double max = f.max_finite();
  std::uniform_real_distribution<double> near(0.5, 2.0);
  while (inputs.size() < count) {
    if (inputs.size() % 8 == 0 && std::isfinite(static_cast<T>(max))) {
      inputs.push_back(static_cast<T>(max * near(rng)));  // the overflow boundary
    } else {
      inputs.push_back(std::bit_cast<T>(static_cast<Bits>(rng())));
    }
  }
  return inputs;
}

const Format kSmallFormats[] = {formats::binary16(), formats::bfloat16(), formats::e4m3fn(), formats::e5m2()};

}  // namespace

TEST_CASE("enumeration sees the number of finite encodings each format's bit layout has", "[round]") {
  // binary16: 31 exponent codes x 1024; bfloat16: 255 x 128; e4m3fn: 16 x 8 minus the NaN code;
  // e5m2: 31 x 4 (non-negative values incl. zero).
  CHECK(testing::nonnegative_values(formats::binary16()).size() == 31 * 1024);
  CHECK(testing::nonnegative_values(formats::bfloat16()).size() == 255 * 128);
  CHECK(testing::nonnegative_values(formats::e4m3fn()).size() == 16 * 8 - 1);
  CHECK(testing::nonnegative_values(formats::e5m2()).size() == 31 * 4);
}

TEST_CASE("exhaustive: small formats from binary32 equal the oracle on every target", "[round][exhaustive]") {
  for (const Format& f : kSmallFormats) {
    INFO(f.name);
    check_against_oracle(testing::gap_probes<float>(f), f);
  }
}

TEST_CASE("exhaustive: small formats from binary64 equal the oracle on every target", "[round][exhaustive]") {
  for (const Format& f : kSmallFormats) {
    INFO(f.name);
    check_against_oracle(testing::gap_probes<double>(f), f);
  }
}

TEST_CASE("random: 10^6 binary32 inputs per format equal the oracle on every target", "[round][random]") {
  const Format saturating_e4m3 = parse_format("p=4,emin=-6,emax=8,max=448,specials=nan,overflow=saturate");
  const Format flush_binary16 = parse_format("p=11,emin=-14,emax=15,subnormals=off");
  for (const Format& f : {formats::binary16(), formats::bfloat16(), formats::e4m3fn(), formats::e5m2(),
                          formats::tf32(), saturating_e4m3, flush_binary16, formats::mpfr(10)}) {
    const std::uint64_t seed = 20261123;
    INFO(f.name << " seed " << seed);
    check_against_oracle(random_inputs<float>(f, 1'000'000, seed), f);
  }
}

TEST_CASE("random: 10^6 binary64 inputs per format equal the oracle on every target", "[round][random]") {
  const Format wide = parse_format("p=30,emin=-300,emax=300,overflow=saturate");
  const Format one_bit = parse_format("p=1,emin=-3,emax=3,specials=none,overflow=saturate");
  for (const Format& f : {formats::binary16(), formats::bfloat16(), formats::e4m3fn(), formats::e5m2(),
                          formats::tf32(), formats::binary32(), wide, one_bit, formats::mpfr(40)}) {
    const std::uint64_t seed = 20261124;
    INFO(f.name << " seed " << seed);
    check_against_oracle(random_inputs<double>(f, 1'000'000, seed), f);
  }
}

TEST_CASE("spot checks that catch truncation (Highway 1.0.3 DemoteTo truncates)", "[round]") {
  testing::for_each_simd_target([](const std::string&) {
    std::vector<float> x = {1.01171875f, std::nextafterf(1.00390625f, 2.0f)};
    round_in_place(std::span<float>(x), formats::bfloat16());
    CHECK(x[0] == 1.015625f);
    CHECK(x[1] == 1.0078125f);
  });
}
