// Throughput and memory of the precision-wall measurement (rope::measure_wall) for the hf-eager-bf16 preset,
// base 500000, d = 128 (64 pairs), on 2 threads. Items are (position, pair) cells: each one emulates the
// pipeline's cos/sin entry, the exact reference rotation and the comparisons. Real time, since the work
// runs on an OpenMP team and CPU time of the main thread alone would undercount it.
// The 2^24-position run is done once and reports the peak resident set (VmHWM) beside wall_memory_bytes's
// estimate: the streaming design promises memory independent of the context length.
// Usage: wall_bench [--target=AVX2|SSE4|...] [Google Benchmark flags]
#include <benchmark/benchmark.h>

#include "bench_context.hpp"

#include <omp.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

#include "ropelab/round.hpp"
#include "ropelab/rope/pipeline.hpp"
#include "ropelab/rope/recipe.hpp"
#include "ropelab/rope/wall.hpp"

using namespace ropelab;

namespace {

constexpr int kThreads = 2;
constexpr double kMiB = 1024.0 * 1024.0;
constexpr const char* kWhat =
    "measure_wall: table emulation + exact reference + per-cell phase/ulp/collision/tau scan + sampled key/score errors";

// Llama-3-style RoPE: rope_theta 500000, head_dim 128, no scaling.
rope::RopeSpec llama3_style_spec() {
  rope::RopeSpec spec;
  spec.head_dim = 128;
  spec.rotary_dims = 128;
  spec.base = 500000;
  spec.max_position_embeddings = std::int64_t{1} << 24;
  return spec;
}

// A field of /proc/self/status in kB ("VmHWM", "VmRSS"); -1 where unavailable (not Linux).
long status_kib(const std::string& field) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}

// Resets VmHWM to the current RSS (Linux >= 4.0, proc(5) clear_refs "5"), so the peak belongs to the
// measurement and not to earlier benchmarks in this process.
bool reset_peak_rss() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  return static_cast<bool>(clear.flush());
}

rope::WallReport measure(const rope::Pipeline& pipeline, long positions) {
  const rope::WallOptions options{.context_length = positions, .tau = 0.1, .threads = kThreads, .seed = 0,
                                  .per_position = false, .progress = {}};
  return rope::measure_wall(pipeline, options);
}

void BM_Wall_HfEagerBf16(benchmark::State& state) {
  const long positions = static_cast<long>(state.range(0));
  const rope::Pipeline pipeline = rope::make_pipeline(llama3_style_spec(), rope::preset("hf-eager-bf16"), positions);
  for (auto _ : state) {
    rope::WallReport report = measure(pipeline, positions);
    benchmark::DoNotOptimize(report);
  }
  state.SetItemsProcessed(state.iterations() * positions * pipeline.pairs());
  state.counters["threads"] = kThreads;
  state.SetLabel(kWhat);
}

void BM_Wall_HfEagerBf16_PeakRss(benchmark::State& state) {
  const long positions = static_cast<long>(state.range(0));
  const rope::Pipeline pipeline = rope::make_pipeline(llama3_style_spec(), rope::preset("hf-eager-bf16"), positions);
  const bool reset = reset_peak_rss();
  const long rss_before = status_kib("VmRSS");
  for (auto _ : state) {
    rope::WallReport report = measure(pipeline, positions);
    benchmark::DoNotOptimize(report);
  }
  state.SetItemsProcessed(state.iterations() * positions * pipeline.pairs());
  state.counters["threads"] = kThreads;
  state.counters["rss_before_MiB"] = static_cast<double>(rss_before) / 1024.0;
  state.counters["peak_rss_MiB"] = static_cast<double>(status_kib("VmHWM")) / 1024.0;
  const rope::WallOptions options{.context_length = positions, .threads = kThreads, .progress = {}};
  state.counters["estimate_MiB"] = static_cast<double>(rope::wall_memory_bytes(pipeline, options)) / kMiB;
  state.SetLabel(reset ? kWhat : std::string(kWhat) + "; peak RSS not reset: includes earlier benchmarks");
}

}  // namespace

BENCHMARK(BM_Wall_HfEagerBf16)
    ->ArgName("positions")
    ->Arg(std::int64_t{1} << 16)
    ->Arg(std::int64_t{1} << 20)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Wall_HfEagerBf16_PeakRss)
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
