// The phase bounds on the RoPE base, the zone between them and its verdict (phase-bounds.md §1, §2, §6).
#include "ropelab/theory/phase_bounds.hpp"

#include <cmath>
#include <cstdio>
#include <numbers>
#include <stdexcept>

namespace ropelab::theory {
namespace {

std::string number(double value, int digits = 17) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.*g", digits, value);
  return buffer;
}

void require_context(double context) {
  if (!(context > 0) || !std::isfinite(context)) {
    throw std::invalid_argument("context: " + number(context) + " is not a finite number > 0");
  }
}

void require_eps(double eps) {
  // ε is a coherence threshold, not machine epsilon: ε = 0 or 1 makes the DC bound vacuous or infinite.
  if (!(eps > 0 && eps < 1)) throw std::invalid_argument("eps: " + number(eps) + " is not in (0, 1)");
}

void require_layers(int layers) {
  if (layers < 1) throw std::invalid_argument("layers: " + std::to_string(layers) + " is not an integer >= 1");
}

void require_rotary_dims(int rotary_dims) {
  // d = 2 leaves one pair with θ = base^0 = 1 whatever the base: the exact convention has no bound on base,
  // and the approximate one would bound a base that does not exist in the spectrum.
  if (rotary_dims < 4 || rotary_dims % 2 != 0) {
    throw std::invalid_argument("rotary_dims: " + std::to_string(rotary_dims) +
                                " is not an even integer >= 4 (with 2 rotary dims theta = 1 for every base)");
  }
}

void require_base(double base) {
  if (!(base > 1) || !std::isfinite(base)) {
    throw std::invalid_argument("base: " + number(base) + " is not a finite number > 1");
  }
}

// A bound X on the convention's 1/θ_min, turned into a bound on base: X, or X^(d/(d−2)) since
// θ_min = base^(−(d−2)/d).
double base_from_inverse_theta(double x, int rotary_dims, ThetaMinConvention convention) {
  if (convention == ThetaMinConvention::approximate) return x;
  return std::pow(x, static_cast<double>(rotary_dims) / (rotary_dims - 2));
}

double theta_min_of(double base, int rotary_dims, ThetaMinConvention convention) {
  if (convention == ThetaMinConvention::approximate) return 1 / base;
  return std::pow(base, -static_cast<double>(rotary_dims - 2) / rotary_dims);
}

}  // namespace

std::string_view to_string(ThetaMinConvention convention) {
  return convention == ThetaMinConvention::exact ? "exact" : "approximate";
}

std::string_view to_string(EpsMachConvention convention) {
  return convention == EpsMachConvention::unit_roundoff ? "unit-roundoff" : "ulp";
}

std::string_view to_string(Bound bound) {
  switch (bound) {
    case Bound::aliasing: return "aliasing";
    case Bound::dc_stability: return "dc-stability";
    case Bound::depth: return "depth";
    case Bound::precision_wall: return "precision-wall";
  }
  return "?";
}

double eps_mach(const Format& format, EpsMachConvention convention) {
  // ldexp, not Format's helpers: exact for every p, and 0 (wall = inf) once 2^(1−p) underflows binary64.
  const int p = format.precision;
  return std::ldexp(1.0, convention == EpsMachConvention::ulp ? 1 - p : -p);
}

double phase_budget(double eps, int layers) {
  require_eps(eps);
  require_layers(layers);
  if (layers == 1) return std::acos(eps);  // no ε^(1/N) to round: the direct form is correctly rounded-ish
  // ε^(1/N) lies within ~ln(1/ε)/N of 1, so forming it and then 1 − it cancels: compute δ = 1 − ε^(1/N)
  // with expm1 instead, and arccos(1 − δ) via the half-angle identity, which never forms 1 − δ.
  const double delta = -std::expm1(std::log(eps) / layers);
  return 2 * std::asin(std::sqrt(delta / 2));
}

