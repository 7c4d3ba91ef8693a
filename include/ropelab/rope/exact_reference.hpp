// The exact RoPE reference: what a rotation by θ = m·ω "should" be, independent of any fp pipeline.
// Two paths with one meaning:
//  - mpfr_*: ground truth. θ = m·ω formed exactly in MPFR, reduced mod 2π with >= 300 spare bits,
//    cos/sin correctly rounded to binary64. Slow (~10 µs per rotation); use it to test and for spot checks.
//  - fast_*: the same rotation for full sweeps. m·ω carried exactly as a sum of doubles (FMA two-products),
//    reduced by a 3-double 2π in an exact floating-point expansion, then extended-precision cos/sin plus a first-
//    order correction for the low word of the reduced angle.
// Notation (shared/theory, real-stacks.md §0): m = position, ω = inverse frequency of one pair, θ = m·ω.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "ropelab/rope/double_double.hpp"
#include "ropelab/rope/rope_spec.hpp"  // Pairing

namespace ropelab::rope {

// One 2-D rotation of a rotary pair at one position.
struct ReferenceRotation {
  DoubleDouble reduced_angle;  // θ mod 2π in [-π, π), as hi + lo
  double cos = 1;              // cos θ in binary64
  double sin = 0;              // sin θ in binary64
};

// Largest position accepted by both paths: every m in [0, 2^53) is an exact binary64.
inline constexpr std::int64_t max_reference_position = (std::int64_t{1} << 53) - 1;

// --- MPFR path (src/rope/exact_reference_mpfr.cc) -------------------------------------------------------

// Ground-truth rotation of one pair at position m.
// Valid: 0 <= m < 2^53; omega.hi, omega.lo finite (ω = hi + lo taken exactly, any exponent gap).
// Exact: θ = m·ω is formed without rounding; the reduction uses 2π at 300 + exponent(θ) bits, so the
// reduced angle is within 2^-290 of the true θ mod 2π before it is split into a DoubleDouble
// (hi = RN(r), lo = RN(r - hi): |error| <= 2^-106·|r|).
// cos/sin: correctly rounded (RNE) from the 300-bit reduced angle; this equals correct rounding of the
// true values unless cos θ or sin θ lies within ~2^-280 (relative) of a rounding boundary — far below the
// known binary64 worst cases of cos/sin (~2^-120).
ReferenceRotation mpfr_reference_rotation(std::int64_t m, DoubleDouble omega);

// Ground-truth attention score q^T R(m) k, R block-diagonal with one rotation by m·omega[i] per pair:
// for pair (x0, x1) the rotated key is (k0·c − k1·s, k1·c + k0·s) (real-stacks.md §0).
// Pairing: half_split pairs (x[i], x[i + d/2]); interleaved pairs (x[2i], x[2i+1]).
// Valid: q.size() == k.size() == d even, omega.size() == d/2, 0 <= m < 2^53, finite inputs.
// Error: every term is computed with 200-bit cos/sin and summed exactly (mpfr_sum), then rounded once to
// binary64; the result is within 0.5 ulp + 2^-190·Σ(|q0|+|q1|)(|k0|+|k1|) of the exact score.
double mpfr_reference_score(std::span<const double> q, std::span<const double> k, std::int64_t m,
                            std::span<const DoubleDouble> omega, Pairing pairing);

// --- Fast path (src/rope/exact_reference_fast.cc) ------------------------------------------------------

// Largest |θ| = m·|ω| the fast reduction accepts (checked on every call: std::out_of_range). With positions < 2^53 this allows |ω| <= 128.
inline constexpr double fast_reference_max_angle = 1152921504606846976.0;  // 2^60

// Same rotation as mpfr_reference_rotation, without MPFR.
// Valid: 0 <= m < 2^53, |m·ω| < 2^60 (else std::out_of_range); ω normal or zero (no subnormal products).
// Reduced angle: in [-π, π); |error| <= 2^-99 (≈1.6e-30) absolute against the true θ mod 2π
// (2π carried as 3 doubles: truncation < 2^-161 per multiple of 2π, k < 2^58; k·P3 rounding <= 2^-102;
// final DoubleDouble rounding <= 2^-104). Measured in tests/rope/exact_reference_test.cc.
// cos/sin: cos h − l·sin h and sin h + l·cos h for the reduced angle h + l, evaluated with glibc cosl/sinl
// in x87 extended precision (64-bit significand, ~1 ulp there) and rounded once to binary64; on targets
// where long double is binary64, glibc cos/sin (<= 1 ulp, not correctly rounded) plus an FMA correction.
// Contract: within 1 ulp of the correctly rounded value. Measured (x86-64, glibc 2.36): 23,987 of 24,000
// sampled cos/sin bit-identical to MPFR, the rest 1 ulp; ~220 ns per rotation (the binary64 fallback is
// ~90 ns but only ~80% bit-identical).
ReferenceRotation fast_reference_rotation(std::int64_t m, DoubleDouble omega);

// Streaming form for one pair: for j in [0, n), cos_out[j], sin_out[j] = rotation at position m0 + j.
// reduced_out may be empty (not written) or have size >= n. Each position is computed independently
// (no recurrence), so results equal fast_reference_rotation bit for bit; no allocation, no threads.
// Valid: cos_out.size() >= n, sin_out.size() >= n, 0 <= m0, m0 + n <= 2^53, |θ| < 2^60 on the range.
void fast_reference_rotations(std::int64_t m0, std::size_t n, DoubleDouble omega,
                              std::span<double> cos_out, std::span<double> sin_out,
                              std::span<DoubleDouble> reduced_out = {});

}  // namespace ropelab::rope
