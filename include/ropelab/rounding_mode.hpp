// Rounding modes of the precision core.
#pragma once

#include <string>
#include <string_view>

namespace ropelab {

enum class RoundingMode {
  nearest_even,  // IEEE roundTiesToEven
  toward_zero,   // IEEE roundTowardZero (truncation)
  upward,        // IEEE roundTowardPositive
  downward,      // IEEE roundTowardNegative
  // Stochastic rounding: the larger-magnitude neighbour is chosen with probability equal to the distance
  // ratio (|x| - lower) / (upper - lower), truncated to a multiple of 2^-32. The random bits come from
  // counter_random_u32(seed, element index), so results never depend on threads, chunking or SIMD target.
  stochastic,
};

inline constexpr RoundingMode kDeterministicModes[] = {RoundingMode::nearest_even, RoundingMode::toward_zero,
                                                        RoundingMode::upward, RoundingMode::downward};

// Accepts: rne|nearest|nearest_even, rz|toward_zero|trunc, ru|up|upward, rd|down|downward, sr|stochastic.
// Throws std::invalid_argument listing the accepted names.
RoundingMode parse_rounding_mode(std::string_view text);
std::string_view to_string(RoundingMode mode);

}  // namespace ropelab
