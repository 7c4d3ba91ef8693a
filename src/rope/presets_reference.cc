// Reference implementations published by model authors: EleutherAI GPT-NeoX, Meta Llama 2/3, DeepSeek-V3 and
// Gemma (JAX) (real-stacks.md §1.2, §6). DeepSeek-V3 (9b4e978) and Gemma (7691fd4) were read in git snapshots
// (file:line); Meta's at 689c7f2 is the code of golden 07.
#include "presets_internal.hpp"

namespace ropelab::rope::preset_factories {

using formats::bfloat16;
using formats::binary16;
using formats::binary32;

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

// Meta Llama 2 reference: torch.polar complex64, xk.float(), complex multiply in fp32, .type_as(xk) into the
// fp16 of generation.py's torch.set_default_tensor_type(torch.cuda.HalfTensor) (§1.2, §6; golden 07).
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

// DeepSeek-V3 reference: as Meta's, int64 positions, YaRN blend in omega, bf16 activations; the YaRN magnitude
// goes into the softmax scale, not into cos/sin (§6).
Recipe deepseek_v3_reference() {
  Recipe r = meta_llama3_reference();
  r.name = "deepseek-v3-reference";
  r.description = "DeepSeek-V3 reference: fp32 omega (YaRN blend), complex64 polar, fp32 multiply, mscale in softmax";
  r.source = "deepseek-ai/DeepSeek-V3 inference/model.py precompute_freqs_cis / apply_rotary_emb / MLA "
             "(commit 9b4e978)";
  // model.py:366 freqs = 1.0 / (base ** (arange(0, dim, 2, float32) / dim)); :370 YaRN freqs / factor * (1 - smooth)
  // + freqs * smooth into ω (omega stage). :372 t = torch.arange(seqlen) (int64), torch.outer promotes to fp32.
  // :374 torch.polar(ones, freqs) complex64; :390 view_as_complex(x.float()); :393 y.to(dtype).
  // model.py:435-437 softmax_scale *= mscale * mscale when max_seq_len > original_seq_len; freqs_cis unscaled.
  r.attention_factor = AttentionFactor::softmax;
  return r;
}

// Gemma JAX reference (gemma/gm/math/_positional_embeddings.py apply_rope): the angle divides the position by a
// timescale; sin/cos in fp32; bf16 inputs times fp32 cos promote to fp32; one cast back. XLA's pow, division,
// sin/cos and any contraction depend on the backend (CPU, GPU, TPU): modelled as correctly rounded / accurate.
// rope_proportion < 1 pads timescale with inf (unrotated pairs spread over both halves): not expressible here.
Recipe gemma_jax() {
  Recipe r;
  r.name = "gemma-jax";
  r.description = "Gemma JAX reference: angle = position / fp32 timescale, fp32 sin/cos and rotation, one cast (model)";
  r.source = "google-deepmind/gemma gemma/gm/math/_positional_embeddings.py apply_rope (commit 7691fd4)";
  // :50-52 freq_exponents = (2.0 / head_dim) * arange(0, rope_angles, float32); :53-58 timescale =
  // base_frequency ** freq_exponents; :61 sinusoid_inp = positions / timescale (fp32).
  r.omega_method = OmegaMethod::timescale_division;
  r.position_format = binary32();  // int32 positions promoted to float32 by the division
  r.scaling_stage = ScalingStage::angle;  // :66 sinusoid_inp /= scale_factor
  r.table_format = binary32();            // :68-69 jnp.sin / jnp.cos of the fp32 angle, not cast
  // :72-73 first_half * cos - second_half * sin in fp32 (bf16 * f32 promotes); :75 out.astype(inputs.dtype).
  r.rotation = Rotation::wide_then_round;
  return r;
}

}  // namespace ropelab::rope::preset_factories
