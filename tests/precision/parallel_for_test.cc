// parallel_for (ropelab/parallel_for.hpp): every index runs exactly once on any team size, an exception thrown
// on a worker thread reaches the caller (instead of std::terminate from inside the OpenMP region), and thread
// counts outside [0, 1024] are refused before a team starts.
#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "ropelab/parallel_for.hpp"

using namespace ropelab;
using Catch::Matchers::ContainsSubstring;

TEST_CASE("parallel_for runs every index exactly once", "[parallel]") {
  for (const Schedule schedule : {Schedule::static_shares, Schedule::dynamic_single}) {
    for (const int threads : {0, 1, 2, 7}) {
      std::vector<std::atomic<int>> runs(1000);
      parallel_for(0, 1000, threads, schedule, [&](std::int64_t i) { ++runs[static_cast<std::size_t>(i)]; });
      int wrong = 0;
      for (const std::atomic<int>& r : runs) wrong += r.load() != 1;
      CHECK(wrong == 0);
    }
  }
  int calls = 0;
  parallel_for(5, 5, 2, Schedule::static_shares, [&](std::int64_t) { ++calls; });
  CHECK(calls == 0);
}

TEST_CASE("parallel_for rethrows a worker's exception on the calling thread", "[parallel]") {
  for (const Schedule schedule : {Schedule::static_shares, Schedule::dynamic_single}) {
    CHECK_THROWS_WITH(parallel_for(0, 64, 4, schedule,
                                   [](std::int64_t i) {
                                     if (i == 37) throw std::out_of_range("index 37");
                                   }),
                      "index 37");
  }
  // Every worker throws: one exception arrives, the process survives.
  CHECK_THROWS_AS(parallel_for(0, 64, 4, Schedule::dynamic_single, [](std::int64_t) { throw std::runtime_error("all"); }),
                  std::runtime_error);
}

TEST_CASE("parallel_for refuses thread counts outside [0, 1024] before any work", "[parallel]") {
  int calls = 0;
  for (const int threads : {-1, 1025, 100000}) {
    CHECK_THROWS_WITH(parallel_for(0, 10, threads, Schedule::static_shares, [&](std::int64_t) { ++calls; }),
                      ContainsSubstring("[0, 1024]"));
  }
  CHECK(calls == 0);
  CHECK_NOTHROW(check_threads("--threads", 1024));
}
