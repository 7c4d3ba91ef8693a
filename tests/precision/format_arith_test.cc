// FormatArithmetic against references that share none of its paths: MPFR computing each operation once at
// precision p on the format's grid (mpfr_set_emin + mpfr_subnormalize), the FPU's own binary64 arithmetic in
// every rounding direction, and hand-built double-rounding cases.
#include "ropelab/format_arith.hpp"
#include "ropelab/mpfr_value.hpp"

#include <mpfr.h>

#include <algorithm>
#include <bit>
#include <catch2/catch_test_macros.hpp>
#include <cfenv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "ropelab/counter_rng.hpp"
#include "ropelab/format.hpp"
#include "ropelab/mpfr_oracle.hpp"

using namespace ropelab;

namespace {

constexpr std::uint64_t kSeed = 0xa217e5eed;
constexpr std::size_t kOperationCount = 20'000;

enum class Operation { add, sub, mul, div, sqrt, fma };
constexpr Operation kOperations[] = {Operation::add, Operation::sub,  Operation::mul,
                                     Operation::div, Operation::sqrt, Operation::fma};

const char* name(Operation op) {
  constexpr const char* kNames[] = {"add", "sub", "mul", "div", "sqrt", "fma"};
  return kNames[static_cast<int>(op)];
}

struct Operands {
  double a;
  double b = 0;
  double c = 0;
};

double apply(FormatArithmetic& arith, Operation op, const Operands& x) {
  switch (op) {
    case Operation::add: return arith.add(x.a, x.b);
    case Operation::sub: return arith.sub(x.a, x.b);
    case Operation::mul: return arith.mul(x.a, x.b);
    case Operation::div: return arith.div(x.a, x.b);
    case Operation::sqrt: return arith.sqrt(x.a);
    case Operation::fma: return arith.fma(x.a, x.b, x.c);
  }
  return 0;
}

mpfr_rnd_t mpfr_direction(RoundingMode mode) {
  switch (mode) {
    case RoundingMode::toward_zero: return MPFR_RNDZ;
    case RoundingMode::upward: return MPFR_RNDU;
    case RoundingMode::downward: return MPFR_RNDD;
    default: return MPFR_RNDN;
  }
}

using Mpfr = MpfrValue;

// op(x) computed by MPFR into `result`, rounded once to result's precision; returns the ternary value.
int mpfr_apply(Operation op, mpfr_ptr result, const Operands& x, mpfr_rnd_t rnd) {
  Mpfr a(53, x.a);  // exact
  Mpfr b(53, x.b);
  Mpfr c(53, x.c);
  switch (op) {
    case Operation::add: return mpfr_add(result, a.get(), b.get(), rnd);
    case Operation::sub: return mpfr_sub(result, a.get(), b.get(), rnd);
    case Operation::mul: return mpfr_mul(result, a.get(), b.get(), rnd);
    case Operation::div: return mpfr_div(result, a.get(), b.get(), rnd);
    case Operation::sqrt: return mpfr_sqrt(result, a.get(), rnd);
    case Operation::fma: return mpfr_fma(result, a.get(), b.get(), c.get(), rnd);
  }
  return 0;
}

// op(x) rounded once onto f's grid by MPFR: precision p, emin such that the smallest subnormal
// 2^(emin - p + 1) is MPFR's smallest number (its significands lie in [1/2, 1)), mpfr_subnormalize for the
// subnormal grid. emax stays wide, so a result beyond max_finite is returned as the p-bit value it rounds to.
// The global exponent range is restored before returning. Operands must be values of f (they are in range).
double on_grid(Operation op, const Operands& x, const Format& f, mpfr_rnd_t rnd) {
  Mpfr result(f.precision);
  const mpfr_exp_t emin = mpfr_get_emin();
  mpfr_set_emin(f.emin - f.precision + 2);
  const int ternary = mpfr_apply(op, result.get(), x, rnd);
  mpfr_subnormalize(result.get(), ternary, rnd);
  mpfr_set_emin(emin);
  return mpfr_get_d(result.get(), MPFR_RNDN);  // exact: p <= 53 bits, far inside binary64's range
}

// IEEE 754 section 7.4 with the format's policy: beyond max_finite, modes that round toward zero on the
// result's side give +-max_finite, the others follow f.overflow.
double with_overflow_policy(double r, const Format& f, RoundingMode mode) {
  if (!(std::abs(r) > f.max_finite())) return r;
  const bool negative = std::signbit(r);
  const bool toward_zero_side = mode == RoundingMode::toward_zero || (mode == RoundingMode::upward && negative) ||
                                (mode == RoundingMode::downward && !negative);
  if (toward_zero_side || f.overflow == OverflowPolicy::saturate) return std::copysign(f.max_finite(), r);
  if (f.overflow == OverflowPolicy::to_inf) return std::copysign(std::numeric_limits<double>::infinity(), r);
  return std::numeric_limits<double>::quiet_NaN();
}

double reference(Operation op, const Operands& x, const Format& f, RoundingMode mode) {
  return with_overflow_policy(on_grid(op, x, f, mpfr_direction(mode)), f, mode);
}

// Stochastic rounding of the exact result, from MPFR alone: the neighbours are the roundings toward and away
// from zero, the fraction comes from the result at 1100 bits. For the formats tested here (exponents within
// [-150, 128]) add, sub, mul and fma results span fewer than 600 bits, so 1100 bits hold them exactly. A
// quotient or square root is either a (p + 32)-bit number, also held exactly, or relatively at least about
// 2^-(2p + 66) away from every such number (the breakpoints of floor(fraction * 2^32)), far more than the
// 2^-1100 error, so the second rounding cannot move it across one.
double stochastic_reference(Operation op, const Operands& x, const Format& f, std::uint32_t random) {
  const double toward = on_grid(op, x, f, MPFR_RNDZ);
  const double away = on_grid(op, x, f, MPFR_RNDA);
  if (toward == away) return with_overflow_policy(toward, f, RoundingMode::nearest_even);
  Mpfr fraction(1100);
  mpfr_apply(op, fraction.get(), x, MPFR_RNDN);
  mpfr_sub_d(fraction.get(), fraction.get(), toward, MPFR_RNDN);         // exact
  mpfr_div_d(fraction.get(), fraction.get(), away - toward, MPFR_RNDN);  // exact: a power of two
  mpfr_mul_2ui(fraction.get(), fraction.get(), 32, MPFR_RNDN);
  mpfr_floor(fraction.get(), fraction.get());
  const bool round_away = random < mpfr_get_ui(fraction.get(), MPFR_RNDN);
  return with_overflow_policy(round_away ? away : toward, f, RoundingMode::nearest_even);
}

bool same(double got, double want) {
  return std::isnan(got) ? std::isnan(want)
                         : std::bit_cast<std::uint64_t>(got) == std::bit_cast<std::uint64_t>(want);
}

// Random values of a format: random doubles rounded to nearest by the oracle. Half of the exponents span the
// whole format (plus p below, to reach its subnormals and zero), half its middle; 1 in 64 values is a zero.
class FormatSampler {
 public:
  FormatSampler(const Format& f, std::uint64_t seed) : format_(f), rng_(seed) {}

