// NearestEvenRounder (scalar and array forms) against the MPFR oracle in round-to-nearest-even.
#include <bit>
#include <cstdint>
#include <random>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "format_values.hpp"
#include "ropelab/mpfr_oracle.hpp"
#include "ropelab/nearest_even.hpp"

using namespace ropelab;

TEST_CASE("NearestEvenRounder equals the oracle on every gap probe and random binary64 inputs", "[nearest-even]") {
  const Format formats_under_test[] = {
      formats::bfloat16(), formats::binary16(), formats::e4m3fn(), formats::e5m2(), formats::tf32(),
      formats::binary32(), formats::binary64(), parse_format("p=11,emin=-14,emax=15,subnormals=off"),
      parse_format("p=1,emin=-3,emax=3,specials=none,overflow=saturate")};
  std::mt19937_64 rng(99);
  for (const Format& f : formats_under_test) {
    // Enumerating every value is cheap only for small formats (binary32 has 2^31 of them).
    std::vector<double> inputs = f.precision <= 11 && f.emax <= 127 ? testing::gap_probes<double>(f) : std::vector<double>{};
    for (int i = 0; i < 100000; ++i) inputs.push_back(std::bit_cast<double>(rng()));
    const NearestEvenRounder rounder(f);
    std::vector<double> array(inputs.size());
    rounder.apply(inputs.data(), array.data(), inputs.size());
    int mismatches = 0;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      const double want = mpfr_oracle_round(inputs[i], f, RoundingMode::nearest_even);
      const auto same = [&](double got) {
        return std::isnan(want) ? std::isnan(got) : std::bit_cast<std::uint64_t>(got) == std::bit_cast<std::uint64_t>(want);
      };
      if (!same(rounder(inputs[i])) || !same(array[i])) {
        if (++mismatches <= 3) UNSCOPED_INFO(f.name << " x=" << std::hexfloat << inputs[i] << " want " << want);
      }
    }
    INFO(f.name);
    CHECK(mismatches == 0);
  }
}
