// Vectorised elementwise stages of the pipeline emulator (internal to pipeline*.cc; kernels in
// pipeline_kernels.cc).
#pragma once

#include <span>

namespace ropelab::rope {

// x = (double)(float)x for every element: one IEEE binary64 -> binary32 conversion (round to nearest even, the
// hardware conversion static_cast<float> uses; NaN stays NaN, overflow gives ±inf) and back, exactly.
// Bit-identical to the scalar cast on every Highway target (tests/rope/wall_scan_test.cc).
void round_to_binary32(std::span<double> values);

}  // namespace ropelab::rope
