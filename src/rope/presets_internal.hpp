// The preset factories, one per real stack era, grouped by family in presets_*.cc; presets.cc lists them in
// `ropelab presets` order. Each factory cites, beside every stage it sets, the upstream file and line (with the
// commit read) that the stage follows; a stage left at its Recipe default is cited where the preset says why.
#pragma once

#include "ropelab/rope/recipe.hpp"

namespace ropelab::rope::preset_factories {

// HF transformers (presets_hf.cc).
Recipe hf_eager_bf16();
Recipe hf_rope_utils_bf16();
Recipe hf_4380_autocast();
Recipe hf_437_cast_bf16();
Recipe hf_gpt_neox();
Recipe hf_gpt_neox_sdpa();
Recipe hf_gpt_neox_modular();
Recipe hf_qwen2_vl_mrope();

// ggml / llama.cpp backends (presets_ggml.cc).
Recipe llama_cpp_cpu();
Recipe llama_cpp_cpu_q8_0();
Recipe llama_cpp_cpu_q4_0();
Recipe llama_cpp_cuda();
Recipe llama_cpp_metal();

// Serving and training kernels (presets_kernels.cc).
Recipe vllm_old_bf16();
Recipe vllm_fp32_math();
Recipe vllm_fp8_kv();
Recipe vllm_fp8_kv_dynamic();
Recipe flashinfer();
Recipe sglang_flashinfer();
Recipe flash_attention();
Recipe megatron_unfused();
Recipe transformer_engine_fused();
Recipe tensorrt_llm();
Recipe tensorrt_llm_fp8_kv();
Recipe tensorrt_llm_nvfp4_kv();

// Reference implementations of model authors (presets_reference.cc).
Recipe gpt_neox_fp16();
Recipe meta_reference();
Recipe meta_llama3_reference();
Recipe deepseek_v3_reference();
Recipe gemma_jax();

}  // namespace ropelab::rope::preset_factories
