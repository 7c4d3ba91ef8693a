// Reading registry files: [[claim]] tables of experiments/claims/*.toml into ClaimSpecs, every key checked
// (name, type, value; a preset and its stage overrides resolved) with the file and line of the offending key
// in the message.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "claims_registry.hpp"
#include "ropelab/io/input_file.hpp"
#include "ropelab/rope/recipe.hpp"
#include "ropelab/rope/recipe_stages.hpp"
#include "toml_errors.hpp"

namespace ropelab::experiments::claims {
namespace {

int line_of(const toml::node& node) { return toml_line_of(node); }

[[noreturn]] void fail(const std::string& file, int line, const std::string& key, const std::string& problem) {
  toml_fail(file, line, key, problem);
}

std::string type_name(const toml::node& node) { return toml_type_name(node); }

const std::set<std::string>& claim_keys() {
  static const std::set<std::string> keys{"id",        "statement",      "source",    "expect",    "computation",
                                          "params",    "expected_value", "tolerance", "tolerance_kind",
                                          "direction", "equals",         "above",     "below",     "note",
                                          "expected_source"};
  return keys;
}

std::string allowed_keys() {
  std::string out;
  for (const std::string& k : claim_keys()) out += (out.empty() ? "" : ", ") + k;
  return out;
}

// A TOML float that is finite: nan and inf (legal TOML) never make a claim's value, tolerance or parameter; as
// `equals = nan` one once turned into a "refuted" verdict instead of a registry error.
double finite_float(const toml::node& node, const std::string& file, const std::string& key) {
  const double value = node.as_floating_point()->get();
  if (!std::isfinite(value)) fail(file, line_of(node), key, "must be a finite number, got " + std::to_string(value));
  return value;
}

class ClaimReader {
 public:
  ClaimReader(const toml::table& table, const std::string& file) : table_(table), file_(file) {
    line_ = line_of(table);
  }

  const toml::node* find(const std::string& key) const { return table_.get(key); }

  std::string text(const std::string& key, bool required = true) const {
    const toml::node* node = find(key);
    if (!node) {
      if (required) fail(file_, line_, key, "missing (required in every [[claim]])");
      return {};
    }
    if (!node->is_string()) fail(file_, line_of(*node), key, "must be a string, got " + type_name(*node));
    std::string value = node->as_string()->get();
    if (required && value.empty()) fail(file_, line_of(*node), key, "must not be empty");
    return value;
  }

  double number(const std::string& key) const {
    const toml::node* node = find(key);
    if (node->is_integer()) return static_cast<double>(node->as_integer()->get());
    if (!node->is_floating_point()) fail(file_, line_of(*node), key, "must be a number, got " + type_name(*node));
    return finite_float(*node, file_, key);
  }

  int line() const { return line_; }
  int line(const std::string& key) const {
    const toml::node* node = find(key);
    return node ? line_of(*node) : line_;
  }

