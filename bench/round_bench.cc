// Throughput of the rounding kernels beside the memory roofline of the same traffic. Bytes/s counts bytes read
// plus bytes written: 8 per element for in-place binary32 rounding and for its roofline, an in-place read+write
// pass over the same array with the same thread count (InPlacePass); 6 per element for packing to bf16 and 8 for
// its roofline, a memcpy into a second buffer (Memcpy). Every benchmark reports real (wall) time, so the
// 2-thread rows count both threads' work. Input: N(0, 1) binary32 values. Labels name the dispatched target.
// Usage: round_bench [--target=AVX2|SSE4|...] [Google Benchmark flags]
#include <benchmark/benchmark.h>

#include "bench_context.hpp"

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

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
  state.SetLabel("memcpy into a second buffer, 1 thread (roofline of pack)");
}

// Reads and rewrites every element in place (XOR with a zero the compiler cannot see), on `threads` threads
// in the static shares the rounding kernels use: the traffic of an in-place kernel at no arithmetic cost.
void BM_InPlacePass(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  std::vector<std::uint32_t> bits(n);
  for (std::size_t i = 0; i < n; ++i) bits[i] = static_cast<std::uint32_t>(i);
  volatile std::uint32_t zero_source = 0;
  const std::uint32_t zero = zero_source;
  for (auto _ : state) {
#pragma omp parallel for num_threads(threads) schedule(static)
    for (std::size_t i = 0; i < n; ++i) bits[i] ^= zero;
    benchmark::DoNotOptimize(bits.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, n, 2 * sizeof(float));
  state.SetLabel("in-place read+write pass (roofline of in-place rounding)");
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
  state.SetLabel(active_simd_target() + ", in place");
}

void BM_Round_bf16_rne(benchmark::State& s) { round_benchmark(s, formats::bfloat16(), RoundingMode::nearest_even); }
void BM_Round_tf32_rne(benchmark::State& s) { round_benchmark(s, formats::tf32(), RoundingMode::nearest_even); }
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
  state.SetLabel(active_simd_target() + ", binary32 in, bf16 bits out");
}

constexpr std::int64_t kInCache = std::int64_t{1} << 16;
constexpr std::int64_t kDram = std::int64_t{1} << 24;

void sizes_and_threads(benchmark::internal::Benchmark* b) {
  b->ArgNames({"n", "threads"});
  b->Args({kInCache, 1})->Args({kDram, 1})->Args({kDram, 2})->UseRealTime();
}

}  // namespace

BENCHMARK(BM_Memcpy)->ArgName("n")->Arg(kInCache)->Arg(kDram)->UseRealTime();
BENCHMARK(BM_InPlacePass)->Apply(sizes_and_threads);
BENCHMARK(BM_Round_bf16_rne)->Apply(sizes_and_threads);
BENCHMARK(BM_Round_tf32_rne)->Apply(sizes_and_threads);
BENCHMARK(BM_Round_fp16_rne)->Apply(sizes_and_threads);
BENCHMARK(BM_Round_e4m3fn_rne)->Apply(sizes_and_threads);
BENCHMARK(BM_Round_bf16_sr)->Apply(sizes_and_threads);
BENCHMARK(BM_PackBf16)->ArgName("n")->Arg(kInCache)->Arg(kDram)->UseRealTime();

int main(int argc, char** argv) {
  apply_target_flag(argc, argv);
  benchmark::Initialize(&argc, argv);
  add_build_context();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
