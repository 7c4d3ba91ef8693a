// The oracle behind the registry's near/far claims (expected_source kind "oracle"): P(S(m2) >= S(m1)) in the
// Gaussian q, k model of positions-and-tokens.md §6.1 by partial fractions over the 2h exponential weights, in
// MPFR at 1024 bits. Written here from the note's formulas, separately from src/stats (which integrates
// Gil-Pelaez in binary64), so that a claim's expected value never comes from the code it judges.
#include <catch2/catch_test_macros.hpp>

#include <mpfr.h>

#include <cmath>
#include <string>
#include <vector>

#include "claims_registry.hpp"
#include "ropelab/experiments/claims.hpp"

using namespace ropelab::experiments;
using namespace ropelab::experiments::claims;

namespace {

constexpr mpfr_prec_t kBits = 1024;

// An mpfr_t with RAII.
struct Big {
  mpfr_t v;
  Big() { mpfr_init2(v, kBits); }
  explicit Big(double x) : Big() { mpfr_set_d(v, x, MPFR_RNDN); }
  Big(const Big& o) : Big() { mpfr_set(v, o.v, MPFR_RNDN); }
  Big& operator=(const Big& o) {
    mpfr_set(v, o.v, MPFR_RNDN);
    return *this;
  }
  ~Big() { mpfr_clear(v); }
};

// P(D <= 0), D = S(m1) - S(m2), sigma_q = sigma_k = 1, theta_n = base^(-2n/d). Per block n (note §6.1):
// c = 2 sin((m1 - m2) theta / 2), psi = (m1 + m2) theta / 2, alpha = rho c (-sin psi), beta^2 = c^2 (1 - rho^2),
// weights w = alpha +- sqrt(alpha^2 + beta^2); D is sum_i w_i E_i with E_i iid Exp(1), so for distinct weights
// P(D > 0) = sum over w_i > 0 of prod_{r != i} w_i / (w_i - w_r).
double near_far_partial_fractions(int head_dim, double base, long m1, long m2, double rho) {
  std::vector<Big> w;
  Big theta, t, c, psi, alpha, beta2, root, rho_big(rho), one_minus;
  mpfr_sqr(one_minus.v, rho_big.v, MPFR_RNDN);  // 1 - rho^2 from the binary64 rho, exact at 1024 bits
  mpfr_ui_sub(one_minus.v, 1, one_minus.v, MPFR_RNDN);
  for (int n = 0; n < head_dim / 2; ++n) {
    mpfr_set_d(t.v, base, MPFR_RNDN);
    mpfr_set_si(theta.v, -2 * n, MPFR_RNDN);
    mpfr_div_si(theta.v, theta.v, head_dim, MPFR_RNDN);
    mpfr_pow(theta.v, t.v, theta.v, MPFR_RNDN);  // base^(-2n/d)
    mpfr_mul_si(c.v, theta.v, m1 - m2, MPFR_RNDN);
    mpfr_div_ui(c.v, c.v, 2, MPFR_RNDN);
    mpfr_sin(c.v, c.v, MPFR_RNDN);
    mpfr_mul_ui(c.v, c.v, 2, MPFR_RNDN);
    mpfr_mul_si(psi.v, theta.v, m1 + m2, MPFR_RNDN);
    mpfr_div_ui(psi.v, psi.v, 2, MPFR_RNDN);
    mpfr_sin(psi.v, psi.v, MPFR_RNDN);
    mpfr_mul(alpha.v, c.v, rho_big.v, MPFR_RNDN);
    mpfr_mul(alpha.v, alpha.v, psi.v, MPFR_RNDN);
    mpfr_neg(alpha.v, alpha.v, MPFR_RNDN);
    mpfr_sqr(beta2.v, c.v, MPFR_RNDN);
    mpfr_mul(beta2.v, beta2.v, one_minus.v, MPFR_RNDN);
    mpfr_sqr(root.v, alpha.v, MPFR_RNDN);
    mpfr_add(root.v, root.v, beta2.v, MPFR_RNDN);
    mpfr_sqrt(root.v, root.v, MPFR_RNDN);
    Big plus, minus;
    mpfr_add(plus.v, alpha.v, root.v, MPFR_RNDN);
    mpfr_sub(minus.v, alpha.v, root.v, MPFR_RNDN);
    w.push_back(plus);
    w.push_back(minus);
  }
  Big positive(0.0), term, diff;
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (mpfr_sgn(w[i].v) <= 0) continue;
    mpfr_set_ui(term.v, 1, MPFR_RNDN);
    for (std::size_t r = 0; r < w.size(); ++r) {
      if (r == i) continue;
      mpfr_sub(diff.v, w[i].v, w[r].v, MPFR_RNDN);
      mpfr_mul(term.v, term.v, w[i].v, MPFR_RNDN);
      mpfr_div(term.v, term.v, diff.v, MPFR_RNDN);
    }
    mpfr_add(positive.v, positive.v, term.v, MPFR_RNDN);
  }
  mpfr_ui_sub(positive.v, 1, positive.v, MPFR_RNDN);
  return mpfr_get_d(positive.v, MPFR_RNDN);
}

}  // namespace

TEST_CASE("near/far oracle: MPFR partial fractions at rho = 0 give exactly 1/2", "[claims][oracle]") {
  // The q -> -q symmetry (note §6.1): weights come in +-|c| pairs and the sum is 1/2 for any m1 != m2.
  CHECK(std::fabs(near_far_partial_fractions(8, 1e4, 0, 5, 0.0) - 0.5) < 1e-15);
  CHECK(std::fabs(near_far_partial_fractions(16, 1e4, 3, 70, 0.0) - 0.5) < 1e-15);
}

TEST_CASE("near/far oracle: MPFR partial fractions reproduce every oracle claim's expected value", "[claims][oracle]") {
  int checked = 0;
  for (const ClaimSpec& spec : load_registry(ROPELAB_CLAIMS_DIR)) {
    if (spec.claim.expected_source.kind != "oracle" || spec.computation != "stats.near_far_inversion") continue;
    INFO(spec.claim.id);
    REQUIRE(spec.comparison.kind == Comparison::Kind::expected_value);
    const Params& p = spec.params;
    const double oracle = near_far_partial_fractions(static_cast<int>(p.integer("head_dim")), p.number("base"),
                                                     static_cast<long>(p.integer("m1")),
                                                     static_cast<long>(p.integer("m2")), p.number("rho"));
    INFO("oracle " << oracle << ", registry " << spec.comparison.value);
    // The registry value is the oracle's, written to 15 digits: far inside the claim's tolerance.
    CHECK(std::fabs(oracle - spec.comparison.value) <= 1e-13);
    CHECK(spec.comparison.tolerance <= 1e-9);
    ++checked;
  }
  CHECK(checked >= 3);
}
