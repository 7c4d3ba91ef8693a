// RAII owner of one mpfr_t, for every MPFR code path (oracle, format arithmetic, exact RoPE reference,
// printing): initialised on construction, cleared on destruction, movable, not copyable.
#pragma once

#include <mpfr.h>

namespace ropelab {

class MpfrValue {
 public:
  explicit MpfrValue(mpfr_prec_t precision) { mpfr_init2(value_, precision); }
  // Exact when precision >= 53 (any binary64 value fits); otherwise rounded to nearest.
  MpfrValue(mpfr_prec_t precision, double x) : MpfrValue(precision) { mpfr_set_d(value_, x, MPFR_RNDN); }
  MpfrValue(MpfrValue&& other) noexcept {
    mpfr_init2(value_, MPFR_PREC_MIN);
    mpfr_swap(value_, other.value_);
  }
  MpfrValue(const MpfrValue&) = delete;
  MpfrValue& operator=(const MpfrValue&) = delete;
  MpfrValue& operator=(MpfrValue&&) = delete;
  ~MpfrValue() { mpfr_clear(value_); }

  mpfr_ptr get() { return value_; }
  mpfr_srcptr get() const { return value_; }

 private:
  mpfr_t value_;
};

}  // namespace ropelab
