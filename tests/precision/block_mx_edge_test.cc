// OCP MX v1.0 edge cases with expectations worked out by hand from the specification (§5: E8M0 is 2^(code - 127),
// 0xFF is NaN; §6.3: X = 2^(floor(log2 amax) - emax_elem), elements rounded to nearest even and clamped), checked on
// the kernels of every target and on the oracle.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "block_test_support.hpp"
#include "ropelab/block_oracle.hpp"
#include "simd_targets.hpp"

using namespace ropelab;

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

struct Case {
  std::string format;
  std::vector<float> x;                // one or more blocks of 32 (padded with zeros)
  std::vector<std::uint32_t> scales;   // expected scale codes
  std::vector<std::uint8_t> codes;     // expected codes of the first elements (the rest: 0)
};

std::vector<float> padded(std::vector<float> x, std::size_t n) {
  x.resize(n, 0.0f);
  return x;
}

void check_case(const Case& c) {
  const BlockFormat f = parse_block_format(c.format);
  const std::vector<float> x = padded(c.x, 32 * c.scales.size());
  std::vector<std::uint8_t> codes = c.codes;
  codes.resize(x.size(), 0);
  INFO(c.format);
  QuantizedBlocks oracle;
  block_oracle_quantize(x, f, oracle);
  CHECK(oracle.scales == c.scales);
  CHECK(testing::count_mismatches(oracle.codes, codes, "oracle codes") == 0);
  testing::for_each_simd_target([&](const std::string& target) {
    QuantizedBlocks got;
    quantize_blocks(x, f, got);
    CHECK(got.scales == c.scales);
    CHECK(testing::count_mismatches(got.codes, codes, target + " codes") == 0);
  });
}

std::vector<float> dequantized(const BlockFormat& f, const QuantizedBlocks& q) {
  std::vector<float> out(q.codes.size());
  dequantize_blocks(q, f, out);
  return out;
}

}  // namespace

TEST_CASE("MX edge: e2m1 ties go to the even neighbour and values above 6 X saturate", "[block][mx]") {
  // amax 6: floor(log2 6) = 2 = emax(e2m1), so X = 1 (code 127). Codes: 0.5 -> 1, 1 -> 2, 1.5 -> 3, 2 -> 4, 3 -> 5,
  // 4 -> 6, 6 -> 7; ties 0.25 -> 0, 0.75 -> 1.0, 1.25 -> 1.0, 1.75 -> 2, 2.5 -> 2, 3.5 -> 4, 5 -> 4; -0.25 -> -0 (8).
  check_case({"mxfp4", {6, 0.25f, 0.75f, 1.25f, 1.75f, 2.5f, 3.5f, 5, -0.25f, -5, 7.9f / 8 * 6}, {127},
              {7, 0, 2, 2, 4, 4, 6, 6, 8, 14, 7}});
  // amax 7.9: still X = 1; 7.9 saturates to 6.
  check_case({"mxfp4", {7.9f, -7.9f}, {127}, {7, 15}});
}

TEST_CASE("MX edge: e4m3 subnormal elements", "[block][mx]") {
  // amax 300: floor(log2) = 8 = emax(e4m3), X = 1. 2^-9 is the smallest subnormal (code 1); 3 * 2^-10 ties between
  // 2^-9 (odd) and 2^-8 (code 2, even); 2^-10 ties between 0 and 2^-9 -> 0; 7 * 2^-9 is the largest subnormal (7).
  check_case({"mxfp8_e4m3", {300, 0x1p-9f, 3 * 0x1p-10f, 0x1p-10f, 7 * 0x1p-9f, -0x1p-9f}, {127},
              {0x79, 1, 2, 0, 7, 0x81}});  // 300 -> 288 = 1.125 * 2^8: exponent field 8 + 7 = 15, mantissa 1
}

