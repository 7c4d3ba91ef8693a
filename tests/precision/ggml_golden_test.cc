// Real ggml quantization, reproduced bit for bit: tests/data/conformance/ggml-quant holds the blocks ggml's own
// quantize_row_*_ref / AVX2 quantize_row_q8_0 wrote and the floats its dequantize_row_* returned (ggml d99724f2,
// see the folder's README). The kernels (every SIMD target) and the scalar oracle must both give 0 mismatching bytes.
#include <bit>
#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "block_test_support.hpp"
#include "npy_file.hpp"
#include "ropelab/block_oracle.hpp"
#include "ropelab/ggml_blocks.hpp"
#include "simd_targets.hpp"

using namespace ropelab;

namespace {

const std::filesystem::path kData =
    std::filesystem::path(__FILE__).parent_path().parent_path() / "data" / "conformance" / "ggml-quant";

std::vector<float> input_set(const std::string& set) {
  const auto bits = testing::read_npy<std::uint32_t>((kData / "inputs" / (set + ".npy")).string(), "<u4");
  std::vector<float> x(bits.size());
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::bit_cast<float>(bits[i]);
  return x;
}

std::vector<float> floats(const std::filesystem::path& path) {
  const auto bits = testing::read_npy<std::uint32_t>(path.string(), "<u4");
  std::vector<float> x(bits.size());
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::bit_cast<float>(bits[i]);
  return x;
}

// Mismatching bytes of packed blocks; reports the first few blocks.
std::size_t byte_mismatches(const std::vector<std::uint8_t>& got, const std::vector<std::uint8_t>& want,
                            std::size_t block_bytes, const std::string& what) {
  REQUIRE(got.size() == want.size());
  std::size_t mismatches = 0, blocks_reported = 0;
  for (std::size_t b = 0; b < got.size() / block_bytes; ++b) {
    std::size_t in_block = 0;
    for (std::size_t i = b * block_bytes; i < (b + 1) * block_bytes; ++i) in_block += got[i] != want[i];
    if (in_block > 0 && ++blocks_reported <= 5) UNSCOPED_INFO(what << ": block " << b << " differs in " << in_block << " bytes");
    mismatches += in_block;
  }
  return mismatches;
}

struct Golden {
  std::string type;         // folder
  std::string format;       // ropelab block format
  std::string path;         // "ref" or "cpy"
};

void check_quantization(const Golden& g, const std::string& set) {
  const BlockFormat f = parse_block_format(g.format);
  const std::vector<float> x = input_set(set);
  const auto want = testing::read_npy<std::uint8_t>((kData / g.type / (set + ".q_" + g.path + ".npy")).string(), "|u1");
  const std::size_t block_bytes = ggml_block_bytes(f);
  INFO(g.type << " " << set << " q_" << g.path << " as " << g.format);
  QuantizedBlocks oracle;
  block_oracle_quantize(x, f, oracle);
  CHECK(byte_mismatches(ggml_pack(oracle, f), want, block_bytes, "oracle") == 0);
  testing::for_each_simd_target([&](const std::string& target) {
    QuantizedBlocks got;
    quantize_blocks(x, f, got, {.threads = 2});
    CHECK(byte_mismatches(ggml_pack(got, f), want, block_bytes, target) == 0);
  });
}

void check_dequantization(const Golden& g, const std::string& set) {
  const BlockFormat f = parse_block_format(g.format);
  const auto bytes = testing::read_npy<std::uint8_t>((kData / g.type / (set + ".q_" + g.path + ".npy")).string(), "|u1");
  const std::vector<float> want = floats(kData / g.type / (set + ".deq_" + g.path + ".npy"));
  INFO(g.type << " " << set << " deq_" << g.path << " as " << g.format);
  const QuantizedBlocks blocks = ggml_unpack(bytes, f);
  CHECK(ggml_pack(blocks, f) == bytes);  // the layout round-trips
  std::vector<float> oracle(want.size());
  block_oracle_dequantize(blocks, f, oracle);
  CHECK(testing::count_bit_mismatches(oracle, want, "oracle") == 0);
  testing::for_each_simd_target([&](const std::string& target) {
    std::vector<float> got(want.size());
    dequantize_blocks(blocks, f, got);
    CHECK(testing::count_bit_mismatches(got, want, target) == 0);
  });
}

const std::vector<Golden>& goldens() {
  static const std::vector<Golden> all = {{"q8_0", "q8_0", "ref"},       {"q8_0", "q8_0_avx2", "cpy"},
                                          {"q4_0", "q4_0", "ref"},       {"q4_1", "q4_1", "ref"},
                                          {"q5_0", "q5_0", "ref"},       {"q5_1", "q5_1", "ref"},
                                          {"mxfp4", "mxfp4_ggml", "ref"}};
  return all;
}

}  // namespace

TEST_CASE("ggml goldens: quantized blocks equal ggml's bytes (edge and random sets)", "[block][ggml]") {
  for (const Golden& g : goldens()) {
    for (const char* set : {"edge", "normal_seed1"}) check_quantization(g, set);
  }
}

TEST_CASE("ggml goldens: dequantized values equal ggml's to_float bits", "[block][ggml]") {
  for (const Golden& g : goldens()) check_dequantization(g, "edge");
  check_dequantization({"q8_0", "q8_0", "ref"}, "normal_seed1");
  check_dequantization({"q4_0", "q4_0", "ref"}, "normal_seed1");
}

TEST_CASE("ggml goldens: the reference and AVX2 q8_0 paths differ where ggml's do", "[block][ggml]") {
  // The README counts 115 edge blocks where ggml's two q8_0 paths disagree; the emulation must see the same blocks.
  const BlockFormat ref = parse_block_format("q8_0"), avx2 = parse_block_format("q8_0_avx2");
  const std::vector<float> x = input_set("edge");
  QuantizedBlocks a, b;
  quantize_blocks(x, ref, a);
  quantize_blocks(x, avx2, b);
  const auto pa = ggml_pack(a, ref), pb = ggml_pack(b, avx2);
  std::size_t differing = 0;
  for (std::size_t blk = 0; blk < pa.size() / 34; ++blk) {
    differing += !std::equal(pa.begin() + blk * 34, pa.begin() + (blk + 1) * 34, pb.begin() + blk * 34);
  }
  CHECK(differing == 115);
}
