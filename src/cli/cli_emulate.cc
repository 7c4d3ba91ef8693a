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
#include "ropelab/rope/exact_reference.hpp"
#include "ropelab/rope/pipeline.hpp"
#include "ropelab/rope/recipe_stages.hpp"
#include "ropelab/rope/wall.hpp"
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

// Coordinates of pair i: (first[i], second[i]); coordinates >= rotary_dims pass through.
struct PairCoordinates {
  std::vector<std::size_t> first, second;
};

PairCoordinates pair_coordinates(const rope::RopeSpec& spec) {
  PairCoordinates c;
  const auto half = static_cast<std::size_t>(spec.rotary_dims / 2);
  for (std::size_t i = 0; i < half; ++i) {
    const bool interleaved = spec.pairing == rope::Pairing::interleaved;
    c.first.push_back(interleaved ? 2 * i : i);
    c.second.push_back(interleaved ? 2 * i + 1 : i + half);
  }
  return c;
}

// The input key in input_format: a user's 1-D vector of head_dim values, or wall's seeded pairs (pass-through
// coordinates 0).
std::vector<double> input_key(const EmulateCommand& c, const rope::Pipeline& p, const PairCoordinates& pc) {
  const auto d = static_cast<std::size_t>(p.spec.head_dim);
  std::vector<double> key(d, 0.0);
  if (!c.k_file.empty()) {
    key = load_pipeline_vector("--k-file", c.k_file, p.spec, p.recipe);
    round_in_place(std::span<double>(key), p.recipe.input_format);
    return key;
  }
  const rope::SeededPairs seeded = rope::seeded_query_key(p, parse_u64_argument("--seed", c.seed));
  for (std::size_t i = 0; i < pc.first.size(); ++i) {
    key[pc.first[i]] = seeded.k0[i];
    key[pc.second[i]] = seeded.k1[i];
  }
  return key;
}

struct Dump {
  std::vector<double> angle, cos, sin, key, key_cache;
};

// Rows of `positions` (in order). Incremental recipes run from position 0; others per run of consecutive
// positions.
Dump emulate_rows(const rope::Pipeline& p, const std::vector<std::int64_t>& positions, const std::vector<double>& key,
                  const PairCoordinates& pc) {
  const auto pairs = static_cast<std::size_t>(p.pairs());
  const auto d = key.size();
  const std::size_t n = positions.size();
  Dump dump{std::vector<double>(n * pairs), std::vector<double>(n * pairs), std::vector<double>(n * pairs),
            std::vector<double>(n * d), std::vector<double>(n * d)};
  const auto compute = [&](std::int64_t m0, std::size_t count, std::span<double> angle, std::span<double> c,
                           std::span<double> s, std::vector<double>& angle_state, std::vector<double>& table_state) {
    rope::emulate_angles(p, m0, count, angle, angle_state);
    rope::emulate_rotations(p, m0, count, c, s, table_state);
  };
  std::vector<double> angle_state(rope::phase_state_size(p.pairs())), table_state(angle_state.size());
  if (p.recipe.incremental != rope::Incremental::none) {
    const std::int64_t end = *std::max_element(positions.begin(), positions.end()) + 1;
    constexpr std::int64_t kBlock = 4096;
    std::vector<double> a(kBlock * pairs), c(a.size()), s(a.size());
    for (std::int64_t m0 = 0; m0 < end; m0 += kBlock) {
      const auto count = static_cast<std::size_t>(std::min(kBlock, end - m0));
      compute(m0, count, a, c, s, angle_state, table_state);
      for (std::size_t row = 0; row < n; ++row) {
        if (positions[row] < m0 || positions[row] >= m0 + static_cast<std::int64_t>(count)) continue;
        const auto j = static_cast<std::size_t>(positions[row] - m0);
        std::copy_n(a.begin() + static_cast<std::ptrdiff_t>(j * pairs), pairs, dump.angle.begin() + static_cast<std::ptrdiff_t>(row * pairs));
        std::copy_n(c.begin() + static_cast<std::ptrdiff_t>(j * pairs), pairs, dump.cos.begin() + static_cast<std::ptrdiff_t>(row * pairs));
        std::copy_n(s.begin() + static_cast<std::ptrdiff_t>(j * pairs), pairs, dump.sin.begin() + static_cast<std::ptrdiff_t>(row * pairs));
      }
    }
  } else {
    for (std::size_t row = 0; row < n;) {
      std::size_t run = 1;
      while (row + run < n && positions[row + run] == positions[row] + static_cast<std::int64_t>(run)) ++run;
      const auto offset = static_cast<std::ptrdiff_t>(row * pairs);
      compute(positions[row], run, std::span(dump.angle).subspan(static_cast<std::size_t>(offset), run * pairs),
              std::span(dump.cos).subspan(static_cast<std::size_t>(offset), run * pairs),
              std::span(dump.sin).subspan(static_cast<std::size_t>(offset), run * pairs), angle_state, table_state);
      row += run;
    }
  }
  std::vector<double> k0(pairs), k1(pairs), y0(pairs), y1(pairs);
  for (std::size_t i = 0; i < pairs; ++i) {
    k0[i] = key[pc.first[i]];
    k1[i] = key[pc.second[i]];
  }
  for (std::size_t row = 0; row < n; ++row) {
    rope::emulate_rotate_pairs(p.recipe, k0, k1, std::span(dump.cos).subspan(row * pairs, pairs),
                               std::span(dump.sin).subspan(row * pairs, pairs), y0, y1);
    const std::span<double> out(dump.key.data() + row * d, d);
    for (std::size_t x = static_cast<std::size_t>(p.spec.rotary_dims); x < d; ++x) {
      out[x] = round_value(key[x], p.recipe.storage_format);  // pass-through coordinates
    }
    for (std::size_t i = 0; i < pairs; ++i) {
      out[pc.first[i]] = y0[i];
      out[pc.second[i]] = y1[i];
    }
    std::copy(out.begin(), out.end(), dump.key_cache.begin() + static_cast<std::ptrdiff_t>(row * d));
    rope::emulate_key_cache(p.recipe, std::span(dump.key_cache).subspan(row * d, d));
  }
  return dump;
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
  const PairCoordinates pc = pair_coordinates(spec);
  const std::vector<double> key = input_key(c, pipeline, pc);

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
    const Dump dump = emulate_rows(pipeline, positions, key, pc);
    std::vector<double> omega(pairs);
    for (std::size_t i = 0; i < pairs; ++i) omega[i] = pipeline.stored_inverse_frequency(static_cast<int>(i));
    const std::size_t n = positions.size();
    outputs.write(path("positions.npy"), [&](std::ostream& o) { write_npy(o, std::span<const std::int64_t>(positions), {n}); });
    outputs.write(path("omega.npy"), [&](std::ostream& o) { write_npy(o, std::span<const double>(omega), {pairs}); });
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
