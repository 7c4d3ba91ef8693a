// Throughput of the attention statistics, on 2 threads, real (wall) time for every benchmark (the work runs on
// an OpenMP team; the main thread's CPU time would undercount it). d = 128, base 500000, Gaussian q, k
// (rho 0.5). Each benchmark's label says what one iteration does; items are positions.
//  - ExactInversions: the exact position-inversion count between halves [0, M/2) vs [M/2, M) from q, k:
//    fast scores with their radius, sort, count, exact recomputation of undecided positions (filtered exact
//    evaluation, stats::FilteredScores). Counter `recomputed`: positions recomputed exactly. Target: M = 2^20
//    <= 0.15 s, linear in M.
//  - ExactAliasingBf16: the exact bf16 position-aliasing count over [0, M) from q, k, filtered likewise.
//  - CountInversions / CountAliasingBf16: sort + count only, on scores precomputed outside the timing through
//    the llama.cpp-cpu preset (what a pipeline's count costs after its scores).
//  - Scores_Exact: the exact path's S(m) per position (rope::fast_reference_rotation per pair), for scale.
//  - Scores_HfEagerBf16: S(m) through the hf-eager-bf16 pipeline (target at 2^24: <= 2 s).
// Usage: stats_bench [--target=AVX2|SSE4|...] [Google Benchmark flags]
#include <benchmark/benchmark.h>

#include "bench_context.hpp"

#include <cstdint>
#include <string>

#include "ropelab/round.hpp"
#include "ropelab/rope/recipe.hpp"
#include "ropelab/stats/empirical.hpp"
#include "ropelab/stats/filtered.hpp"
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

struct Product {
  stats::VectorSet q, k;
  explicit Product(std::uint64_t seed)
      : q(stats::gaussian_query(1, 128, 1.0, seed)), k(stats::gaussian_key(q, 0.5, 1.0, seed, 1)) {}
  stats::QueryKey operator()() const { return {q.head(0), k.head(0)}; }
};

void finish(benchmark::State& state, std::int64_t positions, const std::string& label) {
  state.SetItemsProcessed(state.iterations() * positions);
  state.counters["threads"] = kThreads;
  state.SetLabel(label);
}

void BM_ExactInversions(benchmark::State& state) {
  const std::int64_t m = state.range(0);
  const Product product(1);
  std::uint64_t recomputed = 0;
  for (auto _ : state) {
    stats::FilteredScores scores({llama3_style_spec(), std::nullopt, 0}, product(), 0, m, {.threads = kThreads});
    stats::InversionCount c = scores.count_inversions({0, m / 2}, {m / 2, m});
    benchmark::DoNotOptimize(c);
    recomputed = scores.recomputed();
  }
  state.counters["recomputed"] = static_cast<double>(recomputed);
  finish(state, m, "exact halves inversion count from q,k: fast scores+radius, sort, count, exact recompute");
}

void BM_ExactAliasingBf16(benchmark::State& state) {
  const std::int64_t m = state.range(0);
  const Product product(1);
  std::uint64_t recomputed = 0;
  for (auto _ : state) {
    stats::FilteredScores scores({llama3_style_spec(), std::nullopt, 0}, product(), 0, m, {.threads = kThreads});
    stats::AliasingCount c = scores.count_aliasing_rounded({0, m}, formats::bfloat16());
    benchmark::DoNotOptimize(c);
    recomputed = scores.recomputed();
  }
  state.counters["recomputed"] = static_cast<double>(recomputed);
  finish(state, m, "exact bf16 aliasing count from q,k: fast scores+radius, rounding, sort, runs, exact recompute");
}

const std::vector<double>& pipeline_scores() {
  static const std::vector<double> scores = [] {
    const Product product(2);
    const stats::ScoreSource source{llama3_style_spec(), rope::preset("llama.cpp-cpu"), 0};
    return stats::compute_scores(source, product(), 0, std::int64_t{1} << 20, {.threads = kThreads});
  }();
  return scores;
}

void BM_CountInversions(benchmark::State& state) {
  const auto m = static_cast<std::size_t>(state.range(0));
  const std::span<const double> s = std::span(pipeline_scores()).first(m);
  for (auto _ : state) {
    stats::InversionCount c = stats::count_inversions(s.first(m / 2), s.subspan(m / 2));
    benchmark::DoNotOptimize(c);
  }
  finish(state, static_cast<std::int64_t>(m), "sort + count only, halves, on precomputed llama.cpp-cpu scores");
}

void BM_CountAliasingBf16(benchmark::State& state) {
  const auto m = static_cast<std::size_t>(state.range(0));
  const std::span<const double> s = std::span(pipeline_scores()).first(m);
  for (auto _ : state) {
    stats::AliasingCount c = stats::count_aliasing_rounded(s, formats::bfloat16());
    benchmark::DoNotOptimize(c);
  }
  finish(state, static_cast<std::int64_t>(m), "bf16 round + sort + runs only, on precomputed llama.cpp-cpu scores");
}

void BM_Scores_Exact(benchmark::State& state) {
  const std::int64_t positions = state.range(0);
  const Product product(1);
  const stats::ScoreSource source{llama3_style_spec(), std::nullopt, 0};
  for (auto _ : state) {
    std::vector<double> s = stats::compute_scores(source, product(), 0, positions, {.threads = kThreads});
    benchmark::DoNotOptimize(s.data());
  }
  finish(state, positions, "exact-path S(m): fast_reference_rotation per (position, pair)");
}

void BM_Scores_HfEagerBf16(benchmark::State& state) {
  const std::int64_t positions = state.range(0);
  const Product product(1);
  const stats::ScoreSource source{llama3_style_spec(), rope::preset("hf-eager-bf16"), 0};
  for (auto _ : state) {
    std::vector<double> s = stats::compute_scores(source, product(), 0, positions, {.threads = kThreads});
    benchmark::DoNotOptimize(s.data());
  }
  finish(state, positions, "S(m) through hf-eager-bf16 (table, per-op bf16 rotation, fp32 dot, bf16 result)");
}

constexpr std::int64_t k2p20 = std::int64_t{1} << 20;

}  // namespace

BENCHMARK(BM_ExactInversions)->ArgName("M")->Arg(k2p20)->Arg(k2p20 << 2)->Arg(k2p20 << 4)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ExactAliasingBf16)->ArgName("M")->Arg(k2p20)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CountInversions)->ArgName("M")->Arg(k2p20)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CountAliasingBf16)->ArgName("M")->Arg(k2p20)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Scores_Exact)->ArgName("positions")->Arg(std::int64_t{1} << 14)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Scores_HfEagerBf16)->ArgName("positions")->Arg(std::int64_t{1} << 18)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Scores_HfEagerBf16)
    ->ArgName("positions")
    ->Arg(std::int64_t{1} << 24)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kSecond);

int main(int argc, char** argv) {
  apply_target_flag(argc, argv);
  benchmark::Initialize(&argc, argv);
  add_build_context();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
