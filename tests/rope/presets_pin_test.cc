// Pins what every preset claims to model: each stage value, as rope::recipe_stages prints it in pipeline order,
// next to the upstream file:line (with the commit read) or function it comes from; src/rope/presets_*.cc cite the
// same beside each stage. "GPU model" marks stages modelled, not checked, until a GPU run confirms them. A change
// to any preset stage fails here until the row and its citation change with it; a preset without a table fails.
#include <string_view>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "ropelab/rope/recipe.hpp"
#include "ropelab/rope/recipe_stages.hpp"

using namespace ropelab::rope;

namespace {

struct StagePin {
  std::string_view stage;
  std::string_view value;
  std::string_view source;  // where the value comes from: repository file:line@commit, or function
};

struct PresetPin {
  std::string_view preset;
  std::vector<StagePin> stages;  // pipeline order
};

// A preset that is its base preset with another key cache: the base's pins with the key cache row replaced.
PresetPin with_key_cache(const PresetPin& base, std::string_view preset, std::string_view key_cache,
                         std::string_view source) {
  PresetPin pin{preset, base.stages};
  for (StagePin& stage : pin.stages) {
    if (stage.stage == "key_cache_format") stage = {"key_cache_format", key_cache, source};
  }
  return pin;
}

const std::vector<PresetPin>& base_pins();

// The presets with a block-scaled key cache, each inserted after its base preset.
std::vector<PresetPin> with_key_cache_presets() {
  std::vector<PresetPin> all = base_pins();
  const auto insert_after = [&all](std::string_view base, const std::vector<PresetPin>& derived) {
    auto it = all.begin();
    while (it != all.end() && it->preset != base) ++it;
    REQUIRE(it != all.end());
    all.insert(it + 1, derived.begin(), derived.end());
  };
  const auto base = [](std::string_view name) {
    for (const PresetPin& pin : base_pins()) {
      if (pin.preset == name) return pin;
    }
    FAIL("no base pin " << name);
    return PresetPin{};
  };
  insert_after("llama.cpp-cpu",
               {with_key_cache(base("llama.cpp-cpu"), "llama.cpp-cpu-q8_0", "q8_0_avx2",
                               "ggml src/ggml-cpu/arch/x86/quants.c:302-398@d99724f2 quantize_row_q8_0 AVX2 branch, "
                               "called by ggml_set_rows (ops.cpp:5123-5140); golden ggml-quant q8_0 q_cpy"),
                with_key_cache(base("llama.cpp-cpu"), "llama.cpp-cpu-q4_0", "q4_0",
                               "ggml src/ggml-quants.c:113-148@d99724f2 quantize_row_q4_0_ref (CPU quants.c:33-35), "
                               "called by ggml_set_rows; golden ggml-quant q4_0 q_ref")});
  insert_after("vllm-fp32-math",
               {with_key_cache(base("vllm-fp32-math"), "vllm-fp8-kv", "fp8_e4m3_per_tensor",
                               "vllm csrc/quantization/fp8/nvidia/quant_utils.cuh scaled_vec_conversion: "
                               "__nv_cvt_float_to_fp8(a / scale, __NV_SATFINITE, E4M3); k_scale default 1.0"),
                with_key_cache(base("vllm-fp32-math"), "vllm-fp8-kv-dynamic", "fp8_e4m3_dynamic",
                               "vllm vllm/attention/layer.py calc_kv_scales: k_scale = abs(key).max() / k_range, "
                               "K_SCALE_CONSTANT 200 (modelled per key row)")});
  insert_after("tensorrt-llm",
               {with_key_cache(base("tensorrt-llm"), "tensorrt-llm-fp8-kv", "fp8_e4m3_per_tensor:apply=reciprocal",
                               "TensorRT-LLM unfusedAttentionKernels_2_template.h applyBiasRopeUpdateKVCache: "
                               "store_8bits_vec(kDst, k, ..., kv_scale_orig_quant), fp32 multiply, e4m3 satfinite"),
                with_key_cache(base("tensorrt-llm"), "tensorrt-llm-nvfp4-kv", "nvfp4",
                               "TensorRT-LLM quantization.cuh cvt_warp_fp16_to_fp4 via quantizeAndWriteFP4KVCache; "
                               "second-level scale modelled as the key row's amax (GPU model)")});
  return all;
}

const std::vector<PresetPin>& pins() {
  static const std::vector<PresetPin> all = with_key_cache_presets();
  return all;
}

const std::vector<PresetPin>& base_pins() {
  static const std::vector<PresetPin> all = {
    {"hf-eager-bf16",
     {
        {"omega_method", "pow_reciprocal",
         "transformers models/llama/modeling_llama.py@002272831 LlamaRotaryEmbedding.__init__: inv_freq = 1.0 "
         "/ (base ** (arange(0, dim, 2).float() / dim))"},
        {"omega_format", "binary32",
         "transformers models/llama/modeling_llama.py@002272831 LlamaRotaryEmbedding.__init__: "
         "arange(...).float(): fp32"},
        {"pow", "correctly_rounded",
         "GPU model until checked on a GPU: torch CUDA pow as correctly rounded (CPU golden 03: pow=torch_cpu)"},
        {"omega_cast", "none",
         "fp32 non-persistent buffer that from_pretrained(torch_dtype=bf16) leaves fp32 (golden 03 sidecar)"},
        {"position_format", "binary32",
         "transformers models/llama/modeling_llama.py@002272831 LlamaRotaryEmbedding.forward: position_ids[:, "
         "None, :].float()"},
        {"positions", "rounded",
         "transformers models/llama/modeling_llama.py@002272831 int64 position_ids converted exactly (below "
         "2^24)"},
        {"init_table", "none",
         "transformers models/llama/modeling_llama.py@002272831 forward builds cos/sin per call; _cos_cached "
         "is unused"},
        {"angle_product", "elementwise",
         "transformers models/llama/modeling_llama.py@002272831 forward: inv_freq_expanded.float() @ "
         "position_ids_expanded.float(), K = 1"},
        {"angle_format", "binary32",
         "transformers models/llama/modeling_llama.py@002272831 forward: torch.autocast(enabled=False): fp32 "
         "matmul"},
        {"incremental", "none",
         "transformers models/llama/modeling_llama.py@002272831 forward: the angle from the position on every "
         "call"},
        {"scaling_stage", "position_reciprocal",
         "transformers models/llama/modeling_llama.py@002272831 LlamaLinearScalingRotaryEmbedding.forward: "
         "position_ids.float() / scaling_factor; pytorch aten/src/ATen/native/cuda/BinaryDivTrueKernel.cu: a * "
         "(1 / b) for a CPU scalar"},
        {"trig", "accurate",
         "transformers models/llama/modeling_llama.py@002272831 forward: emb.cos(), emb.sin(); CUDA cosf as "
         "accurate (CPU golden 03: trig=sleef_u10)"},
        {"trig_format", "binary32",
         "transformers models/llama/modeling_llama.py@002272831 forward: emb.cos() of the fp32 angle is fp32"},
        {"attention_factor", "cos_sin",
         "transformers models/llama/modeling_llama.py@002272831 no attention factor before modeling_rope_utils "
         "(linear, dynamic only): never multiplies"},
        {"table_format", "bfloat16",
         "transformers models/llama/modeling_llama.py@002272831 forward: return cos.to(dtype=x.dtype), x bf16"},
        {"input_format", "bfloat16",
         "transformers models/llama/modeling_llama.py@002272831 LlamaAttention.forward: key_states = "
         "self.k_proj(hidden_states), bf16 model"},
        {"rotation", "per_op",
         "transformers models/llama/modeling_llama.py@002272831 apply_rotary_pos_emb: (k * cos) + "
         "(rotate_half(k) * sin) on bf16 tensors (golden 03)"},
        {"rotation_math_format", "binary32",
         "per_op: each bf16 op computed in fp32, then rounded (golden 03 sidecar)"},
        {"storage_format", "bfloat16",
         "transformers models/llama/modeling_llama.py@002272831 apply_rotary_pos_emb returns the bf16 k_embed"},
        {"key_cache_format", "bfloat16",
         "transformers models/llama/modeling_llama.py@002272831 LlamaAttention.forward: "
         "past_key_value.update(key_states, ...) stores the bf16 key"}}},
    {"hf-rope-utils-bf16",
     {
        {"omega_method", "pow_reciprocal",
         "transformers modeling_rope_utils.py@ef4680647 _compute_default_rope_parameters: inv_freq = 1.0 / "
         "(base ** (arange(0, dim, 2).float() / dim))"},
        {"omega_format", "binary32",
         "transformers modeling_rope_utils.py@ef4680647 _compute_default_rope_parameters: .float(): fp32"},
        {"pow", "correctly_rounded",
         "GPU model until checked on a GPU: torch CUDA pow as correctly rounded (CPU golden 03: pow=torch_cpu)"},
        {"omega_cast", "none",
         "fp32 non-persistent buffer that from_pretrained(torch_dtype=bf16) leaves fp32 (golden 03 sidecar)"},
        {"position_format", "binary32",
         "transformers models/gpt_neox/modeling_gpt_neox.py@00dcc6dda GPTNeoXRotaryEmbedding.forward: "
         "position_ids[:, None, :].float()"},
        {"positions", "rounded",
         "transformers models/llama/modeling_llama.py@002272831 int64 position_ids converted exactly (below "
         "2^24)"},
        {"init_table", "none",
         "transformers models/gpt_neox/modeling_gpt_neox.py@00dcc6dda GPTNeoXRotaryEmbedding.forward computes "
         "cos/sin per call (no cache)"},
        {"angle_product", "elementwise",
         "transformers models/gpt_neox/modeling_gpt_neox.py@00dcc6dda GPTNeoXRotaryEmbedding.forward: "
         "inv_freq_expanded.float() @ position_ids_expanded.float()"},
        {"angle_format", "binary32",
         "transformers models/gpt_neox/modeling_gpt_neox.py@00dcc6dda GPTNeoXRotaryEmbedding.forward: "
         "torch.autocast(enabled=False)  # Force float32"},
        {"incremental", "none",
         "transformers models/llama/modeling_llama.py@002272831 forward: the angle from the position on every "
         "call"},
        {"scaling_stage", "omega",
         "transformers modeling_rope_utils.py@ef4680647 _compute_linear_scaling_rope_parameters: inv_freq /= "
         "factor"},
        {"trig", "accurate",
         "transformers models/llama/modeling_llama.py@002272831 forward: emb.cos(), emb.sin(); CUDA cosf as "
         "accurate (CPU golden 03: trig=sleef_u10)"},
        {"trig_format", "binary32",
         "transformers models/llama/modeling_llama.py@002272831 forward: emb.cos() of the fp32 angle is fp32"},
        {"attention_factor", "cos_sin",
         "transformers models/gpt_neox/modeling_gpt_neox.py@00dcc6dda GPTNeoXRotaryEmbedding.forward "
         "(LlamaRotaryEmbedding form): cos = emb.cos() * attention_scaling"},
        {"table_format", "bfloat16",
         "transformers models/gpt_neox/modeling_gpt_neox.py@00dcc6dda GPTNeoXRotaryEmbedding.forward: return "
         "cos.to(dtype=x.dtype)"},
        {"input_format", "bfloat16",
         "transformers models/llama/modeling_llama.py@002272831 LlamaAttention.forward: key_states = "
         "self.k_proj(hidden_states), bf16 model"},
        {"rotation", "per_op",
         "transformers models/llama/modeling_llama.py@002272831 apply_rotary_pos_emb: (k * cos) + "
         "(rotate_half(k) * sin) on bf16 tensors (golden 03)"},
        {"rotation_math_format", "binary32",
         "per_op: each bf16 op computed in fp32, then rounded (golden 03 sidecar)"},
        {"storage_format", "bfloat16",
         "transformers models/llama/modeling_llama.py@002272831 apply_rotary_pos_emb returns the bf16 k_embed"},
        {"key_cache_format", "bfloat16",
         "transformers models/llama/modeling_llama.py@002272831 LlamaAttention.forward: "
         "past_key_value.update(key_states, ...) stores the bf16 key"}}},
    {"hf-4.38.0-autocast",
     {
        {"omega_method", "pow_reciprocal",
         "transformers models/llama/modeling_llama.py@002272831 LlamaRotaryEmbedding.__init__: inv_freq = 1.0 "
         "/ (base ** (arange(0, dim, 2).float() / dim))"},
        {"omega_format", "binary32",
         "transformers models/llama/modeling_llama.py@002272831 LlamaRotaryEmbedding.__init__: "
         "arange(...).float(): fp32"},
        {"pow", "correctly_rounded",
         "GPU model until checked on a GPU: torch CUDA pow as correctly rounded (CPU golden 03: pow=torch_cpu)"},
        {"omega_cast", "bfloat16",
         "transformers modeling_llama.py v4.38.0 forward without PR #29285's autocast(enabled=False): autocast "
         "casts inv_freq to bf16 (golden 04)"},
        {"position_format", "bfloat16",
         "transformers modeling_llama.py v4.38.0 autocast casts position_ids_expanded.float() to bf16 at the "
         "matmul (golden 04)"},
        {"positions", "rounded",
         "transformers models/llama/modeling_llama.py@002272831 int64 position_ids converted exactly (below "
         "2^24)"},
        {"init_table", "none",
         "transformers models/llama/modeling_llama.py@002272831 forward builds cos/sin per call; _cos_cached "
         "is unused"},
        {"angle_product", "elementwise",
         "transformers models/llama/modeling_llama.py@002272831 forward: inv_freq_expanded.float() @ "
         "position_ids_expanded.float(), K = 1"},
        {"angle_format", "bfloat16",
         "transformers modeling_llama.py v4.38.0 the bf16 autocast matmul returns bf16 angles (golden 04 "
         "angle.npy)"},
        {"incremental", "none",
         "transformers models/llama/modeling_llama.py@002272831 forward: the angle from the position on every "
         "call"},
        {"scaling_stage", "position_reciprocal",
         "transformers models/llama/modeling_llama.py@002272831 LlamaLinearScalingRotaryEmbedding.forward: "
         "position_ids.float() / scaling_factor; pytorch aten/src/ATen/native/cuda/BinaryDivTrueKernel.cu: a * "
         "(1 / b) for a CPU scalar"},
        {"trig", "accurate",
         "transformers models/llama/modeling_llama.py@002272831 forward: emb.cos(), emb.sin(); CUDA cosf as "
         "accurate (CPU golden 03: trig=sleef_u10)"},
        {"trig_format", "binary32",
         "transformers models/llama/modeling_llama.py@002272831 forward: emb.cos() of the fp32 angle is fp32"},
        {"attention_factor", "cos_sin",
         "transformers models/llama/modeling_llama.py@002272831 no attention factor before modeling_rope_utils "
         "(linear, dynamic only): never multiplies"},
        {"table_format", "bfloat16",
         "transformers models/llama/modeling_llama.py@002272831 forward: return cos.to(dtype=x.dtype), x bf16"},
        {"input_format", "bfloat16",
         "transformers models/llama/modeling_llama.py@002272831 LlamaAttention.forward: key_states = "
         "self.k_proj(hidden_states), bf16 model"},
        {"rotation", "per_op",
         "transformers models/llama/modeling_llama.py@002272831 apply_rotary_pos_emb: (k * cos) + "
         "(rotate_half(k) * sin) on bf16 tensors (golden 03)"},
        {"rotation_math_format", "binary32",
         "per_op: each bf16 op computed in fp32, then rounded (golden 03 sidecar)"},
        {"storage_format", "bfloat16",
         "transformers models/llama/modeling_llama.py@002272831 apply_rotary_pos_emb returns the bf16 k_embed"},
        {"key_cache_format", "bfloat16",
         "transformers models/llama/modeling_llama.py@002272831 LlamaAttention.forward: "
         "past_key_value.update(key_states, ...) stores the bf16 key"}}},
    {"hf-4.37-cast-bf16",
     {
        {"omega_method", "pow_reciprocal",
         "transformers models/llama/modeling_llama.py@002272831 LlamaRotaryEmbedding.__init__: inv_freq = 1.0 "
         "/ (base ** (arange(0, dim, 2).float() / dim))"},
        {"omega_format", "binary32",
         "transformers models/llama/modeling_llama.py@002272831 LlamaRotaryEmbedding.__init__: "
         "arange(...).float(): fp32"},
        {"pow", "correctly_rounded",
         "GPU model until checked on a GPU: torch CUDA pow as correctly rounded (CPU golden 03: pow=torch_cpu)"},
        {"omega_cast", "bfloat16",
         "transformers models/llama/modeling_llama.py v4.37.2 model.to(bf16) casts the inv_freq buffer (issues "
         "#25681, #29496; golden 05 inv_freq bf16)"},
        {"position_format", "bfloat16",
         "transformers models/llama/modeling_llama.py v4.37.2 _set_cos_sin_cache: t = torch.arange(seq_len, "
         "dtype=self.inv_freq.dtype) (bf16)"},
        {"positions", "torch_arange",
         "torch 1.13 RangeFactoriesKernel.cpp arange_kernel: 16-lane bf16 vectors (golden 05 arange_bf16.npy)"},
        {"init_table", "below_max_positions",
         "transformers models/llama/modeling_llama.py v4.37.2 __init__ "
         "_set_cos_sin_cache(max_position_embeddings) in fp32; forward rebuilds when seq_len > cached"},
        {"angle_product", "elementwise",
         "transformers models/llama/modeling_llama.py v4.37.2 _set_cos_sin_cache: freqs = torch.outer(t, "
         "self.inv_freq)"},
        {"angle_format", "bfloat16",
         "transformers models/llama/modeling_llama.py v4.37.2 _set_cos_sin_cache: torch.outer of two bf16 "
         "tensors is bf16 (golden 05 angle.npy)"},
        {"incremental", "none",
         "transformers models/llama/modeling_llama.py v4.37.2 _set_cos_sin_cache: the angle from t for every "
         "position"},
        {"scaling_stage", "position_reciprocal",
         "transformers models/llama/modeling_llama.py v4.37.2 "
         "LlamaLinearScalingRotaryEmbedding._set_cos_sin_cache: t = t / scaling_factor; pytorch "
         "BinaryDivTrueKernel.cu: a * (1 / b) for a CPU scalar"},
        {"trig", "accurate",
         "transformers models/llama/modeling_llama.py@002272831 forward: emb.cos(), emb.sin(); CUDA cosf as "
         "accurate (CPU golden 03: trig=sleef_u10)"},
        {"trig_format", "binary32",
         "torch 1.13 Vectorized<BFloat16> cos widens to fp32, SLEEF, narrows (golden 05)"},
        {"attention_factor", "cos_sin",
         "transformers models/llama/modeling_llama.py@002272831 no attention factor before modeling_rope_utils "
         "(linear, dynamic only): never multiplies"},
        {"table_format", "bfloat16",
         "transformers models/llama/modeling_llama.py v4.37.2 forward: cos_cached[:seq_len].to(dtype=x.dtype)"},
        {"input_format", "bfloat16",
         "transformers models/llama/modeling_llama.py@002272831 LlamaAttention.forward: key_states = "
         "self.k_proj(hidden_states), bf16 model"},
        {"rotation", "per_op",
         "transformers models/llama/modeling_llama.py@002272831 apply_rotary_pos_emb: (k * cos) + "
         "(rotate_half(k) * sin) on bf16 tensors (golden 03)"},
        {"rotation_math_format", "binary32",
         "per_op: each bf16 op computed in fp32, then rounded (golden 03 sidecar)"},
        {"storage_format", "bfloat16",
         "transformers models/llama/modeling_llama.py@002272831 apply_rotary_pos_emb returns the bf16 k_embed"},
        {"key_cache_format", "bfloat16",
         "transformers models/llama/modeling_llama.py@002272831 LlamaAttention.forward: "
         "past_key_value.update(key_states, ...) stores the bf16 key"}}},
    {"hf-gpt-neox",
     {
        {"omega_method", "pow_reciprocal",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 GPTNeoXRotaryEmbedding.__init__: inv_freq "
         "= 1.0 / (base ** (arange(0, dim, 2, int64).float() / dim))"},
        {"omega_format", "binary32",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 GPTNeoXRotaryEmbedding.__init__: .float(): "
         "fp32"},
        {"pow", "correctly_rounded",
         "GPU model until checked on a GPU: torch CUDA pow as correctly rounded (CPU golden 03: pow=torch_cpu)"},
        {"omega_cast", "none",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 inv_freq built with explicit .float(), "
         "left fp32 by from_pretrained (golden 06 inv_freq f32)"},
        {"position_format", "binary32",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 _set_cos_sin_cache: t = "
         "arange(int64).type_as(self.inv_freq) (fp32)"},
        {"positions", "rounded",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 _set_cos_sin_cache: exact integers in fp32 "
         "(below 2^24)"},
        {"init_table", "none",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 __init__ builds the fp32 cache; forward "
         "rebuilds it in fp32 beyond it (one table, no cast)"},
        {"angle_product", "elementwise",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 _set_cos_sin_cache: freqs = torch.outer(t, "
         "self.inv_freq)"},
        {"angle_format", "binary32",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 _set_cos_sin_cache: torch.outer of fp32 "
         "tensors (golden 06 angle f32)"},
        {"incremental", "none",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 _set_cos_sin_cache: the angle from t for "
         "every position"},
        {"scaling_stage", "position_reciprocal",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 "
         "GPTNeoXLinearScalingRotaryEmbedding._set_cos_sin_cache: t = t / scaling_factor; pytorch "
         "BinaryDivTrueKernel.cu: a * (1 / b) for a CPU scalar"},
        {"trig", "accurate",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 emb.cos(), emb.sin(); CUDA cosf as "
         "accurate (CPU golden 06: trig=sleef_u10)"},
        {"trig_format", "binary32",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 _set_cos_sin_cache: emb.cos() of the fp32 "
         "angle"},
        {"attention_factor", "cos_sin",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 no attention factor in this file (linear, "
         "dynamic only): never multiplies"},
        {"table_format", "binary32",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 forward: return self.cos_cached[:seq_len] "
         "(no cast; PR #28602)"},
        {"input_format", "bfloat16",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 _attn_projections_and_rope: key from the "
         "bf16 query_key_value (golden 06 k_in bf16)"},
        {"rotation", "per_op",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 apply_rotary_pos_emb: (k * cos) + "
         "(rotate_half(k) * sin), bf16 k times fp32 cos promotes"},
        {"rotation_math_format", "binary32",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 per_op in the promoted fp32 (golden 06)"},
        {"storage_format", "binary32",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 _attn_projections_and_rope: key = "
         "torch.cat((key, key_pass), dim=-1) is fp32 (golden 06)"},
        {"key_cache_format", "binary32",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 _attn_projections_and_rope: present = "
         "(key, value), the fp32 key"}}},
    {"hf-gpt-neox-sdpa",
     {
        {"omega_method", "pow_reciprocal",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 GPTNeoXRotaryEmbedding.__init__: inv_freq "
         "= 1.0 / (base ** (arange(0, dim, 2, int64).float() / dim))"},
        {"omega_format", "binary32",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 GPTNeoXRotaryEmbedding.__init__: .float(): "
         "fp32"},
        {"pow", "correctly_rounded",
         "GPU model until checked on a GPU: torch CUDA pow as correctly rounded (CPU golden 03: pow=torch_cpu)"},
        {"omega_cast", "none",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 inv_freq built with explicit .float(), "
         "left fp32 by from_pretrained (golden 06 inv_freq f32)"},
        {"position_format", "binary32",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 _set_cos_sin_cache: t = "
         "arange(int64).type_as(self.inv_freq) (fp32)"},
        {"positions", "rounded",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 _set_cos_sin_cache: exact integers in fp32 "
         "(below 2^24)"},
        {"init_table", "none",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 __init__ builds the fp32 cache; forward "
         "rebuilds it in fp32 beyond it (one table, no cast)"},
        {"angle_product", "elementwise",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 _set_cos_sin_cache: freqs = torch.outer(t, "
         "self.inv_freq)"},
        {"angle_format", "binary32",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 _set_cos_sin_cache: torch.outer of fp32 "
         "tensors (golden 06 angle f32)"},
        {"incremental", "none",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 _set_cos_sin_cache: the angle from t for "
         "every position"},
        {"scaling_stage", "position_reciprocal",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 "
         "GPTNeoXLinearScalingRotaryEmbedding._set_cos_sin_cache: t = t / scaling_factor; pytorch "
         "BinaryDivTrueKernel.cu: a * (1 / b) for a CPU scalar"},
        {"trig", "accurate",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 emb.cos(), emb.sin(); CUDA cosf as "
         "accurate (CPU golden 06: trig=sleef_u10)"},
        {"trig_format", "binary32",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 _set_cos_sin_cache: emb.cos() of the fp32 "
         "angle"},
        {"attention_factor", "cos_sin",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 no attention factor in this file (linear, "
         "dynamic only): never multiplies"},
        {"table_format", "binary32",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 forward: return self.cos_cached[:seq_len] "
         "(no cast; PR #28602)"},
        {"input_format", "bfloat16",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 _attn_projections_and_rope: key from the "
         "bf16 query_key_value (golden 06 k_in bf16)"},
        {"rotation", "wide_then_round",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 the eager fp32 ops of "
         "apply_rotary_pos_emb, then GPTNeoXSdpaAttention.forward key.to(target_dtype)"},
        {"rotation_math_format", "binary32",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 apply_rotary_pos_emb: every op in the "
         "promoted fp32"},
        {"storage_format", "bfloat16",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 GPTNeoXSdpaAttention.forward / "
         "GPTNeoXFlashAttention2.forward: key = key.to(value.dtype)"},
        {"key_cache_format", "bfloat16",
         "transformers models/gpt_neox/modeling_gpt_neox.py@006bd23 the whole key (cache included) is cast to "
         "value.dtype before every attention call"}}},
    {"hf-gpt-neox-modular",
     {
        {"omega_method", "pow_reciprocal",
         "transformers modeling_rope_utils.py@ef4680647 _compute_default_rope_parameters: inv_freq = 1.0 / "
         "(base ** (arange(0, dim, 2).float() / dim))"},
        {"omega_format", "binary32",
         "transformers modeling_rope_utils.py@ef4680647 _compute_default_rope_parameters: .float(): fp32"},
        {"pow", "correctly_rounded",
         "GPU model until checked on a GPU: torch CUDA pow as correctly rounded (CPU golden 03: pow=torch_cpu)"},
        {"omega_cast", "none",
         "fp32 non-persistent buffer that from_pretrained(torch_dtype=bf16) leaves fp32 (golden 03 sidecar)"},
        {"position_format", "binary32",
         "transformers models/gpt_neox/modeling_gpt_neox.py@00dcc6dda GPTNeoXRotaryEmbedding.forward: "
         "position_ids[:, None, :].float()"},
        {"positions", "rounded",
         "transformers models/llama/modeling_llama.py@002272831 int64 position_ids converted exactly (below "
         "2^24)"},
        {"init_table", "none",
         "transformers models/gpt_neox/modeling_gpt_neox.py@00dcc6dda GPTNeoXRotaryEmbedding.forward computes "
         "cos/sin per call (no cache)"},
        {"angle_product", "elementwise",
         "transformers models/gpt_neox/modeling_gpt_neox.py@00dcc6dda GPTNeoXRotaryEmbedding.forward: "
         "inv_freq_expanded.float() @ position_ids_expanded.float()"},
        {"angle_format", "binary32",
         "transformers models/gpt_neox/modeling_gpt_neox.py@00dcc6dda GPTNeoXRotaryEmbedding.forward: "
         "torch.autocast(enabled=False)  # Force float32"},
        {"incremental", "none",
         "transformers models/llama/modeling_llama.py@002272831 forward: the angle from the position on every "
         "call"},
        {"scaling_stage", "omega",
         "transformers modeling_rope_utils.py@ef4680647 _compute_linear_scaling_rope_parameters: inv_freq /= "
         "factor"},
        {"trig", "accurate",
         "transformers models/llama/modeling_llama.py@002272831 forward: emb.cos(), emb.sin(); CUDA cosf as "
         "accurate (CPU golden 03: trig=sleef_u10)"},
        {"trig_format", "binary32",
         "transformers models/llama/modeling_llama.py@002272831 forward: emb.cos() of the fp32 angle is fp32"},
        {"attention_factor", "cos_sin",
         "transformers models/gpt_neox/modeling_gpt_neox.py@00dcc6dda GPTNeoXRotaryEmbedding.forward "
         "(LlamaRotaryEmbedding form): cos = emb.cos() * attention_scaling"},
        {"table_format", "bfloat16",
         "transformers models/gpt_neox/modeling_gpt_neox.py@00dcc6dda GPTNeoXRotaryEmbedding.forward: return "
         "cos.to(dtype=x.dtype)"},
        {"input_format", "bfloat16",
         "transformers models/gpt_neox/modular_gpt_neox.py@00dcc6dda GPTNeoXAttention.forward: qkv = "
         "self.query_key_value(hidden_states), bf16 model"},
        {"rotation", "per_op",
         "transformers models/gpt_neox/modular_gpt_neox.py@00dcc6dda apply_rotary_pos_emb: (k_rot * cos) + "
         "(rotate_half(k_rot) * sin) on bf16 tensors"},
        {"rotation_math_format", "binary32",
         "per_op: each bf16 op computed in fp32, then rounded (golden 03 sidecar)"},
        {"storage_format", "bfloat16",
         "transformers models/gpt_neox/modular_gpt_neox.py@00dcc6dda apply_rotary_pos_emb: k_embed = "
         "torch.cat([k_embed, k_pass], dim=-1), bf16"},
        {"key_cache_format", "bfloat16",
         "transformers models/gpt_neox/modular_gpt_neox.py@00dcc6dda GPTNeoXAttention.forward: "
         "layer_past.update(key_states, ...) stores the bf16 key"}}},
    {"hf-qwen2-vl-mrope",
     {
        {"omega_method", "pow_reciprocal",
         "transformers modeling_rope_utils.py@ef4680647 _compute_default_rope_parameters: inv_freq = 1.0 / "
         "(base ** (arange(0, dim, 2).float() / dim))"},
        {"omega_format", "binary32",
         "transformers modeling_rope_utils.py@ef4680647 _compute_default_rope_parameters: .float(): fp32"},
        {"pow", "correctly_rounded",
         "GPU model until checked on a GPU: torch CUDA pow as correctly rounded (CPU golden 03: pow=torch_cpu)"},
        {"omega_cast", "none",
         "fp32 non-persistent buffer that from_pretrained(torch_dtype=bf16) leaves fp32 (golden 03 sidecar)"},
        {"position_format", "binary32",
         "transformers models/qwen2_vl/modeling_qwen2_vl.py@00b676f8f Qwen2VLRotaryEmbedding.forward: "
         "position_ids[:, :, None, :].float() (3 streams; text: t = h = w)"},
        {"positions", "rounded",
         "transformers models/llama/modeling_llama.py@002272831 int64 position_ids converted exactly (below "
         "2^24)"},
        {"init_table", "none",
         "transformers models/qwen2_vl/modeling_qwen2_vl.py@00b676f8f Qwen2VLRotaryEmbedding.forward computes "
         "cos/sin per call"},
        {"angle_product", "elementwise",
         "transformers models/qwen2_vl/modeling_qwen2_vl.py@00b676f8f Qwen2VLRotaryEmbedding.forward: "
         "inv_freq_expanded.float() @ position_ids_expanded.float()"},
        {"angle_format", "binary32",
         "transformers models/qwen2_vl/modeling_qwen2_vl.py@00b676f8f Qwen2VLRotaryEmbedding.forward: "
         "torch.autocast(enabled=False)  # Force float32"},
        {"incremental", "none",
         "transformers models/llama/modeling_llama.py@002272831 forward: the angle from the position on every "
         "call"},
        {"scaling_stage", "omega",
         "transformers modeling_rope_utils.py@ef4680647 _compute_linear_scaling_rope_parameters: inv_freq /= "
         "factor"},
        {"trig", "accurate",
         "transformers models/llama/modeling_llama.py@002272831 forward: emb.cos(), emb.sin(); CUDA cosf as "
         "accurate (CPU golden 03: trig=sleef_u10)"},
        {"trig_format", "binary32",
         "transformers models/llama/modeling_llama.py@002272831 forward: emb.cos() of the fp32 angle is fp32"},
        {"attention_factor", "cos_sin",
         "transformers models/qwen2_vl/modeling_qwen2_vl.py@00b676f8f Qwen2VLRotaryEmbedding.forward: cos = "
         "emb.cos() * self.attention_scaling"},
        {"table_format", "bfloat16",
         "transformers models/qwen2_vl/modeling_qwen2_vl.py@00b676f8f Qwen2VLRotaryEmbedding.forward: return "
         "cos.to(dtype=x.dtype)"},
        {"input_format", "bfloat16",
         "transformers models/qwen2_vl/modeling_qwen2_vl.py@00b676f8f Qwen2VLAttention.forward: key_states = "
         "self.k_proj(hidden_states), bf16 model"},
        {"rotation", "per_op",
         "transformers models/qwen2_vl/modeling_qwen2_vl.py@00b676f8f apply_multimodal_rotary_pos_emb: (k * "
         "cos) + (rotate_half(k) * sin) after the mrope_section select"},
        {"rotation_math_format", "binary32",
         "per_op: each bf16 op computed in fp32, then rounded (golden 03 sidecar)"},
        {"storage_format", "bfloat16",
         "transformers models/qwen2_vl/modeling_qwen2_vl.py@00b676f8f apply_multimodal_rotary_pos_emb returns "
         "the bf16 k_embed"},
        {"key_cache_format", "bfloat16",
         "transformers models/qwen2_vl/modeling_qwen2_vl.py@00b676f8f Qwen2VLAttention.forward: "
         "past_key_value.update(key_states, ...)"}}},
    {"llama.cpp-cpu",
     {
        {"omega_method", "ggml_angle_recurrence",
         "ggml src/ggml-cpu/ops.cpp@d99724f:5850-5858 theta = theta_base; rope_yarn(theta/ff, ...); theta *= "
         "theta_scale"},
        {"omega_format", "binary32",
         "ggml src/ggml-cpu/ops.cpp@d99724f:6014 const float theta_scale"},
        {"pow", "libm",
         "ggml src/ggml-cpu/ops.cpp@d99724f:6014 powf(freq_base, -2.0f/n_dims): glibc powf (goldens 01, 02)"},
        {"omega_cast", "none",
         "ggml src/ggml-cpu/ops.cpp@d99724f:6014 theta_scale stays a float local"},
        {"position_format", "binary32",
         "ggml src/ggml-cpu/ops.cpp@d99724f:6057-6058 p = pos[i2] (int32) passed as float theta_base"},
        {"positions", "rounded",
         "ggml src/ggml-cpu/ops.cpp@d99724f:6057 int32 positions, exact in float below 2^24"},
        {"init_table", "none",
         "ggml src/ggml-cpu/ops.cpp@d99724f:6055-6058 the cache is rebuilt for every position (row i2)"},
        {"angle_product", "elementwise",
         "ggml src/ggml-cpu/ops.cpp@d99724f:5858 theta *= theta_scale (the recurrence replaces the product)"},
        {"angle_format", "binary32",
         "ggml src/ggml-cpu/ops.cpp@d99724f:5850 float theta"},
        {"incremental", "none",
         "ggml src/ggml-cpu/ops.cpp@d99724f:5858 the recurrence runs over pairs, each position starts at "
         "theta_base"},
        {"scaling_stage", "ggml_freq_scale",
         "ggml src/ggml-cpu/ops.cpp@d99724f:5854 theta/ff, 5833 theta_interp = freq_scale * theta_extrap; "
         "llama.cpp llama-model.cpp load_hparams rope_freq_scale_train = 1.0f/ropescale"},
        {"trig", "libm",
         "ggml src/ggml-cpu/ops.cpp@d99724f:5842-5843 cosf(theta) * mscale, sinf(theta) * mscale (glibc, "
         "goldens 01, 02)"},
        {"trig_format", "binary32",
         "ggml src/ggml-cpu/ops.cpp@d99724f:5842 float cos_theta"},
        {"attention_factor", "cos_sin",
         "ggml src/ggml-cpu/ops.cpp@d99724f:5842 cosf(theta) * mscale: the attention factor multiplies cos/sin"},
        {"table_format", "binary32",
         "ggml src/ggml-cpu/ops.cpp@d99724f:5853 float cache[i0] per thread"},
        {"input_format", "binary32",
         "ggml src/ggml-cpu/ops.cpp@d99724f:5965-5970 src0 F32 (or F16, converted exactly)"},
        {"rotation", "fma",
         "ggml src/ggml-cpu/ops.cpp@d99724f:5947 x0*cos_theta - x1*sin_theta, FMA-contracted by gcc "
         "-march=native (goldens 01, 02)"},
        {"rotation_math_format", "binary32",
         "ggml src/ggml-cpu/ops.cpp@d99724f:5947 float arithmetic"},
        {"storage_format", "binary32",
         "ggml src/ggml-cpu/ops.cpp@d99724f:5947 type_conversion_table<float>::from_f32: F32 dst"},
        {"key_cache_format", "binary16",
         "llama.cpp default F16 K cache: ggml_cpy RNE (goldens 01, 02 k_out_f16)"}}},
    {"llama.cpp-cuda",
     {
        {"omega_method", "ggml_power_of_scale",
         "ggml src/ggml-cuda/rope.cu@d99724f:107 theta_base = pos[i2]*powf(theta_scale, iw/2.0f)"},
        {"omega_format", "binary32",
         "ggml src/ggml-cpu/ops.cpp@d99724f:6014 const float theta_scale"},
        {"pow", "cuda_fast",
         "GPU model until checked on a GPU: ggml src/ggml-cuda/CMakeLists.txt@d99724f:197 -use_fast_math: powf "
         "is __powf (bound model)"},
        {"omega_cast", "none",
         "ggml src/ggml-cpu/ops.cpp@d99724f:6014 theta_scale stays a float local"},
        {"position_format", "binary32",
         "ggml src/ggml-cuda/rope.cu@d99724f:107 int32 pos[i2] converted to float"},
        {"positions", "rounded",
         "ggml src/ggml-cpu/ops.cpp@d99724f:6057 int32 positions, exact in float below 2^24"},
        {"init_table", "none",
         "ggml src/ggml-cuda/rope.cu@d99724f:107-114 computed on the fly per element"},
        {"angle_product", "elementwise",
         "ggml src/ggml-cuda/rope.cu@d99724f:107 pos[i2]*powf(...): one fp32 product"},
        {"angle_format", "binary32",
         "ggml src/ggml-cuda/rope.cu@d99724f:107 const float theta_base"},
        {"incremental", "none",
         "ggml src/ggml-cuda/rope.cu@d99724f:107 the angle from the position for every pair"},
        {"scaling_stage", "ggml_freq_scale",
         "ggml src/ggml-cuda/rope.cu@d99724f:114 rope_yarn(theta_base/freq_factor, freq_scale, ...), 27 "
         "theta_interp = freq_scale * theta_extrap"},
        {"trig", "fast_sfu",
         "GPU model until checked on a GPU: ggml src/ggml-cuda/rope.cu@d99724f:36 cosf(theta) under "
         "-use_fast_math (__sinf/__cosf model)"},
        {"trig_format", "binary32",
         "ggml src/ggml-cuda/rope.cu@d99724f:36 float cos_theta"},
        {"attention_factor", "cos_sin",
         "ggml src/ggml-cuda/rope.cu@d99724f:36 cosf(theta) * mscale"},
        {"table_format", "binary32",
         "ggml src/ggml-cuda/rope.cu@d99724f:111-112 float cos_theta, sin_theta registers"},
        {"input_format", "binary32",
         "ggml src/ggml-cpu/ops.cpp@d99724f:5965-5970 src0 F32 (or F16, converted exactly)"},
        {"rotation", "fma",
         "GPU model until checked on a GPU: ggml src/ggml-cuda/rope.cu@d99724f:119 x0 * cos_theta - x1 * "
         "sin_theta (nvcc contraction: the CPU fma form kept as the model)"},
        {"rotation_math_format", "binary32",
         "ggml src/ggml-cuda/rope.cu@d99724f:119 float arithmetic"},
        {"storage_format", "binary32",
         "ggml src/ggml-cuda/rope.cu@d99724f:119 store_coaelsced to the F32 dst"},
        {"key_cache_format", "binary16",
         "llama.cpp default F16 K cache: ggml_cpy RNE (goldens 01, 02 k_out_f16)"}}},
    {"llama.cpp-metal",
     {
        {"omega_method", "pow_negative_exponent",
         "ggml src/ggml-metal/ggml-metal.metal@d99724f:4683 inv_ndims = -1.f/args.n_dims; 4693 theta_base * "
         "pow(args.freq_base, inv_ndims*iw)"},
        {"omega_format", "binary32",
         "ggml src/ggml-metal/ggml-metal.metal@d99724f:4693 float pow(float, float)"},
        {"pow", "correctly_rounded",
         "GPU model until checked on Apple GPUs: Metal fast-math pow (ggml-metal-device.m:232 "
         "setFastMathEnabled:false commented out) as correctly rounded"},
        {"omega_cast", "none",
         "ggml src/ggml-metal/ggml-metal.metal@d99724f:4693 pow evaluated per element in float"},
        {"position_format", "binary32",
         "ggml src/ggml-metal/ggml-metal.metal@d99724f:4682 theta_base = (float) pos[i2]"},
        {"positions", "rounded",
         "ggml src/ggml-metal/ggml-metal.metal@d99724f:4682 int32 positions, exact in float below 2^24"},
        {"init_table", "none",
         "ggml src/ggml-metal/ggml-metal.metal@d99724f:4693-4697 computed on the fly per element"},
        {"angle_product", "elementwise",
         "ggml src/ggml-metal/ggml-metal.metal@d99724f:4693 theta_base * pow(...): one fp32 product"},
        {"angle_format", "binary32",
         "ggml src/ggml-metal/ggml-metal.metal@d99724f:4693 const float theta"},
        {"incremental", "none",
         "ggml src/ggml-metal/ggml-metal.metal@d99724f:4693 the angle from the position for every pair"},
        {"scaling_stage", "ggml_freq_scale",
         "ggml src/ggml-metal/ggml-metal.metal@d99724f:4697 rope_yarn(theta/freq_factor, args.freq_scale, "
         "...), 4633 theta_interp = freq_scale * theta_extrap"},
        {"trig", "accurate",
         "GPU model until checked on Apple GPUs: ggml src/ggml-metal/ggml-metal.metal@d99724f:4642 cos(theta) "
         "* mscale under fast math, as accurate"},
        {"trig_format", "binary32",
         "ggml src/ggml-metal/ggml-metal.metal@d99724f:4642 float cos_theta"},
        {"attention_factor", "cos_sin",
         "ggml src/ggml-metal/ggml-metal.metal@d99724f:4642 cos(theta) * mscale"},
        {"table_format", "binary32",
         "ggml src/ggml-metal/ggml-metal.metal@d99724f:4639-4640 thread float cos_theta, sin_theta"},
        {"input_format", "binary32",
         "ggml src/ggml-metal/ggml-metal.metal@d99724f:4703 const float x0 = src[0] (F32 src)"},
        {"rotation", "wide_then_round",
         "GPU model until checked on Apple GPUs: ggml src/ggml-metal/ggml-metal.metal@d99724f:4705 "
         "x0*cos_theta - x1*sin_theta in float, one rounding on store"},
        {"rotation_math_format", "binary32",
         "ggml src/ggml-metal/ggml-metal.metal@d99724f:4705 float arithmetic"},
        {"storage_format", "binary32",
         "ggml src/ggml-metal/ggml-metal.metal@d99724f:4705 dst_data[0] (F32 dst)"},
        {"key_cache_format", "binary16",
         "llama.cpp default F16 K cache: ggml_cpy RNE (goldens 01, 02 k_out_f16)"}}},
    {"vllm-old-bf16",
     {
        {"omega_method", "pow_reciprocal",
         "vllm-project/vllm rotary_embedding/base.py _compute_inv_freq: 1.0 / (base ** (arange(0, rotary_dim, "
         "2, dtype=float) / rotary_dim))"},
        {"omega_format", "binary32",
         "vllm-project/vllm rotary_embedding/base.py _compute_inv_freq: dtype=torch.float"},
        {"pow", "correctly_rounded",
         "GPU model until checked on a GPU: torch CUDA pow on the device (NOTE(woosuk) in _compute_inv_freq) "
         "as correctly rounded"},
        {"omega_cast", "none",
         "vllm-project/vllm rotary_embedding/base.py: inv_freq is a local fp32 tensor"},
        {"position_format", "binary32",
         "vllm-project/vllm rotary_embedding/base.py _compute_cos_sin_cache: t = torch.arange(max_pos, "
         "dtype=torch.float)"},
        {"positions", "rounded",
         "vllm-project/vllm _compute_cos_sin_cache: exact integers in fp32"},
        {"init_table", "none",
         "vllm-project/vllm _compute_cos_sin_cache: one table for max_position_embeddings at init"},
        {"angle_product", "elementwise",
         "vllm-project/vllm _compute_cos_sin_cache: torch.einsum(\"i,j -> ij\", t, inv_freq)"},
        {"angle_format", "binary32",
         "vllm-project/vllm _compute_cos_sin_cache: fp32 einsum"},
        {"incremental", "none",
         "vllm-project/vllm _compute_cos_sin_cache: the angle from t for every position"},
        {"scaling_stage", "omega",
         "vllm-project/vllm per-scaling classes divide inv_freq (base.py); linear placement not re-verified "
         "here"},
        {"trig", "accurate",
         "GPU model until checked on a GPU: vllm-project/vllm _compute_cos_sin_cache: freqs.cos() on the "
         "device (CUDA cosf as accurate)"},
        {"trig_format", "binary32",
         "vllm-project/vllm _compute_cos_sin_cache: cos of the fp32 angle"},
        {"attention_factor", "cos_sin",
         "vllm-project/vllm YaRN / LongRoPE caches multiply cos, sin by mscale before the cast (real-stacks.md "
         "§3)"},
        {"table_format", "bfloat16",
         "vllm-project/vllm RotaryEmbedding.__init__: cache = cache.to(dtype), the model dtype"},
        {"input_format", "bfloat16",
         "bf16 model q/k (vLLM model dtype)"},
        {"rotation", "per_op",
         "vllm-project/vllm csrc/pos_encoding_kernels.cu (<= ~v0.10) apply_token_rotary_embedding on scalar_t: "
         "each op rounded to bf16"},
        {"rotation_math_format", "binary32",
         "per_op: c10::BFloat16 operators compute in float, then round"},
        {"storage_format", "bfloat16",
         "vllm-project/vllm csrc/pos_encoding_kernels.cu: in-place store into the bf16 query/key"},
        {"key_cache_format", "bfloat16",
         "vLLM bf16 KV cache (kv_cache_dtype auto = model dtype)"}}},
    {"vllm-fp32-math",
     {
        {"omega_method", "pow_reciprocal",
         "vllm-project/vllm rotary_embedding/base.py _compute_inv_freq: 1.0 / (base ** (arange(0, rotary_dim, "
         "2, dtype=float) / rotary_dim))"},
        {"omega_format", "binary32",
         "vllm-project/vllm rotary_embedding/base.py _compute_inv_freq: dtype=torch.float"},
        {"pow", "correctly_rounded",
         "GPU model until checked on a GPU: torch CUDA pow on the device (NOTE(woosuk) in _compute_inv_freq) "
         "as correctly rounded"},
        {"omega_cast", "none",
         "vllm-project/vllm rotary_embedding/base.py: inv_freq is a local fp32 tensor"},
        {"position_format", "binary32",
         "vllm-project/vllm rotary_embedding/base.py _compute_cos_sin_cache: t = torch.arange(max_pos, "
         "dtype=torch.float)"},
        {"positions", "rounded",
         "vllm-project/vllm _compute_cos_sin_cache: exact integers in fp32"},
        {"init_table", "none",
         "vllm-project/vllm _compute_cos_sin_cache: one table for max_position_embeddings at init"},
        {"angle_product", "elementwise",
         "vllm-project/vllm _compute_cos_sin_cache: torch.einsum(\"i,j -> ij\", t, inv_freq)"},
        {"angle_format", "binary32",
         "vllm-project/vllm _compute_cos_sin_cache: fp32 einsum"},
        {"incremental", "none",
         "vllm-project/vllm _compute_cos_sin_cache: the angle from t for every position"},
        {"scaling_stage", "omega",
         "vllm-project/vllm per-scaling classes divide inv_freq (base.py); linear placement not re-verified "
         "here"},
        {"trig", "accurate",
         "GPU model until checked on a GPU: vllm-project/vllm _compute_cos_sin_cache: freqs.cos() on the "
         "device (CUDA cosf as accurate)"},
        {"trig_format", "binary32",
         "vllm-project/vllm _compute_cos_sin_cache: cos of the fp32 angle"},
        {"attention_factor", "cos_sin",
         "vllm-project/vllm YaRN / LongRoPE caches multiply cos, sin by mscale before the cast (real-stacks.md "
         "§3)"},
        {"table_format", "bfloat16",
         "vllm-project/vllm RotaryEmbedding.__init__: cache = cache.to(dtype), the model dtype"},
        {"input_format", "bfloat16",
         "bf16 model q/k (vLLM model dtype)"},
        {"rotation", "wide_then_round",
         "vllm-project/vllm csrc/pos_encoding_kernels.cu (cache_t era): cos, sin, x, y loaded as float, one "
         "rounding on store"},
        {"rotation_math_format", "binary32",
         "vllm-project/vllm csrc/pos_encoding_kernels.cu (cache_t era): float math"},
        {"storage_format", "bfloat16",
         "vllm-project/vllm csrc/pos_encoding_kernels.cu: in-place store into the bf16 query/key"},
        {"key_cache_format", "bfloat16",
         "vLLM bf16 KV cache (kv_cache_dtype auto = model dtype)"}}},
    {"flashinfer",
     {
        {"omega_method", "power_of_reciprocal",
         "flashinfer include/flashinfer/pos_enc.cuh@fb28d7242:594 __powf(rope_rcp_theta, float(2 * i) / "
         "float(rotary_dim))"},
        {"omega_format", "binary32",
         "flashinfer include/flashinfer/pos_enc.cuh@fb28d7242:594 float freq[i]"},
        {"pow", "correctly_rounded",
         "flashinfer include/flashinfer/pos_enc.cuh@fb28d7242:594 __powf (fast pow modelled as correctly "
         "rounded: GPU model)"},
        {"omega_cast", "none",
         "flashinfer include/flashinfer/pos_enc.cuh@fb28d7242:594 freq computed in float in the kernel"},
        {"position_format", "binary32",
         "flashinfer include/flashinfer/pos_enc.cuh@fb28d7242:171 float(offset)"},
        {"positions", "rounded",
         "flashinfer include/flashinfer/pos_enc.cuh@fb28d7242:171 integer offset converted to float, exact "
         "below 2^24"},
        {"init_table", "none",
         "flashinfer include/flashinfer/pos_enc.cuh@fb28d7242:171-173 computed on the fly per element"},
        {"angle_product", "elementwise",
         "flashinfer include/flashinfer/pos_enc.cuh@fb28d7242:171 float(offset) * freq[i]"},
        {"angle_format", "binary32",
         "flashinfer include/flashinfer/pos_enc.cuh@fb28d7242:171 float embed"},
        {"incremental", "none",
         "flashinfer include/flashinfer/pos_enc.cuh@fb28d7242:171 the angle from the position for every pair"},
        {"scaling_stage", "omega",
         "flashinfer include/flashinfer/pos_enc.cuh@fb28d7242:602 freq = (1 - smooth) * (freq * "
         "rope_rcp_scale) + smooth * freq: into freq (a product by 1/scale; the divisor model equals it for "
         "power-of-two factors)"},
        {"trig", "fast_sfu",
         "GPU model until checked on a GPU: flashinfer include/flashinfer/pos_enc.cuh@fb28d7242:173 "
         "__sincosf(embed, &sin, &cos) (fast SFU model)"},
        {"trig_format", "binary32",
         "flashinfer include/flashinfer/pos_enc.cuh@fb28d7242:173 float sin, cos"},
        {"attention_factor", "cos_sin",
         "FlashInfer applies no attention factor: the caller's softmax scale carries it (cos_sin never "
         "multiplies)"},
        {"table_format", "binary32",
         "flashinfer include/flashinfer/pos_enc.cuh@fb28d7242:173 float registers, never stored"},
        {"input_format", "bfloat16",
         "bf16 q/k of the serving engine"},
        {"rotation", "wide_then_round",
         "flashinfer include/flashinfer/pos_enc.cuh@fb28d7242:174 vec[i] * cos + (...) * sin in vec_t<float>, "
         "one rounding at cast_store"},
        {"rotation_math_format", "binary32",
         "flashinfer include/flashinfer/pos_enc.cuh@fb28d7242:174 float arithmetic"},
        {"storage_format", "bfloat16",
         "flashinfer include/flashinfer/pos_enc.cuh@fb28d7242:cast_store into the bf16 q_rope/k_rope"},
        {"key_cache_format", "bfloat16",
         "bf16 paged KV cache of the serving engine"}}},
    {"sglang-flashinfer",
     {
        {"omega_method", "pow_reciprocal",
         "sglang python/sglang/srt/layers/rotary_embedding/base.py@0099dee6a _compute_inv_freq: 1.0 / (base ** "
         "(arange(0, rotary_dim, 2, dtype=float) / rotary_dim))"},
        {"omega_format", "binary32",
         "sglang python/sglang/srt/layers/rotary_embedding/base.py@0099dee6a _compute_inv_freq: "
         "dtype=torch.float"},
        {"pow", "correctly_rounded",
         "GPU model until checked on a GPU: sglang python/sglang/srt/layers/rotary_embedding/base.py@0099dee6a "
         "_compute_inv_freq on the device (torch CUDA pow as correctly rounded)"},
        {"omega_cast", "none",
         "sglang python/sglang/srt/layers/rotary_embedding/base.py@0099dee6a _compute_inv_freq: a local fp32 "
         "tensor"},
        {"position_format", "binary32",
         "sglang python/sglang/srt/layers/rotary_embedding/base.py@0099dee6a _compute_cos_sin_cache: t = "
         "torch.arange(..., dtype=torch.float)"},
        {"positions", "rounded",
         "sglang python/sglang/srt/layers/rotary_embedding/base.py@0099dee6a _compute_cos_sin_cache: exact "
         "integers in fp32"},
        {"init_table", "none",
         "sglang python/sglang/srt/layers/rotary_embedding/base.py@0099dee6a RotaryEmbedding.__init__: one "
         "cache for max_position_embeddings (grown by _ensure_cos_sin_cache_length)"},
        {"angle_product", "elementwise",
         "sglang python/sglang/srt/layers/rotary_embedding/base.py@0099dee6a _compute_cos_sin_cache: "
         "torch.einsum(\"i,j -> ij\", t, inv_freq)"},
        {"angle_format", "binary32",
         "sglang python/sglang/srt/layers/rotary_embedding/base.py@0099dee6a _compute_cos_sin_cache: fp32 "
         "einsum"},
        {"incremental", "none",
         "sglang python/sglang/srt/layers/rotary_embedding/base.py@0099dee6a _compute_cos_sin_cache: the angle "
         "from t for every position"},
        {"scaling_stage", "position_reciprocal",
         "sglang python/sglang/srt/layers/rotary_embedding/base.py@0099dee6a "
         "LinearScalingRotaryEmbedding._compute_cos_sin_cache: t = t / scaling_factor on the device; pytorch "
         "BinaryDivTrueKernel.cu: a * (1 / b) for a CPU scalar"},
        {"trig", "accurate",
         "GPU model until checked on a GPU: sglang python/sglang/srt/layers/rotary_embedding/base.py@0099dee6a "
         "_compute_cos_sin_cache: freqs.cos() (CUDA cosf as accurate)"},
        {"trig_format", "binary32",
         "sglang python/sglang/srt/layers/rotary_embedding/base.py@0099dee6a _compute_cos_sin_cache: cos of "
         "the fp32 angle"},
        {"attention_factor", "cos_sin",
         "sglang python/sglang/srt/layers/rotary_embedding/base.py@0099dee6a YaRN subclasses multiply cos, sin "
         "by mscale before torch.cat (cos_sin)"},
        {"table_format", "binary32",
         "sglang python/sglang/srt/layers/rotary_embedding/base.py@0099dee6a RotaryEmbedding.__init__: `if not "
         "_is_cuda: cache = cache.to(dtype)`: fp32 on CUDA; flashinfer flashinfer/rope.py:1270 requires "
         "float32"},
        {"input_format", "bfloat16",
         "sglang python/sglang/srt/layers/rotary_embedding/base.py@0099dee6a forward_cuda: q/k views of the "
         "bf16 query, key"},
        {"rotation", "wide_then_round",
         "GPU model until checked on a GPU: flashinfer include/flashinfer/pos_enc.cuh@fb28d7242:129 "
         "vec_apply_llama_rope_cos_sin: vec[i] * cos[i] + (+/-x') * sin[i] in float"},
        {"rotation_math_format", "binary32",
         "flashinfer include/flashinfer/pos_enc.cuh@fb28d7242:325-326 cos.load / sin.load of the float cache"},
        {"storage_format", "bfloat16",
         "flashinfer include/flashinfer/pos_enc.cuh@fb28d7242:354 k_vec.cast_store(k_rope_ptr): one rounding "
         "to the bf16 key"},
        {"key_cache_format", "bfloat16",
         "SGLang bf16 KV cache (kv_cache_dtype auto = model dtype)"}}},
    {"flash-attention",
     {
        {"omega_method", "pow_reciprocal",
         "flash-attention flash_attn/layers/rotary.py@0251105a:382-386 _compute_inv_freq: 1.0 / (base ** "
         "(arange(0, dim, 2, dtype=float32) / dim))"},
        {"omega_format", "binary32",
         "flash-attention flash_attn/layers/rotary.py@0251105a:385 dtype=torch.float32"},
        {"pow", "correctly_rounded",
         "GPU model until checked on a GPU: flash-attention flash_attn/layers/rotary.py@0251105a:385 torch pow "
         "on the device (CUDA pow as correctly rounded)"},
        {"omega_cast", "none",
         "flash-attention flash_attn/layers/rotary.py@0251105a:408 inv_freq recomputed in fp32 when the buffer "
         "was cast (comment: bf16 arange loses too much)"},
        {"position_format", "binary32",
         "flash-attention flash_attn/layers/rotary.py@0251105a:402 t = torch.arange(seqlen, device=device, "
         "dtype=torch.float32)"},
        {"positions", "rounded",
         "flash-attention flash_attn/layers/rotary.py@0251105a:402 exact integers in fp32"},
        {"init_table", "none",
         "flash-attention flash_attn/layers/rotary.py@0251105a:_update_cos_sin_cache: one table per seqlen"},
        {"angle_product", "elementwise",
         "flash-attention flash_attn/layers/rotary.py@0251105a:413 freqs = torch.outer(t, inv_freq) (411: not "
         "einsum, which AMP runs in bf16)"},
        {"angle_format", "binary32",
         "flash-attention flash_attn/layers/rotary.py@0251105a:413 fp32 outer product"},
        {"incremental", "none",
         "flash-attention flash_attn/layers/rotary.py@0251105a:413 the angle from t for every position"},
        {"scaling_stage", "omega",
         "flash-attention flash_attn/layers/rotary.py@0251105a:no frequency scaling in the module "
         "(interpolation is the caller's)"},
        {"trig", "accurate",
         "GPU model until checked on a GPU: flash-attention flash_attn/layers/rotary.py@0251105a:415 "
         "torch.cos(freqs) (CUDA cosf as accurate)"},
        {"trig_format", "binary32",
         "flash-attention flash_attn/layers/rotary.py@0251105a:415 cos of the fp32 angle"},
        {"attention_factor", "cos_sin",
         "flash-attention flash_attn/layers/rotary.py@0251105a:424 only the XPos scale multiplies cos; no "
         "attention factor (cos_sin never multiplies)"},
        {"table_format", "bfloat16",
         "flash-attention flash_attn/layers/rotary.py@0251105a:415 self._cos_cached = "
         "torch.cos(freqs).to(dtype)"},
        {"input_format", "bfloat16",
         "bf16 qkv of the caller"},
        {"rotation", "wide_then_round",
         "flash-attention flash_attn/ops/triton/rotary.py@0251105a:85-86 o0 = x0 * cos - x1 * sin, o1 = x0 * "
         "sin + x1 * cos in float32"},
        {"rotation_math_format", "binary32",
         "flash-attention flash_attn/ops/triton/rotary.py@0251105a:73-84 cos, sin, x0, x1 .to(tl.float32)"},
        {"storage_format", "bfloat16",
         "flash-attention flash_attn/ops/triton/rotary.py@0251105a:87 tl.store(OUT, o0): one rounding to the "
         "bf16 output"},
        {"key_cache_format", "bfloat16",
         "bf16 KV cache of the caller"}}},
    {"megatron-unfused",
     {
        {"omega_method", "pow_reciprocal",
         "Megatron-LM megatron/core/models/common/embeddings/rotary_pos_embedding.py@d98e8a64dd:79-81 inv_freq "
         "= 1.0 / (rotary_base ** (arange(0, dim, 2, float32) / dim))"},
        {"omega_format", "binary32",
         "Megatron-LM megatron/core/models/common/embeddings/rotary_pos_embedding.py@d98e8a64dd:80 "
         "dtype=torch.float32"},
        {"pow", "correctly_rounded",
         "GPU model until checked on a GPU: Megatron-LM "
         "megatron/core/models/common/embeddings/rotary_pos_embedding.py@d98e8a64dd:78-80 on "
         "torch.cuda.current_device() (CUDA pow as correctly rounded)"},
        {"omega_cast", "none",
         "Megatron-LM megatron/core/models/common/embeddings/rotary_pos_embedding.py@d98e8a64dd:79 "
         "self.inv_freq a plain attribute: model casts leave it fp32"},
        {"position_format", "binary32",
         "Megatron-LM megatron/core/models/common/embeddings/rotary_pos_embedding.py@d98e8a64dd:131-134 seq = "
         "arange(max_seq_len, dtype=self.inv_freq.dtype)"},
        {"positions", "rounded",
         "Megatron-LM megatron/core/models/common/embeddings/rotary_pos_embedding.py@d98e8a64dd:131 exact "
         "integers in fp32"},
        {"init_table", "none",
         "Megatron-LM megatron/core/models/common/embeddings/rotary_pos_embedding.py@d98e8a64dd: freqs per "
         "forward call"},
        {"angle_product", "elementwise",
         "Megatron-LM megatron/core/models/common/embeddings/rotary_pos_embedding.py@d98e8a64dd:138 "
         "torch.outer(seq, self.inv_freq)"},
        {"angle_format", "binary32",
         "Megatron-LM megatron/core/models/common/embeddings/rotary_pos_embedding.py@d98e8a64dd:138 fp32 outer "
         "product"},
        {"incremental", "none",
         "Megatron-LM megatron/core/models/common/embeddings/rotary_pos_embedding.py@d98e8a64dd:138 the angle "
         "from seq for every position"},
        {"scaling_stage", "position_reciprocal",
         "Megatron-LM megatron/core/models/common/embeddings/rotary_pos_embedding.py@d98e8a64dd:136 seq *= 1 / "
         "self.seq_len_interpolation_factor"},
        {"trig", "accurate",
         "GPU model until checked on a GPU: Megatron-LM "
         "megatron/core/models/common/embeddings/rope_utils.py@d98e8a64dd:142 torch.cos(freqs) (CUDA cosf as "
         "accurate)"},
        {"trig_format", "binary32",
         "Megatron-LM megatron/core/models/common/embeddings/rope_utils.py@d98e8a64dd:142 cos of the fp32 "
         "angle"},
        {"attention_factor", "cos_sin",
         "Megatron-LM megatron/core/models/common/embeddings/rope_utils.py@d98e8a64dd:142 (torch.cos(freqs) * "
         "mscale).to(t.dtype)"},
        {"table_format", "bfloat16",
         "Megatron-LM megatron/core/models/common/embeddings/rope_utils.py@d98e8a64dd:142-143 cos_ = "
         "(...).to(t.dtype)"},
        {"input_format", "bfloat16",
         "bf16 activations t (rope_utils.py@d98e8a64dd:142 .to(t.dtype))"},
        {"rotation", "per_op",
         "Megatron-LM megatron/core/models/common/embeddings/rope_utils.py@d98e8a64dd:147 t = (t * cos_) + "
         "(_rotate_half(t) * sin_) on bf16 tensors"},
        {"rotation_math_format", "binary32",
         "per_op: each bf16 op computed in fp32, then rounded"},
        {"storage_format", "bfloat16",
         "Megatron-LM megatron/core/models/common/embeddings/rope_utils.py@d98e8a64dd:147 the bf16 result"},
        {"key_cache_format", "bfloat16",
         "bf16 KV cache (inference) of the model dtype"}}},
    {"transformer-engine-fused",
     {
        {"omega_method", "pow_reciprocal",
         "TransformerEngine transformer_engine/pytorch/attention/rope.py@d0067d0da:54-59 inv_freq = 1.0 / "
         "(rotary_base ** (arange(0, dim, 2, float32, device=cuda) / dim))"},
        {"omega_format", "binary32",
         "TransformerEngine transformer_engine/pytorch/attention/rope.py@d0067d0da:57 dtype=torch.float32"},
        {"pow", "correctly_rounded",
         "GPU model until checked on a GPU: TransformerEngine "
         "transformer_engine/pytorch/attention/rope.py@d0067d0da:57 device=torch.cuda.current_device() (CUDA "
         "pow as correctly rounded)"},
        {"omega_cast", "none",
         "TransformerEngine transformer_engine/pytorch/attention/rope.py@d0067d0da:60 "
         "register_buffer(\"inv_freq\"): fp32 unless the module is cast"},
        {"position_format", "binary32",
         "TransformerEngine transformer_engine/pytorch/attention/rope.py@d0067d0da:81 "
         "torch.arange(max_seq_len, dtype=self.inv_freq.dtype)"},
        {"positions", "rounded",
         "TransformerEngine transformer_engine/pytorch/attention/rope.py@d0067d0da:81 exact integers in fp32 "
         "(+ offset)"},
        {"init_table", "none",
         "TransformerEngine transformer_engine/pytorch/attention/rope.py@d0067d0da:forward builds the angles "
         "per call"},
        {"angle_product", "elementwise",
         "TransformerEngine transformer_engine/pytorch/attention/rope.py@d0067d0da:99 torch.einsum(\"i , j -> i "
         "j\", seq, self.inv_freq)"},
        {"angle_format", "binary32",
         "TransformerEngine transformer_engine/pytorch/attention/rope.py@d0067d0da:79 autocast(enabled=False): "
         "fp32 angles"},
        {"incremental", "none",
         "TransformerEngine transformer_engine/pytorch/attention/rope.py@d0067d0da:99 the angle from seq for "
         "every position"},
        {"scaling_stage", "position_reciprocal",
         "TransformerEngine transformer_engine/pytorch/attention/rope.py@d0067d0da:97 seq *= 1 / "
         "self.seq_len_interpolation_factor"},
        {"trig", "accurate",
         "GPU model until checked on a GPU: TransformerEngine "
         "transformer_engine/common/fused_rope/fused_rope.cu@d0067d0da:50 sincosf(freqs[...]) (not in "
         "CMakeLists.txt:616-627 --use_fast_math list: accurate)"},
        {"trig_format", "binary32",
         "TransformerEngine transformer_engine/common/fused_rope/fused_rope.cu@d0067d0da:50 float "
         "shared_mem_sin/cos"},
        {"attention_factor", "cos_sin",
         "TE fused RoPE takes no attention factor (cos_sin never multiplies)"},
        {"table_format", "binary32",
         "TransformerEngine transformer_engine/common/fused_rope/fused_rope.cu@d0067d0da:45-47 float shared "
         "memory, never stored in the q/k dtype"},
        {"input_format", "bfloat16",
         "TransformerEngine transformer_engine/common/fused_rope/fused_rope.cu@d0067d0da:62 float v_src = "
         "src[...] of the bf16 t"},
        {"rotation", "wide_then_round",
         "GPU model until checked on a GPU: TransformerEngine "
         "transformer_engine/common/fused_rope/fused_rope.cu@d0067d0da:75 dst = v_src * v_cos + v_src_rotate * "
         "v_sin in float (contraction not modelled)"},
        {"rotation_math_format", "binary32",
         "TransformerEngine transformer_engine/common/fused_rope/fused_rope.cu@d0067d0da:58-63 float v_cos, "
         "v_sin, v_src"},
        {"storage_format", "bfloat16",
         "TransformerEngine transformer_engine/common/fused_rope/fused_rope.cu@d0067d0da:75 dst[offset_dst] of "
         "t's dtype: one rounding"},
        {"key_cache_format", "bfloat16",
         "bf16 KV cache (TE InferenceParams) of the model dtype"}}},
    {"gpt-neox-fp16",
     {
        {"omega_method", "pow_reciprocal",
         "gpt-neox megatron/model/positional_embeddings.py@356abfbd:28 inv_freq = 1. / (base ** "
         "(torch.arange(0, dim, 2).float() / dim))"},
        {"omega_format", "binary32",
         "gpt-neox megatron/model/positional_embeddings.py@356abfbd:28 .float(): fp32 at init"},
        {"pow", "correctly_rounded",
         "CPU/GPU torch pow at init (correctly rounded model)"},
        {"omega_cast", "binary16",
         "gpt-neox megatron/model/positional_embeddings.py@356abfbd:29 register_buffer('inv_freq'): DeepSpeed "
         ".half() makes it fp16 (issues #1003, #1016)"},
        {"position_format", "binary16",
         "gpt-neox megatron/model/positional_embeddings.py@356abfbd:40 t = "
         "torch.arange(seq_len).type_as(self.inv_freq) (fp16)"},
        {"positions", "rounded",
         "gpt-neox megatron/model/positional_embeddings.py@356abfbd:40 integers rounded to fp16 (exact to "
         "2048)"},
        {"init_table", "none",
         "gpt-neox megatron/model/positional_embeddings.py@356abfbd:39-46 cos_cached rebuilt when seq_len "
         "changes"},
        {"angle_product", "elementwise",
         "gpt-neox megatron/model/positional_embeddings.py@356abfbd:41 torch.einsum('i,j->ij', t, "
         "self.inv_freq)"},
        {"angle_format", "binary16",
         "gpt-neox megatron/model/positional_embeddings.py@356abfbd:41 einsum of two fp16 tensors is fp16"},
        {"incremental", "none",
         "gpt-neox megatron/model/positional_embeddings.py@356abfbd:41 the angle from t for every position"},
        {"scaling_stage", "omega",
         "gpt-neox megatron/model/positional_embeddings.py@356abfbd:no frequency scaling in this revision"},
        {"trig", "accurate",
         "gpt-neox megatron/model/positional_embeddings.py@356abfbd:45 emb.cos() (accurate model)"},
        {"trig_format", "binary16",
         "gpt-neox megatron/model/positional_embeddings.py@356abfbd:45 cos of an fp16 tensor is fp16"},
        {"attention_factor", "cos_sin",
         "gpt-neox megatron/model/positional_embeddings.py@356abfbd:no attention factor in this revision "
         "(cos_sin never multiplies)"},
        {"table_format", "binary16",
         "gpt-neox megatron/model/positional_embeddings.py@356abfbd:45-46 fp16 cos_cached, sin_cached"},
        {"input_format", "binary16",
         "fp16 training (GPT-NeoX-20B, Pythia)"},
        {"rotation", "per_op",
         "gpt-neox megatron/model/positional_embeddings.py@356abfbd:60-62 apply_rotary_pos_emb: (q * cos) + "
         "(rotate_half(q) * sin)"},
        {"rotation_math_format", "binary32",
         "per_op: each fp16 op computed in fp32, then rounded"},
        {"storage_format", "binary16",
         "gpt-neox megatron/model/positional_embeddings.py@356abfbd:62 the fp16 result"},
        {"key_cache_format", "binary16",
         "fp16 key (layer_past)"}}},
    {"tensorrt-llm",
     {
        {"omega_method", "fp64_pow_reciprocal",
         "TensorRT-LLM tensorrt_llm/functional.py "
         "RopeEmbeddingUtils.create_sinusoidal_positions_for_attention_plugin: inv_freq = scale / (theta ** "
         "(np.arange(0, dim, 2) / dim)).astype(float32)"},
        {"omega_format", "binary32",
         "TensorRT-LLM tensorrt_llm/functional.py "
         "RopeEmbeddingUtils.create_sinusoidal_positions_for_attention_plugin: .astype(dtype=np.float32)"},
        {"pow", "correctly_rounded",
         "TensorRT-LLM tensorrt_llm/functional.py "
         "RopeEmbeddingUtils.create_sinusoidal_positions_for_attention_plugin: theta ** (np.arange(0, dim, 2) "
         "/ dim) in numpy float64 (correctly rounded model)"},
        {"omega_cast", "none",
         "TensorRT-LLM tensorrt_llm/functional.py "
         "RopeEmbeddingUtils.create_sinusoidal_positions_for_attention_plugin: inv_freq stays float32 (also "
         "returned as rotary_inv_freq)"},
        {"position_format", "binary32",
         "TensorRT-LLM tensorrt_llm/functional.py "
         "RopeEmbeddingUtils.create_sinusoidal_positions_for_attention_plugin: np.arange(num_pos, "
         "dtype=float32)"},
        {"positions", "rounded",
         "TensorRT-LLM tensorrt_llm/functional.py "
         "RopeEmbeddingUtils.create_sinusoidal_positions_for_attention_plugin: exact integers in fp32"},
        {"init_table", "none",
         "TensorRT-LLM tensorrt_llm/functional.py "
         "RopeEmbeddingUtils.create_sinusoidal_positions_for_attention_plugin: one table for "
         "max_position_embeddings at build time"},
        {"angle_product", "elementwise",
         "TensorRT-LLM tensorrt_llm/functional.py "
         "RopeEmbeddingUtils.create_sinusoidal_positions_for_attention_plugin: np.einsum(\"i , j -> i j\", "
         "arange, inv_freq, dtype=float32)"},
        {"angle_format", "binary32",
         "TensorRT-LLM tensorrt_llm/functional.py "
         "RopeEmbeddingUtils.create_sinusoidal_positions_for_attention_plugin: einsum dtype=float32"},
        {"incremental", "none",
         "TensorRT-LLM tensorrt_llm/functional.py "
         "RopeEmbeddingUtils.create_sinusoidal_positions_for_attention_plugin: the angle from the position for "
         "every pair"},
        {"scaling_stage", "reciprocal_numerator",
         "TensorRT-LLM tensorrt_llm/functional.py "
         "RopeEmbeddingUtils.create_sinusoidal_positions_for_attention_plugin: if scale_type == linear: scale "
         "= 1.0 / scale, then scale / (theta ** ...)"},
        {"trig", "accurate",
         "TensorRT-LLM tensorrt_llm/functional.py "
         "RopeEmbeddingUtils.create_sinusoidal_positions_for_attention_plugin: np.cos, np.sin of the float32 "
         "angles (numpy, accurate model)"},
        {"trig_format", "binary32",
         "TensorRT-LLM tensorrt_llm/functional.py "
         "RopeEmbeddingUtils.create_sinusoidal_positions_for_attention_plugin: np.cos of float32 is float32"},
        {"attention_factor", "cos_sin",
         "TensorRT-LLM tensorrt_llm/functional.py "
         "RopeEmbeddingUtils.create_sinusoidal_positions_for_attention_plugin: the default table carries no "
         "attention factor (cos_sin never multiplies)"},
        {"table_format", "binary32",
         "TensorRT-LLM tensorrt_llm/functional.py "
         "RopeEmbeddingUtils.create_sinusoidal_positions_for_attention_plugin: concat.astype(float32): float2 "
         "(cos, sin) table"},
        {"input_format", "bfloat16",
         "bf16 q/k of the engine"},
        {"rotation", "wide_then_round",
         "TensorRT-LLM decoderMaskedMultiheadAttentionUtils.h: float2 rotation of the fp32 table, one rounding "
         "to bf16"},
        {"rotation_math_format", "binary32",
         "TensorRT-LLM decoderMaskedMultiheadAttentionUtils.h: float math"},
        {"storage_format", "bfloat16",
         "TensorRT-LLM attention plugin: rotated q/k written in the bf16 dtype"},
        {"key_cache_format", "bfloat16",
         "TensorRT-LLM bf16 KV cache of the model dtype"}}},
    {"meta-reference",
     {
        {"omega_method", "pow_reciprocal",
         "llama llama/model.py@689c7f2:100 freqs = 1.0 / (theta ** (torch.arange(0, dim, 2)[: (dim // "
         "2)].float() / dim))"},
        {"omega_format", "binary32",
         "llama llama/model.py@689c7f2:100 .float(): fp32"},
        {"pow", "correctly_rounded",
         "GPU model until checked on a GPU: llama llama/model.py@689c7f2:100 torch CUDA pow as correctly "
         "rounded (CPU golden 07: pow=torch_cpu)"},
        {"omega_cast", "none",
         "llama llama/model.py@689c7f2:100 a local tensor, never cast"},
        {"position_format", "binary32",
         "llama llama/model.py@689c7f2:101-102 t = torch.arange(end) (int64), torch.outer(t, freqs).float()"},
        {"positions", "rounded",
         "llama llama/model.py@689c7f2:101 int64 positions, exact in fp32 below 2^24"},
        {"init_table", "none",
         "llama llama/model.py@689c7f2:precompute_freqs_cis once for params.max_seq_len * 2"},
        {"angle_product", "elementwise",
         "llama llama/model.py@689c7f2:102 torch.outer(t, freqs)"},
        {"angle_format", "binary32",
         "llama llama/model.py@689c7f2:102 .float(): fp32 angles"},
        {"incremental", "none",
         "llama llama/model.py@689c7f2:102 the angle from t for every position"},
        {"scaling_stage", "omega",
         "llama llama/model.py@689c7f2:no frequency scaling in Llama 2"},
        {"trig", "accurate",
         "llama llama/model.py@689c7f2:103 torch.polar(ones, freqs) (CUDA cosf as accurate; CPU golden 07: "
         "trig=libm)"},
        {"trig_format", "binary32",
         "llama llama/model.py@689c7f2:103 complex64: fp32 cos/sin"},
        {"attention_factor", "cos_sin",
         "llama llama/model.py@689c7f2:no attention factor (cos_sin never multiplies)"},
        {"table_format", "binary32",
         "llama llama/model.py@689c7f2:103 freqs_cis complex64"},
        {"input_format", "binary16",
         "llama generation.py@689c7f2:118 torch.set_default_tensor_type(torch.cuda.HalfTensor)"},
        {"rotation", "wide_then_round",
         "llama llama/model.py@689c7f2:157 view_as_complex(xk.float()) * freqs_cis: unfused fp32 complex "
         "multiply (golden 07)"},
        {"rotation_math_format", "binary32",
         "llama llama/model.py@689c7f2:157 xk.float(): complex64 arithmetic"},
        {"storage_format", "binary16",
         "llama llama/model.py@689c7f2:161 xk_out.type_as(xk): one cast to fp16"},
        {"key_cache_format", "binary16",
         "llama llama/model.py@689c7f2:236, 285 self.cache_k (fp16 default tensor) [...] = xk"}}},
    {"meta-llama3-reference",
     {
        {"omega_method", "pow_reciprocal",
         "llama3 llama/model.py@a0940f9:50 freqs = 1.0 / (theta ** (torch.arange(0, dim, 2)[: (dim // "
         "2)].float() / dim))"},
        {"omega_format", "binary32",
         "llama3 llama/model.py@a0940f9:50 .float(): fp32"},
        {"pow", "correctly_rounded",
         "GPU model until checked on a GPU: llama3 llama/model.py@a0940f9:50 torch CUDA pow as correctly "
         "rounded"},
        {"omega_cast", "none",
         "llama3 llama/model.py@a0940f9:50 a local tensor, never cast"},
        {"position_format", "binary32",
         "llama3 llama/model.py@a0940f9:51 t = torch.arange(end, dtype=torch.float32)"},
        {"positions", "rounded",
         "llama3 llama/model.py@a0940f9:51 exact integers in fp32"},
        {"init_table", "none",
         "llama llama/model.py@689c7f2:precompute_freqs_cis once for params.max_seq_len * 2"},
        {"angle_product", "elementwise",
         "llama3 llama/model.py@a0940f9:52 torch.outer(t, freqs)"},
        {"angle_format", "binary32",
         "llama3 llama/model.py@a0940f9:52 fp32 outer product"},
        {"incremental", "none",
         "llama llama/model.py@689c7f2:102 the angle from t for every position"},
        {"scaling_stage", "omega",
         "llama3 llama/model.py@a0940f9:no frequency scaling in this repository's Llama 3"},
        {"trig", "accurate",
         "llama3 llama/model.py@a0940f9:53 torch.polar(ones, freqs) (CUDA cosf as accurate)"},
        {"trig_format", "binary32",
         "llama3 llama/model.py@a0940f9:53 complex64"},
        {"attention_factor", "cos_sin",
         "llama llama/model.py@689c7f2:no attention factor (cos_sin never multiplies)"},
        {"table_format", "binary32",
         "llama3 llama/model.py@a0940f9:53 freqs_cis complex64"},
        {"input_format", "bfloat16",
         "llama3 llama/generation.py@a0940f9:105-106 torch.set_default_tensor_type(torch.cuda.BFloat16Tensor)"},
        {"rotation", "wide_then_round",
         "llama3 llama/model.py@a0940f9:71 view_as_complex(xk.float()) * freqs_cis in fp32"},
        {"rotation_math_format", "binary32",
         "llama3 llama/model.py@a0940f9:71 xk.float(): complex64 arithmetic"},
        {"storage_format", "bfloat16",
         "llama3 llama/model.py@a0940f9:75 xk_out.type_as(xk): one cast to bf16"},
        {"key_cache_format", "bfloat16",
         "llama3 llama/model.py@a0940f9:129, 165 self.cache_k (bf16 default tensor) [...] = xk"}}},
    {"deepseek-v3-reference",
     {
        {"omega_method", "pow_reciprocal",
         "DeepSeek-V3 inference/model.py@9b4e978:366 freqs = 1.0 / (base ** (torch.arange(0, dim, 2, "
         "dtype=torch.float32) / dim))"},
        {"omega_format", "binary32",
         "DeepSeek-V3 inference/model.py@9b4e978:366 dtype=torch.float32"},
        {"pow", "correctly_rounded",
         "GPU model until checked on a GPU: DeepSeek-V3 inference/model.py@9b4e978:366 torch CUDA pow as "
         "correctly rounded"},
        {"omega_cast", "none",
         "DeepSeek-V3 inference/model.py@9b4e978:366 a local tensor, never cast"},
        {"position_format", "binary32",
         "DeepSeek-V3 inference/model.py@9b4e978:372-373 t = torch.arange(seqlen) (int64); torch.outer "
         "promotes to fp32"},
        {"positions", "rounded",
         "DeepSeek-V3 inference/model.py@9b4e978:372 exact integers in fp32 below 2^24"},
        {"init_table", "none",
         "DeepSeek-V3 inference/model.py@9b4e978:precompute_freqs_cis once for args.max_seq_len"},
        {"angle_product", "elementwise",
         "DeepSeek-V3 inference/model.py@9b4e978:373 torch.outer(t, freqs)"},
        {"angle_format", "binary32",
         "DeepSeek-V3 inference/model.py@9b4e978:373 fp32 angles"},
        {"incremental", "none",
         "DeepSeek-V3 inference/model.py@9b4e978:373 the angle from t for every position"},
        {"scaling_stage", "omega",
         "DeepSeek-V3 inference/model.py@9b4e978:370 freqs = freqs / factor * (1 - smooth) + freqs * smooth "
         "into the fp32 freqs"},
        {"trig", "accurate",
         "DeepSeek-V3 inference/model.py@9b4e978:374 torch.polar(torch.ones_like(freqs), freqs) (CUDA cosf as "
         "accurate)"},
        {"trig_format", "binary32",
         "DeepSeek-V3 inference/model.py@9b4e978:374 complex64"},
        {"attention_factor", "softmax",
         "DeepSeek-V3 inference/model.py@9b4e978:435-437 softmax_scale * mscale * mscale; freqs_cis is "
         "unscaled"},
        {"table_format", "binary32",
         "DeepSeek-V3 inference/model.py@9b4e978:374 freqs_cis complex64"},
        {"input_format", "bfloat16",
         "DeepSeek-V3 inference bf16 activations (configs: dtype bf16)"},
        {"rotation", "wide_then_round",
         "DeepSeek-V3 inference/model.py@9b4e978:390-391 view_as_complex(x.float()) * freqs_cis in fp32"},
        {"rotation_math_format", "binary32",
         "DeepSeek-V3 inference/model.py@9b4e978:390 x.float(): complex64 arithmetic"},
        {"storage_format", "bfloat16",
         "DeepSeek-V3 inference/model.py@9b4e978:393 y.to(dtype): one cast to bf16"},
        {"key_cache_format", "bfloat16",
         "DeepSeek-V3 MLA caches the bf16 pe (pe_cache) of the model dtype"}}},
    {"gemma-jax",
     {
        {"omega_method", "timescale_division",
         "gemma gemma/gm/math/_positional_embeddings.py@7691fd4:53-61 timescale = base_frequency ** "
         "freq_exponents; positions / timescale"},
        {"omega_format", "binary32",
         "gemma gemma/gm/math/_positional_embeddings.py@7691fd4:51 arange(..., dtype=jnp.float32): fp32 "
         "timescale"},
        {"pow", "correctly_rounded",
         "XLA pow (backend-dependent) modelled as correctly rounded"},
        {"omega_cast", "none",
         "gemma gemma/gm/math/_positional_embeddings.py@7691fd4:53 timescale is a local fp32 array"},
        {"position_format", "binary32",
         "gemma gemma/gm/math/_positional_embeddings.py@7691fd4:61 int32 positions promoted to float32 by the "
         "division"},
        {"positions", "rounded",
         "gemma gemma/gm/math/_positional_embeddings.py@7691fd4:61 exact integers in fp32 below 2^24"},
        {"init_table", "none",
         "gemma gemma/gm/math/_positional_embeddings.py@7691fd4:apply_rope computes the angles per call"},
        {"angle_product", "elementwise",
         "gemma gemma/gm/math/_positional_embeddings.py@7691fd4:61 positions[..., jnp.newaxis] / timescale (a "
         "division: timescale_division)"},
        {"angle_format", "binary32",
         "gemma gemma/gm/math/_positional_embeddings.py@7691fd4:61 fp32 quotient"},
        {"incremental", "none",
         "gemma gemma/gm/math/_positional_embeddings.py@7691fd4:61 the angle from the position for every pair"},
        {"scaling_stage", "angle",
         "gemma gemma/gm/math/_positional_embeddings.py@7691fd4:66 sinusoid_inp /= scale_factor"},
        {"trig", "accurate",
         "gemma gemma/gm/math/_positional_embeddings.py@7691fd4:68-69 jnp.sin, jnp.cos (XLA, "
         "backend-dependent) modelled as accurate"},
        {"trig_format", "binary32",
         "gemma gemma/gm/math/_positional_embeddings.py@7691fd4:68-69 fp32 sin, cos"},
        {"attention_factor", "cos_sin",
         "gemma gemma/gm/math/_positional_embeddings.py@7691fd4:no attention factor (cos_sin never multiplies)"},
        {"table_format", "binary32",
         "gemma gemma/gm/math/_positional_embeddings.py@7691fd4:68-69 fp32 sin, cos, never cast"},
        {"input_format", "bfloat16",
         "Gemma bf16 inputs (params and activations bf16)"},
        {"rotation", "wide_then_round",
         "gemma gemma/gm/math/_positional_embeddings.py@7691fd4:72-73 first_half * cos - second_half * sin: "
         "bf16 times fp32 promotes to fp32"},
        {"rotation_math_format", "binary32",
         "gemma gemma/gm/math/_positional_embeddings.py@7691fd4:72-73 fp32 arithmetic"},
        {"storage_format", "bfloat16",
         "gemma gemma/gm/math/_positional_embeddings.py@7691fd4:75 out.astype(inputs.dtype): one cast"},
        {"key_cache_format", "bfloat16",
         "Gemma bf16 KV cache of the model dtype"}}},
  };
  return all;
}

}  // namespace

TEST_CASE("every preset has a pin table, in `ropelab presets` order", "[presets]") {
  REQUIRE(pins().size() == presets().size());
  for (std::size_t i = 0; i < pins().size(); ++i) CHECK(pins()[i].preset == presets()[i].name);
}

TEST_CASE("every stage of every preset equals its pinned value, each with a cited source", "[presets]") {
  for (const PresetPin& pin : pins()) {
    CAPTURE(pin.preset);
    const auto stages = recipe_stages(preset(pin.preset));
    REQUIRE(stages.size() == pin.stages.size());
    for (std::size_t i = 0; i < stages.size(); ++i) {
      CAPTURE(pin.stages[i].source);
      CHECK(stages[i].first == pin.stages[i].stage);
      CHECK(stages[i].second == pin.stages[i].value);
      CHECK(pin.stages[i].source.size() > 20);
    }
  }
}
