// Real implementations of trig and pow that stacks call, evaluated for real on this machine (not models):
// the C library's cosf/sinf/powf and SLEEF's AVX2 cos/sin. Their results are those of THIS machine's
// libraries; conformance tests pin them to the goldens of real stacks (tests/data/conformance).
#pragma once

#include <span>

namespace ropelab::rope {

// cos/sin of each binary32 angle by the C library's cosf/sinf (glibc 2.36 on Debian x86-64 selects FMA
// variants by ifunc; ~1 ulp, not correctly rounded). Inputs must be binary32 values held in binary64.
// ggml CPU (ops.cpp rope_yarn: cosf(theta), sinf(theta)) and torch.polar's scalar kernel call these.
void libm_sincos_f32(std::span<const double> angle, std::span<double> sin_out, std::span<double> cos_out);

// The C library's powf(x, y) on binary32 values (glibc powf: < 1 ulp, not correctly rounded).
double libm_powf(double x, double y);

// cos/sin of each binary32 angle by SLEEF 3.5.1's Sleef_cosf8_u10avx2 / Sleef_sinf8_u10avx2 (lanes are
// independent, so grouping into 8-lane vectors does not change any value). This is what torch 1.13 CPU's
// vectorised cos/sin compute at AVX2 capability (aten Vectorized<float>::cos -> Sleef_cosf8_u10).
// Throws std::invalid_argument if this CPU lacks AVX2 or FMA (the variant cannot run here).
void sleef_u10_sincos_f32(std::span<const double> angle, std::span<double> sin_out, std::span<double> cos_out);

// SLEEF 3.5.1's Sleef_powf8_u10avx2(x, y) on binary32 values (torch 1.13 CPU's vectorised pow). Throws as
// sleef_u10_sincos_f32 without AVX2/FMA.
double sleef_u10_powf(double x, double y);

}  // namespace ropelab::rope
