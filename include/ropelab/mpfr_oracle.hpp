// The MPFR oracle: scalar, slow, obviously correct rounding to any Format. Ground truth for every test.
// It shares no code with the SIMD kernels: it finds the quantum 2^Q of the target binade with MPFR,
// rounds x / 2^Q to an integer with mpfr_rint in the requested mode, and applies the overflow policy.
#pragma once

#include <cstdint>

#include "ropelab/format.hpp"
#include "ropelab/rounding_mode.hpp"

namespace ropelab {

// The two representable neighbours of a finite x (lower <= |x| <= upper in magnitude, same sign as x) and
// the exact stochastic-rounding probability of choosing `away` (the larger magnitude).
struct OracleNeighbours {
  double toward_zero_value;  // may exceed max_finite: overflow is not applied here
  double away_value;         // == toward_zero_value when x is representable
  double probability_away;   // (|x| - |toward|) / (|away| - |toward|), exact in binary64
  bool exact;
};

// x rounded to `format` in a deterministic mode, then stored in binary64 (values beyond binary64's range
// become +-Inf). Special values and overflow as documented in round.hpp. Requires format.fits_binary64() or
// an mpfr:P format. `mode` must not be stochastic.
double mpfr_oracle_round(double x, const Format& format, RoundingMode mode);
// Same, but the result stored in binary32 (exact: the result is representable or beyond binary32's range).
float mpfr_oracle_round_to_binary32(float x, const Format& format, RoundingMode mode);

// Neighbours of a finite x in `format` (ignoring overflow).
OracleNeighbours mpfr_oracle_neighbours(double x, const Format& format);

// The stochastic-rounding result for random word r, as the contract in rounding_mode.hpp defines it:
// away iff r < floor(probability_away * 2^32); then special values and overflow as for nearest_even.
double mpfr_oracle_round_stochastic(double x, const Format& format, std::uint32_t r);

}  // namespace ropelab
