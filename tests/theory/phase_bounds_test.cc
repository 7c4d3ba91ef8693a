// Phase bounds on the RoPE base: the reference constants and tables of shared/theory/phase-bounds.md
// (§2 multipliers, §3 case study, §6 30-digit constants, mpmath-derived), the stable depth formula against
// MPFR, effective bases of scaled RoPE against closed forms, verdicts over the shipped zoo and domain errors.
#include <algorithm>
#include <cmath>
#include <limits>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <string>
#include <vector>

#include <mpfr.h>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "ropelab/theory/phase_bounds.hpp"

using namespace ropelab;
using namespace ropelab::theory;
using Catch::Matchers::ContainsSubstring;

namespace {

constexpr auto approx = ThetaMinConvention::approximate;
constexpr auto exact = ThetaMinConvention::exact;

double relative_error(double got, double want) { return std::fabs(got - want) / std::fabs(want); }

// A value as printed in the note, e.g. "0.917" or "19,750": |got - printed| <= half a unit of the last digit.
void check_printed(double got, double printed, double last_digit_unit) {
  INFO("got " << got << ", printed " << printed);
  CHECK(std::fabs(got - printed) <= last_digit_unit / 2);
}

// arccos(ε^(1/N)) at 200 bits, ε the binary64 value given (exactly), rounded to binary64. The oracle for
// the stable depth formula: MPFR's own pow/acos, no cancellation workaround.
double mpfr_phase_budget(double eps, int layers) {
  mpfr_t e, r;
  mpfr_inits2(200, e, r, static_cast<mpfr_ptr>(nullptr));
  mpfr_set_d(e, eps, MPFR_RNDN);
  mpfr_rootn_ui(r, e, static_cast<unsigned long>(layers), MPFR_RNDN);
  mpfr_acos(r, r, MPFR_RNDN);
  const double result = mpfr_get_d(r, MPFR_RNDN);
  mpfr_clears(e, r, static_cast<mpfr_ptr>(nullptr));
  return result;
}

ZoneInputs inputs(double base, double context, int layers, ThetaMinConvention convention, double eps = 0.5,
                  int rotary_dims = 128) {
  return ZoneInputs{.base = base, .rotary_dims = rotary_dims, .context = context, .eps = eps, .layers = layers,
                    .format = formats::binary32(), .eps_convention = EpsMachConvention::ulp, .convention = convention};
}

bool violates(const Zone& z, Bound b) { return std::find(z.violated.begin(), z.violated.end(), b) != z.violated.end(); }

rope::RopeSpec unscaled(rope::RopeSpec spec) {
  spec.scaling = rope::scaling::None{};
  return spec;
}

Zone zone_of(const rope::RopeSpec& spec, long context, int layers, ThetaMinConvention convention) {
  return evaluate_zone(zone_inputs(spec, context, 0.5, layers, formats::binary32(), EpsMachConvention::ulp, convention));
}

}  // namespace