  double value() { return near(exponent()); }

  // A value whose binade is e (clamped to the format's range), or nearby after rounding.
  double near(long e) {
    e = std::clamp(e, format_.emin - format_.precision, format_.emax);
    for (;;) {
      const std::uint64_t random = rng_();
      if (random % 64 == 0) return (random & 64) ? -0.0 : 0.0;
      const double significand = 1.0 + std::ldexp(static_cast<double>(random >> 12), -52);
      const double x = std::ldexp((random & 64) ? -significand : significand, static_cast<int>(e));
      const double v = mpfr_oracle_round(x, format_, RoundingMode::nearest_even);
      if (std::isfinite(v)) return v;
    }
  }

  // Within p + 2 binades of v's: where sums cancel and tie with the operands' bits.
  double close_to(double v) {
    const long offset = std::uniform_int_distribution<long>(-format_.precision - 2, format_.precision + 2)(rng_);
    return v == 0 || !std::isfinite(v) ? value() : near(std::ilogb(v) + offset);
  }

  bool coin() { return rng_() & 1; }

 private:
  long exponent() {
    const bool whole = coin();
    const long low = whole ? format_.emin - format_.precision : format_.emin / 2;
    const long high = whole ? format_.emax : format_.emax / 2;
    return std::uniform_int_distribution<long>(low, high)(rng_);
  }

