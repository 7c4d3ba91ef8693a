// An attention recipe: every precision choice a real attention kernel makes after RoPE, stage by stage, as an
// explicit field, and the named presets of real kernels. The RoPE half (ω, table, rotation, K cache) stays a
// rope::Recipe; an attention preset names the rope preset it pairs with by default.
// Notation: d = head_dim, s_j = q·k_j (the raw score), z_j = s_j / sqrt(d) (the logit), w_j = softmax(z)_j,
// o = Σ_j w_j v_j.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ropelab/format.hpp"
#include "ropelab/rope/recipe.hpp"
#include "ropelab/rope/rope_spec.hpp"

namespace ropelab::attention {

// How the dot product q·k_j is accumulated. Every product of two values of <= 12 significant bits (bf16, fp16)
// is exact in binary32, so fp32 accumulation rounds once per addition, in coordinate order 0..d-1.
enum class ScoreAccumulation {
  fp32,  // acc = RN32(acc + q_i k_i), i = 0..d-1 (GEMM / MMA with an fp32 accumulator; sequential order unless
         // score_chunk sets the k-chunks of an MMA chain)
  fp16,  // acc = RN16(acc + RN16(q_i k_i)) (an fp16-accumulating kernel)
  fp64,  // acc = RN64(acc + q_i k_i) (a binary64 pipeline)
};

// FP8 QK (FlashAttention-3 FP8, vLLM --kv-cache-dtype fp8 with FA3): one operand of the dot product quantized to
// OCP e4m3fn codes with one decode scale S per tensor, value ≈ code · S. The dot product then runs on the codes
// (products of 4-bit significands: exact in binary32) and q_scale·k_scale enters after it (qk_descale).
// Stage text: "none", or "e4m3fn[:scale=S|amax][:apply=divide|reciprocal]" (defaults scale=1, apply=divide).
struct Fp8Operand {
  bool enabled = false;     // false: the operand as the earlier stages hold it
  double scale = 1;         // the static decode scale S, a positive binary32 value (a checkpoint's q_scale/k_scale)
  bool amax = false;        // S = RN32(amax / 448) over the whole tensor (vLLM dynamic per-tensor scaled_fp8_quant)
  bool reciprocal = false;  // code = RN(sat(RN32(x · RN32(1/S)))) (vLLM scaled_fp8_quant); else RN(sat(RN32(x / S)))
                            // (vLLM reshape_and_cache_flash: the fp8 K cache)
  friend bool operator==(const Fp8Operand&, const Fp8Operand&) = default;
};

// Where RN32(q_scale · k_scale) enters when either operand is FP8 (a non-FP8 operand has scale 1).
enum class QkDescale {
  score,          // s_j = RN32(dot_j · RN32(q_scale · k_scale)), before score_format
  softmax_scale,  // folded into the kernel's softmax scale: scale' = RN32(scale · RN32(q_scale · k_scale)) (FA3:
                  // softmax_scale_log2 *= q_descale * k_descale); the reported score is dot_j · descale in binary64
};

// Where the softmax scale 1/sqrt(d) enters.
enum class ScaleStage {
  multiply,    // z_j = RN_scaled(RN_score(s_j) * RN32(1/sqrt(d))) (HF eager: matmul(...) * scaling)
  log2e_fold,  // FlashAttention: never forms z; t_j = s_j * RN32(log2(e)/sqrt(d)) fused into the exponent
               // (exp2f(fma(s_j, scale_log2, -max_j s_j * scale_log2)))
  log2e_multiply,  // FlashInfer: x_j = RN32(s_j * RN32(RN32(1/sqrt d) * log2 e)), then exp2f(RN32(x_j − max))
  split_sqrt,  // torch SDPA math path: q and k each multiplied by RN32(sqrt(1/sqrt d)) and rounded to their
               // formats BEFORE the dot product; the score is then the logit
};

// The exponential of the softmax, evaluated in binary32 on a binary32 argument.
enum class ExpFunction {
  expf,   // glibc expf called for real (llama.cpp CPU, torch CPU scalar tails); exp(x - max)
  exp2f,  // glibc exp2f called for real as a stand-in for CUDA exp2f/ex2.approx.ftz (FlashAttention):
          // the GPU instruction is ~2 ulp, not modelled bit-exactly
  exp_binary64,  // libm exp in binary64 (the binary64 control pipeline)
};

// How the row of weights is formed.
enum class SoftmaxMethod {
  two_pass,  // max over the row, e_j = exp(z_j - max), sum in key order (binary32), w_j = e_j * RN32(1/sum)
             // or e_j / sum (normalisation below), rounded to weight_format; o = Σ w_j v_j (HF eager, sdpa math)
  online,    // FlashAttention-2 / llama.cpp: keys in blocks of softmax_block; running max m, running sum l and
             // accumulator O rescaled by exp(m_old - m_new) when the max grows; P = exp(...) rounded to
             // weight_format before the PV product; o = O * RN32(1/l) at the end
};

enum class Normalisation {
  reciprocal,  // x * RN32(1/sum) (FlashAttention-2 final O scaling; llama.cpp S_inv)
  divide,      // RN32(x / sum)
};

struct AttentionRecipe {
  std::string name;
  std::string description;  // one line for listings
  std::string source;       // repository, file, version the preset follows
  std::string rope_preset;  // the rope::Recipe this kernel pairs with by default
  Format query_format = formats::binary32();   // the rotated q as the dot product reads it (llama.cpp: fp16)
  Fp8Operand query_fp8;                         // FP8 QK: q quantized after query_format (stage query_quantization)
  Fp8Operand key_fp8;                           // FP8 QK: k quantized after the key cache (stage key_quantization)
  QkDescale qk_descale = QkDescale::score;
  ScoreAccumulation score_accumulation = ScoreAccumulation::fp32;
  // fp32 only: 0 sequential; N >= 1: the coordinates in k-chunks of N as a chain of MMAs accumulates them (m16n8k16
  // over d = 128: 8 chunks of 16): c = RN32 sum of the chunk's exact products in order from 0, then acc = RN32(acc + c).
  // A model with a known limit: inside a tensor-core MMA the products and the accumulator are not added with IEEE
  // roundings (Fasi, Higham, Mikaitis, Pranesh 2021, "Numerical behavior of NVIDIA tensor cores", PeerJ Comput. Sci.
  // 7:e330: exact products, alignment to the largest exponent with truncation, normalisation at the end), so this
  // fixes the ORDER of an MMA chain, not the hardware's bits. No preset sets it (no bit-level evidence).
  int score_chunk = 0;
  Format score_format = formats::binary32();   // the stored q·k (eager: the matmul output dtype)
  ScaleStage scale_stage = ScaleStage::multiply;
  // The softmax scale as the framework holds it (a binary64 value, e.g. a Python float), which enters the kernel
  // rounded to softmax_format (FlashAttention's `float softmax_scale`); 0: head_dim^-0.5 (RN(1/sqrt(d))).
  // DeepSeek YaRN: model_softmax_scale.
  double softmax_scale = 0;
  Format logit_format = formats::binary32();   // z after the scale multiply (eager: bf16, then upcast to fp32)
  SoftmaxMethod softmax = SoftmaxMethod::two_pass;
  ExpFunction exp = ExpFunction::expf;
  int softmax_block = 128;                      // keys per online block (1: per key, llama.cpp)
  // log2e_fold only: max_scaled = fmaf(max, scale_log2, −exp_offset) (nvcc contracts max * scale − offset), then
  // P = exp2f(fmaf(s, scale_log2, −max_scaled)) <= 2^exp_offset (FA3 FP8: Max_offset = 8, so P fills e4m3's range
  // before its cast); the row sum carries the same factor, which the final 1/l cancels. 0: no offset.
  int exp_offset = 0;
  Format softmax_format = formats::binary32();  // exponent arguments, e_j, rescale factors, 1/sum, normalised w
  Format sum_format = formats::binary32();      // the row sum of a two-pass softmax (ggml: ggml_float = binary64)
  double sum_epsilon = 0;                       // added to the row sum before normalising (vLLM: 1e-6f)
  Normalisation normalisation = Normalisation::divide;
  Format weight_format = formats::bfloat16();   // P as it enters the PV product
  Format output_accumulation_format = formats::binary32();  // O's accumulator (llama.cpp VKQ16: fp16)
  Format output_format = formats::bfloat16();   // the returned attention output
};

// The named presets, in listing order.
const std::vector<AttentionRecipe>& attention_presets();
// Throws std::invalid_argument("--preset: unknown attention preset 'x'; allowed: ...").
const AttentionRecipe& attention_preset(std::string_view name);

// The RoPE recipe an attention preset pairs with: rope::preset(recipe.rope_preset), or the two controls built
// here: "fp32" (the flash-attention RoPE recipe with every format binary32) and "fp64" (every format binary64).
rope::Recipe paired_rope_recipe(const AttentionRecipe& recipe);

// The softmax scale a model's own attention code computes, as a binary64 (Python float), when it is not
// head_dim^-0.5; 0 otherwise. DeepSeek-V2/V3 (YaRN with a truthy rope_scaling.mscale_all_dim):
// qk_head_dim^-0.5 · mscale · mscale, mscale = 0.1 · mscale_all_dim · ln(factor) + 1 (1 when factor <= 1),
// evaluated in that order in binary64; qk_head_dim = spec.qk_head_dim (qk_nope + qk_rope), else head_dim.
double model_softmax_scale(const rope::RopeSpec& spec);
// The recipe with softmax_scale = model_softmax_scale(spec) where that is set (other recipes unchanged): what the
// CLI and the experiments run for a model (--set softmax_scale=... applies after it).
AttentionRecipe with_model_softmax_scale(AttentionRecipe recipe, const rope::RopeSpec& spec);

// Every stage as (name, value text), in pipeline order; stage names are stable (scripts use them).
std::vector<std::pair<std::string, std::string>> attention_stages(const AttentionRecipe& recipe);
// Sets one stage from text. Throws std::invalid_argument naming the stage and the allowed values.
void set_attention_stage(AttentionRecipe& recipe, std::string_view stage, std::string_view value);
// True when `stage` is an attention stage name (the CLI routes other --set stages to the RoPE recipe).
bool is_attention_stage(std::string_view stage);

}  // namespace ropelab::attention
