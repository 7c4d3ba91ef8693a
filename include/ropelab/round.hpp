// Array rounding and 16-bit packing: the precision core's SIMD entry points (Highway, dynamic dispatch).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ropelab/format.hpp"
#include "ropelab/rounding_mode.hpp"

namespace ropelab {

// Options shared by every array entry point.
struct RoundOptions {
  RoundingMode mode = RoundingMode::nearest_even;
  std::uint64_t seed = 0;         // stochastic rounding only
  std::uint64_t first_index = 0;  // global index of element 0 (the RNG counter), for streaming in chunks
  int threads = 1;                // 0: all hardware threads. Results are identical for any value.
};

// Rounds each binary32 value to `format` in place; the rounded value stays in binary32 storage.
// Formats: any validated Format. Modes: all. Special values: NaN stays NaN (quieted); +-Inf stays +-Inf in
// formats with Inf, else becomes +-max_finite (saturate) or NaN (to_nan); a rounded magnitude beyond
// max_finite follows format.overflow (see OverflowPolicy); a value beyond binary32's range becomes +-Inf.
// Exact: bit-identical to mpfr_oracle_round on every compiled target (tests/precision/round_exhaustive_test.cc).
void round_in_place(std::span<float> values, const Format& format, const RoundOptions& options = {});
// Same contract for binary64 storage.
void round_in_place(std::span<double> values, const Format& format, const RoundOptions& options = {});

// Scalar convenience wrapper over the array kernel (index = options.first_index).
double round_value(double value, const Format& format, const RoundOptions& options = {});

// Rounds binary32 values to bfloat16 / binary16 and stores the 16-bit encodings (out.size() == in.size()).
// Rounding as round_in_place; NaN keeps its sign and top payload bits and is quiet.
void pack_bf16(std::span<const float> in, std::span<std::uint16_t> out, const RoundOptions& options = {});
void pack_f16(std::span<const float> in, std::span<std::uint16_t> out, const RoundOptions& options = {});
// Exact widening of 16-bit encodings to binary32 (NaN payloads kept).
void unpack_bf16(std::span<const std::uint16_t> in, std::span<float> out);
void unpack_f16(std::span<const std::uint16_t> in, std::span<float> out);

// Fills out[i] = counter_random_u32(seed, first_index + i) with the SIMD generator (for tests and tools).
void fill_counter_random(std::span<std::uint32_t> out, std::uint64_t seed, std::uint64_t first_index);

// Name of the Highway target the dispatcher currently selects (e.g. "AVX2").
std::string active_simd_target();
// Every Highway target compiled into this binary that the CPU supports, best first.
std::vector<std::int64_t> supported_simd_targets();
std::string simd_target_name(std::int64_t target);

}  // namespace ropelab