  const Format& format_;
  std::mt19937_64 rng_;
};

// Operands for op: values of the format; divisors nonzero and square roots of non-negative values (the
// exact result is finite); half of the addends and fma's c close to the other term.
std::vector<Operands> random_operands(Operation op, const Format& f, std::size_t count, std::uint64_t seed) {
  FormatSampler sampler(f, seed);
  std::vector<Operands> operands;
  while (operands.size() < count) {
    Operands x{sampler.value(), sampler.value(), sampler.value()};
    if (op == Operation::add || op == Operation::sub) x.b = sampler.coin() ? sampler.close_to(x.a) : x.b;
    if (op == Operation::fma) x.c = sampler.coin() ? sampler.close_to(x.a * x.b) : x.c;
    if (op == Operation::sqrt) x.a = std::abs(x.a);
    if (op == Operation::div && x.b == 0) continue;
    operands.push_back(x);
  }
  return operands;
}

Format custom_p40() { return parse_format("p=40,emin=-200,emax=200"); }

// Counts results of `arith` that differ from want(i), reporting the first few.
template <typename Want>
void require_matches(const Format& f, Operation op, RoundingMode mode, std::uint64_t seed,
                     const std::vector<Operands>& operands, FormatArithmetic& arith, const Want& want) {
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < operands.size(); ++i) {
    const Operands& x = operands[i];
    const double got = apply(arith, op, x);
    const double expected = want(i);
    if (same(got, expected)) continue;
    if (++mismatches <= 5) {
      UNSCOPED_INFO(std::hexfloat << "a=" << x.a << " b=" << x.b << " c=" << x.c << " got " << got << " want "
                                  << expected << std::defaultfloat);
    }
  }
  INFO(f.name << " " << name(op) << " " << to_string(mode) << ", seed " << seed << ", " << operands.size()
              << " operations");
  CHECK(mismatches == 0);
}

double flt_round(double x) { return static_cast<float>(x); }

}  // namespace

TEST_CASE("format arithmetic is correctly rounded in every deterministic mode", "[arith]") {
  const Format formats_under_test[] = {formats::binary16(), formats::bfloat16(), formats::e4m3fn(),
                                       formats::tf32(), custom_p40()};
  std::uint64_t seed = kSeed;
  for (const Format& f : formats_under_test) {
    for (const Operation op : kOperations) {
      const std::vector<Operands> operands = random_operands(op, f, kOperationCount, ++seed);
      for (const RoundingMode mode : kDeterministicModes) {
        FormatArithmetic arith(f, mode);
        require_matches(f, op, mode, seed, operands, arith,
                        [&](std::size_t i) { return reference(op, operands[i], f, mode); });
      }
    }
  }
}

TEST_CASE("format arithmetic stochastic rounding is that of the exact result for p <= 20", "[arith]") {
  std::uint64_t seed = kSeed + 100;
  for (const Format& f : {formats::binary16(), formats::bfloat16(), formats::e4m3fn()}) {
    for (const Operation op : kOperations) {
      const std::vector<Operands> operands = random_operands(op, f, kOperationCount / 4, ++seed);
      FormatArithmetic arith(f, RoundingMode::stochastic, seed);
      require_matches(f, op, RoundingMode::stochastic, seed, operands, arith, [&](std::size_t i) {
        return stochastic_reference(op, operands[i], f, counter_random_u32(seed, i));
      });
    }
  }
}

TEST_CASE("format arithmetic stochastic rounding uses the oracle's rule on exact products", "[arith]") {
  // Products of bfloat16 values have at most 16 bits, so binary64 holds the exact result the oracle needs.
  const Format bf16 = formats::bfloat16();
  const std::vector<Operands> operands = random_operands(Operation::mul, bf16, kOperationCount, kSeed + 200);
  FormatArithmetic arith(bf16, RoundingMode::stochastic, kSeed);
  require_matches(
      bf16, Operation::mul, RoundingMode::stochastic, kSeed + 200, operands, arith, [&](std::size_t i) {
        return mpfr_oracle_round_stochastic(operands[i].a * operands[i].b, bf16, counter_random_u32(kSeed, i));
      });
}

