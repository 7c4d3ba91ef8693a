// Per-call constants of the rounding kernels, derived once from a Format (not per element, not per target).
#pragma once

#include <cstdint>
#include <span>
#include <type_traits>

#include "ropelab/format.hpp"
#include "ropelab/rounding_mode.hpp"

namespace ropelab::detail {

// Bit layout of the storage type.
template <typename T>
struct StorageTraits;

template <>
struct StorageTraits<float> {
  using Bits = std::uint32_t;
  using SignedBits = std::int32_t;
  static constexpr int kMantissaBits = 23;
  static constexpr int kBias = 127;
  static constexpr int kMinExponent = -126;  // emin of binary32
  static constexpr Bits kSignBit = 0x80000000u;
  static constexpr Bits kInfBits = 0x7F800000u;
  static constexpr Bits kQuietBit = 0x00400000u;
};

template <>
struct StorageTraits<double> {
  using Bits = std::uint64_t;
  using SignedBits = std::int64_t;
  static constexpr int kMantissaBits = 52;
  static constexpr int kBias = 1023;
  static constexpr int kMinExponent = -1022;
  static constexpr Bits kSignBit = 0x8000000000000000ull;
  static constexpr Bits kInfBits = 0x7FF0000000000000ull;
  static constexpr Bits kQuietBit = 0x0008000000000000ull;
};

template <typename T>
struct RoundParams {
  using Bits = typename StorageTraits<T>::Bits;
  using SignedBits = typename StorageTraits<T>::SignedBits;
  SignedBits emin;             // target emin (IEEE convention, 2^emin = smallest normal)
  SignedBits precision_minus_1;
  bool subnormals;
  bool needs_true_exponent;    // target emin below the storage's: subnormal inputs need their real exponent
  Bits max_magnitude_bits;     // |result| bits above this overflow (kInfBits: cannot overflow in storage)
  Bits overflow_positive;      // full bit patterns of the overflow results
  Bits overflow_negative;
  Bits infinity_positive;      // what +-Inf inputs become
  Bits infinity_negative;
  // Fast path for vectors whose lanes are all finite and at least `normal_range_bits` (2^max(emin, storage
  // emin)): there the target drops a fixed number of low bits, normal_range_drop in [1, mantissa bits - 1];
  // 0 disables the fast path (the target is at least as precise as the storage).
  int normal_range_drop;
  Bits normal_range_bits;
  // Round to nearest even to a format with the storage's exponent range, subnormals, IEEE Inf/NaN and overflow
  // to Inf (bfloat16, tf32 from binary32): then every input, subnormals, zeros, Inf and overflow included,
  // rounds by the normal-range addition on its whole bit pattern (NaN aside), and the kernel takes no
  // per-vector range check.
  bool whole_range_nearest_even;
};

// Throws std::invalid_argument if `format` cannot be kept in storage type T (see round.hpp).
template <typename T>
RoundParams<T> make_round_params(const Format& format, RoundingMode mode);

// round_in_place for binary64 with parameters prepared once (no validation or threads per call): the SIMD
// kernel itself, for callers that round many short arrays to one format (NearestEvenRounder).
void round_prepared(std::span<double> values, const RoundParams<double>& params, RoundingMode mode);

}  // namespace ropelab::detail
