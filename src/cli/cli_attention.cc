// `ropelab attention`: one decode query per head at an absolute position over its keys (or a prefill block of queries), through an attention
// preset and its RoPE pipeline, against the exact reference: logit/weight/output errors, KL, entropy, top-k,
// the first-token (sink) weight, needles, the relative-invariance violation D(shift) of AnchorAttention
// (arXiv 2411.13476) with its first-token share, and key collisions. Long-format table (head, statistic, value).
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli_attention.hpp"
#include "cli/cli_json.hpp"
#include "cli/cli_commands.hpp"
#include "cli/cli_options.hpp"
#include "cli/cli_stats_support.hpp"
#include "cli/cli_table.hpp"
#include "ropelab/attention/metrics.hpp"
#include "ropelab/attention/shift_experiment.hpp"
#include "ropelab/io/output_files.hpp"

namespace ropelab::cli {
namespace {

using attention::AttentionRow;

HeadStatistics measure(const AttentionSetup& s, int threads) {
  const rope::Pipeline pipeline = rope::make_pipeline(s.spec, s.rope_recipe, s.pipeline_context);
  attention::check_attention_input(pipeline, s.layout, s.vectors);
  const auto emulated = attention::emulate_attention(pipeline, s.recipe, s.layout, s.vectors, threads);
  const auto exact = attention::exact_attention(s.spec, s.pipeline_context, s.rope_recipe.input_format, s.layout,
                                                s.vectors, threads, s.recipe.softmax_scale);
  HeadStatistics stats(emulated.size());
  for (std::size_t h = 0; h < emulated.size(); ++h) {
    const attention::RowErrors e = attention::row_errors(exact[h], emulated[h], s.top_k);
    stats[h] = {{"logit_error_max", e.max_logit_error},
                {"logit_error_mean", e.mean_logit_error},
                {"weight_error_max", e.max_weight_error},
                {"weight_relative_error_max", e.max_relative_weight_error},
                {"kl_exact_emulated", e.kl},
                {"entropy_error", e.entropy_error},
                {"top1_agrees", e.top1_agrees ? 1.0 : 0.0},
                {"topk_overlap", e.topk_overlap},
                {"sink_weight_exact", e.sink_weight_exact},
                {"sink_weight_emulated", e.sink_weight_emulated},
                {"output_error_max", e.max_output_error}};
    if (s.needle_key) {
      const attention::NeedleResult ex = attention::needle_result(exact[h], *s.needle_key);
      const attention::NeedleResult em = attention::needle_result(emulated[h], *s.needle_key);
      stats[h].insert(stats[h].end(), {{"needle_weight_exact", ex.needle_weight},
                                       {"needle_weight_emulated", em.needle_weight},
                                       {"distractor_weight_exact", ex.largest_distractor},
                                       {"distractor_weight_emulated", em.largest_distractor},
                                       {"needle_on_top_exact", ex.on_top ? 1.0 : 0.0},
                                       {"needle_on_top_emulated", em.on_top ? 1.0 : 0.0}});
    }
  }
  for (std::int64_t shift : s.shifts) {
    const attention::Layout moved = attention::shifted(s.layout, shift);
    const auto shifted = attention::emulate_attention(pipeline, s.recipe, moved, s.vectors, threads);
    for (std::size_t h = 0; h < emulated.size(); ++h) {
      const attention::ShiftDifference d = attention::shift_difference(emulated[h], shifted[h]);
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

// Position-ID reset (packed documents): the query's document starts at R, so its keys R..P are seen at positions
// 0..P−R instead of R..P. The effect is the D between the two layouts of the document's keys (exactly a shift by −R).
void add_reset(const AttentionSetup& s, int threads, HeadStatistics& stats) {
  const rope::Pipeline pipeline = rope::make_pipeline(s.spec, s.rope_recipe, s.pipeline_context);
  const std::int64_t start = *s.reset;
  const auto first = static_cast<std::size_t>(start - s.layout.key_positions.front());
  const std::size_t keys = s.layout.key_positions.size() - first;
  const auto d = static_cast<std::size_t>(s.spec.head_dim);
  attention::HeadVectors doc = s.vectors;
  doc.keys = keys;
  doc.k.clear();
  doc.v.clear();
  for (int h = 0; h < s.vectors.heads; ++h) {
    const auto from = static_cast<std::ptrdiff_t>((static_cast<std::size_t>(h) * s.vectors.keys + first) * d);
    doc.k.insert(doc.k.end(), s.vectors.k.begin() + from, s.vectors.k.begin() + from + static_cast<std::ptrdiff_t>(keys * d));
    doc.v.insert(doc.v.end(), s.vectors.v.begin() + from, s.vectors.v.begin() + from + static_cast<std::ptrdiff_t>(keys * d));
  }
  attention::Layout packed;
  packed.query_position = s.layout.query_position;
  packed.key_positions.assign(s.layout.key_positions.begin() + static_cast<std::ptrdiff_t>(first), s.layout.key_positions.end());
  const auto a = attention::emulate_attention(pipeline, s.recipe, packed, doc, threads);
  const auto b = attention::emulate_attention(pipeline, s.recipe, attention::shifted(packed, -start), doc, threads);
  for (std::size_t h = 0; h < stats.size(); ++h) {
    const attention::ShiftDifference diff = attention::shift_difference(a[h], b[h]);
    stats[h].emplace_back("reset_D_weight", diff.weight_l1);
    stats[h].emplace_back("reset_D_logit_max", diff.max_logit_difference);
    stats[h].emplace_back("reset_first_key_share", diff.first_key_share);
  }
}

void add_collisions(const AttentionSetup& s, int threads, HeadStatistics& stats) {
  const rope::Pipeline pipeline = rope::make_pipeline(s.spec, s.rope_recipe, s.pipeline_context);
  const attention::KeyCollisions c = attention::key_collisions(pipeline, s.recipe, s.layout, s.vectors, threads);
  for (std::size_t h = 0; h < stats.size(); ++h) {
    stats[h].emplace_back("moved_key_collisions", static_cast<double>(c.moved[h]));
    stats[h].emplace_back("swapped_key_collisions", static_cast<double>(c.swapped[h]));
  }
}

void run(const AttentionOptions& o) {
  io::OutputFiles outputs;
  const AttentionSetup s = resolve_attention(o);
  if (!o.csv.empty()) outputs.add("--csv", o.csv);
  HeadStatistics stats = s.queries > 1 ? measure_prefill(s, o.threads) : measure(s, o.threads);
  if (s.reset) add_reset(s, o.threads, stats);
  if (o.collisions) add_collisions(s, o.threads, stats);
  Table table({"head", "statistic", "value"});
  table.add_row({Cell::none(), "attention_preset", s.recipe.name});
  table.add_row({Cell::none(), "rope_preset", s.rope_recipe.name});
  table.add_row({Cell::none(), "query_position", Cell::integer(s.layout.query_position)});
  table.add_row({Cell::none(), "keys", Cell::integer(static_cast<std::int64_t>(s.layout.key_positions.size()))});
  if (s.queries > 1) table.add_row({Cell::none(), "queries", Cell::integer(static_cast<std::int64_t>(s.queries))});
  for (std::size_t h = 0; h < stats.size(); ++h) {
    for (const auto& [name, value] : stats[h]) {
      table.add_row({Cell::integer(static_cast<std::int64_t>(h)), name, stats_number(value)});
    }
  }
  if (o.json) {
    nlohmann::ordered_json j = json_document("attention");
    j["attention_preset"] = s.recipe.name;
    j["rope_preset"] = s.rope_recipe.name;
    j["context"] = s.context;
    j["query_position"] = s.layout.query_position;
    j["keys"] = s.layout.key_positions.size();
    if (s.queries > 1) j["queries"] = s.queries;
    for (const auto& [stage, value] : attention::attention_stages(s.recipe)) j["stages"][stage] = value;
    for (std::size_t h = 0; h < stats.size(); ++h) {
      nlohmann::ordered_json head;
      for (const auto& [name, value] : stats[h]) head[name] = stats_number(value).json();
      j["heads"].push_back(head);
    }
    print_json(j);
  } else {
    table.print_aligned(std::cout);
  }
  if (!o.csv.empty()) outputs.write(o.csv, [&](std::ostream& out) { table.print_csv(out); });
  outputs.commit();
}

}  // namespace

void add_attention_command(CLI::App& app) {
  auto o = std::make_shared<AttentionOptions>();
  CLI::App* sub = app.add_subcommand(
      "attention", "Attention at absolute positions through a real kernel's recipe vs the exact reference");
  sub->add_option("--preset", o->preset, "Attention preset (default flash-attention-2-bf16): hf-eager-bf16, "
                                         "hf-sdpa-math-bf16, flash-attention-2-bf16, flash-attention-3-fp8, flashinfer-decode-bf16, "
                                         "vllm-paged-v1-bf16, llama.cpp-cpu-fa, llama.cpp-cpu, fp32, fp64")->type_name("P");
  sub->add_option("--rope-preset", o->rope_preset, "RoPE preset (default: the attention preset's pair)")->type_name("R");
  add_spec_options(*sub, o->spec);
  sub->add_option("--context", o->context, "Sequence length L: positions 0..L-1")->required()->type_name("L");
  sub->add_option("--query-position", o->query_position, "The query's position, in [0, L-1] (default L-1)")->type_name("P");
  sub->add_option("--keys", o->keys, "Keys: the K positions up to the query's, in [1, P+1] (default all)")->type_name("K");
  sub->add_option("--queries", o->queries, "Prefill: B queries at P-B+1..P, each over the keys up to its position, in "
                                          "[1, keys] (default 1 = decode)")->type_name("B");
  sub->add_option("--shift", o->shifts, "Shifts D,...: the same layout moved by each (AnchorAttention D(shift))")->type_name("LIST");
  sub->add_option("--needle", o->needle, "POS[:STRENGTH]: the key at POS aligned with the query (strength in [1e-3, 1e3])")->type_name("N");
  sub->add_option("--reset", o->reset, "R: position-ID reset; the query's document starts at R (D between the document "
                                      "at R..P and at 0..P-R)")->type_name("R");
  sub->add_option("--q-file", o->q_file, "Queries: .npy/CSV, heads x head_dim")->type_name("FILE");
  sub->add_option("--k-file", o->k_file, "Keys: .npy/CSV, (heads x keys) x head_dim, head-major")->type_name("FILE");
  sub->add_option("--v-file", o->v_file, "Values: as --k-file (default: seeded N(0, 1))")->type_name("FILE");
  sub->add_option("--rho", o->rho, "Gaussian model: correlation of each key with q, in [-1, 1] (default 0.3)")->type_name("R");
  sub->add_option("--scale", o->scale, "Gaussian model: scale, in [1e-40, 1e40] (default 1)")->type_name("S");
  sub->add_option("--seed", o->seed, "Gaussian model: seed (default 0)")->type_name("N");
  sub->add_option("--heads", o->heads, "Gaussian model: heads, in [1, 1024] (default 1)")->type_name("H")->check(integer_in(1, 1024));
  sub->add_option("--set", o->overrides, "Override stages STAGE=VALUE,... (attention stages, else RoPE stages)")->type_name("LIST");
  sub->add_option("--top-k", o->top_k, "k of the top-k agreement, in [1, keys] (default min(10, keys))")->type_name("K");
  sub->add_flag("--collisions", o->collisions, "Also count keys whose emulated score is unchanged when moved or swapped");
  sub->add_flag("--json", o->json, "Print JSON instead of the table");
  sub->add_option("--csv", o->csv, "Also write the table as CSV to FILE (all or nothing)")->type_name("FILE");
  add_threads_option(*sub, o->threads, "Threads, in [0, 1024] (0 = all; results do not depend on it)");
  std::string footer = "Attention presets (description [source; paired RoPE preset]):\n";
  for (const attention::AttentionRecipe& r : attention::attention_presets()) {
    footer += "  " + r.name + ": " + r.description + " [" + r.source + "; RoPE preset " + r.rope_preset + "]\n";
  }
  footer += "Attention stages for --set (the others go to the RoPE recipe, see `ropelab presets --stages`):\n ";
  for (const auto& [stage, value] : attention::attention_stages(attention::attention_presets().front())) footer += " " + stage;
  sub->footer(footer);
  sub->callback([o] { run(*o); });
}

}  // namespace ropelab::cli
