// Throughput of the block quantization kernels beside memcpy of the same traffic (the memory roofline).
// Bytes/s counts bytes read plus bytes written: quantize reads 4 B and writes one code byte per element (plus the
// scale codes), dequantize the reverse, quantize_dequantize (the key-cache stage) reads and writes 4 B in place. The
// memcpy rows move the same number of bytes (half read, half written).
// Usage: block_bench [--target=AVX2|SSE4|...] [Google Benchmark flags]
#include <benchmark/benchmark.h>

#include "bench_context.hpp"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <hwy/targets.h>

#include "ropelab/block_quant.hpp"
#include "ropelab/round.hpp"

using namespace ropelab;

namespace {

constexpr std::int64_t kInCache = std::int64_t{1} << 16;
constexpr std::int64_t kDram = std::int64_t{1} << 24;  // 16 Mi values

std::vector<float> normal_values(std::size_t n) {
  std::mt19937 rng(1);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = normal(rng);
  return v;
}

// Bytes of one element's traffic in each direction, scale codes included.
double scale_bytes_per_element(const BlockFormat& f) {
  return f.block_size > 0 ? (scale_bits(f.scale_format) + f.offset_bits) / 8.0 / f.block_size : 0.0;
}

void set_counters(benchmark::State& state, std::size_t n, double bytes_per_element) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
  state.SetBytesProcessed(static_cast<std::int64_t>(static_cast<double>(state.iterations() * n) * bytes_per_element));
}

// memcpy moving `bytes_per_element` (read + write) per element: range(2) is the traffic in eighths of a byte.
void BM_Memcpy(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const double traffic = static_cast<double>(state.range(1)) / 8.0;
  const auto bytes = static_cast<std::size_t>(static_cast<double>(n) * traffic / 2);
  std::vector<unsigned char> src(bytes, 1), dst(bytes);
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), bytes);
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, n, traffic);
}

void BM_Quantize(benchmark::State& state, const char* name) {
  const BlockFormat f = parse_block_format(name);
  const auto n = static_cast<std::size_t>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  const std::vector<float> values = normal_values(n);
  QuantizedBlocks q;
  quantize_blocks(values, f, q, {.threads = threads});  // allocate once
  for (auto _ : state) {
    quantize_blocks(values, f, q, {.threads = threads});
    benchmark::DoNotOptimize(q.codes.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, n, 4 + 1 + scale_bytes_per_element(f));
  state.SetLabel(active_simd_target());
}

void BM_Dequantize(benchmark::State& state, const char* name) {
  const BlockFormat f = parse_block_format(name);
  const auto n = static_cast<std::size_t>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  QuantizedBlocks q;
  quantize_blocks(normal_values(n), f, q);
  std::vector<float> out(n);
  for (auto _ : state) {
    dequantize_blocks(q, f, out, {.threads = threads});
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, n, 1 + scale_bytes_per_element(f) + 4);
  state.SetLabel(active_simd_target());
}

void BM_QuantizeDequantize(benchmark::State& state, const char* name) {
  const BlockFormat f = parse_block_format(name);
  const auto n = static_cast<std::size_t>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  const std::vector<float> original = normal_values(n);
  std::vector<float> values = original;
  for (auto _ : state) {
    state.PauseTiming();
    std::memcpy(values.data(), original.data(), n * sizeof(float));  // quantize fresh values every pass
    state.ResumeTiming();
    quantize_dequantize(values, f, {.threads = threads});
    benchmark::DoNotOptimize(values.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, n, 8);
  state.SetLabel(active_simd_target());
}

void sizes_and_threads(benchmark::internal::Benchmark* b) {
  b->ArgNames({"n", "threads"});
  b->Args({kInCache, 1})->Args({kDram, 1})->Args({kDram, 2});
}

void memcpy_sizes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"n", "traffic_x8"});
  for (const std::int64_t traffic : {40, 64}) b->Args({kInCache, traffic})->Args({kDram, traffic});
}

}  // namespace

BENCHMARK(BM_Memcpy)->Apply(memcpy_sizes);
#define ROPELAB_BLOCK_BENCHMARKS(format)                                                       \
  BENCHMARK_CAPTURE(BM_Quantize, format, #format)->Apply(sizes_and_threads);                   \
  BENCHMARK_CAPTURE(BM_Dequantize, format, #format)->Apply(sizes_and_threads);                 \
  BENCHMARK_CAPTURE(BM_QuantizeDequantize, format, #format)->Apply(sizes_and_threads)
ROPELAB_BLOCK_BENCHMARKS(mxfp8_e4m3);
ROPELAB_BLOCK_BENCHMARKS(mxfp4);
ROPELAB_BLOCK_BENCHMARKS(nvfp4);
ROPELAB_BLOCK_BENCHMARKS(q8_0);
ROPELAB_BLOCK_BENCHMARKS(q4_0);

int main(int argc, char** argv) {
  // --target=NAME forces dispatch to one compiled Highway target (default: the best the CPU supports).
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--target=", 0) != 0) {
      rest.push_back(argv[i]);
      continue;
    }
    bool found = false;
    for (const std::int64_t target : supported_simd_targets()) {
      if (simd_target_name(target) == arg.substr(9)) {
        hwy::SetSupportedTargetsForTest(target);
        found = true;
      }
    }
    if (!found) {
      std::fprintf(stderr, "block_bench: --target: '%s' is not a compiled target this CPU supports\n", arg.c_str() + 9);
      return 2;
    }
  }
  int rest_count = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_count, rest.data());
  add_build_context();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