TEST_CASE("reference constants of phase-bounds.md §6 to 1e-12", "[bounds]") {
  // Aliasing horizons 2π·1e4 and 2π·1e4^(126/128).
  CHECK(relative_error(aliasing_horizon(1e4, 128, approx), 62831.85307179586476925287) <= 1e-12);
  CHECK(relative_error(aliasing_horizon(1e4, 128, exact), 54410.14313077674974440434) <= 1e-12);
  CHECK(relative_error(aliasing_min_base(62831.85307179586476925287, 128, approx), 1e4) <= 1e-12);

  struct Depth {
    double eps;
    int layers;
    double budget, base_at_128k;
  };
  for (const Depth& d : {Depth{0.5, 32, 0.20738806288410044582, 632013.23247447492618},
                         Depth{0.5, 80, 0.13144843162809603209, 997136.27904545060473},
                         Depth{0.9, 32, 0.081103688534082000589, 1616104.0560432703453},
                         Depth{0.1, 32, 0.37482408340608101503, 349689.37643742006585}}) {
    INFO("eps " << d.eps << ", N " << d.layers);
    CHECK(relative_error(phase_budget(d.eps, d.layers), d.budget) <= 1e-12);
    CHECK(relative_error(depth_min_base(131072, d.eps, d.layers, 128, approx), d.base_at_128k) <= 1e-12);
  }
  // Exact θ_min, d = 128: (L/arccos(0.5^(1/32)))^(128/126).
  CHECK(relative_error(depth_min_base(131072, 0.5, 32, 128, exact), 781270.07493028607088) <= 1e-12);

  // Walls 1/ε_mach for bf16, fp16, fp32, fp64, ulp then unit-roundoff convention.
  struct Wall {
    Format format;
    double ulp, unit_roundoff;
  };
  for (const Wall& w : {Wall{formats::bfloat16(), 128, 256}, Wall{formats::binary16(), 1024, 2048},
                        Wall{formats::binary32(), 8388608, 16777216},
                        Wall{formats::binary64(), 4503599627370496, 9007199254740992}}) {
    INFO(w.format.name);
    CHECK(relative_error(precision_wall(w.format, EpsMachConvention::ulp, 128, approx), w.ulp) <= 1e-12);
    CHECK(relative_error(precision_wall(w.format, EpsMachConvention::unit_roundoff, 128, approx), w.unit_roundoff) <=
          1e-12);
    // Exact convention: base^((d−2)/d) < 1/ε_mach.
    CHECK(relative_error(precision_wall(w.format, EpsMachConvention::ulp, 128, exact), std::pow(w.ulp, 128.0 / 126)) <=
          1e-14);
  }
}

TEST_CASE("eps_mach in both conventions for every named format", "[bounds]") {
  for (const Format& f : formats::named()) {
    INFO(f.name);
    CHECK(eps_mach(f, EpsMachConvention::ulp) == std::ldexp(1.0, 1 - f.precision));
    CHECK(eps_mach(f, EpsMachConvention::unit_roundoff) == std::ldexp(1.0, -f.precision));
    if (f.fits_binary64()) {  // agrees with the precision core's own definitions
      CHECK(eps_mach(f, EpsMachConvention::ulp) == f.machine_epsilon());
      CHECK(eps_mach(f, EpsMachConvention::unit_roundoff) == f.unit_roundoff());
    }
  }
  CHECK(precision_wall(parse_format("mpfr:2000"), EpsMachConvention::ulp, 128, approx) == INFINITY);
}

TEST_CASE("multiplier table of phase-bounds.md §2 to its printed digits", "[bounds]") {
  // One printed entry is off by one in its last digit: the note prints 79.18 for (0.99, 126), but
  // 1/arccos(0.99^(1/126)) = 79.1746 (mpmath, 40 digits), which rounds to 79.17. Checked as 79.17.
  const std::vector<int> layers{1, 32, 61, 80, 126};
  struct Row {
    double eps;
    std::vector<double> k;
  };
  for (const Row& row : {Row{0.1, {0.680, 2.668, 3.663, 4.188, 5.247}}, Row{0.5, {0.955, 4.822, 6.646, 7.608, 9.542}},
                         Row{0.9, {2.217, 12.33, 17.02, 19.49, 24.46}}, Row{0.99, {7.065, 39.90, 55.09, 63.09, 79.17}}}) {
    for (std::size_t j = 0; j < layers.size(); ++j) {
      INFO("eps " << row.eps << ", N " << layers[j]);
      const double k = depth_min_base(1, row.eps, layers[j], 128, approx);  // base_min / L
      check_printed(k, row.k[j], row.k[j] < 10 ? 1e-3 : 1e-2);
    }
  }
  // Depth scaling: the note prints the asymptote sqrt(N/(2 ln 2)) at ε = 0.5 as 4.805 (N = 32) and 7.597
  // (N = 80). sqrt(32/(2 ln 2)) = 4.80449, which rounds to 4.804: the note rounded up once. Checked as 4.804.
  check_printed(std::sqrt(32 / (2 * std::log(2.0))), 4.804, 1e-3);
  check_printed(std::sqrt(80 / (2 * std::log(2.0))), 7.597, 1e-3);
}