 private:
  const toml::table& table_;
  std::string file_;
  int line_ = 0;
};

ParamValue param_value(const toml::node& node, const std::string& file, const std::string& key) {
  if (node.is_boolean()) return node.as_boolean()->get();
  if (node.is_integer()) return node.as_integer()->get();
  if (node.is_floating_point()) return finite_float(node, file, key);
  if (node.is_string()) return node.as_string()->get();
  if (const toml::array* array = node.as_array()) {
    if (array->empty()) fail(file, line_of(node), key, "must not be an empty array");
    if (array->front().is_string()) {
      std::vector<std::string> out;
      for (const toml::node& item : *array) {
        if (!item.is_string()) fail(file, line_of(item), key, "array mixes strings and " + type_name(item));
        out.push_back(item.as_string()->get());
      }
      return out;
    }
    std::vector<double> out;
    for (const toml::node& item : *array) {
      if (item.is_integer()) out.push_back(static_cast<double>(item.as_integer()->get()));
      else if (item.is_floating_point()) out.push_back(finite_float(item, file, key));
      else fail(file, line_of(item), key, "array items must be numbers or strings, got " + type_name(item));
    }
    return out;
  }
  fail(file, line_of(node), key, "must be a boolean, number, string or array, got " + type_name(node));
}

bool type_matches(const ParamValue& value, ParamType type) {
  switch (type) {
    case ParamType::boolean: return std::holds_alternative<bool>(value);
    case ParamType::integer: return std::holds_alternative<std::int64_t>(value);
    case ParamType::number:
      return std::holds_alternative<double>(value) || std::holds_alternative<std::int64_t>(value);
    case ParamType::text: return std::holds_alternative<std::string>(value);
    case ParamType::numbers: return std::holds_alternative<std::vector<double>>(value);
    case ParamType::texts: return std::holds_alternative<std::vector<std::string>>(value);
  }
  return false;
}

// A computation's preset and its stage overrides (params.preset, params.set) are resolved while reading, so
// an unknown name is reported at its own key and line rather than when the claim runs.
void resolve_pipeline(const Params& params) {
  rope::Recipe recipe;
  const auto resolve = [&](const std::string& name, const auto& apply) {
    if (!params.has(name)) return;
    try {
      apply(params.text(name));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(params.where(name) + ": " + e.what());
    }
  };
  resolve("preset", [&](const std::string& name) { recipe = rope::preset(name); });
  resolve("set", [&](const std::string& overrides) { rope::apply_stage_overrides(recipe, overrides); });
}

Params read_params(const ClaimReader& reader, const toml::node* node, const Evaluator& evaluator,
                   const std::string& computation, const std::string& file) {
  Params params(file, reader.line());
  if (node) {
    const toml::table* table = node->as_table();
    if (!table) fail(file, line_of(*node), "params", "must be an (inline) table, got " + type_name(*node));
    for (auto&& [key, value] : *table) {
      const std::string name(key.str());
      const std::string full = "params." + name;
      const auto spec = evaluator.params.find(name);
      if (spec == evaluator.params.end()) {
        std::string allowed;
        for (const auto& [n, s] : evaluator.params) allowed += (allowed.empty() ? "" : ", ") + n;
        fail(file, line_of(value), full, "unknown parameter of computation '" + computation + "'; allowed: " + allowed);
      }
      ParamValue parsed = param_value(value, file, full);
      if (!type_matches(parsed, spec->second.type))
        fail(file, line_of(value), full, "must be " + to_string(spec->second.type) + ", got " + type_name(value));
      params.set(name, std::move(parsed), line_of(value));
    }
  }
  for (const auto& [name, spec] : evaluator.params)
    if (spec.required && !params.has(name))
      fail(file, node ? line_of(*node) : reader.line(), "params." + name,
           "missing (computation '" + computation + "' requires it, " + to_string(spec.type) + ")");
  resolve_pipeline(params);
  return params;
}

// expected_source = { kind = "...", ref = "...", <the kind's field> = "..." }: where the expected value comes
// from (claims.hpp ExpectedSource). Every key checked; `definition` is refused with the reason.
ExpectedSource read_expected_source(const ClaimReader& reader, const std::string& file, const std::string& id) {
  static const std::map<std::string, std::string> field_of{{"paper", "where"},     {"thread", "quote"},
                                                           {"closed_form", "derivation"}, {"oracle", "test"},
                                                           {"real_stack", "data"}};
  const std::string key = "expected_source";
  const toml::node* node = reader.find(key);
  const std::string claim = "claim '" + id + "': ";
  if (!node)
    fail(file, reader.line(), key,
         claim + "missing (required in every [[claim]]: { kind = paper|thread|closed_form|oracle|real_stack, ref, ... })");
  const toml::table* table = node->as_table();
  if (!table) fail(file, line_of(*node), key, claim + "must be an inline table, got " + type_name(*node));
  const auto text_at = [&](const std::string& name) -> std::string {
    const toml::node* n = table->get(name);
    if (!n) fail(file, line_of(*node), key + "." + name, claim + "missing");
    if (!n->is_string()) fail(file, line_of(*n), key + "." + name, claim + "must be a string, got " + type_name(*n));
    std::string value = n->as_string()->get();
    if (value.empty()) fail(file, line_of(*n), key + "." + name, claim + "must not be empty");
    return value;
  };
  ExpectedSource source;
  source.kind = text_at("kind");
  if (source.kind == "definition")
    fail(file, line_of(*node), key + ".kind",
         claim + "a definition is not a claim (nothing can refute it): move it to a unit test");
  const auto field = field_of.find(source.kind);
  if (field == field_of.end())
    fail(file, line_of(*node), key + ".kind",
         claim + "'" + source.kind + "' is not paper, thread, closed_form, oracle or real_stack");
  source.reference = text_at("ref");
  source.detail = text_at(field->second);
  for (auto&& [k, value] : *table) {
    const std::string name(k.str());
    if (name != "kind" && name != "ref" && name != field->second)
      fail(file, line_of(value), key + "." + name,
           claim + "unknown key for kind '" + source.kind + "'; allowed: kind, ref, " + field->second);
  }
  return source;
}

Comparison read_comparison(const ClaimReader& reader, const std::string& file) {
  const std::vector<std::string> forms{"expected_value", "direction", "equals", "above", "below"};
  std::vector<std::string> present;
  for (const std::string& f : forms)
    if (reader.find(f)) present.push_back(f);
  if (present.empty())
    fail(file, reader.line(), "expected_value",
         "missing comparison: give one of expected_value (+ tolerance, tolerance_kind), direction, equals, above, below");
  if (present.size() > 1)
    fail(file, reader.line(present[1]), present[1], "only one comparison per claim (already has '" + present[0] + "')");
  const std::string& form = present.front();
  const bool has_tolerance = reader.find("tolerance") || reader.find("tolerance_kind");
  if (form != "expected_value" && has_tolerance) {
    const std::string key = reader.find("tolerance") ? "tolerance" : "tolerance_kind";
    fail(file, reader.line(key), key, "only meaningful with expected_value");
  }

  Comparison c;
  if (form == "expected_value") {
    c.kind = Comparison::Kind::expected_value;
    c.value = reader.number("expected_value");
    if (!reader.find("tolerance")) fail(file, reader.line("expected_value"), "tolerance", "missing (required with expected_value)");
    c.tolerance = reader.number("tolerance");
    if (!(c.tolerance >= 0)) fail(file, reader.line("tolerance"), "tolerance", "must be >= 0");
    if (!reader.find("tolerance_kind"))
      fail(file, reader.line("tolerance"), "tolerance_kind", "missing (\"absolute\" or \"relative\")");
    const std::string kind = reader.text("tolerance_kind");
    if (kind == "absolute") c.tolerance_kind = ToleranceKind::absolute;
    else if (kind == "relative") c.tolerance_kind = ToleranceKind::relative;
    else if (kind == "factor") c.tolerance_kind = ToleranceKind::factor;
    else
      fail(file, reader.line("tolerance_kind"), "tolerance_kind",
           "'" + kind + "' is not \"absolute\", \"relative\" or \"factor\"");
    if (c.tolerance_kind == ToleranceKind::factor && !(c.tolerance >= 1))
      fail(file, reader.line("tolerance"), "tolerance", "must be >= 1 with tolerance_kind = \"factor\"");
    if (c.tolerance_kind == ToleranceKind::factor && c.value == 0)
      fail(file, reader.line("expected_value"), "expected_value", "must not be 0 with tolerance_kind = \"factor\"");
  } else if (form == "direction") {
    c.kind = Comparison::Kind::direction;
    const std::string d = reader.text("direction");
    if (d == "increasing") c.increasing = true;
    else if (d == "decreasing") c.increasing = false;
    else fail(file, reader.line("direction"), "direction", "'" + d + "' is not \"increasing\" or \"decreasing\"");
  } else if (form == "equals") {
    c.kind = Comparison::Kind::equals;
    const toml::node* node = reader.find("equals");
    if (node->is_boolean()) {
      c.equals_boolean = true;
      c.value = node->as_boolean()->get() ? 1 : 0;
    } else {
      if (!node->is_integer() && !node->is_floating_point())
        fail(file, line_of(*node), "equals", "must be a boolean or a number, got " + type_name(*node));
      c.value = reader.number("equals");
    }
  } else {
    c.kind = form == "above" ? Comparison::Kind::above : Comparison::Kind::below;
    c.value = reader.number(form);
  }
  return c;
}

}  // namespace

std::vector<ClaimSpec> parse_registry(const std::string& text, const std::string& file) {
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    throw std::invalid_argument(file + ":" + std::to_string(e.source().begin.line) + ": TOML syntax: " +
                                std::string(e.description()));
  }
  for (auto&& [key, value] : root)
    if (key.str() != "claim")
      fail(file, line_of(value), std::string(key.str()), "unknown top-level key; a registry holds only [[claim]] tables");
  const toml::node* claims_node = root.get("claim");
  if (!claims_node) return {};
  const toml::array* claims = claims_node->as_array();
  if (!claims) fail(file, line_of(*claims_node), "claim", "must be an array of tables ([[claim]])");

