// Vectorised elementwise stages of the pipeline emulator (internal to pipeline*.cc; kernels in
// pipeline_kernels.cc).
#pragma once

#include <cstddef>
#include <span>

namespace ropelab::rope {

// x = (double)(float)x for every element: one IEEE binary64 -> binary32 conversion (round to nearest even, the
// hardware conversion static_cast<float> uses; NaN stays NaN, overflow gives ±inf) and back, exactly.
// Bit-identical to the scalar cast on every Highway target (tests/rope/wall_scan_test.cc).
void round_to_binary32(std::span<double> values);

// x = RN_bfloat16((double)(float)x) for every element: the binary32 rounding above, then round_value(·,
// formats::bfloat16()) (RNE, subnormals, ±inf beyond range, NaN quiet). Vectors whose values are all below 2^127
// in magnitude round by the integer form of RNE at bit 16 (exact there, subnormals included: bf16 and binary32
// share the exponent range); any other vector goes through the scalar cast and round_value. Bit-identical to the two
// roundings on every Highway target (tests/rope/wall_scan_test.cc).
void round_to_binary32_then_bfloat16(std::span<double> values);

// angle[j * pairs + i] = (double)(float)(position[j] * omega[i]) for j < rows, i < pairs: the binary64 product
// rounded once to binary32, as the scalar product followed by round_to_binary32. Bit-identical on every target.
void angle_rows_binary32(const double* position, std::size_t rows, const double* omega, std::size_t pairs,
                         double* angle);

// The same angles pair-major: angle[i * count + j] = (double)(float)(position[j] * omega[i]). Bit-identical on every
// target and to angle_rows_binary32 transposed.
void angle_pairs_binary32(const double* position, std::size_t count, const double* omega, std::size_t pairs,
                          double* angle);

}  // namespace ropelab::rope