TEST_CASE("stable depth formula against MPFR; the naive fp64 form is not good enough", "[bounds]") {
  double worst_stable = 0, worst_naive = 0;
  double worst_naive_eps = 0;
  int worst_naive_layers = 0;
  for (const double eps : {0.5, 0.9, 0.99, 0.999, 0.9999, 1 - 1e-9}) {
    for (int layers = 1; layers <= 200; ++layers) {
      const double want = mpfr_phase_budget(eps, layers);
      const double stable = relative_error(phase_budget(eps, layers), want);
      const double naive = relative_error(std::acos(std::pow(eps, 1.0 / layers)), want);
      if (stable > 1e-13) FAIL_CHECK("eps " << eps << ", N " << layers << ": stable relative error " << stable);
      worst_stable = std::max(worst_stable, stable);
      if (naive > worst_naive) {
        worst_naive = naive;
        worst_naive_eps = eps;
        worst_naive_layers = layers;
      }
    }
  }
  INFO("worst stable " << worst_stable << "; worst naive " << worst_naive << " at eps " << worst_naive_eps << ", N "
                       << worst_naive_layers);
  CHECK(worst_stable <= 1e-13);
  CHECK(worst_naive > 1e-9);  // so the stable form is needed
}

TEST_CASE("case study of phase-bounds.md §3 to the printed digits", "[bounds]") {
  struct Row {
    const char* model;
    double base, context;
    int layers;
    double cycles, phase, eps_single, eps_depth, base_min;
    double cycles_unit, phase_unit, single_unit, depth_unit, base_min_unit;
  };
  // L/(2π·base), φ, ε_max (N = 1), ε_max (depth), b_min(0.5, N); the unit of each column's last printed digit.
  for (const Row& r : {
           Row{"LLaMA-2-7B", 1e4, 4096, 32, 0.065, 0.410, 0.917, 0.063, 19750, 1e-3, 1e-3, 1e-3, 1e-3, 10},
           Row{"Mistral-7B-v0.1 8K", 1e4, 8192, 32, 0.13, 0.82, 0.683, 5e-6, 39.5e3, 1e-2, 1e-2, 1e-3, 1e-6, 100},
           Row{"LLaMA-3.1-8B raw", 5e5, 131072, 32, 0.042, 0.262, 0.966, 0.329, 632e3, 1e-3, 1e-3, 1e-3, 1e-3, 1e3},
           Row{"Qwen2.5-7B", 1e6, 32768, 28, 0.005, 0.033, 0.9995, 0.985, 148e3, 1e-3, 1e-3, 1e-4, 1e-3, 1e3},
       }) {
    INFO(r.model);
    const Zone z = evaluate_zone(inputs(r.base, r.context, r.layers, approx));
    check_printed(z.phase / (2 * std::numbers::pi), r.cycles, r.cycles_unit);
    check_printed(z.phase, r.phase, r.phase_unit);
    check_printed(z.max_eps_single, r.eps_single, r.single_unit);
    check_printed(z.max_eps_depth, r.eps_depth, r.depth_unit);
    check_printed(z.depth_min_base, r.base_min, r.base_min_unit);
    CHECK(z.lower == z.depth_min_base);
  }
  // Mistral-7B-v0.1 at 32K: φ = 3.28 > π/2, ε_max NaN, b_min 158K.
  const Zone m = evaluate_zone(inputs(1e4, 32768, 32, approx));
  check_printed(m.phase / (2 * std::numbers::pi), 0.52, 1e-2);
  check_printed(m.phase, 3.28, 1e-2);
  CHECK(std::isnan(m.max_eps_single));
  CHECK(std::isnan(m.max_eps_depth));
  check_printed(m.depth_min_base, 158e3, 1e3);
  CHECK(m.quarter_turn);
}