  std::vector<ClaimSpec> out;
  std::map<std::string, int> seen;
  for (const toml::node& node : *claims) {
    const toml::table* table = node.as_table();
    if (!table) fail(file, line_of(node), "claim", "every item must be a table ([[claim]])");
    for (auto&& [key, value] : *table)
      if (!claim_keys().contains(std::string(key.str())))
        fail(file, line_of(value), std::string(key.str()), "unknown key; allowed: " + allowed_keys());
    const ClaimReader reader(*table, file);

    ClaimSpec spec;
    spec.claim.file = file;
    spec.claim.line = reader.line();
    spec.claim.id = reader.text("id");
    if (const auto it = seen.find(spec.claim.id); it != seen.end())
      fail(file, reader.line("id"), "id",
           "duplicate id '" + spec.claim.id + "' (first at line " + std::to_string(it->second) + ")");
    seen.emplace(spec.claim.id, reader.line("id"));
    spec.claim.statement = reader.text("statement");
    spec.claim.source = reader.text("source");
    const std::string expect = reader.text("expect");
    if (expect == "holds") spec.claim.expected = Verdict::holds;
    else if (expect == "refuted") spec.claim.expected = Verdict::refuted;
    else fail(file, reader.line("expect"), "expect", "'" + expect + "' is not \"holds\" or \"refuted\"");
    spec.claim.note = reader.text("note", false);  // free text: the evidence behind the expectation

    spec.computation = reader.text("computation");
    const auto evaluator = evaluators().find(spec.computation);
    if (evaluator == evaluators().end()) {
      std::string allowed;
      for (const auto& [name, e] : evaluators()) allowed += (allowed.empty() ? "" : ", ") + name;
      fail(file, reader.line("computation"), "computation", "unknown computation '" + spec.computation + "'; allowed: " + allowed);
    }
    spec.params = read_params(reader, reader.find("params"), evaluator->second, spec.computation, file);
    spec.comparison = read_comparison(reader, file);
    spec.claim.expected_source = read_expected_source(reader, file, spec.claim.id);
    out.push_back(std::move(spec));
  }
  return out;
}

