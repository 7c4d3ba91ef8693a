// Uses the installed ropelab libraries of three layers and checks each result against a closed form.
#include <cstdio>

#include "ropelab/format.hpp"
#include "ropelab/round.hpp"
#include "ropelab/stats/closed_forms.hpp"
#include "ropelab/theory/phase_bounds.hpp"

int main() {
  int failures = 0;
  const auto check = [&](const char* what, double got, double want) {
    std::printf("%s: %a (want %a)\n", what, got, want);
    failures += got != want;
  };
  // 1/3 = 0.010101...b; bfloat16 keeps 8 significant bits: 1.0101010|1010... rounds up to 1.0101011b * 2^-2 = 171/512.
  check("round(1/3, bf16)", ropelab::round_value(1.0 / 3.0, ropelab::formats::bfloat16()), 171.0 / 512.0);
  // binary32's precision wall with the ulp convention, approximate θ_min: 1/2^-23 = 2^23.
  check("precision_wall(fp32)",
        ropelab::theory::precision_wall(ropelab::formats::binary32(), ropelab::theory::EpsMachConvention::ulp, 128,
                                        ropelab::theory::ThetaMinConvention::approximate),
        8388608.0);
  // ω_i = base^(-2i/d): d = 4, base 16 gives 1 and 16^(-1/2) = 1/4 (exact, so pow within 1 ulp returns it).
  const auto omegas = ropelab::stats::rope_omegas(4, 16);
  check("omega_1(d=4, base=16)", omegas.size() == 2 ? omegas[1] : -1, 0.25);
  return failures == 0 ? 0 : 1;
}