TEST_CASE("effective base of scaled RoPE against closed forms", "[bounds]") {
  SECTION("unscaled: both conventions give rope_theta") {
    const EffectiveBase e = effective_base(rope::model_spec("llama-2-7b"), 4096);
    CHECK(e.approximate == 1e4);
    CHECK(e.exact == 1e4);
    CHECK(relative_error(e.slowest_omega, std::pow(1e4, -126.0 / 128)) <= 1e-15);
  }
  SECTION("linear: the slowest pair is slowed by the factor") {
    rope::RopeSpec spec;
    spec.scaling = rope::scaling::Linear{.factor = 4};
    const EffectiveBase e = effective_base(spec, 4096);
    CHECK(relative_error(e.slowdown, 4) <= 1e-14);
    CHECK(relative_error(e.approximate, 4e4) <= 1e-14);
    CHECK(relative_error(e.exact, 1e4 * std::pow(4.0, 128.0 / 126)) <= 1e-14);
  }
  SECTION("dynamic NTK: base' = base·(f·L/L_orig − (f − 1))^(d/(d−2)), so s = 7 at f = 2, L = 4·L_orig") {
    rope::RopeSpec spec;
    spec.scaling = rope::scaling::DynamicNtk{.factor = 2, .original_max_positions = 4096};
    const EffectiveBase e = effective_base(spec, 16384);
    CHECK(relative_error(e.slowdown, 7) <= 1e-14);
    CHECK(relative_error(e.approximate, 7e4) <= 1e-14);
    CHECK(relative_error(e.exact, 1e4 * std::pow(7.0, 128.0 / 126)) <= 1e-14);
  }
  SECTION("YaRN (DeepSeek-V3, s = 40; Qwen2.5 ×4): the slowest pair is fully interpolated") {
    const EffectiveBase deepseek = effective_base(rope::model_spec("deepseek-v3"), 131072);
    CHECK(relative_error(deepseek.slowdown, 40) <= 1e-14);
    CHECK(relative_error(deepseek.approximate, 4e5) <= 1e-14);
    CHECK(relative_error(deepseek.exact, 1e4 * std::pow(40.0, 64.0 / 62)) <= 1e-14);  // d_rope = 64
    CHECK(relative_error(effective_base(rope::model_spec("qwen2.5-7b-instruct-yarn"), 32768).slowdown, 4) <= 1e-14);
  }
  SECTION("llama3 (s = 8 for Llama-3.1, 32 for Llama-3.2-1B): low-frequency pairs divided by the factor") {
    CHECK(relative_error(effective_base(rope::model_spec("llama-3.1-8b"), 131072).approximate, 4e6) <= 1e-14);
    CHECK(relative_error(effective_base(rope::model_spec("llama-3.2-1b"), 131072).slowdown, 32) <= 1e-14);
  }
  SECTION("LongRoPE (Phi-3-vision): the long factor of the last pair above the original context") {
    const rope::RopeSpec spec = rope::model_spec("phi-3-vision-128k-instruct");
    const auto& longrope = std::get<rope::scaling::LongRope>(spec.scaling);
    CHECK(relative_error(effective_base(spec, 131072).slowdown, longrope.long_factor.back()) <= 1e-14);
    CHECK(relative_error(effective_base(spec, 4096).slowdown, longrope.short_factor.back()) <= 1e-14);
  }
  SECTION("exact convention: θ_min of the effective base is the spec's slowest ω") {
    for (const std::string& name : rope::model_names()) {
      INFO(name);
      const rope::RopeSpec spec = rope::model_spec(name);
      const Zone z = zone_of(spec, spec.max_position_embeddings, 1, exact);
      CHECK(relative_error(z.theta_min, effective_base(spec, spec.max_position_embeddings).slowest_omega) <= 1e-13);
    }
  }
}

