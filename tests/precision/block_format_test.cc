// Block formats as data: the named list, bits per element from the layouts' definitions, parsing and the errors that
// name their field; plus hand-worked NVFP4, FP8 and q8_0 blocks.
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "block_test_support.hpp"
#include "ropelab/block_oracle.hpp"
#include "simd_targets.hpp"

using namespace ropelab;
using Catch::Matchers::ContainsSubstring;

TEST_CASE("block formats: the named list and bits per element", "[block][format]") {
  std::vector<std::string> names;
  for (const BlockFormat& f : block_formats::named()) names.push_back(f.name);
  CHECK(names == std::vector<std::string>{"mxfp8_e4m3", "mxfp8_e5m2", "mxfp6_e3m2", "mxfp6_e2m3", "mxfp4", "mxint8",
                                          "nvfp4", "q8_0", "q8_0_avx2", "q4_0", "q4_1", "q5_0", "q5_1", "mxfp4_ggml",
                                          "fp8_e4m3_per_tensor", "fp8_e4m3_per_head", "fp8_e4m3_per_token",
                                          "fp8_e4m3_dynamic"});
  // ggml-common.h block sizes: q8_0 34 bytes, q4_0 18, q4_1 20, q5_0 22, q5_1 24, mxfp4 17, per 32 elements.
  const auto bits = [](const char* name, long row) { return bits_per_element(parse_block_format(name), row); };
  CHECK(bits("q8_0", 128) == 34 * 8 / 32.0);
  CHECK(bits("q4_0", 128) == 18 * 8 / 32.0);
  CHECK(bits("q4_1", 128) == 20 * 8 / 32.0);
  CHECK(bits("q5_0", 128) == 22 * 8 / 32.0);
  CHECK(bits("q5_1", 128) == 24 * 8 / 32.0);
  CHECK(bits("mxfp4_ggml", 128) == 17 * 8 / 32.0);
  // OCP MX: k = 32 elements + one 8-bit E8M0; NVFP4: 16 x 4 bits + one 8-bit e4m3 (tensor scale not counted).
  CHECK(bits("mxfp8_e4m3", 128) == 8.25);
  CHECK(bits("mxfp6_e2m3", 128) == 6.25);
  CHECK(bits("mxfp4", 128) == 4.25);
  CHECK(bits("mxint8", 128) == 8.25);
  CHECK(bits("nvfp4", 128) == 4.5);
  // A per-token fp32 scale spread over the row.
  CHECK(bits("fp8_e4m3_per_token", 128) == 8.25);
  CHECK(bits("fp8_e4m3_per_token", 64) == 8.5);
}

TEST_CASE("block formats: parsing names and overrides", "[block][format]") {
  CHECK(parse_block_format("Q4_0").block_size == 32);
  CHECK(parse_block_format("q4_0:block=64").block_size == 64);
  CHECK(parse_block_format("mxfp8_e4m3:block=row").block_size == 0);
  CHECK(parse_block_format("mxfp4:rounding=sr").rounding == RoundingMode::stochastic);
  const BlockFormat trt = parse_block_format("fp8_e4m3_per_tensor:scale=0.05:apply=reciprocal");
  CHECK(trt.rule == ScaleRule::static_reciprocal);
  CHECK(trt.static_scale == 0.05);
  CHECK(trt.name == "fp8_e4m3_per_tensor:scale=0.05:apply=reciprocal");
  CHECK(parse_block_format("nvfp4:scale=0.5").static_scale == 0.5);
  CHECK(parse_block_format("nvfp4:scale=dynamic").static_scale == 0);
  CHECK(is_block_format_name("q8_0:block=64"));
  CHECK_FALSE(is_block_format_name("bf16"));
}

