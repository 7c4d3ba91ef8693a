// Reading experiment specs (experiments/*.toml): every key checked for name, type and value, with the file
// and line of the offending key in the message; every name resolved before anything runs.
#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "toml_errors.hpp"

#include "runner_internal.hpp"
#include "ropelab/io/input_file.hpp"
#include "ropelab/threads.hpp"
#include "ropelab/format.hpp"
#include "ropelab/rope/recipe.hpp"
#include "ropelab/rope/recipe_stages.hpp"
#include "ropelab/rope/rope_spec.hpp"

namespace ropelab::experiments {
namespace {

int line_of(const toml::node& node) { return toml_line_of(node); }

class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)) {}

  [[noreturn]] void fail(int line, const std::string& key, const std::string& problem) const {
    toml_fail(path_, line, key, problem);
  }

  static std::string type_name(const toml::node& node) { return toml_type_name(node); }

  void only_keys(const toml::table& table, const std::string& prefix, const std::set<std::string>& allowed) const {
    for (const auto& [key, node] : table) {
      const std::string name(key.str());
      if (allowed.count(name)) continue;
      std::string list;
      for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
      fail(line_of(node), prefix + name, "unknown key; allowed: " + list);
    }
  }

  const toml::table* table(const toml::table& root, const std::string& key) const {
    const toml::node* node = root.get(key);
    if (!node) return nullptr;
    if (!node->is_table()) fail(line_of(*node), key, "must be a table, got " + type_name(*node));
    return node->as_table();
  }

  std::string string(const toml::node& node, const std::string& key) const {
    if (!node.is_string()) fail(line_of(node), key, "must be a string, got " + type_name(node));
    return node.as_string()->get();
  }

  // A finite number: TOML's nan and inf are never a meaningful base, tau or eps.
  double number(const toml::node& node, const std::string& key) const {
    if (node.is_integer()) return static_cast<double>(node.as_integer()->get());
    if (!node.is_floating_point()) fail(line_of(node), key, "must be a number, got " + type_name(node));
    const double value = node.as_floating_point()->get();
    if (!std::isfinite(value)) fail(line_of(node), key, "must be a finite number, got " + std::to_string(value));
    return value;
  }

  std::int64_t integer(const toml::node& node, const std::string& key) const {
    if (!node.is_integer()) fail(line_of(node), key, "must be an integer, got " + type_name(node));
    return node.as_integer()->get();
  }

  // A non-empty array; calls `each(element, key)` for every element.
  template <class Each>
  void array(const toml::node& node, const std::string& key, Each each) const {
    if (!node.is_array()) fail(line_of(node), key, "must be an array, got " + type_name(node));
    const toml::array& a = *node.as_array();
    if (a.empty()) fail(line_of(node), key, "must not be empty (leave the key out for its default)");
    for (const toml::node& element : a) each(element);
  }

  // Runs `check`, turning its std::invalid_argument into one naming the key and line.
  template <class Check>
  void resolve(const toml::node& node, const std::string& key, Check check) const {
    try {
      check();
    } catch (const std::invalid_argument& e) {
      fail(line_of(node), key, e.what());
    }
  }

 private:
  std::string path_;
};

template <class T>
void require_unique(const Reader& r, const toml::node& node, const std::string& key, const std::vector<T>& values) {
  std::vector<T> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    r.fail(line_of(node), key, "has a repeated value (each grid point must be distinct)");
  }
}

// One grid.presets entry: "NAME", or { preset = "NAME", set = "STAGE=VALUE,..." } with the overrides checked
// here (an unknown stage or value is reported at the `set` key's line).
PresetChoice read_preset(const Reader& r, const toml::node& e) {
  if (e.is_string()) {
    const std::string name = r.string(e, "grid.presets");
    r.resolve(e, "grid.presets", [&] { rope::preset(name); });
    return {name, ""};
  }
  const toml::table* entry = e.as_table();
  if (!entry) {
    r.fail(line_of(e), "grid.presets",
           "each entry must be a preset name or { preset = \"NAME\", set = \"STAGE=VALUE,...\" }, got " +
               Reader::type_name(e));
  }
  r.only_keys(*entry, "grid.presets.", {"preset", "set"});
  const toml::node* name_node = entry->get("preset");
  if (!name_node) r.fail(line_of(e), "grid.presets.preset", "missing (the preset the overrides apply to)");
  PresetChoice choice{r.string(*name_node, "grid.presets.preset"), ""};
  rope::Recipe recipe;
  r.resolve(*name_node, "grid.presets.preset", [&] { recipe = rope::preset(choice.name); });
  if (const toml::node* set = entry->get("set")) {
    choice.set = r.string(*set, "grid.presets.set");
    r.resolve(*set, "grid.presets.set", [&] { rope::apply_stage_overrides(recipe, choice.set); });
  }
  return choice;
}