TEST_CASE("DC violators of §3 are infeasible and their retrofits feasible, both conventions", "[bounds]") {
  for (const ThetaMinConvention c : {approx, exact}) {
    INFO(to_string(c));
    // Raw Mistral-7B-v0.1 at 32K (φ > π/2) -> Mistral-7B-v0.2, base 1e6.
    const Zone mistral = zone_of(rope::model_spec("mistral-7b-v0.1"), 32768, 1, c);
    CHECK(violates(mistral, Bound::dc_stability));
    CHECK(mistral.quarter_turn);
    CHECK_FALSE(violates(mistral, Bound::aliasing));
    CHECK_THAT(verdict_text(mistral), ContainsSubstring("dc-stability") && ContainsSubstring("cos <= 0"));
    CHECK(zone_of(rope::model_spec("mistral-7b-v0.2"), 32768, 1, c).feasible());
    CHECK(zone_of(rope::model_spec("mistral-7b-v0.2"), 32768, 32, c).feasible());

    // Raw DeepSeek-V3 RoPE at 128K violates DC and aliasing -> the shipped YaRN s = 40.
    const Zone deepseek = zone_of(unscaled(rope::model_spec("deepseek-v3")), 131072, 1, c);
    CHECK(violates(deepseek, Bound::aliasing));
    CHECK(violates(deepseek, Bound::dc_stability));
    CHECK(zone_of(rope::model_spec("deepseek-v3"), 131072, 1, c).feasible());
    // ...but not the depth bound with its 61 layers (ε_max depth = 0.036 < 0.5).
    const Zone deepseek_depth = zone_of(rope::model_spec("deepseek-v3"), 131072, 61, c);
    CHECK(deepseek_depth.violated == std::vector<Bound>{Bound::depth});

    // Raw Llama-3.1-8B at 128K fails only the depth bound (632K > 5e5); llama3 s = 8 fixes it.
    const Zone llama_raw = zone_of(unscaled(rope::model_spec("llama-3.1-8b")), 131072, 32, c);
    CHECK(llama_raw.violated == std::vector<Bound>{Bound::depth});
    CHECK(zone_of(rope::model_spec("llama-3.1-8b"), 131072, 32, c).feasible());
  }
  // The paper's ≈1M-token story: a 10M-token target crosses the fp32 wall (phase-bounds.md §3).
  const Zone target = evaluate_zone(inputs(1e7, 1e7, 80, approx));
  CHECK(target.empty());
  CHECK(violates(target, Bound::precision_wall));
}

TEST_CASE("verdicts for every shipped model, both conventions: consistent and deterministic", "[bounds]") {
  const std::vector<CaseStudyRow> rows = case_study(0.5, formats::binary32(), EpsMachConvention::ulp);
  REQUIRE(rows.size() == rope::model_names().size());
  for (const CaseStudyRow& r : rows) {
    INFO(r.model);
    CHECK(r.layers > 1);  // every shipped config carries num_hidden_layers
    CHECK(r.context == r.spec.max_position_embeddings);
    for (const Zone* z : {&r.approximate, &r.exact}) {
      // Independent form of the lower bounds (phase-bounds.md §2): feasible ⇔ φ < π/2 and ε <= cos(φ)^N.
      const double phi = z->inputs.context * z->theta_min;
      const bool lower_ok = phi < std::numbers::pi / 2 && 0.5 <= std::pow(std::cos(phi), r.layers);
      const bool wall_ok = z->inputs.base < z->precision_wall;
      CHECK(z->feasible() == (lower_ok && wall_ok));
      CHECK(z->lower == z->depth_min_base);
      CHECK(z->depth_min_base >= z->dc_min_base);
      CHECK(z->dc_min_base > z->aliasing_min_base);  // aliasing is implied by DC (arccos ε < 2π)
    }
    CHECK(r.exact.depth_min_base > r.approximate.depth_min_base);
  }
  const std::vector<CaseStudyRow> again = case_study(0.5, formats::binary32(), EpsMachConvention::ulp);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    CHECK(rows[i].approximate.violated == again[i].approximate.violated);
    CHECK(rows[i].exact.violated == again[i].exact.violated);
    CHECK(rows[i].exact.depth_min_base == again[i].exact.depth_min_base);
  }
  // Spot checks at each model's own N and context (ε = 0.5): LLaMA-2-7B fails depth (19,750 > 1e4).
  auto row = [&](const char* name) -> const CaseStudyRow& {
    return *std::find_if(rows.begin(), rows.end(), [&](const CaseStudyRow& r) { return r.model == name; });
  };
  CHECK(row("llama-2-7b").approximate.violated == std::vector<Bound>{Bound::depth});
  CHECK(row("mistral-7b-v0.1").approximate.quarter_turn);
  CHECK(row("mistral-7b-v0.2").approximate.feasible());
  CHECK(row("llama-3.1-8b").exact.feasible());
}

