// The MPFR oracle against facts it does not compute itself: the FPU's double -> float conversion in every
// IEEE rounding direction, MPFR's own subnormal emulation (mpfr_check_range + mpfr_subnormalize), and values
// worked out by hand from the format definitions (OCP FP8 spec, IEEE 754, ref. formats-and-libraries.md §1).
#include "ropelab/mpfr_oracle.hpp"

#include <mpfr.h>

#include <bit>
#include <catch2/catch_test_macros.hpp>
#include <cfenv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "ropelab/format.hpp"

using namespace ropelab;

namespace {

constexpr std::uint64_t kSeed = 0x5eed0fac1e;
constexpr std::size_t kRandomCount = 100'000;

struct ModePair {
  RoundingMode mode;
  int fe_direction;
  mpfr_rnd_t mpfr_direction;
};
constexpr ModePair kModes[] = {{RoundingMode::nearest_even, FE_TONEAREST, MPFR_RNDN},
                               {RoundingMode::toward_zero, FE_TOWARDZERO, MPFR_RNDZ},
                               {RoundingMode::upward, FE_UPWARD, MPFR_RNDU},
                               {RoundingMode::downward, FE_DOWNWARD, MPFR_RNDD}};

std::uint64_t bits(double x) { return std::bit_cast<std::uint64_t>(x); }
std::uint32_t bits(float x) { return std::bit_cast<std::uint32_t>(x); }

// Finite random doubles: 3/4 with a uniform exponent in [min_exponent, max_exponent] and random significand
// and sign; 1/4 exact ties between neighbouring values of the grid with `precision` bits (and the binary64
// values just beside them), the cases where directions and tie rules differ.
std::vector<double> random_doubles(std::size_t count, int min_exponent, int max_exponent, int precision,
                                   std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> exponent(min_exponent, max_exponent);
  std::vector<double> values;
  values.reserve(count);
  while (values.size() < count) {
    const std::uint64_t random = rng();
    const double significand = 1.0 + std::ldexp(static_cast<double>(random >> 12), -52);
    double x = std::ldexp(significand, exponent(rng));
    if (values.size() % 4 == 3) {
      const int e = std::ilogb(x);
      const double quantum = std::ldexp(1.0, e - precision + 1);
      x = std::ldexp(std::floor(std::ldexp(x, precision - 1 - e)), e - precision + 1) + quantum / 2;
      if (random & 2) x = std::nextafter(x, (random & 4) ? 0.0 : 1e308);
    }
    if (std::isfinite(x) && x != 0) values.push_back((random & 1) ? -x : x);
  }
  return values;
}

// The FPU's double -> float conversion under `fe_direction`. The volatile load and store keep gcc from
// folding or moving the conversion across fesetround (gcc does not implement FENV_ACCESS).
std::vector<float> hardware_to_float(const std::vector<double>& inputs, int fe_direction) {
  std::vector<float> out(inputs.size());
  REQUIRE(std::fesetround(fe_direction) == 0);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const volatile double x = inputs[i];
    const volatile float converted = static_cast<float>(x);
    out[i] = converted;
  }
  std::fesetround(FE_TONEAREST);
  return out;
}

// x rounded to binary16 by MPFR's documented emulation of IEEE subnormals: precision 11, emin = -23 (the
// smallest subnormal 2^-24 is 0.5 * 2^-23 in MPFR's convention), emax = 16, then mpfr_check_range and
// mpfr_subnormalize with the ternary value, which avoids double rounding. MPFR's overflow gives +-Inf or
// +-65504 by direction, IEEE 754's rule. The global exponent range is restored before returning.
double binary16_by_mpfr(double x, mpfr_rnd_t rnd) {
  mpfr_t r;
  mpfr_init2(r, 11);
  int ternary = mpfr_set_d(r, x, rnd);  // 11 bits, MPFR's wide default exponent range
  const mpfr_exp_t emin = mpfr_get_emin();
  const mpfr_exp_t emax = mpfr_get_emax();
  mpfr_set_emin(-23);
  mpfr_set_emax(16);
  ternary = mpfr_check_range(r, ternary, rnd);
  mpfr_subnormalize(r, ternary, rnd);
  mpfr_set_emin(emin);
  mpfr_set_emax(emax);
  const double result = mpfr_get_d(r, MPFR_RNDN);  // exact: a binary16 value or +-Inf
  mpfr_clear(r);
  return result;
}

