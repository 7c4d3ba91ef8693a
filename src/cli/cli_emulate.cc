// `ropelab emulate`: dumps what a preset's pipeline stores at listed positions (angle, cos/sin table, rotated
// key, key cache, ω) as float64 .npy plus manifest.json, so the emulation can be compared value for value
// with a real stack's tensors (tests/data/conformance does exactly that).
#include <CLI/CLI.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/cli_commands.hpp"
#include "cli/cli_json.hpp"
#include "cli/cli_npy.hpp"
#include "cli/cli_positions.hpp"
#include "cli/cli_rope_support.hpp"
#include "cli/cli_stage_help.hpp"
#include "cli/cli_support.hpp"
#include "ropelab/io/output_files.hpp"
#include "experiments/report_internal.hpp"
#include "ropelab/rope/emulate_positions.hpp"
#include "ropelab/rope/exact_reference.hpp"
#include "ropelab/rope/pipeline.hpp"
#include "ropelab/rope/recipe_stages.hpp"
#include "ropelab/round.hpp"

namespace ropelab::cli {
namespace {

namespace fs = std::filesystem;

struct EmulateCommand {
  std::string preset;
  SpecOptions spec;
  std::string positions;
  std::string k_file;
  std::string seed = "0";
  std::string overrides;
  std::string context;
  std::string out;
  OutputFlags output;
};

// The input key in input_format: a user's 1-D vector of head_dim values, or wall's seeded pairs (pass-through
// coordinates 0).
std::vector<double> input_key(const EmulateCommand& c, const rope::Pipeline& p) {
  if (c.k_file.empty()) return rope::seeded_key(p, parse_u64_argument("--seed", c.seed));
  std::vector<double> key = load_pipeline_vector("--k-file", c.k_file, p.spec, p.recipe);
  round_in_place(std::span<double>(key), p.recipe.input_format);
  return key;
}

nlohmann::ordered_json manifest(const EmulateCommand& c, const rope::Recipe& requested, const rope::Pipeline& p,
                                std::size_t n) {
  nlohmann::ordered_json m;
  m["ropelab_version"] = ROPELAB_VERSION;
  m["ropelab_commit"] = experiments::report_detail::git_commit_of(fs::path(ROPELAB_SOURCE_DIR).string());
  m["preset"] = requested.name;
  m["set"] = c.overrides;
  nlohmann::ordered_json stages;
  for (const auto& [stage, value] : rope::recipe_stages(p.recipe)) stages[stage] = value;
  m["stages"] = stages;
  m["init_time_table_served"] = requested.init_table_below_max_positions && !p.recipe.init_table_below_max_positions;
  m["spec"] = {{"head_dim", p.spec.head_dim},
               {"rotary_dims", p.spec.rotary_dims},
               {"base", p.spec.base},
               {"pairing", p.spec.pairing == rope::Pairing::interleaved ? "interleaved" : "half_split"},
               {"max_position_embeddings", p.spec.max_position_embeddings},
               {"scaling", rope::scaling_name(p.spec)}};
  m["context_length"] = p.context_length;
  m["key_source"] = c.k_file.empty() ? "seed " + c.seed + " (wall's N(0,1) key, pass-through coordinates 0)"
                                     : "file " + c.k_file + " (rounded to input_format)";
  const auto pairs = static_cast<std::size_t>(p.pairs());
  const auto d = static_cast<std::size_t>(p.spec.head_dim);
  const rope::Recipe& r = p.recipe;
  m["arrays"] = {
      {"positions.npy", {{"dtype", "int64"}, {"shape", {n}}, {"holds", "the listed positions, in order"}}},
      {"omega.npy", {{"dtype", "float64"}, {"shape", {pairs}}, {"format", r.omega_cast ? r.omega_cast_format.name : r.omega_format.name},
                     {"holds", "stored inverse frequency per pair (nominal s^i for ggml_angle_recurrence)"}}},
      {"angle.npy", {{"dtype", "float64"}, {"shape", {n, pairs}}, {"format", r.angle_format.name},
                     {"holds", "the stored angle (NaN for rotation_recurrence)"}}},
      {"cos.npy", {{"dtype", "float64"}, {"shape", {n, pairs}}, {"format", r.table_format.name}}},
      {"sin.npy", {{"dtype", "float64"}, {"shape", {n, pairs}}, {"format", r.table_format.name}}},
      {"key.npy", {{"dtype", "float64"}, {"shape", {n, d}}, {"format", r.storage_format.name},
                   {"holds", "rotated key in the input's coordinate order"}}},
      {"key_cache.npy", {{"dtype", "float64"}, {"shape", {n, d}}, {"format", rope::key_cache_name(r)}}}};
  return m;
}

void run_emulate(const EmulateCommand& c) {
  // Everything is validated before the output directory is touched.
  rope::Recipe recipe = parse_argument("--preset", [&] { return rope::preset(c.preset); });
  rope::apply_stage_overrides(recipe, c.overrides);
  const rope::RopeSpec spec = resolve_spec(c.spec);
  const std::vector<std::int64_t> positions = parse_positions(c.positions);
  const std::int64_t last = *std::max_element(positions.begin(), positions.end());
  long context = last + 1;
  if (!c.context.empty()) {
    context = parse_context_argument(c.context);
    if (context <= last) {
      throw std::invalid_argument("--context: " + c.context + " must exceed the largest listed position " + std::to_string(last));
    }
  }
  if (!c.k_file.empty() && c.seed != "0") throw std::invalid_argument("--seed: not with --k-file (the key comes from the file)");
  if (c.out.empty()) throw std::invalid_argument("--out: required");
  if (fs::exists(c.out) && !fs::is_directory(c.out)) throw std::invalid_argument("--out: '" + c.out + "' is not a directory");
  const std::size_t pairs = static_cast<std::size_t>(spec.rotary_dims / 2), d = static_cast<std::size_t>(spec.head_dim);
  require_memory("--positions", positions.size() * (3 * pairs + 2 * d) * sizeof(double) * 2);
  require_reference_range(c.spec, spec, context);
  const rope::Pipeline pipeline = parse_argument("--context", [&] { return rope::make_pipeline(spec, recipe, context); });
  const std::vector<double> key = input_key(c, pipeline);

  const bool created = !fs::exists(c.out);
  nlohmann::ordered_json written;  // the manifest, for --json
  std::error_code error;
  fs::create_directories(c.out, error);
  if (error) throw std::invalid_argument("--out: cannot create directory '" + c.out + "': " + error.message());
  try {
    io::OutputFiles outputs;
    const auto path = [&](const char* file) { return (fs::path(c.out) / file).string(); };
    for (const char* file : {"positions.npy", "omega.npy", "angle.npy", "cos.npy", "sin.npy", "key.npy", "key_cache.npy",
                             "manifest.json"}) {
      outputs.add("--out", path(file));
    }
    const rope::PositionDump dump = rope::emulate_positions(pipeline, positions, key);
    const std::size_t n = positions.size();
    outputs.write(path("positions.npy"), [&](std::ostream& o) { write_npy(o, std::span<const std::int64_t>(positions), {n}); });
    outputs.write(path("omega.npy"), [&](std::ostream& o) { write_npy(o, std::span<const double>(dump.omega), {pairs}); });
    outputs.write(path("angle.npy"), [&](std::ostream& o) { write_npy(o, std::span<const double>(dump.angle), {n, pairs}); });
    outputs.write(path("cos.npy"), [&](std::ostream& o) { write_npy(o, std::span<const double>(dump.cos), {n, pairs}); });
    outputs.write(path("sin.npy"), [&](std::ostream& o) { write_npy(o, std::span<const double>(dump.sin), {n, pairs}); });
    outputs.write(path("key.npy"), [&](std::ostream& o) { write_npy(o, std::span<const double>(dump.key), {n, d}); });
    outputs.write(path("key_cache.npy"), [&](std::ostream& o) { write_npy(o, std::span<const double>(dump.key_cache), {n, d}); });
    written = manifest(c, recipe, pipeline, n);
    outputs.write(path("manifest.json"), [&](std::ostream& o) { o << written.dump(2) << '\n'; });
    outputs.commit();
  } catch (...) {
    if (created) fs::remove_all(c.out, error);
    throw;
  }
  if (c.output.json) {
    nlohmann::ordered_json document = json_document("emulate");
    document["out"] = c.out;
    document["positions"] = positions.size();
    document["manifest"] = written;
    print_json(document);
    return;
  }
  std::cout << "wrote " << positions.size() << " positions of preset " << recipe.name << " to " << c.out << "\n";
}

}  // namespace

void add_emulate_command(CLI::App& app) {
  auto c = std::make_shared<EmulateCommand>();
  CLI::App* sub = app.add_subcommand("emulate", "Dump a preset's stored angles, cos/sin table and rotated key (.npy)");
  sub->add_option("--preset", c->preset, "Pipeline preset (see `ropelab presets`)")->required()->type_name("P");
  add_spec_options(*sub, c->spec);
  sub->add_option("--positions", c->positions, "Comma-separated positions and a:b half-open ranges")->required()->type_name("LIST");
  sub->add_option("--k-file", c->k_file, "The key: one vector of head_dim values (.npy or CSV)")->type_name("FILE");
  sub->add_option("--seed", c->seed, "Seed of wall's N(0,1) key when no --k-file (default 0)")->type_name("S");
  sub->add_option("--set", c->overrides, "Override recipe stages: STAGE=VALUE,... (stages below)")->type_name("LIST");
  sub->add_option("--context", c->context, "Context (table) length L > every position (default: max + 1)")->type_name("L");
  sub->add_option("--out", c->out, "Output directory (created; files replaced atomically)")->required()->type_name("DIR");
  add_output_flags(*sub, c->output);
  sub->footer(stage_overrides_help());
  sub->callback([c] { run_emulate(*c); });
}

}  // namespace ropelab::cli
