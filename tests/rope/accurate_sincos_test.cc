// The emulator's vectorisable sin/cos against MPFR's correctly rounded values.
#include <cmath>
#include <algorithm>
#include <bit>
#include <vector>
#include <cstdint>
#include <numbers>
#include <limits>
#include <random>
#include <string>

#include <catch2/catch_test_macros.hpp>

#include <hwy/targets.h>

#include "accurate_sincos.hpp"
#include "precision/simd_targets.hpp"
#include "ropelab/format.hpp"
#include "ropelab/round.hpp"
#include "ropelab/rope/exact_reference.hpp"

using namespace ropelab::rope;

namespace {

// A bf16 table entry as the emulator defines it: RN_bfloat16(RN_binary32(v)).
double bf16_table_value(double v) { return ropelab::round_value(static_cast<float>(v), ropelab::formats::bfloat16()); }

}  // namespace

TEST_CASE("accurate_sincos is within 4e-16 of MPFR for |x| < 2^31", "[rope-emulator]") {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> exponent(-10.0, 31.0);
  double worst = 0;
  for (int i = 0; i < 20000; ++i) {
    double x = std::exp2(exponent(rng));
    if (i % 4 == 1) x = std::nearbyint(x);                                   // integer angles (pair 0)
    if (i % 4 == 2) x = std::nearbyint(x / (std::numbers::pi / 2)) * (std::numbers::pi / 2);  // near k pi/2
    if (i % 4 == 3) x = static_cast<float>(x);                               // fp32 angles
    if (!(x < kAccurateSincosMaxAngle)) continue;
    const ReferenceRotation exact = mpfr_reference_rotation(1, {x, 0});
    const SinCos got = accurate_sincos(x);
    worst = std::max({worst, std::abs(got.sin - exact.sin), std::abs(got.cos - exact.cos)});
    INFO("x = " << x);
    REQUIRE(std::abs(got.sin - exact.sin) <= 4e-16);
    REQUIRE(std::abs(got.cos - exact.cos) <= 4e-16);
  }
  UNSCOPED_INFO("worst absolute error " << worst);
}

TEST_CASE("accurate_sincos of -x is the mirror image", "[rope-emulator]") {
  for (const double x : {0.5, 1.0, 3.0, 1e3, 123456.789, 2e9}) {
    const SinCos a = accurate_sincos(x), b = accurate_sincos(-x);
    CHECK(std::abs(a.sin + b.sin) <= 4e-16);
    CHECK(std::abs(a.cos - b.cos) <= 4e-16);
  }
}

TEST_CASE("accurate_sincos_array equals the scalar function bit for bit on every SIMD target", "[rope-emulator]") {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> exponent(-20.0, 30.9);
  std::vector<double> x(1001);  // odd length: exercises the padded tail
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = (i % 2 ? -1 : 1) * std::exp2(exponent(rng));
  x[0] = 0;
  for (const std::int64_t target : ropelab::supported_simd_targets()) {
    hwy::SetSupportedTargetsForTest(target);
    std::vector<double> s(x.size()), c(x.size());
    accurate_sincos_array(x, s, c);
    int differing = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const SinCos scalar = accurate_sincos(x[i]);
      differing += std::bit_cast<std::uint64_t>(s[i]) != std::bit_cast<std::uint64_t>(scalar.sin) ||
                   std::bit_cast<std::uint64_t>(c[i]) != std::bit_cast<std::uint64_t>(scalar.cos);
    }
    INFO(ropelab::simd_target_name(target));
    CHECK(differing == 0);
  }
  hwy::SetSupportedTargetsForTest(0);
}

TEST_CASE("sincos_table equals accurate_sincos, the outside function and the bf16 table rounding, every SIMD target", "[rope-emulator]") {
  // Angles inside and outside accurate_sincos's range (|x| < 2^31), NaN and infinities, in place (x = cos_out)
  // and not, with and without the RN_bfloat16(RN_binary32(.)) table rounding.
  std::mt19937_64 rng(12);
  std::uniform_real_distribution<double> exponent(-30.0, 33.0);
  std::vector<double> x(1003);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = (i % 3 ? -1 : 1) * std::exp2(exponent(rng));
  x[1] = std::numeric_limits<double>::quiet_NaN();
  x[17] = std::numeric_limits<double>::infinity();
  x[18] = 0x1p31;
  x[19] = -0x1p31;
  x[20] = 0x1p31 - 256;
  const auto outside = [](double a) { return SinCos{a * 0.5, -a}; };  // any function: the table must call it
  const auto same = [](double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); };
  for (const bool to_bfloat16 : {false, true}) {
    for (const bool in_place : {false, true}) {
      ropelab::testing::for_each_simd_target([&](const std::string&) {
        std::vector<double> s(x.size()), c = in_place ? x : std::vector<double>(x.size());
        sincos_table(in_place ? c.data() : x.data(), s.data(), c.data(), x.size(), outside, to_bfloat16);
        int differing = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
          SinCos e = std::abs(x[i]) < kAccurateSincosMaxAngle ? accurate_sincos(x[i]) : outside(x[i]);
          if (to_bfloat16) e = {bf16_table_value(e.sin), bf16_table_value(e.cos)};
          differing += !same(s[i], e.sin) || !same(c[i], e.cos);
        }
        INFO("to_bfloat16 " << to_bfloat16 << ", in place " << in_place);
        CHECK(differing == 0);
      });
    }
  }
}