// Counts inputs where got(x) and want(x) differ in bits; reports the first few and the seed.
template <typename In, typename Got, typename Want>
void require_bit_equal(const std::vector<In>& inputs, std::uint64_t seed, const Got& got, const Want& want,
                       const char* what) {
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const auto g = got(i);
    const auto w = want(i);
    if (bits(g) == bits(w)) continue;
    if (++mismatches <= 5) {
      UNSCOPED_INFO(what << ": x=" << std::hexfloat << inputs[i] << " oracle " << g << " reference " << w
                         << std::defaultfloat);
    }
  }
  INFO(what << ", seed " << seed << ", " << inputs.size() << " inputs");
  CHECK(mismatches == 0);
}

double rounded(double x, const Format& f, RoundingMode mode = RoundingMode::nearest_even) {
  return mpfr_oracle_round(x, f, mode);
}

Format with_overflow(Format f, OverflowPolicy policy) {
  f.overflow = policy;
  f.name += "+overflow";
  return f;
}

Format without_subnormals(Format f) {
  f.subnormals = false;
  f.name += "+no-subnormals";
  return f;
}

constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

TEST_CASE("oracle binary32 equals the FPU's double-to-float conversion in every direction", "[oracle]") {
  // Exponents cover binary32's overflow, normal, subnormal and underflow ranges; 1/4 are binary32 ties.
  const std::vector<double> inputs = random_doubles(kRandomCount, -155, 130, 24, kSeed);
  const Format binary32 = formats::binary32();
  for (const ModePair& m : kModes) {
    const std::vector<float> hardware = hardware_to_float(inputs, m.fe_direction);
    require_bit_equal(
        inputs, kSeed, [&](std::size_t i) { return rounded(inputs[i], binary32, m.mode); },
        [&](std::size_t i) { return static_cast<double>(hardware[i]); }, to_string(m.mode).data());
  }
}

TEST_CASE("oracle binary16 equals MPFR's subnormal emulation in every direction", "[oracle]") {
  // Exponents cover binary16's overflow, normal, subnormal and underflow ranges; 1/4 are binary16 ties.
  const std::vector<double> inputs = random_doubles(kRandomCount, -28, 17, 11, kSeed + 1);
  std::vector<float> float_inputs;
  for (const double x : inputs) float_inputs.push_back(static_cast<float>(x));
  const Format binary16 = formats::binary16();
  for (const ModePair& m : kModes) {
    require_bit_equal(
        inputs, kSeed + 1, [&](std::size_t i) { return rounded(inputs[i], binary16, m.mode); },
        [&](std::size_t i) { return binary16_by_mpfr(inputs[i], m.mpfr_direction); }, "binary64 input");
    require_bit_equal(
        float_inputs, kSeed + 1,
        [&](std::size_t i) { return mpfr_oracle_round_to_binary32(float_inputs[i], binary16, m.mode); },
        [&](std::size_t i) { return static_cast<float>(binary16_by_mpfr(float_inputs[i], m.mpfr_direction)); },
        "binary32 input");
  }
}

TEST_CASE("oracle bfloat16 hand values", "[oracle]") {
  const Format bf16 = formats::bfloat16();
  // formats-and-libraries.md §1.1: a tie with an odd value below rounds up; just above a tie rounds up.
  CHECK(rounded(1.01171875, bf16) == 1.015625);
  CHECK(rounded(std::nextafter(1.00390625, 2.0), bf16) == 1.0078125);
  CHECK(rounded(1.00390625, bf16) == 1.0);  // tie, even value below
  CHECK(mpfr_oracle_round_to_binary32(1.01171875f, bf16, RoundingMode::nearest_even) == 1.015625f);
  CHECK(mpfr_oracle_round_to_binary32(std::bit_cast<float>(0x3F808001u), bf16, RoundingMode::nearest_even) ==
        1.0078125f);
  CHECK(rounded(1.01171875, bf16, RoundingMode::toward_zero) == 1.0078125);
  CHECK(rounded(-1.01171875, bf16, RoundingMode::upward) == -1.0078125);
  CHECK(rounded(-1.01171875, bf16, RoundingMode::downward) == -1.015625);
  // The largest bf16 is (2 - 2^-7) * 2^127; halfway to 2^128 rounds to even, i.e. overflows.
  const double max = std::ldexp(2 - std::ldexp(1, -7), 127);
  CHECK(rounded(std::ldexp(2 - std::ldexp(1, -8), 127), bf16) == kInf);
  CHECK(rounded(std::nextafter(std::ldexp(2 - std::ldexp(1, -8), 127), 0.0), bf16) == max);
  CHECK(rounded(1e300, bf16, RoundingMode::toward_zero) == max);
}