TEST_CASE("format arithmetic fma avoids double rounding", "[arith]") {
  SECTION("binary32 via binary64") {
    // a * b + c = 1 + 2^-24 + 2^-70: binary64 rounds it to the tie 1 + 2^-24, which binary32 then rounds to
    // even (1); the exact value lies above the tie, so the answer is 1 + 2^-23.
    const double a = std::ldexp(1 + std::ldexp(1, -23), -12);
    const double b = -std::ldexp(1 - std::ldexp(1, -23), -12);
    const double c = 1 + std::ldexp(1, -23);
    REQUIRE(flt_round(std::fma(a, b, c)) == 1.0);  // the naive route really fails here
    FormatArithmetic arith(formats::binary32(), RoundingMode::nearest_even);
    CHECK(arith.fma(a, b, c) == 1 + std::ldexp(1, -23));
    CHECK(on_grid(Operation::fma, {a, b, c}, formats::binary32(), MPFR_RNDN) == 1 + std::ldexp(1, -23));
    FormatArithmetic mpfr24(formats::mpfr(24), RoundingMode::nearest_even);
    CHECK(mpfr24.fma(a, b, c) == 1 + std::ldexp(1, -23));
  }
  SECTION("p = 40") {
    // Same construction one level up: a * b + c = 1 + 2^-40 + 2^-118.
    const Format f = custom_p40();
    const double a = std::ldexp(1 + std::ldexp(1, -39), -20);
    const double b = -std::ldexp(1 - std::ldexp(1, -39), -20);
    const double c = 1 + std::ldexp(1, -39);
    REQUIRE(mpfr_oracle_round(std::fma(a, b, c), f, RoundingMode::nearest_even) == 1.0);
    FormatArithmetic arith(f, RoundingMode::nearest_even);
    CHECK(arith.fma(a, b, c) == 1 + std::ldexp(1, -39));
    FormatArithmetic down(f, RoundingMode::toward_zero);
    CHECK(down.fma(a, b, c) == 1);
  }
  SECTION("p = 40 addition") {
    // 1 + (2^-40 + 2^-79): binary64 drops 2^-79 and leaves a tie, so p > 25 needs round-to-odd for + too.
    const Format f = custom_p40();
    const double b = std::ldexp(1 + std::ldexp(1, -39), -40);
    REQUIRE(mpfr_oracle_round(1 + b, f, RoundingMode::nearest_even) == 1.0);
    FormatArithmetic arith(f, RoundingMode::nearest_even);
    CHECK(arith.add(1, b) == 1 + std::ldexp(1, -39));
  }
}

TEST_CASE("format arithmetic in binary64 equals the FPU in every direction", "[arith]") {
  // p = 53 takes the MPFR path; the FPU's own operations are the independent reference, including subnormal
  // results, overflow and signed zeros.
  const Format binary64 = formats::binary64();
  const std::pair<RoundingMode, int> directions[] = {{RoundingMode::nearest_even, FE_TONEAREST},
                                                     {RoundingMode::toward_zero, FE_TOWARDZERO},
                                                     {RoundingMode::upward, FE_UPWARD},
                                                     {RoundingMode::downward, FE_DOWNWARD}};
  std::uint64_t seed = kSeed + 300;
  for (const Operation op : kOperations) {
    const std::vector<Operands> operands = random_operands(op, binary64, kOperationCount / 10, ++seed);
    for (const auto& [mode, direction] : directions) {
      std::vector<double> hardware(operands.size());
      REQUIRE(std::fesetround(direction) == 0);
      for (std::size_t i = 0; i < operands.size(); ++i) {
        // volatile: gcc would otherwise fold or move the arithmetic across fesetround.
        const volatile double a = operands[i].a;
        const volatile double b = operands[i].b;
        const volatile double c = operands[i].c;
        volatile double r = 0;
        switch (op) {
          case Operation::add: r = a + b; break;
          case Operation::sub: r = a - b; break;
          case Operation::mul: r = a * b; break;
          case Operation::div: r = a / b; break;
          case Operation::sqrt: r = std::sqrt(a); break;
          case Operation::fma: r = std::fma(a, b, c); break;
        }
        hardware[i] = r;
      }
      std::fesetround(FE_TONEAREST);
      FormatArithmetic arith(binary64, mode);
      require_matches(binary64, op, mode, seed, operands, arith, [&](std::size_t i) { return hardware[i]; });
    }
  }
}

