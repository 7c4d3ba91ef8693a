// Arithmetic in a format: each operation's exact result is rounded once to the format.
#pragma once

#include <cstdint>

#include "ropelab/format.hpp"
#include "ropelab/rounding_mode.hpp"

namespace ropelab {

// Operands and results are binary64 values that are representable in `format` (format.fits_binary64()).
// Every result equals round(exact result) -- one rounding, never two.
//
// When is "compute in binary64, then round" already exact? For + - * / sqrt, one binary64 operation followed
// by one rounding to p bits, both to nearest, is correctly rounded iff 53 >= 2p + 2, i.e. p <= 25 (Figueroa
// 1995): binary16, bfloat16, tf32, binary32, fp8. fma never is (the product and the sum round separately),
// and neither is any operation for p in 26..52 or in a directed or stochastic mode (a + tiny b rounds to a
// in binary64). Those paths instead compute the binary64 result with round-to-odd (round toward
// zero, then set the last bit if inexact), which makes the second rounding exact for p <= 51
// (Boldo & Melquiond 2008); p = 52 and 53 go through MPFR.
class FormatArithmetic {
 public:
  FormatArithmetic(Format format, RoundingMode mode, std::uint64_t seed = 0);

  double add(double a, double b);
  double sub(double a, double b);
  double mul(double a, double b);
  double div(double a, double b);
  double sqrt(double a);
  double fma(double a, double b, double c);  // a * b + c, rounded once

  [[nodiscard]] const Format& format() const { return format_; }

 private:
  double round_result(double value);
  Format format_;
  RoundingMode mode_;
  std::uint64_t seed_;
  std::uint64_t next_index_ = 0;  // counter for stochastic rounding: one random word per operation
};

}  // namespace ropelab
