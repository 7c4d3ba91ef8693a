// HF transformers presets, one per era of the Llama-family and GPT-NeoX RoPE code (real-stacks.md §1). The
// transformers files were read through the file index at the commits named (no git snapshot, so the function and
// the statement locate each line). Stage defaults model a GPU run; the CPU goldens (tests/data/conformance) set
// the CPU implementations (pow, trig; linear scaling: scaling_stage=position) with --set.
#include "presets_internal.hpp"

namespace ropelab::rope::preset_factories {

using formats::bfloat16;
using formats::binary32;

// transformers 4.38.2 - 4.42, Llama-family eager path (golden 03: modeling_llama.py @002272831, "sin_cached ...
// will be removed in 4.39"; the position division below lasted until modeling_rope_utils took over in 4.43).
Recipe hf_eager_bf16() {
  Recipe r;
  r.name = "hf-eager-bf16";
  r.description = "HF transformers 4.38.2-4.42 eager: fp32 omega/angles/trig, bf16 table, per-op bf16 rotation";
  r.source = "huggingface/transformers src/transformers/models/llama/modeling_llama.py @002272831 "
             "LlamaRotaryEmbedding, LlamaLinearScalingRotaryEmbedding, apply_rotary_pos_emb (v4.38.2+, PR #29285)";
  // omega: LlamaRotaryEmbedding.__init__ inv_freq = 1.0 / (base ** (arange(0, dim, 2, int64).float() / dim)):
  // pow_reciprocal in binary32 (Recipe defaults), a non-persistent fp32 buffer that from_pretrained leaves fp32.
  r.position_format = binary32();  // forward: position_ids[:, None, :].float()
  // angle: (inv_freq_expanded.float() @ position_ids_expanded.float()) under autocast(enabled=False): fp32, K = 1.
  // trig: emb.cos() / emb.sin() in fp32 (accurate: CUDA cosf/sinf; CPU golden: trig=sleef_u10).
  // table: cos.to(dtype=x.dtype) -> bfloat16 (default). rotation: (q * cos) + (rotate_half(q) * sin) on bf16
  // tensors, every op rounded to bf16 (per_op, default); the key cache stores that bf16 key (default).
  // Linear: LlamaLinearScalingRotaryEmbedding.forward position_ids.float() / self.scaling_factor. On a GPU PyTorch
  // multiplies by the CPU scalar's reciprocal (aten/src/ATen/native/cuda/BinaryDivTrueKernel.cu
  // div_true_kernel_cuda: inv_b = 1 / b, a * inv_b); a CPU run divides (scaling_stage=position).
  r.scaling_stage = ScalingStage::position_reciprocal;
  return r;
}

// transformers >= 4.43 (modeling_rope_utils, added with Llama 3.1's llama3 rope type): the rotary module takes
// (inv_freq, attention_scaling) from ROPE_INIT_FUNCTIONS; linear scaling divides inv_freq.
Recipe hf_rope_utils_bf16() {
  Recipe r = hf_eager_bf16();
  r.name = "hf-rope-utils-bf16";
  r.description = "HF transformers >= 4.43 (modeling_rope_utils): as hf-eager-bf16, linear scaling divides inv_freq";
  r.source = "huggingface/transformers src/transformers/modeling_rope_utils.py @ef4680647 "
             "_compute_linear_scaling_rope_parameters; models/gpt_neox/modeling_gpt_neox.py @00dcc6dda "
             "GPTNeoXRotaryEmbedding.forward (the LlamaRotaryEmbedding form)";
  // Linear: _compute_linear_scaling_rope_parameters `inv_freq /= factor` on the CPU-built fp32 buffer.
  r.scaling_stage = ScalingStage::omega;
  // attention_factor: forward `cos = emb.cos() * self.attention_scaling` in fp32 inside the autocast-disabled block,
  // then `cos.to(dtype=x.dtype)` (cos_sin, default).
  return r;
}

// transformers 4.38.0-4.38.1: the omega @ pos matmul ran under autocast in bf16 (regression case 1, golden 04).
Recipe hf_4380_autocast() {
  Recipe r = hf_eager_bf16();
  r.name = "hf-4.38.0-autocast";
  r.description = "HF transformers 4.38.0-4.38.1: omega @ pos under bf16 autocast, so angles are bf16";
  r.source = "huggingface/transformers modeling_llama.py v4.38.0 (fixed by PR #29285 in v4.38.2)";
  r.omega_cast = true;  // autocast casts both matmul operands to bf16
  r.omega_cast_format = bfloat16();
  // The position enters the bf16 matmul. A linear factor divides position_ids.float() before that cast; the
  // emulator rounds the position to bf16 first, so linear-scaled positions beyond 256 are not bit-exact here.
  r.position_format = bfloat16();
  r.angle_format = bfloat16();
  return r;
}

// transformers <= 4.37 after model.to(bf16): cos_cached/sin_cached are built at init in fp32 for
// max_position_embeddings positions and cast with the module; beyond that, forward rebuilds them from the now
// bf16 inv_freq buffer with t = torch.arange(seq_len, dtype=bf16) (regression cases 2, 3, 9; golden 05).
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
  // Linear: LlamaLinearScalingRotaryEmbedding._set_cos_sin_cache `t = t / self.scaling_factor` (the same line in
  // GPTNeoXLinearScalingRotaryEmbedding @006bd23, "copied from" it); on a GPU the reciprocal multiply, as above.
  // The init-time table is built on the module's init device (usually the CPU, which divides): not modelled apart.
  return r;
}