TEST_CASE("sincos_table's filtered bf16 path equals the accurate path near bf16 midpoints, every SIMD target",
          "[rope-emulator]") {
  // The bf16 table is decided from a binary32 evaluation wherever its error bound keeps RN_binary32(sin) away from
  // a bf16 midpoint, else recomputed; either way it must equal RN_bfloat16(RN_binary32(accurate_sincos(x))).
  // Adversarial angles: fp32 angles whose accurate sin or cos lies within 48 binary32 steps of a bf16 midpoint
  // (ties included), in runs and scattered among ordinary angles; tiny angles around the filter's 2^-100 floor;
  // the fp32 angles nearest to multiples of π/2 (sin r tiny); and a stack's table m·θ at long context.
  const auto from_midpoint = [](double v) {
    const auto low = static_cast<std::int32_t>(std::bit_cast<std::uint32_t>(static_cast<float>(v)) & 0xffffu);
    return std::abs(low - 0x8000);
  };
  std::mt19937_64 rng(13);
  std::uniform_real_distribution<float> angle(-3e7f, 3e7f);
  std::vector<double> near;
  int ties = 0;
  while (near.size() < 4096) {
    const double x = angle(rng);
    const SinCos r = accurate_sincos(x);
    const int distance = std::min(from_midpoint(r.sin), from_midpoint(r.cos));
    if (distance <= 48) near.push_back(x);
    ties += distance == 0;
  }
  std::vector<double> x(near.begin(), near.begin() + 2048);  // a run of undecided-looking angles
  for (std::size_t i = 2048; i < near.size(); ++i) {         // then scattered among ordinary fp32 angles
    x.push_back(near[i]);
    for (int j = 0; j < 13; ++j) x.push_back(angle(rng));
  }
  for (const double e : {-140.0, -110.0, -101.0, -100.0, -99.0, -60.0, -30.0, -8.0}) {
    for (const double sign : {1.0, -1.0}) x.push_back(sign * std::exp2(e));
  }
  x.push_back(0.0);
  x.push_back(-0.0);
  for (int k = 1; k < 4000; ++k) {  // the binary32 neighbours of k π/2: |r| down to ~1e-9
    const float nearest = static_cast<float>(k * (std::numbers::pi / 2));
    for (const float v : {std::nextafter(nearest, 0.0f), nearest, std::nextafter(nearest, 1e9f)}) x.push_back(v);
  }
  const float omega = 1.0f / std::pow(500000.0f, 40.0f / 128.0f);  // pair 20 of d = 128, base 5e5, fp32
  for (std::int64_t m = (1 << 24) - 50000; m < (1 << 24); ++m) x.push_back(static_cast<float>(m) * omega);
  ropelab::testing::for_each_simd_target([&](const std::string&) {
    std::vector<double> s(x.size()), c(x.size());
    sincos_table(x.data(), s.data(), c.data(), x.size(), accurate_sincos, true);
    int differing = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const SinCos e = accurate_sincos(x[i]);
      differing += std::bit_cast<std::uint64_t>(s[i]) != std::bit_cast<std::uint64_t>(bf16_table_value(e.sin)) ||
                   std::bit_cast<std::uint64_t>(c[i]) != std::bit_cast<std::uint64_t>(bf16_table_value(e.cos));
    }
    CHECK(differing == 0);
  });
  UNSCOPED_INFO(ties << " exact bf16 ties among the near-midpoint angles");
}

TEST_CASE("sincos_table's bf16 filter decides most of a long-context table, every vector target", "[rope-emulator]") {
  // An hf-eager-style table: fp32 angles RN(RN(m) ω) for d = 128, base 5e5, positions near 2^16 and 2^24. The
  // filter's bound leaves about 1 angle result in 800 undecided, so a few percent of the angles (whole groups of
  // 2 vectors) are recomputed; far more would mean the filter is too loose to pay (the table stays bit-exact either
  // way: the tests above).
  std::vector<double> x;
  for (int n = 0; n < 64; ++n) {
    const float omega = 1.0f / std::pow(500000.0f, static_cast<float>(2 * n) / 128.0f);
    for (const std::int64_t m0 : {std::int64_t{1} << 16, (std::int64_t{1} << 24) - 4096}) {
      for (std::int64_t m = m0; m < m0 + 4096; ++m) x.push_back(static_cast<float>(m) * omega);
    }
  }
  ropelab::testing::for_each_simd_target([&](const std::string& target) {
    std::vector<double> s(x.size()), c(x.size());
    const std::size_t recomputed = sincos_table(x.data(), s.data(), c.data(), x.size(), accurate_sincos, true);
    const double fraction = static_cast<double>(recomputed) / static_cast<double>(x.size());
    UNSCOPED_INFO(target << ": " << recomputed << " of " << x.size() << " angles recomputed (" << fraction << ")");
    if (target == "SCALAR") {
      CHECK(recomputed == 0);  // no filter on the scalar target: every angle takes the accurate path directly
    } else {
      CHECK(recomputed > 0);
      CHECK(fraction < 0.08);
    }
  });
}