TEST_CASE("oracle fp8 hand values", "[oracle]") {
  const Format e4m3fn = formats::e4m3fn();
  // OCP OFP8: max 448 = 1.75 * 2^8; the grid step in [256, 512) is 32, so 464 is a tie (448 has M = 14, even).
  CHECK(rounded(464, e4m3fn) == 448);
  CHECK(std::isnan(rounded(465, e4m3fn)));
  CHECK(rounded(470, e4m3fn, RoundingMode::toward_zero) == 448);
  CHECK(rounded(-1e4, e4m3fn, RoundingMode::upward) == -448);
  CHECK(bits(rounded(-1e4, e4m3fn)) == 0xFFF8000000000000);  // NaN keeps the sign
  const Format e4m3fn_saturating = with_overflow(e4m3fn, OverflowPolicy::saturate);
  CHECK(rounded(1e4, e4m3fn_saturating) == 448);
  CHECK(rounded(-kInf, e4m3fn_saturating) == -448);
  CHECK(rounded(std::ldexp(1, -9), e4m3fn) == std::ldexp(1, -9));   // smallest subnormal 2^(-6 - 3)
  CHECK(rounded(std::ldexp(3, -11), e4m3fn) == std::ldexp(1, -9));  // 0.75 of it

  const Format e5m2 = formats::e5m2();
  CHECK(e5m2.max_finite() == 57344);
  CHECK(rounded(57344, e5m2) == 57344);
  CHECK(rounded(61440, e5m2) == kInf);  // tie between 57344 (M = 7) and 65536 (M = 8, even)
  CHECK(rounded(61439.99, e5m2) == 57344);
  CHECK(rounded(61440, e5m2, RoundingMode::toward_zero) == 57344);
  CHECK(rounded(-61440, e5m2, RoundingMode::downward) == -kInf);
}

TEST_CASE("oracle binary16 subnormals and underflow", "[oracle]") {
  const Format binary16 = formats::binary16();
  const double min_subnormal = std::ldexp(1, -24);
  CHECK(rounded(min_subnormal, binary16) == min_subnormal);
  CHECK(rounded(std::ldexp(1, -25), binary16) == 0);  // tie with 0, which is even
  CHECK(rounded(std::ldexp(1 + std::ldexp(1, -20), -25), binary16) == min_subnormal);
  CHECK(rounded(std::ldexp(3, -25), binary16) == std::ldexp(2, -24));  // 1.5 ulp: tie to even M = 2
  CHECK(rounded(std::ldexp(1, -30), binary16, RoundingMode::upward) == min_subnormal);
  const double negative_tiny = rounded(-std::ldexp(1, -30), binary16);
  CHECK(negative_tiny == 0);
  CHECK(std::signbit(negative_tiny));
  CHECK(rounded(-std::ldexp(1, -30), binary16, RoundingMode::downward) == -min_subnormal);

  const Format flushing = without_subnormals(binary16);
  const double min_normal = std::ldexp(1, -14);
  CHECK(rounded(0.75 * min_normal, flushing) == min_normal);
  CHECK(rounded(0.25 * min_normal, flushing) == 0);
  CHECK(rounded(0.5 * min_normal, flushing) == 0);  // tie between 0 and 2^-14: 0 is even
  CHECK(rounded(0.25 * min_normal, flushing, RoundingMode::upward) == min_normal);
  CHECK(rounded(0.75 * min_normal, flushing, RoundingMode::toward_zero) == 0);
  CHECK(std::signbit(rounded(-0.25 * min_normal, flushing)));
  CHECK(rounded(-0.25 * min_normal, flushing, RoundingMode::downward) == -min_normal);
  CHECK(rounded(min_normal * (1 + std::ldexp(1, -10)), flushing) == min_normal * (1 + std::ldexp(1, -10)));
}

