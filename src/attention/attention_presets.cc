// The named attention presets. Each stage cites the code it follows; what could not be verified is said so.
// Common limits of every preset: the dot-product and row-sum reduction ORDER of GPU kernels (MMA k-chunks, warp
// shuffles, SIMD partial sums) is modelled as sequential key/coordinate order (the MMA k-chunk order is available as
// the score_chunk stage, set by no preset); CUDA's exp2f/__expf (ex2.approx, ~2 ulp) and torch's vectorised expf
// are modelled by glibc exp2f/expf, so exp values can differ by an ulp.
#include <stdexcept>
#include <string>

#include "ropelab/attention/attention_recipe.hpp"

namespace ropelab::attention {
namespace {

AttentionRecipe hf_eager_bf16() {
  AttentionRecipe r;
  r.name = "hf-eager-bf16";
  r.description = "HF eager attention: bf16 matmul (fp32 accumulation) * scaling in bf16, fp32 softmax, bf16 P, bf16 out";
  // transformers >= 4.48 src/transformers/models/llama/modeling_llama.py eager_attention_forward:
  //   attn_weights = torch.matmul(query, key_states.transpose(2, 3)) * scaling          (bf16 out, bf16 * scalar)
  //   attn_weights = nn.functional.softmax(attn_weights, dim=-1, dtype=torch.float32).to(query.dtype)
  //   attn_output = torch.matmul(attn_weights, value_states)                             (bf16 out)
  // The softmax kernel's normalisation (divide vs multiply by 1/sum) and its sum order are not verified.
  r.source = "transformers modeling_llama.py eager_attention_forward (v4.48+)";
  r.rope_preset = "hf-eager-bf16";
  r.query_format = formats::bfloat16();
  r.score_format = formats::bfloat16();
  r.logit_format = formats::bfloat16();
  r.softmax = SoftmaxMethod::two_pass;
  r.exp = ExpFunction::expf;
  r.normalisation = Normalisation::divide;
  r.weight_format = formats::bfloat16();
  r.output_format = formats::bfloat16();
  return r;
}

AttentionRecipe hf_sdpa_math_bf16() {
  AttentionRecipe r = hf_eager_bf16();
  r.name = "hf-sdpa-math-bf16";
  r.description = "torch SDPA math path: q and k each scaled by sqrt(scale) in bf16, bf16 logits, fp32 softmax";
  // torch >= 2.1 aten/src/ATen/native/transformers/attention.cpp _scaled_dot_product_attention_math:
  //   scaling_factor = calculate_scale(query_, scale).sqrt(); query = query_ * scaling_factor;
  //   attn = matmul(query, key.transpose(-2, -1) * scaling_factor); attn = softmax(attn, -1); matmul(attn, value)
  // (recalled from the source, not re-read in this session; the bf16 softmax upcasts to fp32 internally).
  r.source = "torch aten/src/ATen/native/transformers/attention.cpp _scaled_dot_product_attention_math (2.1+; unverified here)";
  r.scale_stage = ScaleStage::split_sqrt;
  return r;
}

AttentionRecipe flash_attention_2_bf16() {
  AttentionRecipe r;
  r.name = "flash-attention-2-bf16";
  r.description = "FlashAttention-2 bf16 decode: fp32 MMA scores, exp2 with log2(e) fold, online softmax in 128-key blocks";
  // Dao-AILab/flash-attention csrc/flash_attn/src/softmax.h (commit 05c69a5) scale_apply_exp2 / max_scale_exp2_sum:
  //   max_scaled = max * scale_log2; p = exp2f(s * scale_log2 - max_scaled) "so the compiler can use ffma";
  // flash_fwd_launch_template.h run_mha_fwd_splitkv_dispatch: kBlockN = Headdim <= 64 ? 256 : (Headdim <= 128 ? 128 : 64)
  //   (the split-KV decode path; one split modelled, the combine kernel is not);
  // flash.h params.scale_softmax_log2 = softmax_scale * M_LOG2E (float); P converted to the input type before the
  // PV GEMM (flash_fwd_kernel.h convert_type<Element>(acc_s)); row sum from the fp32 P; O *= 1/l at the end
  // (the last two recalled from the source, not re-read in this session).
  r.source = "flash-attention csrc/flash_attn/src/softmax.h, flash_fwd_launch_template.h (v2.x, commit 05c69a5)";
  r.rope_preset = "flash-attention";
  r.query_format = formats::bfloat16();
  r.score_format = formats::binary32();
  r.scale_stage = ScaleStage::log2e_fold;
  r.logit_format = formats::binary32();
  r.softmax = SoftmaxMethod::online;
  r.exp = ExpFunction::exp2f;
  r.softmax_block = 128;
  r.normalisation = Normalisation::reciprocal;
  r.weight_format = formats::bfloat16();
  r.output_format = formats::bfloat16();
  return r;
}

AttentionRecipe flash_attention_3_fp8() {
  AttentionRecipe r;
  r.name = "flash-attention-3-fp8";
  r.description = "vLLM + FlashAttention-3 FP8: e4m3 q and K with scales, fp32 MMA on codes, descale in scale_log2, e4m3 P";
  // vLLM v1 vllm/v1/attention/backends/flash_attn.py FlashAttentionImpl.forward with --kv-cache-dtype fp8 (FA3):
  //   keys stored by reshape_and_cache_flash as e4m3(k / k_scale), saturating (paired RoPE preset vllm-fp8-kv);
  //   the query quantized by ops.scaled_fp8_quant(query, layer._q_scale): csrc/quantization/fp8/common.cu
  //   (commit 0794945) scaled_fp8_quant_kernel, x * (1.0f / scale) clamped to +-448 and cast (common.cuh commit
  //   74d6737 scaled_fp8_conversion); _q_scale / _k_scale default 1.0 without checkpoint scales;
  //   flash_attn_varlen_func(..., q_descale=layer._q_scale.expand(...), k_descale=layer._k_scale.expand(...)).
  // Dao-AILab/flash-attention hopper (commit 0251105):
  //   mainloop_fwd_sm90_tma_gmma_ws.hpp:559 softmax_scale_log2 = float(softmax_scale * M_LOG2E);
  //   flash_fwd_kernel_sm90.h:412-414 softmax_scale_log2 *= q_descale * k_descale (Is_FP8);
  //   :416 flash::Softmax<..., Max_offset = Is_FP8 ? 8 : 0>; softmax.h:77-85 max_scaled = max * scale - max_offset,
  //   exp2f(s * scale - max_scaled); softmax.h:119 rescale exp2f((max_prev - max_cur) * softmax_scale_log2);
  //   softmax.h finalize: inv_sum = 1 / sum (the 2^8 cancels); mainloop_fwd_sm90_tma_gmma_ws.hpp:1158-1159 P
  //   converted (convert_type_out) to the e4m3 Element for the FP8 PV GEMM;
  //   tile_size.h tile_size_fwd_sm90 (element_size 1, headdim <= 128): kBlockN = 224 (160 with non-TMA paged KV).
  // Not modelled: the Hopper FP8 MMA's accumulator (DeepSeek-V3 report §3.3.2: about 14 bits retained, not fp32;
  // a sequential fp32 sum of exact code products is assumed), V in e4m3 with v_descale (V stays in its input format),
  // FA3's last-to-first key-block order, the split-KV combine, and kBlockN for head dims other than 65..128.
  r.source = "flash-attention hopper flash_fwd_kernel_sm90.h, softmax.h, tile_size.h (commit 0251105); vllm "
             "flash_attn.py, csrc/quantization/fp8/common.cu (commit 0794945)";
  r.rope_preset = "vllm-fp8-kv";
  r.query_format = formats::bfloat16();
  r.query_fp8.enabled = true;
  r.query_fp8.reciprocal = true;  // scaled_fp8_quant: x * (1/q_scale)
  r.key_fp8.enabled = true;       // reshape_and_cache_flash: k / k_scale (the paired cache's codes, unchanged)
  r.qk_descale = QkDescale::softmax_scale;
  r.score_format = formats::binary32();
  r.scale_stage = ScaleStage::log2e_fold;
  r.logit_format = formats::binary32();
  r.softmax = SoftmaxMethod::online;
  r.exp = ExpFunction::exp2f;
  r.softmax_block = 224;
  r.exp_offset = 8;
  r.normalisation = Normalisation::reciprocal;
  r.weight_format = formats::e4m3fn();
  r.output_format = formats::bfloat16();
  return r;
}

AttentionRecipe flashinfer_decode_bf16() {
  AttentionRecipe r;
  r.name = "flashinfer-decode-bf16";
  r.description = "FlashInfer decode (CUDA cores): fp32 dot, s * (scale log2 e), exp2 online softmax, fp32 P";
  // flashinfer include/flashinfer/attention/decode.cuh compute_qk / update_local_state: q and k converted to fp32,
  // s = dot * sm_scale_log2, m/d state with ptx_exp2, P kept in fp32 for the V update (recalled from the source,
  // not re-read in this session); the per-iteration tile of keys (bdy * tile_size) depends on the launch and
  // is assumed to be 32 here (unverified).
  r.source = "flashinfer include/flashinfer/attention/decode.cuh (v0.1.x; unverified here)";
  r.rope_preset = "flashinfer";
  r.query_format = formats::bfloat16();
  r.scale_stage = ScaleStage::log2e_multiply;
  r.softmax = SoftmaxMethod::online;
  r.exp = ExpFunction::exp2f;
  r.softmax_block = 32;
  r.normalisation = Normalisation::divide;
  r.weight_format = formats::binary32();
  r.output_format = formats::bfloat16();
  return r;
}

AttentionRecipe vllm_paged_v1_bf16() {
  AttentionRecipe r;
  r.name = "vllm-paged-v1-bf16";
  r.description = "vLLM paged attention v1: fp32 qk * scale, __expf two-pass softmax, inv_sum = 1/(sum + 1e-6), bf16 P";
  // vllm csrc/attention/attention_kernels.cuh paged_attention_kernel (v0.4 - v0.10):
  //   qk = scale * Qk_dot<...>::dot(q_vecs, k_vecs);  val = __expf(logits[i] - qk_max); exp_sum += val;
  //   inv_sum = __fdividef(1.f, exp_sum + 1e-6f); logits[i] *= inv_sum;
  //   PV: logits converted to the cache scalar type (from_float) and accumulated in fp32 ("We use FP32 for the
  //   accumulator"), output from_float to bf16. Partitioned v2 (long contexts) and its reduce are not modelled.
  r.source = "vllm csrc/attention/attention_kernels.cuh paged_attention_kernel (v0.4-v0.10)";
  r.rope_preset = "vllm-fp32-math";
  r.query_format = formats::bfloat16();
  r.scale_stage = ScaleStage::multiply;
  r.softmax = SoftmaxMethod::two_pass;
  r.exp = ExpFunction::expf;
  r.sum_epsilon = 1e-6;
  r.normalisation = Normalisation::reciprocal;
  r.weight_format = formats::bfloat16();
  r.output_format = formats::bfloat16();
  return r;
}

AttentionRecipe llama_cpp_cpu_fa() {
  AttentionRecipe r;
  r.name = "llama.cpp-cpu-fa";
  r.description = "llama.cpp CPU flash-attn: q to fp16, fp16 K, fp32 dot, per-key online softmax with expf, fp16 VKQ";
  // ggml/src/ggml-cpu/ops.cpp ggml_compute_forward_flash_attn_ext_f16_one_chunk (llama.cpp master, 2025):
  //   kq_vec_dot(DK, &s, ...) (q converted to the K vec_dot_type fp16); s = s*scale; per key:
  //   if (s > M) { M = s; ms = expf(Mold - M); ggml_vec_scale_f16(DV, VKQ16, ms); } else vs = expf(s - M);
  //   ggml_vec_mad_f16(DV, VKQ16, v_data, vs); S = S*ms + vs;  end: S_inv = 1.0f/S, VKQ32 *= S_inv (fp32 dst).
  // ggml_vec_dot_f16's SIMD partial sums and any FMA contraction of S*ms + vs are not modelled.
  r.source = "llama.cpp ggml/src/ggml-cpu/ops.cpp ggml_compute_forward_flash_attn_ext_f16 (master 2025)";
  r.rope_preset = "llama.cpp-cpu";
  r.query_format = formats::binary16();
  r.scale_stage = ScaleStage::multiply;
  r.softmax = SoftmaxMethod::online;
  r.exp = ExpFunction::expf;
  r.softmax_block = 1;
  r.normalisation = Normalisation::reciprocal;
  r.weight_format = formats::binary32();
  r.output_accumulation_format = formats::binary16();
  r.output_format = formats::binary32();
  return r;
}

AttentionRecipe llama_cpp_cpu_no_fa() {
  AttentionRecipe r = llama_cpp_cpu_fa();
  r.name = "llama.cpp-cpu";
  r.description = "llama.cpp CPU without flash-attn: fp32 kq, soft_max_ext (expf, sum in double), P to fp16, fp32 out";
  // ggml/src/ggml-cpu/ops.cpp ggml_compute_forward_soft_max_f32: wp = sp*scale; max; ggml_float sum =
  // ggml_vec_soft_max_f32(nc, dp, wp, max) (expf, binary64 sum); sum = 1.0/sum; ggml_vec_scale_f32(nc, dp, sum);
  // kqv = mul_mat(v, kq): kq converted to V's vec_dot_type fp16, fp32 dot, fp32 dst.
  r.source = "llama.cpp ggml/src/ggml-cpu/ops.cpp ggml_compute_forward_soft_max_f32 (master 2025)";
  r.softmax = SoftmaxMethod::two_pass;
  r.sum_format = formats::binary64();
  r.weight_format = formats::binary16();
  r.output_accumulation_format = formats::binary32();
  return r;
}

AttentionRecipe fp32_reference() {
  AttentionRecipe r;
  r.name = "fp32";
  r.description = "An fp32 pipeline end to end (pairs with the fp32 RoPE recipe): fp32 scores, softmax, P and output";
  r.source = "ropelab control (no stack)";
  r.rope_preset = "fp32";
  r.weight_format = formats::binary32();
  r.output_format = formats::binary32();
  return r;
}

AttentionRecipe fp64_reference() {
  AttentionRecipe r;
  r.name = "fp64";
  r.description = "A binary64 pipeline end to end: the relative-invariance control (D = 0 to rounding)";
  r.source = "ropelab control (no stack)";
  r.rope_preset = "fp64";
  r.query_format = formats::binary64();
  r.score_accumulation = ScoreAccumulation::fp64;
  r.score_format = formats::binary64();
  r.logit_format = formats::binary64();
  r.exp = ExpFunction::exp_binary64;
  r.softmax_format = formats::binary64();
  r.sum_format = formats::binary64();
  r.weight_format = formats::binary64();
  r.output_accumulation_format = formats::binary64();
  r.output_format = formats::binary64();
  return r;
}

}  // namespace

const std::vector<AttentionRecipe>& attention_presets() {
  static const std::vector<AttentionRecipe> all = {hf_eager_bf16(),          hf_sdpa_math_bf16(),   flash_attention_2_bf16(),
                                                   flash_attention_3_fp8(),  flashinfer_decode_bf16(), vllm_paged_v1_bf16(),
                                                   llama_cpp_cpu_fa(),       llama_cpp_cpu_no_fa(), fp32_reference(),
                                                   fp64_reference()};
  return all;
}

rope::Recipe paired_rope_recipe(const AttentionRecipe& recipe) {
  if (recipe.rope_preset != "fp32" && recipe.rope_preset != "fp64") return rope::preset(recipe.rope_preset);
  rope::Recipe r = rope::preset("flash-attention");
  const Format f = recipe.rope_preset == "fp32" ? formats::binary32() : formats::binary64();
  r.name = recipe.rope_preset;
  r.description = "control: every RoPE format " + f.name;
  r.source = "ropelab control (no stack)";
  r.omega_format = r.angle_format = r.trig_format = r.table_format = f;
  r.rotation_math_format = r.input_format = r.storage_format = r.key_cache_format = f;
  r.omega_cast_format = f;
  r.rotation = rope::Rotation::wide_then_round;
  return r;
}

const AttentionRecipe& attention_preset(std::string_view name) {
  std::string allowed;
  for (const AttentionRecipe& r : attention_presets()) {
    if (r.name == name) return r;
    allowed += (allowed.empty() ? "" : ", ") + r.name;
  }
  throw std::invalid_argument("--preset: unknown attention preset '" + std::string(name) + "'; allowed: " + allowed);
}

}  // namespace ropelab::attention
