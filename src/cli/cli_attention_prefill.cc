// `ropelab attention --queries B`: the prefill block's statistics (contract in cli_attention.hpp).
#include <string>

#include "cli/cli_attention.hpp"
#include "ropelab/attention/metrics.hpp"
#include "ropelab/attention/prefill.hpp"

namespace ropelab::cli {

HeadStatistics measure_prefill(const AttentionSetup& s, int threads) {
  const rope::Pipeline pipeline = rope::make_pipeline(s.spec, s.rope_recipe, s.pipeline_context);
  const attention::PrefillLayout block =
      attention::causal_block(s.layout.query_position, s.queries, s.layout.key_positions.size());
  const attention::PrefillVectors vectors = attention::repeat_query(s.vectors, s.queries);
  attention::check_prefill_input(pipeline, block, vectors);
  const auto emulated = attention::emulate_prefill(pipeline, s.recipe, block, vectors, threads);
  const auto exact = attention::exact_prefill(s.spec, s.pipeline_context, s.rope_recipe.input_format, block, vectors,
                                              threads, s.recipe.softmax_scale);
  const std::size_t b = s.queries;
  const auto rows_of = [b](const std::vector<attention::AttentionRow>& rows, std::size_t h) {
    return std::span(rows).subspan(h * b, b);
  };
  HeadStatistics stats(static_cast<std::size_t>(s.vectors.heads));
  for (std::size_t h = 0; h < stats.size(); ++h) {
    const attention::BlockErrors e = attention::block_errors(rows_of(exact, h), rows_of(emulated, h), s.top_k);
    const auto both = [&](const std::string& name, double attention::RowErrors::*field) {
      stats[h].emplace_back(name + "_rowmax", e.largest.*field);
      stats[h].emplace_back(name + "_rowmean", e.mean.*field);
    };
    both("logit_error_max", &attention::RowErrors::max_logit_error);
    both("logit_error_mean", &attention::RowErrors::mean_logit_error);
    both("weight_error_max", &attention::RowErrors::max_weight_error);
    both("weight_relative_error_max", &attention::RowErrors::max_relative_weight_error);
    both("kl_exact_emulated", &attention::RowErrors::kl);
    both("entropy_error", &attention::RowErrors::entropy_error);
    stats[h].emplace_back("top1_agreement_fraction", e.top1_agreement);
    both("topk_overlap", &attention::RowErrors::topk_overlap);
    both("sink_weight_exact", &attention::RowErrors::sink_weight_exact);
    both("sink_weight_emulated", &attention::RowErrors::sink_weight_emulated);
    both("output_error_max", &attention::RowErrors::max_output_error);
  }
  for (std::int64_t shift : s.shifts) {
    const auto moved = attention::emulate_prefill(pipeline, s.recipe, attention::shifted(block, shift), vectors, threads);
    for (std::size_t h = 0; h < stats.size(); ++h) {
      const attention::ShiftDifference d = attention::block_shift_difference(rows_of(emulated, h), rows_of(moved, h));
      const std::string tag = "(" + std::to_string(shift) + ")";
      stats[h].insert(stats[h].end(), {{"D_weight" + tag, d.weight_l1},
                                       {"D_weight_max" + tag, d.max_weight_difference},
                                       {"D_logit_max" + tag, d.max_logit_difference},
                                       {"D_logit_mean" + tag, d.mean_logit_difference},
                                       {"D_first_key_share" + tag, d.first_key_share},
                                       {"D_changed_scores" + tag, static_cast<double>(d.changed_scores)}});
    }
  }
  return stats;
}

}  // namespace ropelab::cli
