// Serving and training kernel presets: vLLM, FlashInfer, SGLang, FlashAttention, Megatron-core, Transformer
// Engine and TensorRT-LLM (real-stacks.md §3-§6). FlashInfer (fb28d7242), FlashAttention (0251105a), Megatron-LM
// (d98e8a64dd) and Transformer Engine (d0067d0da) were read in git snapshots (file:line); SGLang, TensorRT-LLM and
// vLLM through the file index (function named). GPU arithmetic below (CUDA pow, cosf/sinf, __sincosf, nvcc FMA
// contraction) is a model until checked on a GPU: torch CUDA pow and cosf stand as correctly rounded / accurate,
// contraction as one fp32 rounding per op.
#include "presets_internal.hpp"

namespace ropelab::rope::preset_factories {

using formats::binary32;

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

// vLLM --kv-cache-dtype fp8 (e4m3 on CUDA): reshape_and_cache_flash (csrc/cache_kernels.cu) stores
// fp8::scaled_convert(key, k_scale), i.e. __nv_cvt_float_to_fp8(k / k_scale, __NV_SATFINITE, __NV_E4M3)
// (csrc/quantization/fp8/nvidia/quant_utils.cuh scaled_vec_conversion<uint8_t, float>): fp32 division, RNE,
// saturation at 448. k_scale is the checkpoint's per-tensor scale, 1.0 when it has none (vllm/attention/layer.py
// registers _k_scale = 1.0): the static default here. A GPU model until checked on a GPU.
Recipe vllm_fp8_kv() {
  Recipe r = vllm_fp32_math();
  r.name = "vllm-fp8-kv";
  r.description = "vLLM (new kernel) with --kv-cache-dtype fp8: e4m3(k / k_scale), static per-tensor k_scale 1.0";
  r.source = "vllm-project/vllm csrc/cache_kernels.cu reshape_and_cache_flash, quant_utils.cuh scaled_vec_conversion";
  r.key_cache_block = parse_block_format("fp8_e4m3_per_tensor");
  return r;
}

// vLLM with calculate_kv_scales: vllm/attention/layer.py calc_kv_scales sets k_scale = max|k| / k_range once, from
// the first batch's post-RoPE keys (k_range = K_SCALE_CONSTANT = 200, vllm/envs.py); modelled per key row (the
// amax of the stored row), which changes only which values fall below e4m3's normal range.
Recipe vllm_fp8_kv_dynamic() {
  Recipe r = vllm_fp8_kv();
  r.name = "vllm-fp8-kv-dynamic";
  r.description = "vLLM fp8 KV cache with calculate_kv_scales: k_scale = amax / 200 (modelled per key row)";
  r.source = "vllm-project/vllm vllm/attention/layer.py calc_kv_scales, csrc/cache_kernels.cu reshape_and_cache_flash";
  r.key_cache_block = parse_block_format("fp8_e4m3_dynamic");
  return r;
}

// FlashInfer on-the-fly kernels: __powf frequencies, __sincosf, fp32 rotation (§5).
Recipe flashinfer() {
  Recipe r;
  r.name = "flashinfer";
  r.description = "FlashInfer on the fly: __powf(1/base, 2i/d), fast __sincosf, fp32 math, one rounding";
  r.source = "flashinfer-ai/flashinfer include/flashinfer/pos_enc.cuh";
  r.omega_method = OmegaMethod::power_of_reciprocal;  // pos_enc.cuh:594 __powf(rope_rcp_theta, float(2i)/float(d))
  r.position_format = binary32();                     // pos_enc.cuh:171 float(offset) * freq[i]
  r.trig = Trig::fast_sfu;                            // pos_enc.cuh:173 __sincosf(embed, &sin, &cos)
  r.table_format = binary32();
  r.rotation = Rotation::wide_then_round;  // vec_t<float> math, one rounding at cast_store
  return r;
}

// SGLang on CUDA: RotaryEmbedding builds an fp32 cos_sin_cache on the device and keeps it fp32 ("NOTE(ByronHsu):
// cache needs to be in FP32 for numerical stability"); forward_cuda hands it to
// apply_rope_with_cos_sin_cache_inplace, FlashInfer's fp32 cos/sin-cache kernel, for head_size in {64, 128, 256,
// 512} (other sizes take the vLLM-style fallback kernel with the cache cast to the query dtype).
Recipe sglang_flashinfer() {
  Recipe r;
  r.name = "sglang-flashinfer";
  r.description = "SGLang CUDA: fp32 torch cos_sin_cache, FlashInfer cache kernel, fp32 math, one rounding (model)";
  r.source = "sgl-project/sglang python/sglang/srt/layers/rotary_embedding/base.py @0099dee6a RotaryEmbedding; "
             "flashinfer-ai/flashinfer include/flashinfer/pos_enc.cuh @fb28d7242 vec_apply_llama_rope_cos_sin";
  // _compute_inv_freq: 1.0 / (base ** (arange(0, rotary_dim, 2, dtype=float) / rotary_dim)) on the device
  // (pow_reciprocal in binary32, default; CUDA powf modelled as correctly rounded).
  r.position_format = binary32();  // _compute_cos_sin_cache: t = torch.arange(..., dtype=torch.float)
  // einsum("i,j -> ij", t, inv_freq): fp32 outer product (elementwise, binary32 angle: defaults).
  // freqs.cos() / freqs.sin() in fp32 on the device (accurate, default: CUDA cosf/sinf model).
  r.table_format = binary32();  // __init__: `if not _is_cuda: cache = cache.to(dtype)`, so fp32 on CUDA;
                                // flashinfer/rope.py:1270 raises unless cos_sin_cache is float32
  // pos_enc.cuh:325-326 cos/sin loaded as float, :129 vec_apply_llama_rope_cos_sin x*cos +/- x'*sin in float,
  // :354 cast_store: one rounding to the bf16 q/k.
  r.rotation = Rotation::wide_then_round;
  // Linear: LinearScalingRotaryEmbedding._compute_cos_sin_cache t = t / scaling_factor on the device (PyTorch's
  // CUDA division by a CPU scalar multiplies by its reciprocal, BinaryDivTrueKernel.cu).
  r.scaling_stage = ScalingStage::position_reciprocal;
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
  // Linear: rotary_pos_embedding.py:136 (d98e8a64dd) get_freqs_non_repeated `seq *= 1 / seq_len_interpolation_factor`
  // on the fp32 seq of :131-134, then :138 torch.outer(seq, self.inv_freq).
  r.scaling_stage = ScalingStage::position_reciprocal;
  return r;
}

// Transformer Engine fused RoPE: RotaryPositionEmbedding makes the fp32 angles, the fused kernel takes sincosf of
// them and rotates in fp32, storing once in the q/k dtype. fused_rope.cu is not in TE's --use_fast_math list
// (transformer_engine/common/CMakeLists.txt:616-627), so sincosf is CUDA's accurate one (modelled as accurate).
Recipe transformer_engine_fused() {
  Recipe r;
  r.name = "transformer-engine-fused";
  r.description = "Transformer Engine fused RoPE: fp32 angles, in-kernel sincosf, fp32 rotation, one rounding (model)";
  r.source = "NVIDIA/TransformerEngine transformer_engine/pytorch/attention/rope.py RotaryPositionEmbedding, "
             "transformer_engine/common/fused_rope/fused_rope.cu (commit d0067d0da)";
  // rope.py:54 inv_freq = 1.0 / (rotary_base ** (arange(0, dim, 2, dtype=float32, device=cuda) / dim)).
  r.position_format = binary32();  // rope.py:81 torch.arange(max_seq_len, dtype=self.inv_freq.dtype)
  // rope.py:79 autocast(enabled=False); :99 torch.einsum("i , j -> i j", seq, self.inv_freq): fp32 angles.
  r.scaling_stage = ScalingStage::position_reciprocal;  // rope.py:97 seq *= 1 / self.seq_len_interpolation_factor
  // fused_rope.cu:50 sincosf(freqs[...]) into shared memory: an fp32 table that is never stored in the q/k dtype.
  r.table_format = binary32();
  r.rotation = Rotation::wide_then_round;  // fused_rope.cu:75 dst = v_src * v_cos + v_src_rotate * v_sin in float
  return r;
}

// TensorRT-LLM attention-plugin tables: numpy float64 pow, cast to fp32, fp32 tables (§6).
Recipe tensorrt_llm() {
  Recipe r;
  r.name = "tensorrt-llm";
  r.description = "TensorRT-LLM: fp64 pow then fp32 omega, fp32 float2 table, fp32 rotation, one rounding";
  r.source = "NVIDIA/TensorRT-LLM tensorrt_llm/functional.py RopeEmbeddingUtils.create_sinusoidal_positions_*";
  // inv_freq = scale / (theta ** (np.arange(0, dim, 2) / dim)).astype(float32): float64 pow, cast, fp32 division.
  r.omega_method = OmegaMethod::fp64_pow_reciprocal;
  // Linear: `if scale_type == linear: scale = 1.0 / scale` first, so the factor's reciprocal is the numerator.
  r.scaling_stage = ScalingStage::reciprocal_numerator;
  r.position_format = binary32();  // np.arange(num_pos, dtype=float32)
  r.table_format = binary32();
  r.rotation = Rotation::wide_then_round;
  return r;
}

// TensorRT-LLM FP8 KV cache (kv_cache_quant_algo FP8): applyBiasRopeUpdateKVCache
// (cpp/tensorrt_llm/kernels/unfusedAttentionKernels/unfusedAttentionKernels_2_template.h, ENABLE_8BITS_CACHE) stores
// mmha::store_8bits_vec(kDst, k, ..., kv_scale_orig_quant): the key times the per-tensor 1 / kv_scale in fp32, then
// __nv_fp8_e4m3 (RNE, satfinite). The calibrated kv_scale is not known here: 1.0 as a static default.
Recipe tensorrt_llm_fp8_kv() {
  Recipe r = tensorrt_llm();
  r.name = "tensorrt-llm-fp8-kv";
  r.description = "TensorRT-LLM with an FP8 KV cache: e4m3(k * (1 / kv_scale)), static per-tensor kv_scale 1.0";
  r.source = "NVIDIA/TensorRT-LLM cpp/tensorrt_llm/kernels/unfusedAttentionKernels/unfusedAttentionKernels_2_template.h";
  r.key_cache_block = parse_block_format("fp8_e4m3_per_tensor:apply=reciprocal");
  return r;
}

// TensorRT-LLM NVFP4 KV cache (ENABLE_4BITS_CACHE): quantizeAndWriteFP4KVCache with the second-level scale
// qkv_scale_orig_quant[1], i.e. cvt_warp_fp16_to_fp4 (kernels/quantization.cuh): 16-element blocks, e4m3 block
// scales, e2m1 elements (cvt.rn.satfinite). The calibrated second-level scale is modelled as the stored key row's
// amax (448 * 6 / amax); rcp.approx as correctly rounded division. A GPU model until checked on a GPU.
Recipe tensorrt_llm_nvfp4_kv() {
  Recipe r = tensorrt_llm();
  r.name = "tensorrt-llm-nvfp4-kv";
  r.description = "TensorRT-LLM with an NVFP4 KV cache: 16 x e2m1 + e4m3 block scale + fp32 row scale";
  r.source = "NVIDIA/TensorRT-LLM kernels/quantization.cuh cvt_warp_fp16_to_fp4, unfusedAttentionKernels_2_template.h";
  r.key_cache_block = parse_block_format("nvfp4");
  return r;
}

}  // namespace ropelab::rope::preset_factories
