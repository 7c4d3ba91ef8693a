// libFuzzer target: format strings → Format (parse_format), then the parsed format's derived quantities and
// one rounding per mode.
// Contract (format.hpp): any bytes give a format that passes validate(), or throw std::invalid_argument.
#include <cmath>
#include <limits>
#include <stdexcept>

#include "fuzz_check.hpp"
#include "ropelab/format.hpp"
#include "ropelab/round.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ropelab;
  Format f;
  try {
    f = parse_format(fuzz::as_text(data, size));
  } catch (const std::invalid_argument&) {
    return 0;
  }
  validate(f);  // a throw here escapes: a parsed format must be valid
  fuzz::require(f.precision >= 1, "p >= 1");
  static_cast<void>(f.unit_roundoff() + f.machine_epsilon() + f.min_normal() + f.min_subnormal() +
                    f.max_exact_integer());
  const double max = f.max_finite();
  for (RoundingMode mode : {RoundingMode::nearest_even, RoundingMode::toward_zero, RoundingMode::upward,
                            RoundingMode::downward, RoundingMode::stochastic}) {
    for (double x : {1.0, -0.1, 1.5 * max, std::numeric_limits<double>::denorm_min()}) {
      const double y = round_value(x, f, RoundOptions{.mode = mode});
      fuzz::require(std::isnan(y) || std::fabs(y) <= max || std::isinf(y), "a rounded value is within max finite");
    }
  }
  return 0;
}
