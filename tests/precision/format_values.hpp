// Test inputs built from a format's definition alone (no rounding code involved): every finite value,
// and probes inside every gap between neighbours.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "ropelab/format.hpp"

namespace ropelab::testing {

// All finite non-negative values of `f` in increasing order, from (p, emin, emax, subnormals, max),
// i.e. M * 2^(e - p + 1) for the significands M each binade allows. Requires f.fits_binary64().
inline std::vector<double> nonnegative_values(const Format& f) {
  std::vector<double> values{0.0};
  const std::uint64_t lowest_normal = std::uint64_t{1} << (f.precision - 1);
  if (f.subnormals) {
    for (std::uint64_t m = 1; m < lowest_normal; ++m) {
      values.push_back(std::ldexp(static_cast<double>(m), static_cast<int>(f.emin - f.precision + 1)));
    }
  }
  for (long e = f.emin; e <= f.emax; ++e) {
    const std::uint64_t top = e == f.emax ? f.max_significand : 2 * lowest_normal - 1;
    for (std::uint64_t m = lowest_normal; m <= top; ++m) {
      values.push_back(std::ldexp(static_cast<double>(m), static_cast<int>(e - f.precision + 1)));
    }
  }
  return values;
}

// Probes in storage type T: each value, 1/4, 1/2 and 3/4 of the gap to the next, and the storage
// neighbours of each midpoint (ties +- 1 ulp of T); the same beyond max_finite (the gap the next binade
// value would have, and a little further); then everything negated, plus +-0, +-Inf and a NaN.
template <typename T>
std::vector<T> gap_probes(const Format& f) {
  const std::vector<double> values = nonnegative_values(f);
  std::vector<T> probes;
  const auto add = [&probes](double x) {
    const T t = static_cast<T>(x);
    if (static_cast<double>(t) == x) probes.push_back(t);  // probes finer than T's grid are skipped
  };
  const auto add_gap = [&](double lo, double hi) {
    add(lo);
    const double gap = hi - lo;
    add(lo + gap / 4);
    add(lo + 3 * gap / 4);
    const T mid = static_cast<T>(lo + gap / 2);
    if (static_cast<double>(mid) == lo + gap / 2) {
      probes.push_back(mid);
      probes.push_back(std::nextafter(mid, std::numeric_limits<T>::infinity()));
      probes.push_back(std::nextafter(mid, T{0}));
    }
  };
  for (std::size_t i = 0; i + 1 < values.size(); ++i) add_gap(values[i], values[i + 1]);
  const double max = values.back();
  const double top_gap = std::ldexp(1.0, static_cast<int>(f.emax - f.precision + 1));
  add_gap(max, max + top_gap);
  add_gap(max + top_gap, max + 2 * top_gap);
  add(std::ldexp(max, 1));
  const std::size_t positive = probes.size();
  for (std::size_t i = 0; i < positive; ++i) probes.push_back(-probes[i]);
  probes.push_back(std::numeric_limits<T>::infinity());
  probes.push_back(-std::numeric_limits<T>::infinity());
  probes.push_back(std::numeric_limits<T>::quiet_NaN());
  probes.push_back(std::numeric_limits<T>::max());
  probes.push_back(std::numeric_limits<T>::denorm_min());
  return probes;
}

}  // namespace ropelab::testing
