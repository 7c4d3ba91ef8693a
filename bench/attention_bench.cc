// One decode step of attention: a query per head over 131072 cached keys x 32 heads x head_dim 128, through the
// flash-attention-2-bf16 recipe (fp32 scores, online softmax in 128-key blocks with exp2 and the log2(e) fold, bf16
// P, fp32 PV) AND its exact reference (compensated binary64 scores of the same cached values, long double softmax,
// TwoSum PV), both on 2 threads (heads split over the team), wall time. Target: <= 1 s per step.
//  - DecodeFa2Bf16: attention::emulate_and_exact_cached per head on a bf16 cache (2 bytes a value, as a real one);
//    4 distinct head caches are cycled over the 32 heads so the working set (4 x 64 MiB) stays far outside every
//    CPU cache while fitting a shared machine. Items: key x head x dim elements of K plus of V; bytes: the bf16 K/V
//    bytes streamed (2 GiB a step).
//  - MemcpyKV: memcpy of the same bf16 K/V bytes per step (4 caches cycled likewise), 2 threads: the bandwidth
//    floor this step is compared against.
// RoPE is not in the timed step (a decode step reads the already-rotated K cache): see ropelab attention for the
// absolute-position path. Usage: attention_bench [--target=AVX2|SSE4|...] [Google Benchmark flags]
#include <benchmark/benchmark.h>

#include "bench_context.hpp"

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "ropelab/attention/attention_recipe.hpp"
#include "ropelab/attention/kv_cache.hpp"
#include "ropelab/parallel_for.hpp"
#include "ropelab/round.hpp"

using namespace ropelab;

namespace {

constexpr int kThreads = 2;
constexpr std::size_t kKeys = 131072, kHeads = 32, kDim = 128, kDistinctCaches = 4;

// bf16 values in [-2, 2) from the counter RNG (deterministic in seed).
std::vector<double> bf16_values(std::size_t count, std::uint64_t seed) {
  std::vector<std::uint32_t> bits(count);
  fill_counter_random(bits, seed, 0);
  std::vector<double> v(count);
  for (std::size_t i = 0; i < count; ++i) v[i] = static_cast<double>(bits[i]) * 0x1p-30 - 2.0;
  round_in_place(std::span<double>(v), formats::bfloat16());
  return v;
}

struct Step {
  std::vector<std::unique_ptr<attention::KeyValueCache>> caches;
  std::vector<std::vector<double>> queries;
  Step() {
    for (std::size_t c = 0; c < kDistinctCaches; ++c) {
      const std::vector<double> k = bf16_values(kKeys * kDim, 100 + c), v = bf16_values(kKeys * kDim, 200 + c);
      caches.push_back(std::make_unique<attention::KeyValueCache>(k, v, kKeys, kDim));
    }
    for (std::size_t h = 0; h < kHeads; ++h) {
      std::vector<double> q = bf16_values(kDim, 300 + h);
      for (double& x : q) x *= 0.25;  // logits of a few units, as in trained models
      queries.push_back(q);
    }
  }
  [[nodiscard]] std::size_t cache_bytes() const { return caches[0]->key_bytes() + caches[0]->value_bytes(); }
};

const Step& step() {
  static const Step s;
  return s;
}

void BM_DecodeFa2Bf16(benchmark::State& state) {
  const Step& s = step();
  const attention::AttentionRecipe& recipe = attention::attention_preset("flash-attention-2-bf16");
  double sink = 0;
  for (auto _ : state) {
    std::vector<double> first(kHeads);
    parallel_for(0, kHeads, kThreads, Schedule::dynamic_single, [&](std::int64_t h) {
      const auto rows = attention::emulate_and_exact_cached(recipe, formats::bfloat16(), s.queries[static_cast<std::size_t>(h)],
                                                            *s.caches[static_cast<std::size_t>(h) % kDistinctCaches], 1);
      first[static_cast<std::size_t>(h)] = rows.first.output[0] - rows.second.output[0];
    });
    sink += first[0];
  }
  benchmark::DoNotOptimize(sink);
  const auto elements = static_cast<std::int64_t>(2 * kKeys * kHeads * kDim);
  state.SetItemsProcessed(state.iterations() * elements);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(s.cache_bytes() * kHeads));
  state.counters["threads"] = kThreads;
  state.SetLabel("fa2-bf16 emulated + exact, 131072 keys x 32 heads x d 128, bf16 K/V cache");
}

void BM_MemcpyKV(benchmark::State& state) {
  const Step& s = step();
  const std::size_t floats = kKeys * kDim;
  std::vector<float> destination(2 * floats * kThreads);
  for (auto _ : state) {
    parallel_for(0, kHeads, kThreads, Schedule::static_shares, [&](std::int64_t h) {
      const attention::KeyValueCache& c = *s.caches[static_cast<std::size_t>(h) % kDistinctCaches];
      float* out = destination.data() + static_cast<std::size_t>(omp_get_thread_num()) * 2 * floats;
      std::memcpy(out, c.key_data(), c.key_bytes());
      std::memcpy(reinterpret_cast<char*>(out) + c.key_bytes(), c.value_data(), c.value_bytes());
    });
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(2 * kKeys * kHeads * kDim));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(s.cache_bytes() * kHeads));
  state.counters["threads"] = kThreads;
  state.SetLabel("memcpy of the same bf16 K/V bytes");
}

}  // namespace

BENCHMARK(BM_DecodeFa2Bf16)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_MemcpyKV)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(3);

int main(int argc, char** argv) {
  apply_target_flag(argc, argv);
  benchmark::Initialize(&argc, argv);
  add_build_context();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