TEST_CASE("oracle special values per format", "[oracle]") {
  const double signalling_nan = std::bit_cast<double>(std::uint64_t{0x7FF0000000000001});
  const double negative_nan = std::bit_cast<double>(std::uint64_t{0xFFF0000000000123});
  for (const Format& f : formats::named()) {
    INFO(f.name);
    CHECK(bits(rounded(signalling_nan, f)) == 0x7FF8000000000001);  // quieted, payload kept
    CHECK(bits(rounded(negative_nan, f, RoundingMode::toward_zero)) == 0xFFF8000000000123);
    CHECK(bits(rounded(-0.0, f)) == bits(-0.0));
    CHECK(bits(rounded(0.0, f, RoundingMode::downward)) == bits(0.0));
  }
  CHECK(rounded(kInf, formats::binary16()) == kInf);
  CHECK(rounded(-kInf, formats::bfloat16(), RoundingMode::toward_zero) == -kInf);  // Inf is not an overflow
  CHECK(bits(rounded(kInf, formats::e4m3fn())) == 0x7FF8000000000000);
  CHECK(bits(rounded(-kInf, formats::e4m3fn())) == 0xFFF8000000000000);
  const Format finite_only = parse_format("p=4,emin=-6,emax=8,specials=none");  // CPFloat's E4M3, max 480
  CHECK(rounded(-kInf, finite_only) == -480);
  CHECK(rounded(1e4, finite_only) == 480);

  const float float_snan = std::bit_cast<float>(0x7F800001u);
  CHECK(bits(mpfr_oracle_round_to_binary32(float_snan, formats::bfloat16(), RoundingMode::nearest_even)) ==
        0x7FC00001u);
  CHECK(bits(mpfr_oracle_round_to_binary32(-std::numeric_limits<float>::infinity(), formats::e4m3fn(),
                                           RoundingMode::nearest_even)) == 0xFFC00000u);
  CHECK_THROWS_AS(rounded(1.0, formats::bfloat16(), RoundingMode::stochastic), std::invalid_argument);
}

TEST_CASE("oracle binary32 entry point overflows binary32 storage to Inf", "[oracle]") {
  // A format wider than binary32: FLT_MAX rounded to 8 bits is 2^128, finite in the format, not in binary32.
  const Format wide = parse_format("p=8,emin=-126,emax=200");
  const float flt_max = std::numeric_limits<float>::max();
  CHECK(rounded(flt_max, wide) == std::ldexp(1, 128));
  CHECK(mpfr_oracle_round_to_binary32(flt_max, wide, RoundingMode::nearest_even) ==
        std::numeric_limits<float>::infinity());
  CHECK(mpfr_oracle_round_to_binary32(flt_max, wide, RoundingMode::toward_zero) == std::ldexp(255.0f, 120));
}

TEST_CASE("oracle mpfr:P formats", "[oracle]") {
  CHECK(rounded(1 + std::ldexp(1, -10), formats::mpfr(10)) == 1);  // tie: 2^-9 is the step above 1
  CHECK(rounded(1 + std::ldexp(3, -10), formats::mpfr(10)) == 1 + std::ldexp(1, -8));
  CHECK(rounded(std::numeric_limits<double>::max(), formats::mpfr(2)) == kInf);  // 2^1024 in binary64 storage
  CHECK(rounded(std::numeric_limits<double>::max(), formats::mpfr(2), RoundingMode::toward_zero) ==
        std::ldexp(1.5, 1023));
  CHECK(rounded(std::ldexp(3, -1074), formats::mpfr(1)) == std::ldexp(1, -1072));  // no subnormals: 1 bit
  std::mt19937_64 rng(kSeed);
  for (int i = 0; i < 1000; ++i) {
    const double x = std::bit_cast<double>(rng() & 0x7FEFFFFFFFFFFFFFu);  // finite, positive
    for (const ModePair& m : kModes) {
      INFO("seed " << kSeed << " x=" << std::hexfloat << x);
      REQUIRE(bits(rounded(x, formats::mpfr(53), m.mode)) == bits(x));
      REQUIRE(bits(rounded(-x, formats::mpfr(200), m.mode)) == bits(-x));
    }
  }
}

