// 16-bit storage: unpacking every encoding against an independent decoder, and packing (rounding +
// encoding) against the MPFR oracle, on every target.
#include <bit>
#include <cmath>
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

// IEEE 754 binary16 decoding written from the definition: (-1)^s * 2^(e-15) * 1.m, subnormals 2^-14 * 0.m.
float decode_binary16(std::uint16_t h) {
  const int sign = h >> 15;
  const int exponent = (h >> 10) & 0x1F;
  const int mantissa = h & 0x3FF;
  double value;
  if (exponent == 0) value = std::ldexp(mantissa, -24);
  else if (exponent == 31) value = mantissa ? NAN : INFINITY;
  else value = std::ldexp(1024 + mantissa, exponent - 25);
  return static_cast<float>(sign ? -value : value);
}

float decode_bfloat16(std::uint16_t h) { return std::bit_cast<float>(static_cast<std::uint32_t>(h) << 16); }

std::vector<std::uint16_t> all_encodings() {
  std::vector<std::uint16_t> all(65536);
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::uint16_t>(i);
  return all;
}

bool same_float(float a, float b) {
  return std::isnan(a) ? std::isnan(b) : std::bit_cast<std::uint32_t>(a) == std::bit_cast<std::uint32_t>(b);
}

}  // namespace

TEST_CASE("unpack: every bfloat16 and binary16 encoding widens exactly", "[pack]") {
  const auto encodings = all_encodings();
  testing::for_each_simd_target([&](const std::string&) {
    std::vector<float> bf(encodings.size()), half(encodings.size());
    unpack_bf16(encodings, bf);
    unpack_f16(encodings, half);
    int bf_mismatches = 0, half_mismatches = 0;
    for (std::size_t i = 0; i < encodings.size(); ++i) {
      bf_mismatches += !same_float(bf[i], decode_bfloat16(encodings[i]));
      half_mismatches += !same_float(half[i], decode_binary16(encodings[i]));
    }
    CHECK(bf_mismatches == 0);
    CHECK(half_mismatches == 0);
  });
}

TEST_CASE("pack: every non-NaN encoding survives unpack then pack", "[pack]") {
  const auto encodings = all_encodings();
  testing::for_each_simd_target([&](const std::string&) {
    for (const bool bf : {true, false}) {
      std::vector<float> wide(encodings.size());
      std::vector<std::uint16_t> back(encodings.size());
      bf ? unpack_bf16(encodings, wide) : unpack_f16(encodings, wide);
      bf ? pack_bf16(wide, back) : pack_f16(wide, back);
      int mismatches = 0;
      for (std::size_t i = 0; i < encodings.size(); ++i) {
        if (std::isnan(wide[i])) {
          mismatches += !std::isnan(bf ? decode_bfloat16(back[i]) : decode_binary16(back[i]));
        } else {
          mismatches += back[i] != encodings[i];
        }
      }
      INFO((bf ? "bfloat16" : "binary16"));
      CHECK(mismatches == 0);
    }
  });
}

TEST_CASE("pack: rounding of gap probes equals the oracle in every deterministic mode", "[pack]") {
  for (const bool bf : {true, false}) {
    const Format f = bf ? formats::bfloat16() : formats::binary16();
    const std::vector<float> probes = testing::gap_probes<float>(f);
    for (const RoundingMode mode : kDeterministicModes) {
      std::vector<float> expected(probes.size());
      for (std::size_t i = 0; i < probes.size(); ++i) expected[i] = mpfr_oracle_round_to_binary32(probes[i], f, mode);
      testing::for_each_simd_target([&](const std::string&) {
        std::vector<std::uint16_t> packed(probes.size());
        bf ? pack_bf16(probes, packed, {.mode = mode}) : pack_f16(probes, packed, {.mode = mode});
        int mismatches = 0;
        for (std::size_t i = 0; i < probes.size(); ++i) {
          mismatches += !same_float(bf ? decode_bfloat16(packed[i]) : decode_binary16(packed[i]), expected[i]);
        }
        INFO(f.name << " " << to_string(mode));
        CHECK(mismatches == 0);
      });
    }
  }
}

TEST_CASE("pack: bfloat16 spot checks that catch truncation", "[pack]") {
  const std::vector<float> x = {1.01171875f, std::nextafterf(1.00390625f, 2.0f), 3.0e38f};
  testing::for_each_simd_target([&](const std::string&) {
    std::vector<std::uint16_t> packed(x.size());
    pack_bf16(x, packed);
    CHECK(packed[0] == 0x3F82);  // 1.015625
    CHECK(packed[1] == 0x3F81);  // 1.0078125
    CHECK(packed[2] == 0x7F62);  // 3.0e38 rounds to 0x7F62 = 1.765625 * 2^127 = 3.004e38
  });
}

TEST_CASE("pack: stochastic packing is identical for 1 and 2 threads and equals round-then-encode", "[pack]") {
  std::vector<float> input(300'000);  // several dispatch chunks
  for (std::size_t i = 0; i < input.size(); ++i) input[i] = 1.0f + static_cast<float>(i) * 0x1p-22f;
  const RoundOptions one{.mode = RoundingMode::stochastic, .seed = 11, .threads = 1};
  const RoundOptions two{.mode = RoundingMode::stochastic, .seed = 11, .threads = 2};
  std::vector<std::uint16_t> a(input.size()), b(input.size());
  pack_bf16(input, a, one);
  pack_bf16(input, b, two);
  CHECK(a == b);
  std::vector<float> rounded = input;
  round_in_place(std::span<float>(rounded), formats::bfloat16(), one);
  int mismatches = 0;
  for (std::size_t i = 0; i < input.size(); ++i) mismatches += !same_float(decode_bfloat16(a[i]), rounded[i]);
  CHECK(mismatches == 0);
}