TEST_CASE("block formats: errors name the field and what is allowed", "[block][format]") {
  const auto error = [](const char* text) {
    try {
      parse_block_format(text);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(error("q4_7"), ContainsSubstring("unknown block format 'q4_7'") && ContainsSubstring("q8_0"));
  CHECK_THAT(error("q4_0:block=0"), ContainsSubstring("field 'block'"));
  CHECK_THAT(error("q4_0:block=x"), ContainsSubstring("field 'block'"));
  CHECK_THAT(error("q4_0:rounding=sr"), ContainsSubstring("field 'rounding'") && ContainsSubstring("allowed: rne"));
  CHECK_THAT(error("mxfp4:rounding=rz"), ContainsSubstring("field 'rounding'"));
  CHECK_THAT(error("mxfp4:scale=2"), ContainsSubstring("field 'scale'"));
  CHECK_THAT(error("fp8_e4m3_per_tensor:scale=-1"), ContainsSubstring("field 'scale'"));
  CHECK_THAT(error("mxfp4:apply=divide"), ContainsSubstring("field 'apply'"));
  CHECK_THAT(error("mxfp4:foo=1"), ContainsSubstring("field 'foo'"));
  CHECK_THAT(error("mxfp4:block"), ContainsSubstring("not KEY=VALUE"));
  try {
    require_block_divides(parse_block_format("q4_0"), 80, "head_dim");
    FAIL("no error");
  } catch (const std::invalid_argument& e) {
    CHECK_THAT(e.what(), ContainsSubstring("field 'block'") && ContainsSubstring("head_dim = 80"));
  }
  CHECK_THROWS_WITH(block_count(parse_block_format("mxfp4"), 48), ContainsSubstring("field 'block'"));
}

TEST_CASE("block formats: hand-worked NVFP4, FP8 and q8_0 blocks", "[block][format]") {
  struct Case {
    const char* format;
    std::vector<float> x;
    std::vector<std::uint8_t> codes;
    std::vector<std::uint32_t> scales;
    std::vector<float> values;
  };
  const std::vector<Case> cases = {
      // NVFP4, tensor decode scale 1: sf = e4m3(1 * (6 * fl(1/6))) = 1.0 (code 0x38); x / 1 on the e2m1 grid.
      {"nvfp4:scale=1", {6, 3, 1.5f, -0.5f, 0.3f}, {7, 5, 3, 9, 1}, {0x38}, {6, 3, 1.5f, -0.5f, 0.5f}},
      // vLLM static k_scale 0.5: 100 / 0.5 = 200 ties between 192 (mantissa 4, even) and 208 -> 192 (0x74), stored
      // 192 * 0.5 = 96.
      {"fp8_e4m3_per_tensor:scale=0.5", {100}, {0x74}, {0x3F000000}, {96}},
      // q8_0 with amax 127: d = 1 (fp16 0x3C00); roundf(2.5) = 3 (ties away) in the reference ...
      {"q8_0", {127, 2.5f, -2.5f, 0.5f}, {127, 3, 253, 1}, {0x3C00}, {127, 3, -3, 1}},
      // ... and ties to even in the AVX2 path (llama.cpp's K cache on x86).
      {"q8_0_avx2", {127, 2.5f, -2.5f, 0.5f}, {127, 2, 254, 0}, {0x3C00}, {127, 2, -2, 0}},
  };
  for (const Case& c : cases) {
    const BlockFormat f = parse_block_format(c.format);
    const std::size_t n = f.block_size > 0 ? static_cast<std::size_t>(f.block_size) : c.x.size();
    std::vector<float> x = c.x;
    x.resize(n, 0.0f);
    std::vector<std::uint8_t> codes = c.codes;
    codes.resize(n, 0);
    std::vector<float> values = c.values;
    values.resize(n, 0.0f);
    INFO(c.format);
    QuantizedBlocks oracle;
    block_oracle_quantize(x, f, oracle);
    CHECK(oracle.codes == codes);
    CHECK(oracle.scales == c.scales);
    testing::for_each_simd_target([&](const std::string& target) {
      QuantizedBlocks got;
      quantize_blocks(x, f, got);
      CHECK(testing::count_mismatches(got.codes, codes, target) == 0);
      CHECK(got.scales == c.scales);
      std::vector<float> y = x;
      quantize_dequantize(y, f);
      CHECK(testing::count_bit_mismatches(y, values, target) == 0);
    });
  }
}
