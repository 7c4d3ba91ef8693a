// The named pipeline presets in `ropelab presets` order: each stack family's eras next to each other. The
// factories (presets_*.cc) cite the upstream code of every stage.
#include <stdexcept>
#include <string>

#include "presets_internal.hpp"
#include "ropelab/rope/recipe.hpp"

namespace ropelab::rope {
namespace {

std::vector<Recipe> make_presets() {
  using namespace preset_factories;
  return {hf_eager_bf16(),       hf_rope_utils_bf16(),    hf_4380_autocast(),         hf_437_cast_bf16(),
          hf_gpt_neox(),         hf_gpt_neox_sdpa(),      hf_gpt_neox_modular(),      hf_qwen2_vl_mrope(),
          llama_cpp_cpu(),       llama_cpp_cpu_q8_0(),    llama_cpp_cpu_q4_0(),       llama_cpp_cuda(),
          llama_cpp_metal(),     vllm_old_bf16(),         vllm_fp32_math(),           vllm_fp8_kv(),
          vllm_fp8_kv_dynamic(), flashinfer(),            sglang_flashinfer(),        flash_attention(),
          megatron_unfused(),    transformer_engine_fused(), gpt_neox_fp16(),         tensorrt_llm(),
          tensorrt_llm_fp8_kv(), tensorrt_llm_nvfp4_kv(), meta_reference(),           meta_llama3_reference(),
          deepseek_v3_reference(), gemma_jax()};
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