std::vector<ClaimSpec> load_registry(const std::string& directory) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(directory, ec)) throw std::invalid_argument("--claims: '" + directory + "' is not a directory");
  std::vector<fs::path> files;
  // Every *.toml entry, whatever it is: one that is not a regular file is refused when read, never skipped.
  for (const fs::directory_entry& entry : fs::directory_iterator(directory))
    if (entry.path().extension() == ".toml") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  if (files.empty()) throw std::invalid_argument("--claims: no *.toml registry files in '" + directory + "'");

  std::vector<ClaimSpec> all;
  std::map<std::string, std::string> where;  // id -> file:line
  for (const fs::path& path : files) {
    std::string text;
    try {
      text = io::read_regular_file(path.string());
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string("--claims: ") + e.what());
    }
    for (ClaimSpec& spec : parse_registry(text, path.string())) {
      const std::string here = spec.claim.file + ":" + std::to_string(spec.claim.line);
      if (const auto it = where.find(spec.claim.id); it != where.end())
        fail(spec.claim.file, spec.claim.line, "id", "duplicate id '" + spec.claim.id + "' (first at " + it->second + ")");
      where.emplace(spec.claim.id, here);
      all.push_back(std::move(spec));
    }
  }
  return all;
}

}  // namespace ropelab::experiments::claims