double aliasing_min_base(double context, int rotary_dims, ThetaMinConvention convention) {
  require_context(context);
  require_rotary_dims(rotary_dims);
  return base_from_inverse_theta(context / (2 * std::numbers::pi), rotary_dims, convention);
}

double aliasing_horizon(double base, int rotary_dims, ThetaMinConvention convention) {
  require_base(base);
  require_rotary_dims(rotary_dims);
  return 2 * std::numbers::pi / theta_min_of(base, rotary_dims, convention);
}

double dc_min_base(double context, double eps, int rotary_dims, ThetaMinConvention convention) {
  return depth_min_base(context, eps, 1, rotary_dims, convention);
}

double depth_min_base(double context, double eps, int layers, int rotary_dims, ThetaMinConvention convention) {
  require_context(context);
  require_rotary_dims(rotary_dims);
  return base_from_inverse_theta(context / phase_budget(eps, layers), rotary_dims, convention);
}

double precision_wall(const Format& format, EpsMachConvention eps_convention, int rotary_dims,
                      ThetaMinConvention convention) {
  require_rotary_dims(rotary_dims);
  return base_from_inverse_theta(1 / eps_mach(format, eps_convention), rotary_dims, convention);
}

Zone evaluate_zone(const ZoneInputs& in) {
  require_base(in.base);
  Zone z;
  z.inputs = in;
  z.aliasing_min_base = aliasing_min_base(in.context, in.rotary_dims, in.convention);
  z.dc_min_base = dc_min_base(in.context, in.eps, in.rotary_dims, in.convention);
  z.depth_min_base = depth_min_base(in.context, in.eps, in.layers, in.rotary_dims, in.convention);
  z.precision_wall = precision_wall(in.format, in.eps_convention, in.rotary_dims, in.convention);
  z.lower = std::fmax(z.aliasing_min_base, std::fmax(z.dc_min_base, z.depth_min_base));
  z.upper = z.precision_wall;

  z.theta_min = theta_min_of(in.base, in.rotary_dims, in.convention);
  z.phase = in.context * z.theta_min;
  // Past a quarter turn cos(φ) <= 0 and cos(φ)^N (even N) would look positive again: no ε in (0, 1) holds.
  z.quarter_turn = z.phase >= std::numbers::pi / 2;
  z.max_eps_single = z.quarter_turn ? NAN : std::cos(z.phase);
  z.max_eps_depth = z.quarter_turn ? NAN : std::pow(z.max_eps_single, in.layers);

  if (!(in.context < 2 * std::numbers::pi / z.theta_min)) z.violated.push_back(Bound::aliasing);
  if (z.quarter_turn || in.base < z.dc_min_base) z.violated.push_back(Bound::dc_stability);
  if (in.layers > 1 && (z.quarter_turn || in.base < z.depth_min_base)) z.violated.push_back(Bound::depth);
  if (!(in.base < z.precision_wall)) z.violated.push_back(Bound::precision_wall);
  return z;
}

std::string verdict_text(const Zone& z) {
  if (z.feasible()) return "feasible";
  const std::string base = number(z.inputs.base, 6);
  std::string text = "infeasible:";
  // ASCII only: the text goes to terminals and CSV files as it is.
  for (std::size_t i = 0; i < z.violated.size(); ++i) {
    text += i == 0 ? " " : ", ";
    text += to_string(z.violated[i]);
    switch (z.violated[i]) {
      case Bound::aliasing:
        text += " (L*theta_min = " + number(z.phase, 6) + " >= 2 pi)";
        break;
      case Bound::dc_stability:
      case Bound::depth:
        if (z.quarter_turn) {
          text += " (L*theta_min = " + number(z.phase, 6) + " >= pi/2: cos <= 0)";
        } else {
          const double need = z.violated[i] == Bound::depth ? z.depth_min_base : z.dc_min_base;
          text += " (base " + base + " < " + number(need, 6) + ")";
        }
        break;
      case Bound::precision_wall:
        text += " (base " + base + " >= " + number(z.precision_wall, 6) + ")";
        break;
    }
  }
  return text;
}

}  // namespace ropelab::theory
