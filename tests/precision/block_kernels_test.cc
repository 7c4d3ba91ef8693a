// The block SIMD kernels against the scalar oracle: every named block format (and stochastic variants), random
// inputs with a fixed seed, on every compiled Highway target and for several thread counts.
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "block_test_support.hpp"
#include "ropelab/block_oracle.hpp"
#include "ropelab/block_quant.hpp"
#include "simd_targets.hpp"

using namespace ropelab;

namespace {

constexpr std::uint64_t kSeed = 20260101;

// Formats under test: every named one, plus stochastic rounding and non-default blocks of the rules that take them.
std::vector<BlockFormat> formats_under_test() {
  std::vector<BlockFormat> all = block_formats::named();
  for (const char* text : {"mxfp8_e4m3:rounding=sr", "mxfp4:rounding=sr", "mxint8:rounding=sr", "nvfp4:rounding=sr",
                           "nvfp4:scale=0.01", "fp8_e4m3_per_tensor:scale=0.03:rounding=sr",
                           "fp8_e4m3_per_tensor:apply=reciprocal:scale=0.07", "mxfp6_e3m2:block=row", "q4_0:block=row",
                           "q4_1:block=row", "q8_0:block=48", "mxfp4:block=8"}) {
    all.push_back(parse_block_format(text));
  }
  return all;
}

struct Expected {
  QuantizedBlocks blocks;
  std::vector<float> values;
};

Expected oracle_result(const std::vector<float>& x, const BlockFormat& f, const BlockOptions& options) {
  Expected e;
  block_oracle_quantize(x, f, e.blocks, options);
  e.values.resize(x.size());
  block_oracle_dequantize(e.blocks, f, e.values);
  return e;
}

void check_against(const Expected& want, const std::vector<float>& x, const BlockFormat& f, const BlockOptions& options,
                   const std::string& where) {
  QuantizedBlocks got;
  quantize_blocks(x, f, got, options);
  CHECK(testing::count_mismatches(got.codes, want.blocks.codes, where + " codes") == 0);
  CHECK(testing::count_mismatches(got.scales, want.blocks.scales, where + " scales") == 0);
  CHECK(testing::count_mismatches(got.offsets, want.blocks.offsets, where + " offsets") == 0);
  CHECK(testing::float_bits(got.tensor_scale) == testing::float_bits(want.blocks.tensor_scale));
  std::vector<float> decoded(x.size());
  dequantize_blocks(want.blocks, f, decoded, options);
  CHECK(testing::count_bit_mismatches(decoded, want.values, where + " dequantize") == 0);
  std::vector<float> fused = x;
  quantize_dequantize(fused, f, options);
  CHECK(testing::count_bit_mismatches(fused, want.values, where + " quantize_dequantize") == 0);
}

}  // namespace

TEST_CASE("block kernels: random inputs equal the oracle on every target", "[block]") {
  // 3 * 2^14 values: whole blocks of 16, 32 and 48; long enough for several vectors per block on every target.
  const std::vector<float> x = testing::random_block_inputs(3 << 14, kSeed);
  for (const BlockFormat& f : formats_under_test()) {
    INFO("format " << f.name << ", seed " << kSeed);
    const BlockOptions options{.seed = 7, .first_index = 3, .threads = 1};
    const Expected want = oracle_result(x, f, options);
    testing::for_each_simd_target([&](const std::string& target) { check_against(want, x, f, options, f.name + " " + target); });
  }
}

TEST_CASE("block kernels: results do not depend on the thread count", "[block]") {
  // 2^20 + 2^15 values: many chunks of whole blocks, and whole-array blocks whose statistics merge across chunks.
  const std::vector<float> x = testing::random_block_inputs((1 << 20) + (1 << 15), kSeed + 1, 10);
  for (const char* name : {"mxfp8_e4m3", "nvfp4", "q4_1", "q8_0_avx2", "fp8_e4m3_per_token", "mxfp4:rounding=sr",
                           "q4_0:block=row", "q4_1:block=row", "mxfp6_e3m2:block=row"}) {
    const BlockFormat f = parse_block_format(name);
    INFO("format " << f.name << ", seed " << kSeed + 1);
    QuantizedBlocks want;
    block_oracle_quantize(x, f, want, {.seed = 5, .first_index = 0, .threads = 1});
    for (const int threads : {1, 2, 3, 0}) {
      QuantizedBlocks got;
      quantize_blocks(x, f, got, {.seed = 5, .first_index = 0, .threads = threads});
      CHECK(testing::count_mismatches(got.codes, want.codes, "codes") == 0);
      CHECK(testing::count_mismatches(got.scales, want.scales, "scales") == 0);
      CHECK(testing::count_mismatches(got.offsets, want.offsets, "offsets") == 0);
    }
  }
}