// transformers GPT-NeoX from PR #28602 (merged 2024-01-19, the 4.37 cycle) to the rotary rewrite: the cos/sin
// cache stays fp32, bf16 q/k times an fp32 cos promotes to fp32 and torch.cat promotes the pass-through dims, so
// the eager key (and its cache) is fp32 (golden 06 @006bd23, a 4.42-4.44 file: it imports
// modeling_flash_attention_utils._flash_attention_forward and predates position_embeddings). Copies of the 4.45
// file [T] already show GPTNeoXRotaryEmbedding "Copied from ... LlamaRotaryEmbedding" with cos.to(x.dtype): the
// fp32 era most likely ends at 4.44, not 4.47 (hf-gpt-neox-modular).
Recipe hf_gpt_neox() {
  Recipe r = hf_eager_bf16();
  r.name = "hf-gpt-neox";
  r.description = "HF transformers GPT-NeoX 4.37-4.44 eager: fp32 table, bf16 key promoted to fp32, fp32 key and cache";
  r.source = "huggingface/transformers models/gpt_neox/modeling_gpt_neox.py @006bd23 GPTNeoXRotaryEmbedding, "
             "apply_rotary_pos_emb, GPTNeoXAttention._attn_projections_and_rope (PR #28602)";
  // GPTNeoXRotaryEmbedding._set_cos_sin_cache: t = arange(int64).type_as(inv_freq) (fp32), torch.outer, emb.cos()
  // kept as an fp32 non-persistent buffer; forward returns cos_cached[:seq_len] without a cast.
  r.table_format = binary32();
  r.rotation = Rotation::per_op;  // k * cos + rotate_half(k) * sin, every op in the promoted fp32
  r.storage_format = binary32();
  r.key_cache_format = binary32();  // present = (key, value) after torch.cat((key, key_pass), -1)
  // Linear: GPTNeoXLinearScalingRotaryEmbedding._set_cos_sin_cache `t = t / self.scaling_factor` (GPU reciprocal).
  return r;
}

// The same era under attn_implementation "sdpa" or "flash_attention_2": after the fp32 rotation both paths cast
// query and key to value.dtype before attention ("GPT-neo-X casts query and key in fp32 to apply rotary embedding
// in full precision"). `present` keeps the fp32 key, but every step casts the whole key, cache included, so
// attention reads the bf16 key: modelled as a bf16 key and cache.
Recipe hf_gpt_neox_sdpa() {
  Recipe r = hf_gpt_neox();
  r.name = "hf-gpt-neox-sdpa";
  r.description = "HF transformers GPT-NeoX 4.37-4.44 SDPA/FA2: fp32 table and rotation, bf16 key for attention";
  r.source = "huggingface/transformers models/gpt_neox/modeling_gpt_neox.py @006bd23 GPTNeoXSdpaAttention.forward, "
             "GPTNeoXFlashAttention2.forward (key = key.to(target_dtype))";
  r.rotation = Rotation::wide_then_round;  // the eager fp32 ops (rotation_math_format binary32), then one cast
  r.storage_format = bfloat16();
  r.key_cache_format = bfloat16();
  return r;
}

// GPT-NeoX on the Llama rotary module: GPTNeoXRotaryEmbedding(LlamaRotaryEmbedding) in the modular file (PR
// #35610, early 2025), whose forward casts cos/sin to x.dtype, and apply_rotary_pos_emb rotating q_rot/k_rot in
// bf16 per op: the hf-rope-utils-bf16 pipeline over the rotary dims. Copies of the 4.45 file [T] show the same cast.
Recipe hf_gpt_neox_modular() {
  Recipe r = hf_rope_utils_bf16();
  r.name = "hf-gpt-neox-modular";
  r.description = "HF transformers GPT-NeoX on the Llama rotary module (>= ~4.45): bf16 table, per-op bf16 rotation";
  r.source = "huggingface/transformers models/gpt_neox/modular_gpt_neox.py @00dcc6dda GPTNeoXRotaryEmbedding, "
             "apply_rotary_pos_emb; modeling_gpt_neox.py @00dcc6dda forward: cos.to(dtype=x.dtype)";
  return r;
}

// Qwen2-VL mRoPE for text tokens: Qwen2VLRotaryEmbedding.forward expands inv_freq over 3 position streams
// (t, h, w) and casts cos*attention_scaling to x.dtype; apply_multimodal_rotary_pos_emb splits the table by
// mrope_section * 2 and takes stream i % 3 per section, then rotates per op in bf16. A text token has t = h = w,
// so every section selects the same 1-D table: hf-rope-utils-bf16. The emulator takes one position per token, so
// vision tokens (three different positions) are outside what it can express.
Recipe hf_qwen2_vl_mrope() {
  Recipe r = hf_rope_utils_bf16();
  r.name = "hf-qwen2-vl-mrope";
  r.description = "HF transformers Qwen2-VL mRoPE, text tokens (t = h = w): bf16 table, per-op bf16 rotation";
  r.source = "huggingface/transformers models/qwen2_vl/modeling_qwen2_vl.py @00b676f8f Qwen2VLRotaryEmbedding, "
             "apply_multimodal_rotary_pos_emb (vision positions not modelled)";
  return r;
}

}  // namespace ropelab::rope::preset_factories
