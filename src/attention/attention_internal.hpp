// Pieces shared inside src/attention: rotation tables at arbitrary positions, and the
// platform exp functions (compiled with -fno-builtin so the C library is called for real).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "ropelab/rope/pipeline.hpp"

namespace ropelab::attention::detail {

// The emulated cos/sin of every requested position, [position index][pair]; runs of consecutive positions share one
// rope::emulate_rotations call. Incremental recipes run their recurrence from position 0 serially.
void emulated_table(const rope::Pipeline& pipeline, std::span<const std::int64_t> positions, std::span<double> cos,
                    std::span<double> sin);

// The queries of every head, q [head][query][d] (binary64), rounded to the input format and rotated through the
// pipeline at positions[query] (no key cache stage); the keys k [head][key][d] the same at positions[key], then the
// key cache stage. Contract of both: emulate_rotated_heads (attention.hpp); identical bits for any thread count.
std::vector<double> rotate_queries(const rope::Pipeline& pipeline, std::span<const std::int64_t> positions,
                                   std::span<const double> q, std::size_t heads);
std::vector<double> rotate_keys(const rope::Pipeline& pipeline, std::span<const std::int64_t> positions,
                                std::span<const double> k, std::size_t heads, int threads);

// Key blocks the work is split into (results never depend on it: every key is computed on its own).
inline constexpr std::size_t kKeyBlock = 1024;

// glibc expf / exp2f on a binary32 argument (src/attention/platform_exp.cc, -fno-builtin).
float libm_expf(float x);
float libm_exp2f(float x);

}  // namespace ropelab::attention::detail
