// What decides a benchmark's numbers besides the CPU (which Google Benchmark records with the date):
// the SIMD target dispatch picked, the compiler, the build type and the OpenMP thread count.
#pragma once

#include <benchmark/benchmark.h>
#include <omp.h>

#include <string>

#include "ropelab/round.hpp"

inline void add_build_context() {
  benchmark::AddCustomContext("simd_target", ropelab::active_simd_target());
  benchmark::AddCustomContext("compiler", __VERSION__);
#ifdef NDEBUG
  benchmark::AddCustomContext("build", "NDEBUG (Release)");
#else
  benchmark::AddCustomContext("build", "assertions on (not Release)");
#endif
  benchmark::AddCustomContext("omp_max_threads", std::to_string(omp_get_max_threads()));
}
