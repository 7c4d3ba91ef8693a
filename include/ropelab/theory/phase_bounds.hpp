// Phase bounds on the RoPE base (Liu, arXiv:2602.10959) with every convention explicit, the "Goldilocks
// zone" between them, and a feasibility verdict. Notation and conventions: shared/theory/phase-bounds.md
// (§2 conventions, §6 implementation notes); the note's §5 argues the precision wall is really a limit on
// position, not base — this file evaluates the paper's bound as stated, it does not endorse it.
//
// ε (eps) is a coherence threshold in (0, 1): the slowest channel must keep cos(L·θ_min)^N >= ε. It is
// not machine epsilon, which is ε_mach below.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ropelab/format.hpp"
#include "ropelab/rope/rope_spec.hpp"

namespace ropelab::theory {

// How the slowest inverse frequency θ_min relates to the base (phase-bounds.md §2).
enum class ThetaMinConvention {
  approximate,  // θ_min = 1/base, as the paper's formulas are written (d → ∞)
  exact,        // θ_min = base^(−(d−2)/d), the real slowest pair of d rotary dims: base^((d−2)/d) replaces base
};

// Which machine epsilon the precision wall uses (p = significand bits including the hidden bit).
enum class EpsMachConvention {
  ulp,            // ε_mach = 2^(1−p), the gap above 1 (fp32: 2^−23, wall 8388608)
  unit_roundoff,  // ε_mach = 2^(−p), half of it (fp32: 2^−24, wall 16777216)
};

std::string_view to_string(ThetaMinConvention convention);  // "approximate" / "exact"
std::string_view to_string(EpsMachConvention convention);   // "ulp" / "unit-roundoff"

// ε_mach of `format` in `convention`. Exact (a power of two); 0 when it underflows binary64 (mpfr:P, huge P).
double eps_mach(const Format& format, EpsMachConvention convention);

// arccos(ε^(1/N)), the per-layer phase budget of the depth bound, in the stable form of phase-bounds.md §6:
// δ = −expm1(ln(ε)/N) = 1 − ε^(1/N) without cancellation, then arccos(1 − δ) = 2·asin(sqrt(δ/2)).
// Relative error a few ulp for every ε in (0, 1) and N >= 1 (tests/theory/phase_bounds_test.cc, vs MPFR);
// the naive arccos(pow(ε, 1/N)) loses up to ~1e-5 for ε near 1 and large N.
// Throws std::invalid_argument unless 0 < eps < 1 and layers >= 1.
double phase_budget(double eps, int layers);

// The four bounds, each as a bound on the base, in `convention` for d = rotary_dims. With the exact
// convention a bound X on base^((d−2)/d) becomes X^(d/(d−2)) on base.
// Domain (std::invalid_argument naming the field): context > 0; 0 < eps < 1; layers >= 1;
// rotary_dims even >= 4 (with d = 2 the only pair has θ = 1 whatever the base, so no bound exists).
//   aliasing:        L < 2π·base                 → base > L/(2π)
//   DC stability:    base >= L/arccos(ε)
//   depth:           base >= L/arccos(ε^(1/N))   (N = 1 gives the DC bound)
//   precision wall:  base < 1/ε_mach             (an upper bound)
double aliasing_min_base(double context, int rotary_dims, ThetaMinConvention convention);
double dc_min_base(double context, double eps, int rotary_dims, ThetaMinConvention convention);
double depth_min_base(double context, double eps, int layers, int rotary_dims, ThetaMinConvention convention);
double precision_wall(const Format& format, EpsMachConvention eps_convention, int rotary_dims,
                      ThetaMinConvention convention);
// The aliasing horizon: the largest context the aliasing bound allows, 2π·base or 2π·base^((d−2)/d).
double aliasing_horizon(double base, int rotary_dims, ThetaMinConvention convention);

// Everything the zone needs. `base` is the base as the convention reads it: rope_theta for unscaled RoPE,
// the effective base of that convention for scaled RoPE (effective_base below).
struct ZoneInputs {
  double base = 10000;
  int rotary_dims = 128;
  double context = 4096;  // L, tokens
  double eps = 0.5;
  int layers = 1;         // N
  Format format = formats::binary32();
  EpsMachConvention eps_convention = EpsMachConvention::ulp;
  ThetaMinConvention convention = ThetaMinConvention::approximate;
};

enum class Bound { aliasing, dc_stability, depth, precision_wall };
std::string_view to_string(Bound bound);  // "aliasing", "dc-stability", "depth", "precision-wall"

struct Zone {
  ZoneInputs inputs;
  double theta_min = 0;           // 1/base or base^(−(d−2)/d)
  double phase = 0;               // φ = L·θ_min, radians
  // Largest ε the configuration satisfies (the note's ε_max): cos φ and cos(φ)^N; NaN when φ >= π/2.
  double max_eps_single = 0;
  double max_eps_depth = 0;
  double aliasing_min_base = 0;   // base must be > this
  double dc_min_base = 0;         // >= this
  double depth_min_base = 0;      // >= this (== dc_min_base when N = 1)
  double precision_wall = 0;      // base must be < this
  double lower = 0;               // the zone [lower, upper): max of the lower bounds (= depth_min_base)
  double upper = 0;               // = precision_wall
  bool quarter_turn = false;      // φ >= π/2: cos <= 0, no ε in (0, 1) can be met
  std::vector<Bound> violated;    // in the order aliasing, DC, depth (only when N > 1), wall
  [[nodiscard]] bool feasible() const { return violated.empty(); }
  [[nodiscard]] bool empty() const { return !(lower < upper); }  // no base at all satisfies every bound
};

// The bounds, the zone and the verdict. Domain as for the bounds, plus base finite > 1. φ >= π/2 is a
// verdict (infeasible, quarter_turn), not an error.
Zone evaluate_zone(const ZoneInputs& inputs);

// "feasible" or "infeasible: <bound> (<why>), ...", ASCII, e.g.
// "infeasible: dc-stability (L*theta_min = 3.2768 >= pi/2: cos <= 0), depth (...)" or
// "infeasible: depth (base 10000 < 19750.4)".
std::string verdict_text(const Zone& zone);

// ---- Scaled RoPE (effective_base.cc)
//
// The effective base of a spec at a target context, from its exact slowest inverse frequency
// ω_min = min_i ω_i (reference_inverse_frequencies, i.e. after linear/NTK/YaRN/llama3/LongRoPE scaling):
//   exact:        base_eff such that ω_min = base_eff^(−(d−2)/d), i.e. base_eff = ω_min^(−d/(d−2));
//   approximate:  base_eff = base · s with s = base^(−(d−2)/d)/ω_min, the factor by which scaling slows the
//                 slowest pair (phase-bounds.md §3 footnote: "effective base ≈ s·base", θ_min/s).
// Both give base for unscaled RoPE. The approximate one is *not* 1/ω_min: that would be the exact θ_min of
// the unscaled pair, which the approximate convention by definition replaces by 1/base. So the approximate
// convention keeps the paper's 1/base for the unscaled spectrum and applies the scaling's real effect on
// the slowest pair on top of it; the two conventions then differ by the same d-dependent factor with and
// without scaling, as they should.
struct EffectiveBase {
  double slowest_omega = 0;  // ω_min (binary64 nearest to the exact value)
  double slowdown = 1;       // s = base^(−(d−2)/d)/ω_min
  double approximate = 0;    // base · s
  double exact = 0;          // ω_min^(−d/(d−2))
  [[nodiscard]] double in(ThetaMinConvention convention) const {
    return convention == ThetaMinConvention::exact ? exact : approximate;
  }
};
// Requires rotary_dims >= 4 (std::invalid_argument otherwise) and a valid spec.
EffectiveBase effective_base(const rope::RopeSpec& spec, long context_length);

// Zone inputs for `spec` at `context_length` in `convention` (base = that convention's effective base).
ZoneInputs zone_inputs(const rope::RopeSpec& spec, long context_length, double eps, int layers, const Format& format,
                       EpsMachConvention eps_convention, ThetaMinConvention convention);

// ---- The shipped model zoo (phase_bounds_models.cc)

// "num_hidden_layers" of a config.json file, if present (a positive integer; otherwise invalid_argument
// naming the file and field). Unreadable file or bad JSON: invalid_argument naming the path.
std::optional<int> num_hidden_layers_from_config_file(const std::string& path);
// The same for a shipped model (experiments/models/<name>.json).
std::optional<int> model_num_hidden_layers(std::string_view name);

// One row of the case-study table: a model at its max_position_embeddings with its own layer count
// (1 when absent), in both conventions.
struct CaseStudyRow {
  std::string model;
  rope::RopeSpec spec;
  long context = 0;
  int layers = 1;
  EffectiveBase effective;
  Zone approximate;
  Zone exact;
};
// Every shipped model (model_names() order).
std::vector<CaseStudyRow> case_study(double eps, const Format& format, EpsMachConvention eps_convention);

}  // namespace ropelab::theory
