// Splits array work into fixed chunks run on OpenMP threads. Kernels key every element's result (and random
// word) by its global index only, so results never depend on the split or the thread count.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include <omp.h>

#include "ropelab/parallel_for.hpp"

namespace ropelab::detail {

// Elements per dispatched chunk: large enough to amortise dispatch and thread start, small enough to
// balance two cores.
inline constexpr std::size_t kChunkElements = std::size_t{1} << 16;

// Runs body(begin, end) over [0, n) in kChunkElements pieces on up to `threads` threads (0: all); an exception
// of a body is rethrown on the calling thread (ropelab/parallel_for.hpp).
template <class Body>
void for_each_chunk(std::size_t n, int threads, const Body& body) {
  const auto chunks = static_cast<std::int64_t>((n + kChunkElements - 1) / kChunkElements);
  if (chunks <= 1) {  // no OpenMP region at all: small calls stay cheap, also inside callers' parallel loops
    body(std::size_t{0}, n);
    return;
  }
  parallel_for(0, chunks, threads, Schedule::static_shares, [&](std::int64_t c) {
    const std::size_t begin = static_cast<std::size_t>(c) * kChunkElements;
    body(begin, std::min(n, begin + kChunkElements));
  });
}

}  // namespace ropelab::detail
