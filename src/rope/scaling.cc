// Exact inverse frequencies ω_i after scaling: HF modeling_rope_utils formulas (real-stacks.md §1.3)
// evaluated in MPFR at 256 bits, so every fp32/fp64 pipeline can be compared against the same truth.
#include <mpfr.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "ropelab/rope/rope_spec.hpp"

namespace ropelab::rope {
namespace {

constexpr mpfr_prec_t kBits = 256;

// RAII mpfr_t at kBits.
class Big {
 public:
  Big() { mpfr_init2(v_, kBits); }
  explicit Big(double x) : Big() { mpfr_set_d(v_, x, MPFR_RNDN); }
  Big(const Big& other) : Big() { mpfr_set(v_, other.v_, MPFR_RNDN); }
  Big& operator=(const Big& other) {
    mpfr_set(v_, other.v_, MPFR_RNDN);
    return *this;
  }
  ~Big() { mpfr_clear(v_); }
  mpfr_ptr get() { return v_; }
  mpfr_srcptr get() const { return v_; }

 private:
  mpfr_t v_;
};

Big mul(const Big& a, const Big& b) { Big r; mpfr_mul(r.get(), a.get(), b.get(), MPFR_RNDN); return r; }
Big div(const Big& a, const Big& b) { Big r; mpfr_div(r.get(), a.get(), b.get(), MPFR_RNDN); return r; }
Big add(const Big& a, const Big& b) { Big r; mpfr_add(r.get(), a.get(), b.get(), MPFR_RNDN); return r; }
Big sub(const Big& a, const Big& b) { Big r; mpfr_sub(r.get(), a.get(), b.get(), MPFR_RNDN); return r; }
Big log_of(const Big& a) { Big r; mpfr_log(r.get(), a.get(), MPFR_RNDN); return r; }
Big pow_of(const Big& a, const Big& b) { Big r; mpfr_pow(r.get(), a.get(), b.get(), MPFR_RNDN); return r; }
Big two_pi() { Big r; mpfr_const_pi(r.get(), MPFR_RNDN); mpfr_mul_2ui(r.get(), r.get(), 1, MPFR_RNDN); return r; }
int cmp(const Big& a, const Big& b) { return mpfr_cmp(a.get(), b.get()); }

// hi = RN(x), lo = RN(x − hi): the double-double nearest x (to ~2^-106 relative).
DoubleDouble split(const Big& x) {
  const double hi = mpfr_get_d(x.get(), MPFR_RNDN);
  const Big rest = sub(x, Big(hi));
  return {hi, mpfr_get_d(rest.get(), MPFR_RNDN)};
}

// ω_i = base^(−2i/d) for i = 0..d/2−1 (HF default init, exact). HF: 1/(base^(arange(0,d,2)/d)).
std::vector<Big> unscaled_omegas(const Big& base, int d) {
  std::vector<Big> omegas(static_cast<std::size_t>(d / 2));
  for (int i = 0; i < d / 2; ++i) {
    Big exponent(static_cast<double>(-2 * i));
    mpfr_div_si(exponent.get(), exponent.get(), d, MPFR_RNDN);
    omegas[static_cast<std::size_t>(i)] = pow_of(base, exponent);
  }
  return omegas;
}

// dynamic NTK: L = max(context_length, L_orig); base' = base·((f·L/L_orig) − (f−1))^(d/(d−2)).
std::vector<Big> dynamic_ntk(const RopeSpec& spec, const scaling::DynamicNtk& s, long context_length) {
  const long seq_len = std::max(context_length, s.original_max_positions);
  const Big f(s.factor);
  const Big ratio = div(Big(static_cast<double>(seq_len)), Big(static_cast<double>(s.original_max_positions)));
  const Big inner = sub(mul(f, ratio), sub(f, Big(1.0)));
  const Big exponent = div(Big(static_cast<double>(spec.rotary_dims)), Big(static_cast<double>(spec.rotary_dims - 2)));
  const Big scaled_base = mul(Big(spec.base), pow_of(inner, exponent));
  return unscaled_omegas(scaled_base, spec.rotary_dims);
}

// YaRN correction dim: d·ln(L_orig/(2π·n)) / (2·ln base).
Big yarn_correction_dim(const RopeSpec& spec, const scaling::Yarn& s, double rotations) {
  const Big numerator =
      log_of(div(Big(static_cast<double>(s.original_max_positions)), mul(two_pi(), Big(rotations))));
  const Big denominator = mul(Big(2.0), log_of(Big(spec.base)));
  return div(mul(Big(static_cast<double>(spec.rotary_dims)), numerator), denominator);
}

// YaRN: low/high from β_fast/β_slow (floor/ceil when truncate), clamped to [0, d−1]; ramp_j =
// clamp((j−low)/(high−low), 0, 1); ω = (ω_i/f)·ramp + ω_i·(1−ramp) (HF: inter·(1−mask) + extrap·mask).
std::vector<Big> yarn(const RopeSpec& spec, const scaling::Yarn& s) {
  Big low = yarn_correction_dim(spec, s, s.beta_fast);
  Big high = yarn_correction_dim(spec, s, s.beta_slow);
  if (s.truncate) {
    mpfr_floor(low.get(), low.get());
    mpfr_ceil(high.get(), high.get());
  }
  const Big zero(0.0), top(static_cast<double>(spec.rotary_dims - 1));
  if (cmp(low, zero) < 0) low = zero;
  if (cmp(high, top) > 0) high = top;
  if (cmp(low, high) == 0) high = add(high, Big(0.001));  // HF: avoid a zero-width ramp
  const Big width = sub(high, low);
  std::vector<Big> omegas = unscaled_omegas(Big(spec.base), spec.rotary_dims);
  const Big f(s.factor), one(1.0);
  for (std::size_t j = 0; j < omegas.size(); ++j) {
    Big ramp = div(sub(Big(static_cast<double>(j)), low), width);
    if (cmp(ramp, zero) < 0) ramp = zero;
    if (cmp(ramp, one) > 0) ramp = one;
    const Big interpolated = div(omegas[j], f);
    omegas[j] = add(mul(interpolated, ramp), mul(omegas[j], sub(one, ramp)));
  }
  return omegas;
}

// llama3: wavelen = 2π/ω; wavelen < L_orig/high_ff → ω; wavelen > L_orig/low_ff → ω/f; otherwise
// smooth = (L_orig/wavelen − low_ff)/(high_ff − low_ff) and ω' = (1−smooth)·ω/f + smooth·ω.
std::vector<Big> llama3(const RopeSpec& spec, const scaling::Llama3& s) {
  std::vector<Big> omegas = unscaled_omegas(Big(spec.base), spec.rotary_dims);
  const Big old_context(static_cast<double>(s.original_max_positions));
  const Big low_ff(s.low_freq_factor), high_ff(s.high_freq_factor), f(s.factor), one(1.0);
  const Big low_freq_wavelen = div(old_context, low_ff);
  const Big high_freq_wavelen = div(old_context, high_ff);
  for (Big& omega : omegas) {
    const Big wavelen = div(two_pi(), omega);
    if (cmp(wavelen, high_freq_wavelen) < 0) continue;
    if (cmp(wavelen, low_freq_wavelen) > 0) {
      omega = div(omega, f);
      continue;
    }
    const Big smooth = div(sub(div(old_context, wavelen), low_ff), sub(high_ff, low_ff));
    omega = add(mul(sub(one, smooth), div(omega, f)), mul(smooth, omega));
  }
  return omegas;
}

// longrope: ext = long_factor if context_length > L_orig else short_factor; ω = 1/(ext_i·base^(2i/d)).
std::vector<Big> longrope(const RopeSpec& spec, const scaling::LongRope& s, long context_length) {
  const std::vector<double>& ext = context_length > s.original_max_positions ? s.long_factor : s.short_factor;
  std::vector<Big> omegas = unscaled_omegas(Big(spec.base), spec.rotary_dims);
  for (std::size_t i = 0; i < omegas.size(); ++i) omegas[i] = div(omegas[i], Big(ext[i]));
  return omegas;
}

// The exact reference's domain (exact_reference.hpp) for positions [0, context_length): ω_i normal and
// RN((L − 1)·ω_i) < 2^60. Outside it the fast reduction would throw from inside a parallel measurement.
void require_reference_domain(const RopeSpec& spec, const std::vector<DoubleDouble>& omegas, long context_length) {
  const std::string source = scaling_name(spec) == "default" ? std::string("rope_theta")
                                                              : "rope_scaling (" + scaling_name(spec) + ")";
  const double last_position = static_cast<double>(std::max(context_length, 1L) - 1);
  for (std::size_t i = 0; i < omegas.size(); ++i) {
    const double omega = omegas[i].hi;
    std::ostringstream problem;
    problem.precision(17);
    if (!(omega >= std::numeric_limits<double>::min() && std::isfinite(omega))) {
      problem << "is not a normal binary64 number (>= 2^-1022)";
    } else if (!(last_position * omega < 0x1p60)) {
      problem << "times the last position " << last_position << " is not < 2^60";
    } else {
      continue;
    }
    std::ostringstream message;
    message.precision(17);
    message << "RopeSpec: " << source << " gives pair " << i << " the inverse frequency " << omega << ", which "
            << problem.str() << " (the exact reference's range; check the scaling factors and rope_theta)";
    throw std::invalid_argument(message.str());
  }
}

}  // namespace

std::vector<DoubleDouble> reference_inverse_frequencies(const RopeSpec& spec, long context_length) {
  validate(spec);
  std::vector<Big> omegas;
  if (const auto* s = std::get_if<scaling::Linear>(&spec.scaling)) {
    omegas = unscaled_omegas(Big(spec.base), spec.rotary_dims);
    for (Big& omega : omegas) omega = div(omega, Big(s->factor));
  } else if (const auto* s = std::get_if<scaling::DynamicNtk>(&spec.scaling)) {
    omegas = dynamic_ntk(spec, *s, context_length);
  } else if (const auto* s = std::get_if<scaling::Yarn>(&spec.scaling)) {
    omegas = yarn(spec, *s);
  } else if (const auto* s = std::get_if<scaling::Llama3>(&spec.scaling)) {
    omegas = llama3(spec, *s);
  } else if (const auto* s = std::get_if<scaling::LongRope>(&spec.scaling)) {
    omegas = longrope(spec, *s, context_length);
  } else {
    omegas = unscaled_omegas(Big(spec.base), spec.rotary_dims);
  }
  std::vector<DoubleDouble> result;
  result.reserve(omegas.size());
  for (const Big& omega : omegas) result.push_back(split(omega));
  require_reference_domain(spec, result, context_length);
  return result;
}

}  // namespace ropelab::rope
