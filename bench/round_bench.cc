// Throughput of the rounding kernels beside memcpy of the same bytes (the memory roofline).
// Bytes/s counts bytes read plus bytes written: 8 per element for in-place binary32 rounding and for the
// memcpy of the same array into a second buffer.
// Usage: round_bench [--target=AVX2|SSE4|...] [Google Benchmark flags]
#include <benchmark/benchmark.h>

#include "bench_context.hpp"

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <hwy/targets.h>

#include "ropelab/round.hpp"

using namespace ropelab;

namespace {

std::vector<float> normal_values(std::size_t n) {
  std::mt19937 rng(1);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = normal(rng);
  return v;
}

void set_counters(benchmark::State& state, std::size_t n, std::size_t bytes_per_element) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n * bytes_per_element));
}

void BM_Memcpy(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::vector<float> src = normal_values(n);
  std::vector<float> dst(n);
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), n * sizeof(float));
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, n, 2 * sizeof(float));
}

void round_benchmark(benchmark::State& state, const Format& format, RoundingMode mode) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  std::vector<float> values = normal_values(n);
  std::uint64_t index = 0;
  for (auto _ : state) {
    round_in_place(std::span<float>(values), format, {.mode = mode, .seed = 1, .first_index = index, .threads = threads});
    index += n;  // fresh random words each pass, as a training loop would use
    benchmark::DoNotOptimize(values.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, n, 2 * sizeof(float));
  state.SetLabel(active_simd_target());
}

void BM_Round_bf16_rne(benchmark::State& s) { round_benchmark(s, formats::bfloat16(), RoundingMode::nearest_even); }
void BM_Round_fp16_rne(benchmark::State& s) { round_benchmark(s, formats::binary16(), RoundingMode::nearest_even); }
void BM_Round_e4m3fn_rne(benchmark::State& s) { round_benchmark(s, formats::e4m3fn(), RoundingMode::nearest_even); }
void BM_Round_bf16_sr(benchmark::State& s) { round_benchmark(s, formats::bfloat16(), RoundingMode::stochastic); }

void BM_PackBf16(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::vector<float> in = normal_values(n);
  std::vector<std::uint16_t> out(n);
  for (auto _ : state) {
    pack_bf16(in, out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, n, sizeof(float) + sizeof(std::uint16_t));
  state.SetLabel(active_simd_target());
}

constexpr std::int64_t kInCache = std::int64_t{1} << 16;
constexpr std::int64_t kDram = std::int64_t{1} << 24;

void sizes_and_threads(benchmark::internal::Benchmark* b) {
  b->ArgNames({"n", "threads"});
  b->Args({kInCache, 1})->Args({kDram, 1})->Args({kDram, 2});
}

}  // namespace

BENCHMARK(BM_Memcpy)->ArgName("n")->Arg(kInCache)->Arg(kDram);
BENCHMARK(BM_Round_bf16_rne)->Apply(sizes_and_threads);
BENCHMARK(BM_Round_fp16_rne)->Apply(sizes_and_threads);
BENCHMARK(BM_Round_e4m3fn_rne)->Apply(sizes_and_threads);
BENCHMARK(BM_Round_bf16_sr)->Apply(sizes_and_threads);
BENCHMARK(BM_PackBf16)->ArgName("n")->Arg(kInCache)->Arg(kDram);

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
      std::fprintf(stderr, "round_bench: --target: '%s' is not a compiled target this CPU supports\n", arg.c_str() + 9);
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
