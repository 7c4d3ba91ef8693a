// Internals of the claims registry (include/ropelab/experiments/claims.hpp): a claim's computation and
// comparison as parsed from its registry file, the evaluator table, and the verdict logic. Tests include this
// header (tests/experiments/claims_test.cc) to check the comparisons on synthetic measurements.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ropelab/experiments/claims.hpp"

namespace ropelab::rope {
struct Recipe;
struct Pipeline;
}  // namespace ropelab::rope

namespace ropelab::experiments::claims {

// A typed parameter of a computation. TOML integers stay integers; arrays are numbers or strings.
using ParamValue = std::variant<bool, std::int64_t, double, std::string, std::vector<double>, std::vector<std::string>>;
enum class ParamType { boolean, integer, number, text, numbers, texts };
std::string to_string(ParamType type);

// The parameters of one claim, with where each came from (for error messages raised while reading them).
class Params {
 public:
  Params() = default;
  Params(std::string file, int line) : file_(std::move(file)), line_(line) {}
  void set(const std::string& name, ParamValue value, int line) { values_[name] = {std::move(value), line}; }
  [[nodiscard]] bool has(const std::string& name) const { return values_.contains(name); }

  // Typed access; an integer is accepted where a number is wanted. Missing or wrong type: invalid_argument
  // "<file>:<line>: key 'params.<name>': ...".
  [[nodiscard]] bool boolean(const std::string& name) const;
  [[nodiscard]] std::int64_t integer(const std::string& name) const;
  [[nodiscard]] double number(const std::string& name) const;
  [[nodiscard]] std::string text(const std::string& name) const;
  [[nodiscard]] std::vector<double> numbers(const std::string& name) const;
  [[nodiscard]] std::vector<std::string> texts(const std::string& name) const;
  // With defaults when absent.
  [[nodiscard]] bool boolean_or(const std::string& name, bool fallback) const;
  [[nodiscard]] std::int64_t integer_or(const std::string& name, std::int64_t fallback) const;
  [[nodiscard]] double number_or(const std::string& name, double fallback) const;
  [[nodiscard]] std::string text_or(const std::string& name, const std::string& fallback) const;

  [[nodiscard]] const std::map<std::string, std::pair<ParamValue, int>>& values() const { return values_; }
  [[nodiscard]] std::string where(const std::string& name) const;  // "<file>:<line>: key 'params.<name>'"

 private:
  [[noreturn]] void fail(const std::string& name, const std::string& message) const;
  [[nodiscard]] const ParamValue& get(const std::string& name) const;
  std::string file_;
  int line_ = 0;
  std::map<std::string, std::pair<ParamValue, int>> values_;
};

// What a computation produced: one value, or one value per point of a swept parameter (for `direction`).
// A NaN value means the computation could not decide (verdict inconclusive).
struct Measurement {
  std::vector<double> values;
  std::string detail;  // extra numbers for the "measured" column (may be empty)
};

// How the measurement is compared with the claim.
// factor: measured/expected within [1/tolerance, tolerance] (tolerance >= 1, same sign), for magnitudes a source
// gives only to its order (a GPU measurement of a different metric).
enum class ToleranceKind { absolute, relative, factor };
struct Comparison {
  enum class Kind { expected_value, direction, equals, above, below } kind = Kind::expected_value;
  double value = 0;  // expected_value, equals (true = 1, false = 0), above / below bound
  bool equals_boolean = false;  // `equals` was written as true/false
  double tolerance = 0;
  ToleranceKind tolerance_kind = ToleranceKind::absolute;
  bool increasing = true;  // direction
};

// The verdict of one comparison: holds when the measurement satisfies it, refuted when it does not,
// inconclusive when a value is NaN or a direction has fewer than two points. `text` is the measured line.
struct Judgement {
  Verdict verdict = Verdict::inconclusive;
  std::string text;
  std::string expected_text;   // the comparison's expected side, e.g. "62831.85", "== 256", "> 0.1"
  std::string tolerance_text;  // "1e-13 relative", "factor 3", "exact" (equals), "" (one-sided bound, direction)
};
Judgement judge(const Measurement& measurement, const Comparison& comparison);

// A computation: its parameter schema (name → type, required) and the function. Evaluators are
// deterministic and small (the whole registry runs in well under a minute on two cores).
struct ParamSpec {
  ParamType type;
  bool required = true;
};
struct Evaluator {
  std::string description;
  std::map<std::string, ParamSpec> params;
  std::function<Measurement(const Params&)> run;
};
// The fixed set of computations, by name ("wall.first_full_collision", ...).
const std::map<std::string, Evaluator>& evaluators();
// The families, one file each (claims_eval_<family>.cc): bounds.* zone.* precision.*; wall.* wall_claim.*;
// stats.*.
void add_bounds_evaluators(std::map<std::string, Evaluator>& table);
void add_wall_evaluators(std::map<std::string, Evaluator>& table);
void add_stats_evaluators(std::map<std::string, Evaluator>& table);
void add_attention_evaluators(std::map<std::string, Evaluator>& table);  // claims_eval_attention.cc

// One claim as parsed from a registry file.
struct ClaimSpec {
  Claim claim;
  std::string computation;
  Params params;
  Comparison comparison;
};

// Parses one registry file (TOML text `text`, reported as `file`). Throws std::invalid_argument
// "<file>:<line>: key '<key>': <problem>" for TOML syntax errors, unknown keys, wrong types, unknown
// computations, missing or unknown params, an unknown params.preset or params.set stage/value, missing
// id/statement/source/expect/computation, a comparison that is missing, doubled or incomplete.
std::vector<ClaimSpec> parse_registry(const std::string& text, const std::string& file);
// Every *.toml in `directory`, sorted by file name; duplicate ids across files are an error too.
std::vector<ClaimSpec> load_registry(const std::string& directory);

// Runs one claim; an evaluator that throws makes the verdict inconclusive with the reason as `measured`.
// `measured` ends with "; set <overrides>" when the claim's pipeline carries params.set.
ClaimResult evaluate(const ClaimSpec& spec);

// Test-only fault injection (tests/experiments/mutation_test.cc): `recipe` edits the recipe of every wall.*
// computation after its preset and params.set, `pipeline` edits every pipeline it builds (e.g. one stored omega
// nudged by an ulp). Both empty outside that test; the test restores them.
struct FaultHooks {
  std::function<void(rope::Recipe&)> recipe;
  std::function<void(rope::Pipeline&)> pipeline;
};
FaultHooks& fault_hooks();

// "%.*g" with `digits` significant digits.
std::string number_text(double value, int digits = 10);

}  // namespace ropelab::experiments::claims
