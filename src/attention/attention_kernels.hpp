// The dispatched Highway kernels of the attention emulator and its exact reference (internal to src/attention).
// Keys enter as tiles of kTileKeys keys, transposed: tile t holds key t·16 + w at [x][w] (x = coordinate), so each
// SIMD lane follows one key through the kernel's sequential coordinate order on every target.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ropelab::attention::detail {

// Keys per tile: a multiple of every x86 Highway target's float lanes (AVX3: 16).
inline constexpr std::size_t kTileKeys = 16;

// fp32 accumulation of the recipe: out[t·16 + w] = acc after acc = fl32(acc + fl32(q[x] · key[x])), x = 0..d−1,
// from acc = 0 (Mul then Add, never MulAdd: the same two roundings on every target). When every product is exact
// in binary32 (q and k values of <= 12 significant bits: bf16, fp16) this is acc = RN32(acc + q_x k_x), the fp32
// accumulator of a GEMM. keys: `tiles` tiles of d × 16 floats; out: tiles · 16 floats.
void fp32_scores(const float* q, std::size_t d, const float* keys, std::size_t tiles, float* out);

// fp32 accumulation in k-chunks, the order of a chain of MMAs over the coordinates (m16n8k16: chunk = 16): per key,
// c = fl32-sum of fl32(q[x] · key[x]) over x in [x0, x0 + chunk) in order from c = 0, then acc = fl32(acc + c), chunk
// by chunk (the last chunk may be shorter). Mul and Add, never MulAdd: bit-identical on every target. chunk >= 1
// (chunk >= d is one chunk: the sequential sum of fp32_scores).
void fp32_chunked_scores(const float* q, std::size_t d, const float* keys, std::size_t tiles, std::size_t chunk,
                         float* out);

// Compensated binary64 sum of exact products for the exact reference: per key, s = Σ_x q[x]·k[x] with every product
// q[x]·k[x] exact in binary64 (operands of <= 26 significant bits, e.g. fp32/bf16/fp16 values) summed by TwoSum into
// (hi, lo): |hi + lo − s| <= 2·d·2^-106 Σ|q_x k_x| (Ogita–Rump–Oishi Sum2). Bit-identical on every target.
// keys: tiles of d × 16 doubles; hi, lo: tiles · 16 doubles.
void exact_scores(const double* q, std::size_t d, const double* keys, std::size_t tiles, double* hi, double* lo);

// Both at once on binary32 tiles (one pass over the keys): out as fp32_scores; (hi, lo) as exact_scores with the
// same operands promoted to binary64 (qd[x] == qf[x]).
void fp32_and_exact_scores(const float* qf, const double* qd, std::size_t d, const float* keys, std::size_t tiles,
                           float* out, double* hi, double* lo);

// Emulated PV with an fp32 accumulator: for rows j = 0..rows−1 in order, o[i] = fl32(o[i] + fl32(p[j] · v[j·d + i])),
// i = 0..d−1 (Mul then Add: one rounding per step when every product is exact in binary32, e.g. bf16 P and V).
void pv_fp32(const float* p, const float* v, std::size_t rows, std::size_t d, float* o);

// Exact-reference PV: for rows in order, per i: t = fl64(w[j] · v[j·d + i]), (hi[i], lo[i]) += t by TwoSum (the sum
// error-free, each product within 2^-53 relative). v as binary32 (the _f32 form) or binary64 values.
void pv_exact_f32(const double* w, const float* v, std::size_t rows, std::size_t d, double* hi, double* lo);
void pv_exact_f64(const double* w, const double* v, std::size_t rows, std::size_t d, double* hi, double* lo);

// The same kernels on bf16 bit patterns (a bf16 cache: half the bytes; each value widened exactly by << 16).
void fp32_and_exact_scores(const float* qf, const double* qd, std::size_t d, const std::uint16_t* keys,
                           std::size_t tiles, float* out, double* hi, double* lo);
void pv_fp32(const float* p, const std::uint16_t* v, std::size_t rows, std::size_t d, float* o);
void pv_exact(const double* w, const std::uint16_t* v, std::size_t rows, std::size_t d, double* hi, double* lo);

// pv_fp32 and pv_exact_* over the same rows in one read of V (bf16 bit patterns or binary32 values): o as pv_fp32
// with p, (hi, lo) as the exact PV with w, bit for bit.
void pv_fp32_and_exact(const float* p, const double* w, const std::uint16_t* v, std::size_t rows, std::size_t d,
                       float* o, double* hi, double* lo);
void pv_fp32_and_exact(const float* p, const double* w, const float* v, std::size_t rows, std::size_t d, float* o,
                       double* hi, double* lo);

// The Highway target the kernels dispatch to (tests force each one in turn).
const char* attention_kernel_target();

}  // namespace ropelab::attention::detail