TEST_CASE("MX edge: NaN or Inf in a block gives the NaN scale; neighbours are unaffected", "[block][mx]") {
  for (const char* name : {"mxfp8_e4m3", "mxfp4", "mxint8"}) {
    const BlockFormat f = parse_block_format(name);
    std::vector<float> x(96, 1.0f);
    x[5] = kNaN;
    x[32 + 31] = -kInf;
    QuantizedBlocks q;
    quantize_blocks(x, f, q);
    CHECK(q.scales[0] == 0xFF);
    CHECK(q.scales[1] == 0xFF);
    CHECK(q.scales[2] != 0xFF);
    const std::vector<float> y = dequantized(f, q);
    for (std::size_t i = 0; i < 64; ++i) CHECK(std::isnan(y[i]));
    for (std::size_t i = 64; i < 96; ++i) CHECK(y[i] == 1.0f);
  }
}

TEST_CASE("MX edge: all-zero blocks", "[block][mx]") {
  // amax 0 counts as 2^-126 (microxcaling): e4m3 -126 - 8 clamps to -127 (code 0); int8 -126 - 0 = -126 (code 1).
  // -0.0 keeps its sign in the float formats (code 0x80) and has no encoding of its own in two's complement.
  check_case({"mxfp8_e4m3", {0.0f, -0.0f}, {0}, {0, 0x80}});
  check_case({"mxint8", {0.0f, -0.0f}, {1}, {0, 0}});
  const BlockFormat f = parse_block_format("mxfp8_e4m3");
  QuantizedBlocks q;
  quantize_blocks(padded({0.0f, -0.0f}, 32), f, q);
  const std::vector<float> y = dequantized(f, q);
  CHECK(!std::signbit(y[0]));
  CHECK(std::signbit(y[1]));
}

TEST_CASE("MX edge: the largest exponent", "[block][mx]") {
  const float max = std::numeric_limits<float>::max();
  // FLT_MAX: floor(log2) = 127. e4m3: X = 2^119 (code 246); FLT_MAX / X just below 512 saturates to 448 (0x7E).
  check_case({"mxfp8_e4m3", {max, -max}, {246}, {0x7E, 0xFE}});
  // int8: X = 2^127 (code 254); FLT_MAX / X rounds to 128/64 and saturates to 127/64 (0x7F).
  check_case({"mxint8", {max, -max}, {254}, {0x7F, 0x81}});
  const BlockFormat f = parse_block_format("mxint8");
  QuantizedBlocks q;
  quantize_blocks(padded({max}, 32), f, q);
  CHECK(dequantized(f, q)[0] == std::ldexp(127.0f / 64, 127));
}

TEST_CASE("MX edge: shared exponents below -127 clamp and flush small elements", "[block][mx]") {
  // amax 2^-135: floor(log2) - 8 = -143 clamps to -127 (code 0); 2^-135 / 2^-127 = 2^-8 is the subnormal 2 * 2^-9
  // (code 2), and 2^-140 / 2^-127 = 2^-13 is below half the smallest subnormal (2^-10), so it stores 0.
  check_case({"mxfp8_e4m3", {0x1p-140f, 0x1p-135f}, {0}, {0, 2}});
  // mxint8: amax 2^-130 -> -130 clamps to -127; 2^-130 / 2^-127 = 1/8 = 8/64 (code 8).
  check_case({"mxint8", {0x1p-130f}, {0}, {8}});
}

TEST_CASE("MX edge: the E8M0 NaN scale code dequantizes every element to NaN", "[block][mx]") {
  for (const char* name : {"mxfp8_e5m2", "mxfp6_e3m2", "mxfp4", "mxint8"}) {
    const BlockFormat f = parse_block_format(name);
    QuantizedBlocks q;
    q.scales = {0xFF, 127};
    for (int i = 0; i < 64; ++i) q.codes.push_back(static_cast<std::uint8_t>(i % 4));
    const std::vector<float> y = dequantized(f, q);
    std::vector<float> want(64);
    block_oracle_dequantize(q, f, want);
    for (int i = 0; i < 32; ++i) CHECK(std::isnan(y[i]));
    CHECK(testing::count_bit_mismatches(y, want, name) == 0);
  }
}
