// The named pipeline presets: one per real stack era, each citing the code it follows. Stage facts come from
// shared/reference/real-stacks.md (sections given per preset), which quotes the upstream files named here.
#include <stdexcept>
#include <string>

#include "ropelab/rope/recipe.hpp"

namespace ropelab::rope {
namespace {

using formats::bfloat16;
using formats::binary16;
using formats::binary32;
using formats::binary64;

// HF transformers >= 4.38.2, Llama-family eager path (real-stacks.md §1.2).
Recipe hf_eager_bf16() {
  Recipe r;
  r.name = "hf-eager-bf16";
  r.description = "HF transformers >= 4.38.2 eager: fp32 omega/angles/trig, bf16 table, per-op bf16 rotation";
  r.source = "huggingface/transformers src/transformers/models/llama/modeling_llama.py (v4.38.2+, PR #29285)";
  r.position_format = binary32();  // position_ids int64 -> .float()
  return r;
}

// HF 4.38.0-4.38.1: the omega @ pos matmul ran under autocast in bf16 (regression case 1).
Recipe hf_4380_autocast() {
  Recipe r = hf_eager_bf16();
  r.name = "hf-4.38.0-autocast";
  r.description = "HF transformers 4.38.0-4.38.1: omega @ pos under bf16 autocast, so angles are bf16";
  r.source = "huggingface/transformers modeling_llama.py v4.38.0 (fixed by PR #29285 in v4.38.2)";
  r.omega_cast = true;  // autocast casts both matmul operands to bf16
  r.omega_cast_format = bfloat16();
  r.position_format = bfloat16();
  r.angle_format = bfloat16();
  return r;
}

// HF <= 4.37 after model.to(bf16): cos_cached/sin_cached are built at init in fp32 for
// max_position_embeddings positions and cast with the module; beyond that, forward rebuilds them from the now
// bf16 inv_freq buffer with t = torch.arange(seq_len, dtype=bf16) (regression cases 2, 3, 9).
Recipe hf_437_cast_bf16() {
  Recipe r = hf_eager_bf16();
  r.name = "hf-4.37-cast-bf16";
  r.description = "HF transformers <= 4.37 after .to(bf16): init-time fp32 table up to max positions, beyond it a "
                  "bf16 rebuild (bf16 omega, torch bf16 arange, bf16 angles)";
  r.source = "huggingface/transformers models/llama/modeling_llama.py v4.37.2 LlamaRotaryEmbedding "
             "_set_cos_sin_cache / forward(x, seq_len) (issues #25681, #29496)";
  r.init_table_below_max_positions = true;
  r.omega_cast = true;
  r.omega_cast_format = bfloat16();
  r.position_format = bfloat16();  // t = torch.arange(seq_len, dtype=self.inv_freq.dtype)
  r.position_semantics = PositionSemantics::torch_arange;
  r.angle_format = bfloat16();     // torch.outer / einsum of two bf16 tensors
  // cos() of a bf16 tensor: computed in fp32 (Vectorized<BFloat16> widens, SLEEF, narrows), then bf16.
  r.trig_format = binary32();
  return r;
}

// HF GPT-NeoX since PR #28602: the cos/sin cache stays fp32, bf16 q/k times an fp32 cos promotes to fp32,
// and torch.cat promotes the pass-through dims: the eager key (and its cache) is fp32 (case 6).
Recipe hf_gpt_neox() {
  Recipe r = hf_eager_bf16();
  r.name = "hf-gpt-neox";
  r.description = "HF transformers GPT-NeoX (>= PR #28602): fp32 table, bf16 key promoted to fp32, fp32 key and cache";
  r.source = "huggingface/transformers models/gpt_neox/modeling_gpt_neox.py at 006bd23 (GPTNeoXRotaryEmbedding, "
             "apply_rotary_pos_emb; PR #28602)";
  r.table_format = binary32();
  r.rotation = Rotation::per_op;  // k * cos + rotate_half(k) * sin, every op in the promoted fp32
  r.storage_format = binary32();
  r.key_cache_format = binary32();
  return r;
}

// llama.cpp CPU backend (ggml d99724f, src/ggml-cpu/ops.cpp): theta_scale = powf(freq_base, -2.0f/n_dims);
// ggml_rope_cache_init runs the recurrence on the ANGLE (theta = (float)p; per pair rope_yarn(theta / ff)
// then theta *= theta_scale); rope_yarn calls cosf/sinf; rotate_pairs computes x0*cos - x1*sin and
// x0*sin + x1*cos, which gcc contracts to FMAs under the default GGML_NATIVE -march=native build; the F16 K
// cache is ggml_cpy's RNE (F16C) conversion. Verified bit for bit against tests/data/conformance/01, 02.
Recipe llama_cpp_cpu() {
  Recipe r;
  r.name = "llama.cpp-cpu";
  r.description = "llama.cpp CPU: fp32 angle recurrence theta *= scale, glibc cosf/sinf, FMA rotation, f16 K cache";
  r.source = "ggml-org/ggml src/ggml-cpu/ops.cpp ggml_rope_cache_init, rope_yarn, rotate_pairs (commit d99724f)";
  r.omega_method = OmegaMethod::ggml_angle_recurrence;
  r.pow = Pow::libm;
  r.position_format = binary32();  // int32 pos -> (float)
  r.scaling_stage = ScalingStage::angle;  // rope_freqs: rope_yarn(theta / ff)
  r.trig = Trig::libm;
  r.table_format = binary32();
  r.input_format = binary32();
  r.rotation = Rotation::fma;
  r.storage_format = binary32();
  r.key_cache_format = binary16();
  return r;
}

// llama.cpp CUDA backend: powf of the rounded scale, compiled with -use_fast_math (real-stacks.md §2).
Recipe llama_cpp_cuda() {
  Recipe r = llama_cpp_cpu();
  r.name = "llama.cpp-cuda";
  r.description = "llama.cpp CUDA: powf(theta_scale, i), fast-math __sinf/__cosf, fp32 rotation, f16 K cache";
  r.source = "ggml-org/ggml src/ggml-cuda/rope.cu, CMakeLists.txt -use_fast_math (commit d99724f)";
  r.omega_method = OmegaMethod::ggml_power_of_scale;
  r.pow = Pow::cuda_fast;  // powf under -use_fast_math is __powf: a bound model until checked on a GPU
  r.trig = Trig::fast_sfu;
  return r;
}

// vLLM CUDA kernel up to ~v0.10: scalar_t operands, every op rounded to bf16, bf16 cos_sin_cache (§3).
Recipe vllm_old_bf16() {
  Recipe r;
  r.name = "vllm-old-bf16";
  r.description = "vLLM <= ~0.10: bf16 cos_sin_cache, rotation rounded to bf16 after every op";
  r.source = "vllm-project/vllm csrc/pos_encoding_kernels.cu (scalar_t era), rotary_embedding/base.py";
  r.position_format = binary32();  // t = arange(max_pos, float)
  return r;
}

// vLLM CUDA kernel, new era: cache_t loaded as float, fp32 math, one rounding on store (§3).
Recipe vllm_fp32_math() {
  Recipe r = vllm_old_bf16();
  r.name = "vllm-fp32-math";
  r.description = "vLLM (new kernel): bf16 cos_sin_cache, fp32 rotation math, one rounding";
  r.source = "vllm-project/vllm csrc/pos_encoding_kernels.cu (cache_t era)";
  r.rotation = Rotation::wide_then_round;
  return r;
}

// FlashInfer on-the-fly kernels: __powf frequencies, __sincosf, fp32 rotation (§5).
Recipe flashinfer() {
  Recipe r;
  r.name = "flashinfer";
  r.description = "FlashInfer on the fly: __powf(1/base, 2i/d), fast __sincosf, fp32 math, one rounding";
  r.source = "flashinfer-ai/flashinfer include/flashinfer/pos_enc.cuh";
  r.omega_method = OmegaMethod::power_of_reciprocal;
  r.position_format = binary32();
  r.trig = Trig::fast_sfu;
  r.table_format = binary32();
  r.rotation = Rotation::wide_then_round;
  return r;
}

// FlashAttention rotary: fp32 omega recomputed, cos/sin cast to the qkv dtype, Triton fp32 math (§4).
Recipe flash_attention() {
  Recipe r;
  r.name = "flash-attention";
  r.description = "FlashAttention rotary: fp32 omega/outer/trig, bf16 table, Triton fp32 math, one rounding";
  r.source = "Dao-AILab/flash-attention flash_attn/layers/rotary.py, flash_attn/ops/triton/rotary.py";
  r.position_format = binary32();
  r.rotation = Rotation::wide_then_round;
  return r;
}

// Megatron-core unfused apply: fp32 angles, cos/sin cast to t.dtype, bf16 eager rotation (§6).
Recipe megatron_unfused() {
  Recipe r;
  r.name = "megatron-unfused";
  r.description = "Megatron-core unfused: fp32 omega attribute and angles, bf16 cos/sin, per-op bf16 rotation";
  r.source = "NVIDIA/Megatron-LM megatron/core/models/common/embeddings/rotary_pos_embedding.py, rope_utils.py";
  r.position_format = binary32();
  return r;
}

// Original GPT-NeoX: omega buffer made fp16 by .half(), fp16 t and einsum, fp16 tables (§6, case 7).
Recipe gpt_neox_fp16() {
  Recipe r;
  r.name = "gpt-neox-fp16";
  r.description = "EleutherAI GPT-NeoX original: fp16 omega buffer, fp16 positions, angles and tables";
  r.source = "EleutherAI/gpt-neox megatron/model/positional_embeddings.py (2021; issues #1003, #1016)";
  r.omega_cast = true;
  r.omega_cast_format = binary16();
  r.position_format = binary16();
  r.angle_format = binary16();
  r.trig_format = binary16();
  r.table_format = binary16();
  r.input_format = binary16();
  r.storage_format = binary16();
  r.key_cache_format = binary16();
  return r;
}

// TensorRT-LLM attention-plugin tables: numpy float64 pow, cast to fp32, fp32 tables (§6).
Recipe tensorrt_llm() {
  Recipe r;
  r.name = "tensorrt-llm";
  r.description = "TensorRT-LLM: fp64 pow then fp32 omega, fp32 float2 table, fp32 rotation, one rounding";
  r.source = "NVIDIA/TensorRT-LLM tensorrt_llm/functional.py RopeEmbeddingUtils.create_sinusoidal_positions_*";
  r.omega_method = OmegaMethod::fp64_pow_reciprocal;
  r.position_format = binary32();
  r.table_format = binary32();
  r.rotation = Rotation::wide_then_round;
  return r;
}

// Meta Llama 2 reference: torch.polar complex64, xk.float(), complex multiply in fp32, .type_as(xk) into the
// fp16 of generation.py's torch.set_default_tensor_type(torch.cuda.HalfTensor) (§1.2, §6).
Recipe meta_reference() {
  Recipe r;
  r.name = "meta-reference";
  r.description = "Meta Llama 2 reference: fp32 omega, complex64 freqs_cis, fp32 complex multiply, fp16 q/k";
  r.source = "meta-llama/llama 689c7f2 llama/model.py precompute_freqs_cis / apply_rotary_emb; "
             "llama/generation.py HalfTensor";
  r.position_format = binary32();
  r.table_format = binary32();
  r.rotation = Rotation::wide_then_round;
  r.input_format = binary16();
  r.storage_format = binary16();
  r.key_cache_format = binary16();
  return r;
}

// Meta Llama 3 reference: the same RoPE code, bf16 default tensors (generation.py
// torch.set_default_tensor_type(torch.cuda.BFloat16Tensor) where bf16 is supported).
Recipe meta_llama3_reference() {
  Recipe r = meta_reference();
  r.name = "meta-llama3-reference";
  r.description = "Meta Llama 3 reference: fp32 omega, complex64 freqs_cis, fp32 complex multiply, bf16 q/k";
  r.source = "meta-llama/llama3 llama/model.py precompute_freqs_cis / apply_rotary_emb; llama/generation.py "
             "BFloat16Tensor";
  r.input_format = bfloat16();
  r.storage_format = bfloat16();
  r.key_cache_format = bfloat16();
  return r;
}

// DeepSeek-V3 reference: as Meta's, int64 positions, YaRN blend in omega, bf16 activations (§6).
Recipe deepseek_v3_reference() {
  Recipe r = meta_llama3_reference();
  r.name = "deepseek-v3-reference";
  r.description = "DeepSeek-V3 reference: fp32 omega (YaRN blend), complex64 polar, fp32 multiply, one cast";
  r.source = "deepseek-ai/DeepSeek-V3 inference/model.py precompute_freqs_cis / apply_rotary_emb";
  return r;
}

std::vector<Recipe> make_presets() {
  return {hf_eager_bf16(),  hf_4380_autocast(), hf_437_cast_bf16(), hf_gpt_neox(),      llama_cpp_cpu(),
          llama_cpp_cuda(), vllm_old_bf16(),    vllm_fp32_math(),   flashinfer(),       flash_attention(),
          megatron_unfused(), gpt_neox_fp16(),  tensorrt_llm(),     meta_reference(),   meta_llama3_reference(),
          deepseek_v3_reference()};
}

}  // namespace

const std::vector<Recipe>& presets() {
  static const std::vector<Recipe> all = make_presets();
  return all;
}

const Recipe& preset(std::string_view name) {
  for (const Recipe& r : presets()) {
    if (r.name == name) return r;
  }
  std::string known;
  for (const Recipe& r : presets()) known += (known.empty() ? "" : ", ") + r.name;
  throw std::invalid_argument("unknown preset '" + std::string(name) + "'; allowed: " + known);
}

}  // namespace ropelab::rope
