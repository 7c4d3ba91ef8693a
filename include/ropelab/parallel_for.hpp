// The one way ropelab runs a loop on OpenMP threads. An exception must not leave an OpenMP region (the runtime
// calls std::terminate: SIGABRT), so every parallel loop goes through parallel_for, which catches the first
// exception a body throws, skips the iterations not yet started, and rethrows it on the calling thread after
// the team has joined. The thread count is checked against the one documented limit (threads.hpp) first.
#pragma once

#include <omp.h>

#include <atomic>
#include <cstdint>
#include <exception>

#include "ropelab/threads.hpp"

namespace ropelab {

// Iterations go to threads in equal contiguous shares (uniform work), or one at a time as threads free up.
enum class Schedule { static_shares, dynamic_single };

// Runs body(i) for i in [begin, end) on `threads` threads (0: omp_get_max_threads()), without an OpenMP region
// for a single thread or iteration. Results must not depend on which thread runs which i (each body writes
// only its own outputs). Throws std::invalid_argument for threads outside [0, max_threads]; rethrows the first
// exception of a body.
template <class Body>
void parallel_for(std::int64_t begin, std::int64_t end, int threads, Schedule schedule, const Body& body) {
  check_threads("threads", threads);
  if (end <= begin) return;
  const std::int64_t team_wanted = threads > 0 ? threads : omp_get_max_threads();
  const int team = static_cast<int>(team_wanted < end - begin ? team_wanted : end - begin);
  if (team <= 1) {
    for (std::int64_t i = begin; i < end; ++i) body(i);
    return;
  }
  std::exception_ptr failure;
  std::atomic<bool> failed{false};
  const auto run = [&](std::int64_t i) {
    if (failed.load(std::memory_order_relaxed)) return;
    try {
      body(i);
    } catch (...) {
#pragma omp critical(ropelab_parallel_for_failure)
      if (!failure) failure = std::current_exception();
      failed.store(true, std::memory_order_relaxed);
    }
  };
  if (schedule == Schedule::static_shares) {
#pragma omp parallel for num_threads(team) schedule(static)
    for (std::int64_t i = begin; i < end; ++i) run(i);
  } else {
#pragma omp parallel for num_threads(team) schedule(dynamic, 1)
    for (std::int64_t i = begin; i < end; ++i) run(i);
  }
  if (failure) std::rethrow_exception(failure);
}

}  // namespace ropelab
