// What decides a benchmark's numbers besides the CPU (which Google Benchmark records with the date):
// the SIMD target dispatch picked, the compiler, the build type and the OpenMP thread count; and the
// --target=NAME flag every benchmark program takes to force one compiled Highway target.
#pragma once

#include <benchmark/benchmark.h>
#include <hwy/targets.h>
#include <omp.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "ropelab/round.hpp"

// Removes --target=NAME from argv and forces dispatch to that compiled target (default: the best the CPU
// supports); exits with status 2 naming the flag if the CPU does not support it.
inline void apply_target_flag(int& argc, char** argv) {
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--target=", 0) != 0) {
      rest.push_back(argv[i]);
      continue;
    }
    bool found = false;
    for (const std::int64_t target : ropelab::supported_simd_targets()) {
      if (ropelab::simd_target_name(target) == arg.substr(9)) {
        hwy::SetSupportedTargetsForTest(target);
        found = true;
      }
    }
    if (!found) {
      std::fprintf(stderr, "%s: --target: '%s' is not a compiled target this CPU supports\n", argv[0], arg.c_str() + 9);
      std::exit(2);
    }
  }
  for (std::size_t i = 0; i < rest.size(); ++i) argv[i] = rest[i];
  argc = static_cast<int>(rest.size());
}

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