void read_grid(const Reader& r, const toml::table& grid, ExperimentSpec& s) {
  r.only_keys(grid, "grid.", {"models", "presets", "formats", "bases", "contexts", "seeds"});
  if (const toml::node* n = grid.get("models")) {
    s.models.clear();
    r.array(*n, "grid.models", [&](const toml::node& e) {
      const std::string name = r.string(e, "grid.models");
      r.resolve(e, "grid.models", [&] { rope::model_spec(name); });
      s.models.push_back(name);
    });
    require_unique(r, *n, "grid.models", s.models);
  }
  if (const toml::node* n = grid.get("presets")) {
    s.presets.clear();
    r.array(*n, "grid.presets", [&](const toml::node& e) { s.presets.push_back(read_preset(r, e)); });
    require_unique(r, *n, "grid.presets", s.presets);
  }
  if (const toml::node* n = grid.get("formats")) {
    s.formats.clear();
    r.array(*n, "grid.formats", [&](const toml::node& e) {
      const std::string name = r.string(e, "grid.formats");
      r.resolve(e, "grid.formats", [&] { parse_format(name); });
      s.formats.push_back(name);
    });
    require_unique(r, *n, "grid.formats", s.formats);
  }
  if (const toml::node* n = grid.get("bases")) {
    std::vector<double> bases;
    r.array(*n, "grid.bases", [&](const toml::node& e) {
      const double base = r.number(e, "grid.bases");
      if (!(base > 1) || !std::isfinite(base)) r.fail(line_of(e), "grid.bases", std::to_string(base) + " is not a finite number > 1");
      bases.push_back(base);
    });
    require_unique(r, *n, "grid.bases", bases);
    s.bases.assign(bases.begin(), bases.end());
  }
  if (const toml::node* n = grid.get("contexts")) {
    s.contexts.clear();
    r.array(*n, "grid.contexts", [&](const toml::node& e) {
      const std::int64_t context = r.integer(e, "grid.contexts");
      if (context < 2 || context > (std::int64_t{1} << 53) - 1) {
        r.fail(line_of(e), "grid.contexts", std::to_string(context) + " is not in [2, 2^53 - 1]");
      }
      s.contexts.push_back(static_cast<long>(context));
    });
    require_unique(r, *n, "grid.contexts", s.contexts);
  }
  if (const toml::node* n = grid.get("seeds")) {
    s.seeds.clear();
    r.array(*n, "grid.seeds", [&](const toml::node& e) {
      const std::int64_t seed = r.integer(e, "grid.seeds");
      if (seed < 0) r.fail(line_of(e), "grid.seeds", std::to_string(seed) + " is not >= 0");
      s.seeds.push_back(static_cast<std::uint64_t>(seed));
    });
    require_unique(r, *n, "grid.seeds", s.seeds);
  }
}

void read_options(const Reader& r, const toml::table& options, ExperimentSpec& s) {
  r.only_keys(options, "options.", {"tau", "eps", "dim", "threads"});
  if (const toml::node* n = options.get("tau")) {
    s.tau = r.number(*n, "options.tau");
    if (!(s.tau > 0) || !std::isfinite(s.tau)) r.fail(line_of(*n), "options.tau", "must be a finite number > 0");
  }
  if (const toml::node* n = options.get("eps")) {
    s.eps = r.number(*n, "options.eps");
    if (!(s.eps > 0 && s.eps < 1)) r.fail(line_of(*n), "options.eps", "must be in (0, 1)");
  }
  if (const toml::node* n = options.get("dim")) {
    const std::int64_t dim = r.integer(*n, "options.dim");
    if (dim < 2 || dim % 2 != 0 || dim > 65536) r.fail(line_of(*n), "options.dim", std::to_string(dim) + " is not an even number in [2, 65536]");
    s.dim = static_cast<int>(dim);
  }
  if (const toml::node* n = options.get("threads")) {
    const std::int64_t threads = r.integer(*n, "options.threads");
    if (threads < 0 || threads > max_threads) {
      r.fail(line_of(*n), "options.threads", std::to_string(threads) + " is not in [0, " + std::to_string(max_threads) + "]");
    }
    s.threads = static_cast<int>(threads);
  }
}

}  // namespace