TEST_CASE("layer counts of the shipped configs", "[bounds]") {
  CHECK(model_num_hidden_layers("llama-2-7b") == 32);
  CHECK(model_num_hidden_layers("deepseek-v3") == 61);
  CHECK(model_num_hidden_layers("llama-3.1-405b") == 126);
  CHECK_THROWS_WITH(model_num_hidden_layers("no-such-model"), ContainsSubstring("no-such-model"));
  const std::filesystem::path dir = std::filesystem::temp_directory_path();
  const std::string absent = (dir / "ropelab_zone_absent.json").string();
  const std::string zero = (dir / "ropelab_zone_zero.json").string();
  std::ofstream(absent) << R"({"rope_theta": 10000})";
  std::ofstream(zero) << R"({"num_hidden_layers": 0})";
  CHECK_FALSE(num_hidden_layers_from_config_file(absent).has_value());
  CHECK_THROWS_WITH(num_hidden_layers_from_config_file(zero), ContainsSubstring("num_hidden_layers"));
  CHECK_THROWS_WITH(num_hidden_layers_from_config_file((dir / "ropelab_zone_missing.json").string()),
                    ContainsSubstring("cannot read"));
  std::filesystem::remove(absent);
  std::filesystem::remove(zero);
}

TEST_CASE("domain errors name the field; φ >= π/2 is a verdict", "[bounds]") {
  for (const double eps : {0.0, 1.0, -0.5, 1.5, std::nan("")}) {
    CHECK_THROWS_WITH(phase_budget(eps, 1), ContainsSubstring("eps") && ContainsSubstring("(0, 1)"));
  }
  CHECK_THROWS_WITH(phase_budget(0.5, 0), ContainsSubstring("layers") && ContainsSubstring(">= 1"));
  CHECK_THROWS_WITH(depth_min_base(0, 0.5, 1, 128, approx), ContainsSubstring("context"));
  CHECK_THROWS_WITH(depth_min_base(-1, 0.5, 1, 128, approx), ContainsSubstring("context"));
  CHECK_THROWS_WITH(depth_min_base(INFINITY, 0.5, 1, 128, approx), ContainsSubstring("context"));
  CHECK_THROWS_WITH(depth_min_base(4096, 0.5, 1, 2, exact), ContainsSubstring("rotary_dims"));
  CHECK_THROWS_WITH(depth_min_base(4096, 0.5, 1, 7, exact), ContainsSubstring("rotary_dims"));
  for (const double base : {1.0, 0.5, std::nan(""), std::numeric_limits<double>::infinity()}) {
    CHECK_THROWS_WITH(evaluate_zone(inputs(base, 4096, 1, approx)), ContainsSubstring("base") && ContainsSubstring("> 1"));
  }
  CHECK_THROWS_WITH(evaluate_zone(inputs(1e4, 4096, 1, approx, 1.0)), ContainsSubstring("eps"));
  CHECK_THROWS_WITH(evaluate_zone(inputs(1e4, 4096, 0, approx)), ContainsSubstring("layers"));

  // L/base = π/2 exactly-ish and beyond: infeasible, not an error.
  const Zone z = evaluate_zone(inputs(1e4, 1e4 * std::numbers::pi / 2 * (1 + 1e-12), 1, approx));
  CHECK(z.quarter_turn);
  CHECK_FALSE(z.feasible());
  CHECK(std::isnan(z.max_eps_single));
  const Zone below = evaluate_zone(inputs(1e4, 1e4 * std::numbers::pi / 2 * (1 - 1e-6), 1, approx, 1e-7));
  CHECK_FALSE(below.quarter_turn);
  CHECK(below.feasible());
}
