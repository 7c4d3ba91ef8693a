// The softmax scale a model's own attention code computes (contract in attention_recipe.hpp, model_softmax_scale).
#include <cmath>
#include <variant>

#include "ropelab/attention/attention_recipe.hpp"

namespace ropelab::attention {

// deepseek-ai/DeepSeek-V3 inference/model.py (commit 9b4e978) MLA.__init__, lines 434-437:
//   self.softmax_scale = self.qk_head_dim ** -0.5
//   if args.max_seq_len > args.original_seq_len:
//       mscale = 0.1 * args.mscale * math.log(args.rope_factor) + 1.0
//       self.softmax_scale = self.softmax_scale * mscale * mscale
// HF transformers models/deepseek_v3/modeling_deepseek_v3.py DeepseekV3Attention.__init__ and vLLM
// model_executor/models/deepseek_v2.py DeepseekV2(MLA)Attention take the same product from the config,
// gated on a truthy rope_scaling["mscale_all_dim"]: mscale = yarn_get_mscale(factor, mscale_all_dim)
// (0.1 * mscale * math.log(scale) + 1.0, or 1.0 when scale <= 1). Every operation is a Python float (binary64)
// operation in that order; the kernel later receives the result as a C float (FlashAttention's softmax_scale).
double model_softmax_scale(const rope::RopeSpec& spec) {
  const auto* yarn = std::get_if<rope::scaling::Yarn>(&spec.scaling);
  if (yarn == nullptr || !yarn->mscale_all_dim || *yarn->mscale_all_dim == 0) return 0;
  const double mscale = yarn->factor <= 1 ? 1.0 : 0.1 * *yarn->mscale_all_dim * std::log(yarn->factor) + 1.0;
  const int qk_head_dim = spec.qk_head_dim > 0 ? spec.qk_head_dim : spec.head_dim;
  return std::pow(static_cast<double>(qk_head_dim), -0.5) * mscale * mscale;
}

AttentionRecipe with_model_softmax_scale(AttentionRecipe recipe, const rope::RopeSpec& spec) {
  if (const double scale = model_softmax_scale(spec); scale > 0) recipe.softmax_scale = scale;
  return recipe;
}

}  // namespace ropelab::attention