TEST_CASE("oracle neighbours and stochastic rounding", "[oracle]") {
  const Format bf16 = formats::bfloat16();
  const double x = 1 + std::ldexp(1, -9);  // a quarter of the way from 1 to 1 + 2^-7
  OracleNeighbours n = mpfr_oracle_neighbours(x, bf16);
  CHECK(n.toward_zero_value == 1);
  CHECK(n.away_value == 1 + std::ldexp(1, -7));
  CHECK(n.probability_away == 0.25);
  CHECK(!n.exact);
  n = mpfr_oracle_neighbours(-x - std::ldexp(1, -40), bf16);
  CHECK(n.toward_zero_value == -1);
  CHECK(n.away_value == -1 - std::ldexp(1, -7));
  CHECK(n.probability_away == 0.25 + std::ldexp(1, -33));  // exact, not rounded
  n = mpfr_oracle_neighbours(1.5, bf16);
  CHECK((n.exact && n.toward_zero_value == 1.5 && n.away_value == 1.5 && n.probability_away == 0));
  n = mpfr_oracle_neighbours(std::ldexp(1.5, -24), formats::binary16());  // between subnormals
  CHECK((n.toward_zero_value == std::ldexp(1, -24) && n.away_value == std::ldexp(1, -23)));
  CHECK(n.probability_away == 0.5);
  n = mpfr_oracle_neighbours(-0.25 * std::ldexp(1, -14), without_subnormals(formats::binary16()));
  CHECK((n.toward_zero_value == 0 && std::signbit(n.toward_zero_value) && n.away_value == -std::ldexp(1, -14)));
  CHECK(n.probability_away == 0.25);
  n = mpfr_oracle_neighbours(65520, formats::binary16());  // overflow is not applied
  CHECK((n.toward_zero_value == 65504 && n.away_value == 65536 && n.probability_away == 0.5));
  CHECK_THROWS_AS(mpfr_oracle_neighbours(kInf, bf16), std::invalid_argument);

  // Away iff r < floor(p * 2^32): p = 1/4 gives 2^30.
  CHECK(mpfr_oracle_round_stochastic(x, bf16, (1u << 30) - 1) == 1 + std::ldexp(1, -7));
  CHECK(mpfr_oracle_round_stochastic(x, bf16, 1u << 30) == 1);
  // p = 1 - 2^-43: floor(p * 2^32) = 2^32 - 1, so only r = 2^32 - 1 stays toward zero.
  const double almost_away = 1 + std::ldexp(1, -7) - std::ldexp(1, -50);
  CHECK(mpfr_oracle_round_stochastic(almost_away, bf16, 0xFFFFFFFEu) == 1 + std::ldexp(1, -7));
  CHECK(mpfr_oracle_round_stochastic(almost_away, bf16, 0xFFFFFFFFu) == 1);
  // p = 2^-40: floor(p * 2^32) = 0, never away.
  CHECK(mpfr_oracle_round_stochastic(1 + std::ldexp(1, -47), bf16, 0) == 1);
  // Overflow as for nearest_even; special values likewise.
  CHECK(mpfr_oracle_round_stochastic(65519, formats::binary16(), 0) == kInf);
  CHECK(mpfr_oracle_round_stochastic(65519, formats::binary16(), 0xFFFFFFFFu) == 65504);
  CHECK(std::isnan(mpfr_oracle_round_stochastic(500, formats::e4m3fn(), 0)));
  CHECK(bits(mpfr_oracle_round_stochastic(-0.0, bf16, 0)) == bits(-0.0));
  CHECK(bits(mpfr_oracle_round_stochastic(kInf, formats::e4m3fn(), 0)) == 0x7FF8000000000000);
}
