// Throughput of the attention statistics (issue 5 part 8), on 2 threads:
//  - S(m) = q^T R(m) k for 2^24 positions through the hf-eager-bf16 preset, d = 128 (target <= 5 s);
//  - exact position-inversion counting between halves for M = 2^20, d = 128 (target <= 0.5 s), on scores
//    computed once outside the timing through the llama.cpp-cpu preset (fp32 storage: few ties, like exact
//    scores; the exact path itself costs ~0.25 µs per (position, pair) rotation, measured separately below);
//  - bf16 position-aliasing counting (round + sort + runs) and the exact-path S(m) for reference.
// Items: positions. Real time (the work runs on an OpenMP team).
// Usage: stats_bench [Google Benchmark flags]
#include <benchmark/benchmark.h>

#include "bench_context.hpp"

#include <omp.h>

#include <cstdint>
#include <string>

#include "ropelab/round.hpp"
#include "ropelab/rope/recipe.hpp"
#include "ropelab/stats/empirical.hpp"
#include "ropelab/stats/scores.hpp"
#include "ropelab/stats/vectors.hpp"

using namespace ropelab;

namespace {

constexpr int kThreads = 2;

// Llama-3-style RoPE: rope_theta 500000, head_dim 128, no scaling.
rope::RopeSpec llama3_style_spec() {
  rope::RopeSpec spec;
  spec.head_dim = 128;
  spec.rotary_dims = 128;
  spec.base = 500000;
  spec.max_position_embeddings = std::int64_t{1} << 24;
  return spec;
}

void BM_Scores_HfEagerBf16(benchmark::State& state) {
  const std::int64_t positions = state.range(0);
  const stats::VectorSet q = stats::gaussian_query(1, 128, 1.0, 1);
  const stats::VectorSet k = stats::gaussian_key(q, 0.5, 1.0, 1, 1);
  const stats::ScoreSource source{llama3_style_spec(), rope::preset("hf-eager-bf16"), 0};
  const stats::ScoreOptions options{.threads = kThreads};
  for (auto _ : state) {
    std::vector<double> s = stats::compute_scores(source, {q.head(0), k.head(0)}, 0, positions, options);
    benchmark::DoNotOptimize(s.data());
  }
  state.SetItemsProcessed(state.iterations() * positions);
  state.counters["threads"] = kThreads;
}

void BM_Scores_Exact(benchmark::State& state) {
  const std::int64_t positions = state.range(0);
  const stats::VectorSet q = stats::gaussian_query(1, 128, 1.0, 1);
  const stats::VectorSet k = stats::gaussian_key(q, 0.5, 1.0, 1, 1);
  const stats::ScoreSource source{llama3_style_spec(), std::nullopt, 0};
  for (auto _ : state) {
    std::vector<double> s = stats::compute_scores(source, {q.head(0), k.head(0)}, 0, positions, {.threads = kThreads});
    benchmark::DoNotOptimize(s.data());
  }
  state.SetItemsProcessed(state.iterations() * positions);
}

const std::vector<double>& counting_scores() {
  static const std::vector<double> scores = [] {
    const stats::VectorSet q = stats::gaussian_query(1, 128, 1.0, 2);
    const stats::VectorSet k = stats::gaussian_key(q, 0.5, 1.0, 2, 1);
    const stats::ScoreSource source{llama3_style_spec(), rope::preset("llama.cpp-cpu"), 0};
    return stats::compute_scores(source, {q.head(0), k.head(0)}, 0, std::int64_t{1} << 20, {.threads = kThreads});
  }();
  return scores;
}

void BM_CountInversions_Halves(benchmark::State& state) {
  const auto m = static_cast<std::size_t>(state.range(0));
  const std::span<const double> s = std::span(counting_scores()).first(m);
  for (auto _ : state) {
    stats::InversionCount c = stats::count_inversions(s.first(m / 2), s.subspan(m / 2));
    benchmark::DoNotOptimize(c);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(m));
  state.counters["threads"] = kThreads;
}

void BM_CountAliasing_Bf16(benchmark::State& state) {
  const auto m = static_cast<std::size_t>(state.range(0));
  const std::span<const double> s = std::span(counting_scores()).first(m);
  for (auto _ : state) {
    stats::AliasingCount c = stats::count_aliasing_rounded(s, formats::bfloat16());
    benchmark::DoNotOptimize(c);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(m));
}

}  // namespace

BENCHMARK(BM_CountInversions_Halves)->ArgName("M")->Arg(std::int64_t{1} << 20)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CountAliasing_Bf16)->ArgName("M")->Arg(std::int64_t{1} << 20)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Scores_Exact)->ArgName("positions")->Arg(std::int64_t{1} << 14)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Scores_HfEagerBf16)->ArgName("positions")->Arg(std::int64_t{1} << 18)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Scores_HfEagerBf16)
    ->ArgName("positions")
    ->Arg(std::int64_t{1} << 24)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kSecond);

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  add_build_context();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
