// Exhaustive block-format checks where the element format is small: every element code under every scale code
// (dequantization), and every element value, midpoint and near-midpoint under every shared exponent
// (quantization), kernels on every target against the oracle.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "block_test_support.hpp"
#include "ropelab/block_oracle.hpp"
#include "simd_targets.hpp"

using namespace ropelab;

namespace {

// Blocks of `f` holding every element code in turn, once under each of the 256 scale codes.
QuantizedBlocks every_code_under_every_scale(const BlockFormat& f, std::size_t& n) {
  const auto block = static_cast<std::size_t>(f.block_size);
  const std::size_t codes = std::size_t{1} << f.element_bits;
  const std::size_t blocks_per_scale = (codes + block - 1) / block;
  QuantizedBlocks q;
  for (std::uint32_t scale = 0; scale < 256; ++scale) {
    for (std::size_t b = 0; b < blocks_per_scale; ++b) {
      q.scales.push_back(scale);
      for (std::size_t i = 0; i < block; ++i) q.codes.push_back(static_cast<std::uint8_t>((b * block + i) % codes));
    }
  }
  n = q.codes.size();
  return q;
}

void check_dequantization(const BlockFormat& f, float tensor_scale) {
  std::size_t n = 0;
  QuantizedBlocks q = every_code_under_every_scale(f, n);
  q.tensor_scale = tensor_scale;
  std::vector<float> want(n);
  block_oracle_dequantize(q, f, want);
  testing::for_each_simd_target([&](const std::string& target) {
    std::vector<float> got(n);
    dequantize_blocks(q, f, got);
    CHECK(testing::count_bit_mismatches(got, want, f.name + " " + target) == 0);
  });
}

// Every finite element value v of the grid, the midpoints to its neighbour and the binary32 neighbours of each
// midpoint, with both signs, scaled by 2^s; one anchor per block fixes the block's shared exponent at s.
std::vector<float> probes_at_scale(const BlockFormat& f, int s) {
  const auto grid = static_cast<std::size_t>(1) << (f.element_bits - 1);
  std::vector<double> values;
  for (std::size_t code = 0; code < grid; ++code) {
    const double v = block_oracle_element_value(f, static_cast<unsigned>(code));
    if (std::isfinite(v) && v >= 0) values.push_back(v);
  }
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  std::vector<double> probes;
  for (std::size_t i = 0; i < values.size(); ++i) {
    probes.push_back(values[i]);
    const double next = i + 1 < values.size() ? values[i + 1] : 2 * values[i];  // beyond max: saturation
    probes.push_back((values[i] + next) / 2);
    probes.push_back(values[i] + (next - values[i]) / 4);
  }
  const double anchor = values.back();  // max finite: floor(log2) = emax
  std::vector<float> x;
  const auto add = [&](double v) {
    const double scaled = std::ldexp(v, s);
    const auto f32 = static_cast<float>(scaled);
    if (static_cast<double>(f32) != scaled) return;  // probes finer than binary32 at this scale are skipped
    for (const float p : {f32, std::nextafter(f32, INFINITY), std::nextafter(f32, 0.0f)}) {
      if (x.size() % 32 == 0) x.push_back(static_cast<float>(std::ldexp(anchor, s)));
      x.push_back(p);
      if (x.size() % 32 == 0) x.push_back(static_cast<float>(std::ldexp(anchor, s)));
      x.push_back(-p);
    }
  };
  for (const double p : probes) add(p);
  while (x.size() % 32 != 0) x.push_back(0.0f);
  return x;
}

void check_quantization_at_every_scale(const BlockFormat& f) {
  const int emax = static_cast<int>(f.element.emax);
  std::vector<float> x;
  // Shared exponents whose anchor max_finite * 2^s is a normal binary32 value, plus clamped ones far below.
  for (int s = -126 - emax; s <= 126 - emax; ++s) {
    const std::vector<float> part = probes_at_scale(f, s);
    x.insert(x.end(), part.begin(), part.end());
  }
  for (const BlockFormat& variant : {f, parse_block_format(f.name + ":rounding=sr")}) {
    INFO("format " << variant.name << " on " << x.size() << " probes");
    const BlockOptions options{.seed = 11, .first_index = 0, .threads = 2};
    QuantizedBlocks want;
    block_oracle_quantize(x, variant, want, options);
    testing::for_each_simd_target([&](const std::string& target) {
      QuantizedBlocks got;
      quantize_blocks(x, variant, got, options);
      CHECK(testing::count_mismatches(got.codes, want.codes, variant.name + " " + target + " codes") == 0);
      CHECK(testing::count_mismatches(got.scales, want.scales, variant.name + " " + target + " scales") == 0);
    });
  }
}

}  // namespace

TEST_CASE("block exhaustive: every MX element code under every E8M0 scale dequantizes as the oracle", "[block]") {
  for (const char* name : {"mxfp4", "mxfp6_e2m3", "mxfp6_e3m2", "mxfp8_e4m3", "mxfp8_e5m2", "mxint8", "mxfp4_ggml"}) {
    check_dequantization(parse_block_format(name), 1.0f);
  }
}

TEST_CASE("block exhaustive: every e2m1 code under every e4m3 block scale (NVFP4) dequantizes as the oracle", "[block]") {
  for (const float tensor_scale : {1.0f, 2688.0f / 3.7f, 1.0f / 1024}) {
    check_dequantization(parse_block_format("nvfp4"), tensor_scale);
  }
}

TEST_CASE("block exhaustive: every element value and midpoint at every shared exponent quantizes as the oracle",
          "[block]") {
  for (const char* name : {"mxfp4", "mxfp6_e2m3", "mxfp6_e3m2", "mxfp8_e4m3", "mxfp8_e5m2", "mxint8"}) {
    check_quantization_at_every_scale(parse_block_format(name));
  }
}
