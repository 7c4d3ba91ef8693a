// A RoPE pipeline recipe: every precision choice of a real stack, stage by stage, as an explicit field
// (the checklist of shared/reference/real-stacks.md §8), and the named presets of real pipelines.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ropelab/block_format.hpp"
#include "ropelab/format.hpp"

namespace ropelab::rope {

// Stage 1: how the inverse frequency ω_i = base^(-2i/d) is formed. Every elementary operation is rounded
// once to Recipe::omega_format; pow follows Recipe::pow.
enum class OmegaMethod {
  correctly_rounded,   // RN(ω_i): the best any stack can store
  pow_reciprocal,      // HF / vLLM / FlashAttention / Megatron: 1 / pow(base, fl(2i / d))
  fp64_pow_reciprocal, // TensorRT-LLM tables: pow in binary64, cast to omega_format, then 1 / x
  ggml_recurrence,     // an ω recurrence: s = powf(base, -2/d); ω_0 = 1, ω_i = fl(ω_(i-1) * s); angle fl(p ω_i)
  ggml_angle_recurrence,  // ggml CPU (ops.cpp ggml_rope_cache_init): the recurrence runs on the ANGLE:
                          // θ_0 = fl(p), θ_i = fl(θ_(i-1) * s) per position; stored ω is the nominal s^i
  ggml_power_of_scale, // ggml CUDA / Vulkan: ω_i = powf(s, i) of the already-rounded s
  power_of_reciprocal, // FlashInfer on the fly: ω_i = __powf(fl(1/base), fl(2i/d)) (fast pow modelled as exact)
  timescale_division,  // Gemma JAX / TensorRT-LLM kernel: the angle is fl(p / fl(pow(base, fl(2i/d)))); Gemma JAX
                       // forms the exponent as fl(fl(2/d) * i), the same value for power-of-two d (every Gemma head)
  pow_negative_exponent,  // ggml Metal kernel_rope_*: ω_i = pow(fl(base), fl(fl(-1/d) * 2i)) for every pair: a
                          // direct pow of the base, no reciprocal and no recurrence; angle fl(p ω_i)
};

// pow inside the ω stage (binary32 ω formats; other formats use the correctly rounded value).
enum class Pow {
  correctly_rounded,  // RN(base^x) in omega_format
  libm,               // the platform C library's powf called for real (glibc 2.36 on Debian: what ggml CPU,
                      // and torch's scalar pow, compute)
  torch_cpu,          // torch 1.13 CPU `base ** tensor` at AVX2 capability: Sleef_powf8_u10avx2 (~1 ulp) on the
                      // first n - n % 16 elements of the n-element tensor, glibc powf on the rest
  cuda_fast,          // a MODEL of CUDA __powf = ex2.approx(y * lg2.approx(x)): fl(exp2(fl(y * fl(log2 x)))) in
                      // fp32; the PTX approximations add up to ~2 ulp each, so this is a bound model, not bit-exact
};

// Stage 2: the position as the stack holds it before the angle product.
enum class PositionSemantics {
  rounded,       // RN(p) into position_format (exact integers when the format holds them)
  torch_arange,  // torch 1.13 CPU `arange(L, dtype=bf16|fp16)` (RangeFactoriesKernel.cpp arange_kernel with
                 // Vectorized<T>::arange): per 16-lane vector, base = RN(16j) then RN(base + k), k = 0..15;
                 // the last L mod 32 elements take the scalar path RN(p). L is the table length (the context).
};

// Stage 3: how position and ω meet.
enum class AngleProduct {
  elementwise,  // fl(p * ω) in angle_format
  tf32_matmul,  // p and ω rounded to TF32, exact product accumulated in fp32 (HF #48428 hazard)
};

// Stage 4: where frequency scaling (linear, NTK, YaRN, llama3, LongRoPE) enters. Every scaling is a per-pair
// divisor ff_i = RN(ω_i unscaled / ω_i scaled) in omega_format; several stacks apply the LINEAR factor in their own
// place and rounding order instead (the values below that name one), and treat the other scalings as stated.
enum class ScalingStage {
  omega,                 // ω_i / ff_i once, into the stored ω (HF >= 4.43 modeling_rope_utils: inv_freq /= factor)
  angle,                 // fl(angle / ff_i) at every position (Gemma JAX: sinusoid_inp /= scale_factor)
  ggml_freq_scale,       // ggml rope_yarn: fl(angle / ff_i) for the per-pair rope_freqs (llama3, LongRoPE), and the
                         // linear factor as fl(angle * freq_scale), freq_scale = fl32(1 / fl32(factor)) (llama.cpp
                         // 1.0f/ropescale), after the divisor, in angle_format.
                         // YaRN is modelled as its divisors ff_i, not as ggml's ramp blend of the two angles
  position,              // linear: fl(position / factor) into the stored position (HF <= 4.42); others as `omega`
  position_reciprocal,   // linear: fl(position * fl(1 / factor)) into the stored position (Transformer Engine and
                         // Megatron: seq *= 1 / factor); others as `omega`
  reciprocal_numerator,  // linear: ω_i = fl(fl(1 / factor) / fl(pow)) (TensorRT-LLM tables: scale = 1 / scale, then
                         // inv_freq = scale / pow); needs a pow_reciprocal or fp64_pow_reciprocal ω; others as `omega`
};

// Where the attention factor of YaRN / LongRoPE (rope_spec.hpp attention_scaling) enters.
enum class AttentionFactor {
  cos_sin,  // multiplied into cos and sin in trig_format before the table cast (HF modeling_rope_utils, vLLM, ggml)
  softmax,  // into the softmax scale, outside RoPE: the table carries no factor (DeepSeek-V3 reference mscale^2)
};

// Stage 5: the cos/sin implementation, evaluated on the stored angle and rounded to trig_format.
enum class Trig {
  correctly_rounded,  // the exact reference's cos/sin of the stored angle (exact reduction, x87 evaluation),
                      // then one rounding to trig_format: correctly rounded except within ~2^-11 ulp of a midpoint
  accurate,           // libm-like: vectorised binary64 cos/sin within 4e-16, then one rounding (the default)
  libm,               // the platform C library's cosf/sinf called for real on the binary32 angle (glibc 2.36 on
                      // Debian x86-64 picks its FMA variants by ifunc): ggml CPU, torch.polar, torch scalar tails
  sleef_u10,          // SLEEF 3.5.1 Sleef_cosf8_u10avx2 / Sleef_sinf8_u10avx2 (AVX2+FMA, 1-ulp class) on the
                      // binary32 angle: what torch 1.13 CPU's vectorised cos/sin call at AVX2 capability
  highway_unreduced,  // Highway 1.0.3 f32 Sin/Cos on the unreduced angle: 3 ULP only for |angle| <= 39000,
                      // target-dependent beyond (formats-and-libraries.md §1.3) — the one target-dependent stage
  fast_sfu,           // CUDA __sinf/__cosf model: reduction by an fp32 multiply with fl(1/2π), so the absolute
                      // error grows like |angle| * 2^-24 (kekzl/imp#1316; CUDA C Programming Guide)
};

// Stage 7: the rotation y0 = x0 c - x1 s, y1 = x1 c + x0 s.
enum class Rotation {
  per_op,           // every product and sum rounded to storage_format (HF eager bf16, old vLLM, Megatron unfused)
  wide_then_round,  // products and sums in fp32, one rounding to storage_format (FA Triton, new vLLM, torch.polar)
  fma,              // as compiled with FMA contraction (gcc -ffp-contract=fast -mfma, nvcc default) in
                    // rotation_math_format: y0 = fma(k0, c, -RN(k1 s)), y1 = fma(k0, s, RN(k1 c)) — the
                    // product written first in `x0*cos - x1*sin` / `x0*sin + x1*cos` is the fused one (ggml CPU)
};

// Incremental phase updates (the bounds paper's "incremental phase updates").
enum class Incremental {
  none,               // angle from the position every time
  phase_accumulator,    // φ_m = fl(φ_(m-1) + ω) in angle_format, φ_0 = 0
  rotation_recurrence,  // (c, s)_m = R(ω) (c, s)_(m-1), every product and sum rounded to angle_format,
                        // with R(ω) = (RN cos ω, RN sin ω) of the stored ω; (c, s)_0 = (1, 0)
};

struct Recipe {
  std::string name;
  std::string description;  // one line for `ropelab presets`
  std::string source;       // repo, file, version the preset follows
  OmegaMethod omega_method = OmegaMethod::pow_reciprocal;
  Format omega_format = formats::binary32();
  Pow pow = Pow::correctly_rounded;
  bool omega_cast = false;                  // a module-wide cast demotes the ω buffer to omega_cast_format
  Format omega_cast_format = formats::binary32();
  Format position_format = formats::binary64();  // binary64 = exact integer positions
  PositionSemantics position_semantics = PositionSemantics::rounded;
  // HF transformers <= 4.37 cos_cached: built at init in fp32 for max_position_embeddings positions (then cast
  // with the module), rebuilt with this recipe's formats only when the context exceeds max_position_embeddings.
  bool init_table_below_max_positions = false;
  AngleProduct angle_product = AngleProduct::elementwise;
  Format angle_format = formats::binary32();
  Incremental incremental = Incremental::none;
  ScalingStage scaling_stage = ScalingStage::omega;
  Trig trig = Trig::accurate;
  Format trig_format = formats::binary32();
  AttentionFactor attention_factor = AttentionFactor::cos_sin;
  Format table_format = formats::bfloat16();  // the cos/sin that enter the rotation
  Rotation rotation = Rotation::per_op;
  Format rotation_math_format = formats::binary32();  // the "wide" format of Rotation::wide_then_round
  Format input_format = formats::bfloat16();    // the q/k dtype entering RoPE (a user key is rounded to it)
  Format storage_format = formats::bfloat16();  // the rotated q/k dtype and per-op rounding format
  Format key_cache_format = formats::bfloat16();
  // A block-scaled or quantized key cache (llama.cpp q8_0/q4_0, FP8 with a scale, OCP MX, NVFP4): each stored key row
  // (head_dim values in coordinate order) is quantized along head_dim and read back dequantized. When set, it
  // replaces key_cache_format for the cache stage (stage `key_cache_format`, alias `key_cache`, prints its name).
  std::optional<BlockFormat> key_cache_block;
};

// The key cache's format name: the block format's when one is set, else key_cache_format's.
std::string key_cache_name(const Recipe& recipe);

// The named presets (one per real pipeline era), in `ropelab presets` order.
const std::vector<Recipe>& presets();
// Throws std::invalid_argument listing the known names.
const Recipe& preset(std::string_view name);

}  // namespace ropelab::rope
