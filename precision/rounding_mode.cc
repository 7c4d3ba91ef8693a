// Rounding-mode names.
#include "ropelab/rounding_mode.hpp"

#include <stdexcept>
#include <string>

namespace ropelab {

RoundingMode parse_rounding_mode(std::string_view text) {
  if (text == "rne" || text == "nearest" || text == "nearest_even") return RoundingMode::nearest_even;
  if (text == "rz" || text == "toward_zero" || text == "trunc") return RoundingMode::toward_zero;
  if (text == "ru" || text == "up" || text == "upward") return RoundingMode::upward;
  if (text == "rd" || text == "down" || text == "downward") return RoundingMode::downward;
  if (text == "sr" || text == "stochastic") return RoundingMode::stochastic;
  throw std::invalid_argument("unknown rounding mode '" + std::string(text) +
                              "'; allowed: rne (nearest_even), rz (toward_zero), ru (upward), rd (downward), "
                              "sr (stochastic)");
}

std::string_view to_string(RoundingMode mode) {
  switch (mode) {
    case RoundingMode::nearest_even: return "rne";
    case RoundingMode::toward_zero: return "rz";
    case RoundingMode::upward: return "ru";
    case RoundingMode::downward: return "rd";
    case RoundingMode::stochastic: return "sr";
  }
  return "?";
}

}  // namespace ropelab
