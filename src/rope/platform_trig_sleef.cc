// SLEEF's AVX2+FMA single-precision cos/sin (Debian libsleef-dev 3.5.1). This file alone is compiled with
// -mavx2 -mfma (src/CMakeLists.txt); its functions run only after the CPU check below.
#include <immintrin.h>
#include <sleef.h>

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

#include "platform_trig.hpp"

namespace ropelab::rope {

namespace {

void require_avx2_fma(const char* what) {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    throw std::invalid_argument(std::string(what) + ": this CPU lacks AVX2/FMA, so SLEEF's avx2 variant cannot run here");
  }
}

}  // namespace

double sleef_u10_powf(double x, double y) {
  require_avx2_fma("pow=torch_cpu");
  const __m256 r = Sleef_powf8_u10avx2(_mm256_set1_ps(static_cast<float>(x)), _mm256_set1_ps(static_cast<float>(y)));
  return _mm256_cvtss_f32(r);
}

void sleef_u10_sincos_f32(std::span<const double> angle, std::span<double> sin_out, std::span<double> cos_out) {
  require_avx2_fma("trig=sleef_u10");
  std::array<float, 8> x{}, c{}, s{};
  for (std::size_t e0 = 0; e0 < angle.size(); e0 += 8) {
    const std::size_t n = std::min<std::size_t>(8, angle.size() - e0);
    x.fill(0.0f);
    for (std::size_t t = 0; t < n; ++t) x[t] = static_cast<float>(angle[e0 + t]);
    const __m256 v = _mm256_loadu_ps(x.data());
    _mm256_storeu_ps(c.data(), Sleef_cosf8_u10avx2(v));
    _mm256_storeu_ps(s.data(), Sleef_sinf8_u10avx2(v));
    for (std::size_t t = 0; t < n; ++t) {
      cos_out[e0 + t] = c[t];
      sin_out[e0 + t] = s[t];
    }
  }
}

}  // namespace ropelab::rope
