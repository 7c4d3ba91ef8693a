// Computations for claims about attention statistics (stats/closed_forms.hpp, stats/empirical.hpp): the §5
// moments and inversion anchors, the §6 Gaussian-model closed forms, and the trends in M and B (closed-form
// normal approximations over seeded Gaussian heads, so a sweep costs O(h²) per point, not O(M·h)).
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "claims_registry.hpp"
#include "ropelab/stats/closed_forms.hpp"
#include "ropelab/stats/empirical.hpp"
#include "ropelab/stats/vectors.hpp"

namespace ropelab::experiments::claims {
namespace {

int head_dim(const Params& p) { return static_cast<int>(p.integer("head_dim")); }

// S(m) = Σ a_n cos(m ω_n + φ_n) with the note's ω_n = B^(−2n/d).
stats::CosineSum explicit_sum(const Params& p) {
  stats::CosineSum sum;
  sum.amplitude = p.numbers("amplitudes");
  sum.phase = p.numbers("phases");
  sum.omega = stats::rope_omegas(head_dim(p), p.number("base"));
  if (sum.amplitude.size() != sum.omega.size() || sum.phase.size() != sum.omega.size())
    throw std::invalid_argument(p.where("amplitudes") + ": amplitudes and phases need head_dim/2 = " +
                                std::to_string(sum.omega.size()) + " entries each");
  return sum;
}

// The swept values of one parameter: the array `plural` or the single `singular`.
std::vector<double> sweep(const Params& p, const std::string& singular, const std::string& plural) {
  if (p.has(plural)) return p.numbers(plural);
  if (!p.has(singular)) throw std::invalid_argument(p.where(singular) + ": give " + singular + " or " + plural);
  return {p.number(singular)};
}

stats::GaussianQkModel gaussian_model(const Params& p) {
  stats::GaussianQkModel model;
  model.head_dim = head_dim(p);
  model.base = p.number("base");
  model.rho = p.number_or("rho", 0);
  return model;
}

// Mean over seeded Gaussian heads of a closed-form statistic, at every (base, context) point of the sweep.
template <class Statistic>
Measurement over_heads(const Params& p, Statistic statistic) {
  const int heads = static_cast<int>(p.integer_or("heads", 8));
  const std::uint64_t seed = static_cast<std::uint64_t>(p.integer_or("seed", 1));
  const stats::VectorSet q = stats::gaussian_query(heads, head_dim(p), 1, seed);
  const stats::VectorSet k1 = stats::gaussian_key(q, p.number("rho"), 1, seed, 1);
  const stats::VectorSet k2 = stats::gaussian_key(q, p.number_or("rho2", 0), 1, seed, 2);
  const std::vector<double> bases = sweep(p, "base", "bases");
  const std::vector<double> contexts = sweep(p, "context", "contexts");
  if (bases.size() > 1 && contexts.size() > 1)
    throw std::invalid_argument(p.where("bases") + ": sweep bases or contexts, not both");
  Measurement m;
  for (double base : bases)
    for (double context : contexts) {
      double total = 0;
      for (int h = 0; h < heads; ++h) total += statistic(q.head(h), k1.head(h), k2.head(h), base, static_cast<std::int64_t>(context));
      m.values.push_back(total / heads);
    }
  m.detail = std::to_string(heads) + " heads, seed " + std::to_string(seed);
  return m;
}

std::map<std::string, ParamSpec> sweep_params() {
  return {{"head_dim", {ParamType::integer}},         {"base", {ParamType::number, false}},
          {"bases", {ParamType::numbers, false}},     {"context", {ParamType::number, false}},
          {"contexts", {ParamType::numbers, false}},  {"rho", {ParamType::number}},
          {"rho2", {ParamType::number, false}},       {"heads", {ParamType::integer, false}},
          {"seed", {ParamType::integer, false}},      {"statistic", {ParamType::text, false}}};
}

}  // namespace

void add_stats_evaluators(std::map<std::string, Evaluator>& t) {
  const ParamSpec integer{ParamType::integer};
  const ParamSpec num{ParamType::number};
  const ParamSpec opt_text{ParamType::text, false};

  t["stats.positional_moments"] = {
      "exact window mean or variance of S(m) = sum a_n cos(m omega_n + phi_n), m in [begin, end)",
      {{"head_dim", integer}, {"base", num}, {"amplitudes", {ParamType::numbers}}, {"phases", {ParamType::numbers}},
       {"begin", integer}, {"end", integer}, {"moment", {ParamType::text}}},
      [](const Params& p) {
        const stats::PositionalMoments m =
            stats::positional_moments(explicit_sum(p), {p.integer("begin"), p.integer("end")});
        const std::string which = p.text("moment");
        if (which != "mean" && which != "variance")
          throw std::invalid_argument(p.where("moment") + ": '" + which + "' is not \"mean\" or \"variance\"");
        return Measurement{{which == "mean" ? m.mean : m.variance},
                           "mean " + number_text(m.mean) + ", variance " + number_text(m.variance)};
      }};

  t["stats.halves_inversion"] = {
      "position inversion between halves [0, M/2) and [M/2, M) of an explicit cosine sum: exact count or normal",
      {{"head_dim", integer}, {"base", num}, {"amplitudes", {ParamType::numbers}}, {"phases", {ParamType::numbers}},
       {"context", integer}, {"method", {ParamType::text}}},
      [](const Params& p) {
        const stats::CosineSum sum = explicit_sum(p);
        const std::int64_t context = p.integer("context");
        const std::string method = p.text("method");
        if (method == "normal") return Measurement{{stats::normal_halves_inversion(sum, context)}, {}};
        if (method != "exact") throw std::invalid_argument(p.where("method") + ": '" + method + "' is not \"exact\" or \"normal\"");
        if (context < 2 || context > (1 << 22)) throw std::invalid_argument(p.where("context") + ": must be in [2, 2^22]");
        std::vector<double> scores(static_cast<std::size_t>(context));
        for (std::int64_t m = 0; m < context; ++m) {
          double s = 0;
          for (std::size_t n = 0; n < sum.omega.size(); ++n)
            s += sum.amplitude[n] * std::cos(static_cast<double>(m) * sum.omega[n] + sum.phase[n]);
          scores[static_cast<std::size_t>(m)] = s;
        }
        const std::size_t half = static_cast<std::size_t>(context / 2);
        const std::span<const double> all(scores);
        const stats::InversionCount c = stats::count_inversions(all.first(half), all.subspan(half));
        return Measurement{{c.probability()}, std::to_string(c.inversions) + " of " + std::to_string(c.pairs) + " pairs"};
      }};

  t["stats.position_inversion_gaussian"] = {
      "halves position inversion (normal approximation, exact moments) averaged over seeded Gaussian heads, "
      "k = rho q + sqrt(1-rho^2) xi; statistic \"probability\" or \"distance_from_half\"",
      sweep_params(), [](const Params& p) {
        const std::string statistic = p.text_or("statistic", "probability");
        if (statistic != "probability" && statistic != "distance_from_half")
          throw std::invalid_argument(p.where("statistic") + ": '" + statistic + "' is not \"probability\" or \"distance_from_half\"");
        Measurement m = over_heads(p, [](auto q, auto k, auto, double base, std::int64_t context) {
          return stats::normal_halves_inversion(stats::score_cosine_sum(q, k, base), context);
        });
        if (statistic == "distance_from_half")
          for (double& v : m.values) v = std::fabs(v - 0.5);
        return m;
      }};

  t["stats.token_inversion_gaussian"] = {
      "token inversion P_m(T(m) < 0), T = S_k1 - S_k2, m in [0, M), normal approximation averaged over seeded heads; "
      "k1 = rho q + ..., k2 = rho2 q + ... (a relevance gap when rho > rho2)",
      sweep_params(), [](const Params& p) {
        return over_heads(p, [](auto q, auto k1, auto k2, double base, std::int64_t context) {
          return stats::normal_token_inversion(stats::token_difference_cosine_sum(q, k1, k2, base), {0, context});
        });
      }};

  t["stats.near_far_inversion"] = {
      "P(S(m2) >= S(m1)) in the Gaussian q,k model: method gil-pelaez, partial-fractions or normal",
      {{"head_dim", integer}, {"base", num}, {"m1", integer}, {"m2", integer}, {"rho", num}, {"method", opt_text}},
      [](const Params& p) {
        const stats::GaussianQkModel model = gaussian_model(p);
        const std::string method = p.text_or("method", "gil-pelaez");
        if (method == "gil-pelaez") {
          const stats::QuadratureResult r = stats::near_far_inversion(model, p.integer("m1"), p.integer("m2"));
          return Measurement{{r.value}, "quadrature error estimate " + number_text(r.error_estimate, 2)};
        }
        if (method == "partial-fractions")
          return Measurement{{stats::near_far_inversion_partial_fractions(model, p.integer("m1"), p.integer("m2"))}, {}};
        if (method == "normal")
          return Measurement{{stats::near_far_inversion_normal(model, p.integer("m1"), p.integer("m2"))}, {}};
        throw std::invalid_argument(p.where("method") + ": '" + method + "' is not gil-pelaez, partial-fractions or normal");
      }};

  t["stats.tolerance_aliasing"] = {
      "P(|S(m1) - S(m2)| < epsilon) in the Gaussian q,k model (Gil-Pelaez)",
      {{"head_dim", integer}, {"base", num}, {"m1", integer}, {"m2", integer}, {"epsilon", num},
       {"rho", {ParamType::number, false}}},
      [](const Params& p) {
        return Measurement{
            {stats::tolerance_aliasing(gaussian_model(p), p.integer("m1"), p.integer("m2"), p.number("epsilon")).value}, {}};
      }};

  t["stats.token_sign_flip"] = {
      "P(sign T(m1) != sign T(m2)) at lag l (Sheppard with Dirichlet weights): method small-h or expansion",
      {{"head_dim", integer}, {"base", num}, {"lag", integer}, {"method", opt_text}},
      [](const Params& p) {
        const std::string method = p.text_or("method", "small-h");
        if (method == "small-h")
          return Measurement{{stats::token_sign_flip_small_h(head_dim(p), p.number("base"), p.integer("lag"))}, {}};
        if (method == "expansion")
          return Measurement{{stats::token_sign_flip_expansion(head_dim(p), p.number("base"), p.integer("lag"))}, {}};
        throw std::invalid_argument(p.where("method") + ": '" + method + "' is not small-h or expansion");
      }};
}

}  // namespace ropelab::experiments::claims
