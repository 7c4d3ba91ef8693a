// libFuzzer target: .npy bytes → query/key vectors (stats::parse_npy).
// Contract (vectors.hpp): any bytes give heads × dim finite values, or throw std::invalid_argument.
#include <cmath>
#include <stdexcept>

#include "fuzz_check.hpp"
#include "ropelab/stats/vectors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using ropelab::fuzz::require;
  try {
    const ropelab::stats::VectorSet v = ropelab::stats::parse_npy(ropelab::fuzz::as_text(data, size), "fuzz.npy");
    require(v.heads > 0 && v.dim > 0, "heads and dim > 0");
    require(v.values.size() == static_cast<std::size_t>(v.heads) * static_cast<std::size_t>(v.dim),
            "heads × dim values");
    require(v.values.size() * 2 <= size, "no more values than the bytes can hold");
    for (double x : v.values) require(std::isfinite(x), "finite values");
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
