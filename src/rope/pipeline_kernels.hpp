// Vectorised elementwise stages of the pipeline emulator (internal to pipeline*.cc; kernels in
// pipeline_kernels.cc).
#pragma once

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

}  // namespace ropelab::rope
