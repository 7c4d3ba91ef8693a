// The effective base of scaled RoPE: the base whose slowest pair turns as slowly as the scaled spec's
// slowest pair (definition and justification in include/ropelab/theory/phase_bounds.hpp).
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <variant>

#include "ropelab/theory/phase_bounds.hpp"

namespace ropelab::theory {

EffectiveBase effective_base(const rope::RopeSpec& spec, long context_length) {
  const int d = spec.rotary_dims;
  if (d < 4) {
    throw std::invalid_argument("rotary_dims: " + std::to_string(d) +
                                " is not an even integer >= 4 (with 2 rotary dims theta = 1 for every base)");
  }
  // The minimum over all pairs, not the last pair: LongRoPE's per-pair factors need not be monotone.
  long double omega_min = INFINITY;
  for (const rope::DoubleDouble& w : rope::reference_inverse_frequencies(spec, context_length)) {
    omega_min = std::min(omega_min, static_cast<long double>(w.hi) + static_cast<long double>(w.lo));
  }
  EffectiveBase e;
  e.slowest_omega = static_cast<double>(omega_min);
  if (std::holds_alternative<rope::scaling::None>(spec.scaling)) {
    // Both definitions give base exactly; skip the round trip through pow so unscaled rows show rope_theta.
    e.approximate = e.exact = spec.base;
    return e;
  }
  const long double exponent = static_cast<long double>(d - 2) / d;
  const long double raw_omega_min = std::pow(static_cast<long double>(spec.base), -exponent);
  e.slowdown = static_cast<double>(raw_omega_min / omega_min);
  e.approximate = static_cast<double>(spec.base * (raw_omega_min / omega_min));
  e.exact = static_cast<double>(std::pow(omega_min, -1 / exponent));
  return e;
}

ZoneInputs zone_inputs(const rope::RopeSpec& spec, long context_length, double eps, int layers, const Format& format,
                       EpsMachConvention eps_convention, ThetaMinConvention convention) {
  return ZoneInputs{.base = effective_base(spec, context_length).in(convention),
                    .rotary_dims = spec.rotary_dims,
                    .context = static_cast<double>(context_length),
                    .eps = eps,
                    .layers = layers,
                    .format = format,
                    .eps_convention = eps_convention,
                    .convention = convention};
}

}  // namespace ropelab::theory
