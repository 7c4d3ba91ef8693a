// An unevaluated sum hi + lo of two binary64 values (|lo| <= ulp(hi) / 2): ~106 significant bits.
// The RoPE reference carries exact inverse frequencies in this form between its MPFR and fast paths.
#pragma once

namespace ropelab::rope {

struct DoubleDouble {
  double hi = 0;
  double lo = 0;
};

}  // namespace ropelab::rope