const std::vector<std::string>& metric_names() {
  static const std::vector<std::string> names{"wall", "zone", "inversion"};
  return names;
}

std::vector<GridPoint> ExperimentSpec::points() const {
  std::vector<GridPoint> out;
  for (const std::string& model : models)
    for (const PresetChoice& preset : presets)
      for (const std::string& format : formats)
        for (const std::optional<double>& base : bases)
          for (long context : contexts)
            for (std::uint64_t seed : seeds) {
              out.push_back(GridPoint{.index = out.size(), .model = model, .preset = preset.name, .set = preset.set,
                                      .format = format, .base = base, .context = context, .seed = seed});
            }
  return out;
}

ExperimentSpec parse_experiment_spec(const std::string& text, const std::string& path) {
  const Reader r(path);
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    throw std::invalid_argument(path + ":" + std::to_string(e.source().begin.line) + ": " +
                                std::string(e.description()));
  }
  ExperimentSpec s;
  s.path = path;
  s.text = text;
  s.models = {"-"};
  s.presets = {{rope::presets().front().name, ""}};
  s.formats = {"-"};
  s.bases = {std::nullopt};
  s.contexts = {4096};
  s.seeds = {0};
  r.only_keys(root, "", {"experiment", "grid", "metrics", "options"});

  const toml::table* experiment = r.table(root, "experiment");
  if (!experiment) r.fail(1, "experiment", "missing (a table with name and description)");
  r.only_keys(*experiment, "experiment.", {"name", "description"});
  const toml::node* name = experiment->get("name");
  if (!name) r.fail(line_of(*experiment), "experiment.name", "missing");
  s.name = r.string(*name, "experiment.name");
  if (s.name.empty()) r.fail(line_of(*name), "experiment.name", "must not be empty");
  if (const toml::node* d = experiment->get("description")) s.description = r.string(*d, "experiment.description");

  if (const toml::table* grid = r.table(root, "grid")) read_grid(r, *grid, s);
  if (const toml::table* options = r.table(root, "options")) read_options(r, *options, s);

  const toml::node* metrics = root.get("metrics");
  if (!metrics) r.fail(1, "metrics", "missing (an array of: wall, zone, inversion)");
  r.array(*metrics, "metrics", [&](const toml::node& e) {
    const std::string metric = r.string(e, "metrics");
    const auto& known = metric_names();
    if (std::find(known.begin(), known.end(), metric) == known.end()) {
      r.fail(line_of(e), "metrics", "unknown metric '" + metric + "'; allowed: wall, zone, inversion");
    }
    if (std::find(s.metrics.begin(), s.metrics.end(), metric) != s.metrics.end()) {
      r.fail(line_of(e), "metrics", "'" + metric + "' is listed twice");
    }
    s.metrics.push_back(metric);
  });

  // Every (model, base, dim) must make a valid RoPE spec: checked here so a run never fails half-way.
  const toml::node* grid_node = root.get("grid");
  for (const std::string& model : s.models) {
    for (const std::optional<double>& base : s.bases) {
      GridPoint probe{.index = 0, .model = model, .preset = s.presets.front().name, .set = s.presets.front().set,
                      .format = s.formats.front(), .base = base, .context = s.contexts.front(), .seed = 0};
      try {
        rope::validate(runner_detail::point_setup(s, probe).spec);
      } catch (const std::invalid_argument& e) {
        r.fail(grid_node ? line_of(*grid_node) : 1, "grid", "model '" + model + "' with this base: " + e.what());
      }
    }
  }
  return s;
}

ExperimentSpec load_experiment_spec(const std::string& path) {
  std::string text;
  try {
    text = io::read_regular_file(path);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("experiment spec: ") + e.what());
  }
  return parse_experiment_spec(text, path);
}

}  // namespace ropelab::experiments