TEST_CASE("format arithmetic MPFR path: p = 52, 53 and mpfr:P", "[arith]") {
  // p = 52 with subnormals: the smallest subnormal is 2^(-1022 - 51) = 2^-1073.
  const Format p52 = parse_format("p=52,emin=-1022,emax=1023");
  const double half_min = std::ldexp(1, -537);
  CHECK(FormatArithmetic(p52, RoundingMode::nearest_even).mul(half_min, half_min) == 0);  // tie: 0 is even
  CHECK(FormatArithmetic(p52, RoundingMode::nearest_even).mul(half_min, 1.5 * half_min) == std::ldexp(1, -1073));
  CHECK(FormatArithmetic(p52, RoundingMode::toward_zero).mul(half_min, 1.5 * half_min) == 0);
  CHECK(FormatArithmetic(p52, RoundingMode::upward).mul(half_min, half_min) == std::ldexp(1, -1073));
  // Without subnormals the candidates below 2^-1022 are 0 and 2^-1022.
  const Format flushing = parse_format("p=53,emin=-1022,emax=1023,subnormals=off");
  const double three_quarters = 0.75 * std::ldexp(1, -1022);
  CHECK(
      FormatArithmetic(flushing, RoundingMode::nearest_even).mul(1.5 * std::ldexp(1, -500), std::ldexp(1, -523)) ==
      std::ldexp(1, -1022));
  CHECK(FormatArithmetic(flushing, RoundingMode::toward_zero).div(three_quarters * 4, 4) == 0);
  CHECK(FormatArithmetic(flushing, RoundingMode::nearest_even).div(std::ldexp(1, -1020), 8) == 0);  // tie
  // Results of 2^1024 or more get the format's overflow value.
  const double big = std::ldexp(1, 1000);
  CHECK(FormatArithmetic(flushing, RoundingMode::nearest_even).mul(big, big) ==
        std::numeric_limits<double>::infinity());
  CHECK(FormatArithmetic(flushing, RoundingMode::toward_zero).mul(big, big) == std::numeric_limits<double>::max());
  CHECK(FormatArithmetic(formats::mpfr(24), RoundingMode::toward_zero).mul(big, big) ==
        std::numeric_limits<double>::infinity());  // as the oracle: beyond binary64's range is +-Inf
  // mpfr:P rounds to P bits with no subnormals, then stores in binary64.
  CHECK(FormatArithmetic(formats::mpfr(8), RoundingMode::nearest_even).add(1, std::ldexp(1, -8)) == 1);  // tie
  CHECK(FormatArithmetic(formats::mpfr(8), RoundingMode::upward).add(1, std::ldexp(1, -60)) ==
        1 + std::ldexp(1, -7));
  CHECK(FormatArithmetic(formats::mpfr(200), RoundingMode::upward).add(1, std::ldexp(1, -60)) ==
        1 + std::ldexp(1, -52));
}

TEST_CASE("format arithmetic special results follow the format", "[arith]") {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  FormatArithmetic bf16(formats::bfloat16(), RoundingMode::nearest_even);
  CHECK(bf16.div(1, 0) == kInf);
  CHECK(bf16.div(-1, 0) == -kInf);
  CHECK(std::isnan(bf16.div(0, 0)));
  CHECK(std::isnan(bf16.sqrt(-1)));
  CHECK(std::isnan(bf16.sub(kInf, kInf)));
  CHECK(bf16.mul(std::ldexp(1, 100), std::ldexp(1, 100)) == kInf);
  FormatArithmetic e4m3fn(formats::e4m3fn(), RoundingMode::nearest_even);
  CHECK(std::isnan(e4m3fn.div(1, 0)));
  CHECK(std::isnan(e4m3fn.mul(448, 2)));
  FormatArithmetic e4m3fn_down(formats::e4m3fn(), RoundingMode::toward_zero);
  CHECK(e4m3fn_down.mul(448, 2) == 448);
  FormatArithmetic p40_down(custom_p40(), RoundingMode::toward_zero);
  CHECK(p40_down.mul(std::ldexp(1, 150), std::ldexp(1, 150)) == custom_p40().max_finite());

  // x - x is +0 except under roundTowardNegative (IEEE 754 section 6.3), on every path.
  for (const Format& f : {formats::binary16(), custom_p40(), formats::binary64()}) {
    INFO(f.name);
    FormatArithmetic nearest(f, RoundingMode::nearest_even);
    FormatArithmetic downward(f, RoundingMode::downward);
    CHECK(!std::signbit(nearest.sub(1.5, 1.5)));
    CHECK(std::signbit(downward.sub(1.5, 1.5)));
    CHECK(std::signbit(downward.add(1.5, -1.5)));
    CHECK(std::signbit(downward.fma(1.5, 2, -3)));
    CHECK(!std::signbit(FormatArithmetic(f, RoundingMode::upward).fma(1.5, 2, -3)));
  }
  Format invalid = formats::bfloat16();
  invalid.precision = 60;
  CHECK_THROWS_AS(FormatArithmetic(invalid, RoundingMode::nearest_even), std::invalid_argument);
}
