// The claims registry: typed parameters, the comparison of a measurement with a claim, and check_claims.
#include "ropelab/experiments/claims.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "claims_registry.hpp"

namespace ropelab::experiments {

std::string to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::holds: return "holds";
    case Verdict::refuted: return "refuted";
    case Verdict::inconclusive: return "inconclusive";
  }
  return "inconclusive";
}

std::string default_claims_directory() { return ROPELAB_CLAIMS_DIR; }

std::string ExpectedSource::text() const { return kind + " " + reference + (detail.empty() ? "" : ": " + detail); }

std::vector<ClaimResult> check_claims_matching(const std::string& directory, const std::string& id_filter,
                                               const std::function<void(const std::string&)>& progress) {
  const std::vector<claims::ClaimSpec> specs = claims::load_registry(directory);
  std::vector<ClaimResult> results;
  for (const claims::ClaimSpec& spec : specs) {
    if (!id_filter.empty() && spec.claim.id.find(id_filter) == std::string::npos) continue;
    if (progress) progress(spec.claim.id);
    results.push_back(claims::evaluate(spec));
  }
  return results;
}

std::vector<ClaimResult> check_claims(const std::string& directory,
                                      const std::function<void(const std::string&)>& progress) {
  return check_claims_matching(directory, std::string(), progress);
}

namespace claims {

std::string to_string(ParamType type) {
  switch (type) {
    case ParamType::boolean: return "a boolean";
    case ParamType::integer: return "an integer";
    case ParamType::number: return "a number";
    case ParamType::text: return "a string";
    case ParamType::numbers: return "an array of numbers";
    case ParamType::texts: return "an array of strings";
  }
  return "?";
}

std::string number_text(double value, int digits) {
  if (std::isnan(value)) return "nan";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*g", digits, value);
  return buffer;
}

// ---- Params

std::string Params::where(const std::string& name) const {
  const auto it = values_.find(name);
  return file_ + ":" + std::to_string(it == values_.end() ? line_ : it->second.second) + ": key 'params." + name + "'";
}

void Params::fail(const std::string& name, const std::string& message) const {
  throw std::invalid_argument(where(name) + ": " + message);
}

const ParamValue& Params::get(const std::string& name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) fail(name, "missing");
  return it->second.first;
}

bool Params::boolean(const std::string& name) const {
  const ParamValue& v = get(name);
  if (const bool* b = std::get_if<bool>(&v)) return *b;
  fail(name, "must be a boolean");
}
std::int64_t Params::integer(const std::string& name) const {
  const ParamValue& v = get(name);
  if (const std::int64_t* i = std::get_if<std::int64_t>(&v)) return *i;
  fail(name, "must be an integer");
}
double Params::number(const std::string& name) const {
  const ParamValue& v = get(name);
  if (const double* d = std::get_if<double>(&v)) return *d;
  if (const std::int64_t* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  fail(name, "must be a number");
}
std::string Params::text(const std::string& name) const {
  const ParamValue& v = get(name);
  if (const std::string* s = std::get_if<std::string>(&v)) return *s;
  fail(name, "must be a string");
}
std::vector<double> Params::numbers(const std::string& name) const {
  const ParamValue& v = get(name);
  if (const auto* a = std::get_if<std::vector<double>>(&v)) return *a;
  fail(name, "must be an array of numbers");
}
std::vector<std::string> Params::texts(const std::string& name) const {
  const ParamValue& v = get(name);
  if (const auto* a = std::get_if<std::vector<std::string>>(&v)) return *a;
  fail(name, "must be an array of strings");
}
bool Params::boolean_or(const std::string& name, bool fallback) const { return has(name) ? boolean(name) : fallback; }
std::int64_t Params::integer_or(const std::string& name, std::int64_t fallback) const {
  return has(name) ? integer(name) : fallback;
}
double Params::number_or(const std::string& name, double fallback) const { return has(name) ? number(name) : fallback; }
std::string Params::text_or(const std::string& name, const std::string& fallback) const {
  return has(name) ? text(name) : fallback;
}

// ---- Verdict logic

namespace {

std::string values_text(const std::vector<double>& values) {
  std::string out;
  for (double v : values) out += (out.empty() ? "" : ", ") + number_text(v);
  return values.size() == 1 ? out : "[" + out + "]";
}

Verdict verdict_of(bool holds) { return holds ? Verdict::holds : Verdict::refuted; }

}  // namespace

Judgement judge(const Measurement& measurement, const Comparison& comparison) {
  Judgement j;
  const std::vector<double>& v = measurement.values;
  j.text = "measured " + values_text(v);
  bool any_nan = v.empty();
  for (double x : v) any_nan = any_nan || std::isnan(x);

  switch (comparison.kind) {
    case Comparison::Kind::expected_value: {
      const char* kinds[] = {"absolute", "relative", "factor"};
      const char* kind = kinds[static_cast<int>(comparison.tolerance_kind)];
      j.expected_text = number_text(comparison.value);
      j.tolerance_text = number_text(comparison.tolerance, 3) + " " + kind;
      const std::string tolerance = number_text(comparison.tolerance, 3);
      j.text += "; expected " + j.expected_text +
                (comparison.tolerance_kind == ToleranceKind::factor ? " within a factor " + tolerance
                                                                     : " +- " + tolerance + " (" + kind + ")");
      if (any_nan || v.size() != 1) break;
      if (comparison.tolerance_kind == ToleranceKind::factor) {
        const double ratio = v[0] / comparison.value;
        j.text += "; ratio " + number_text(ratio, 3);
        j.verdict = verdict_of(ratio > 0 && ratio <= comparison.tolerance && ratio >= 1 / comparison.tolerance);
        break;
      }
      const double difference = std::fabs(v[0] - comparison.value);
      const double allowed = comparison.tolerance_kind == ToleranceKind::relative
                                 ? comparison.tolerance * std::fabs(comparison.value)
                                 : comparison.tolerance;
      j.text += "; |difference| " + number_text(difference, 3);
      j.verdict = verdict_of(difference <= allowed);
      break;
    }
    case Comparison::Kind::equals: {
      j.expected_text = "== " + (comparison.equals_boolean ? std::string(comparison.value != 0 ? "true" : "false")
                                                           : number_text(comparison.value, 17));
      j.tolerance_text = "exact";
      j.text += "; expected " + j.expected_text;
      if (any_nan || v.size() != 1) break;
      j.verdict = verdict_of(v[0] == comparison.value);
      break;
    }
    case Comparison::Kind::above:
    case Comparison::Kind::below: {
      const bool above = comparison.kind == Comparison::Kind::above;
      j.expected_text = std::string(above ? "> " : "< ") + number_text(comparison.value);
      j.text += "; expected " + j.expected_text;
      if (any_nan || v.size() != 1) break;
      j.verdict = verdict_of(above ? v[0] > comparison.value : v[0] < comparison.value);
      break;
    }
    case Comparison::Kind::direction: {
      j.expected_text = std::string("strictly ") + (comparison.increasing ? "increasing" : "decreasing");
      j.text += "; expected " + j.expected_text;
      if (any_nan || v.size() < 2) break;
      bool monotone = true;
      for (std::size_t i = 1; i < v.size(); ++i)
        monotone = monotone && (comparison.increasing ? v[i] > v[i - 1] : v[i] < v[i - 1]);
      j.verdict = verdict_of(monotone);
      break;
    }
  }
  if (!measurement.detail.empty()) j.text += " (" + measurement.detail + ")";
  return j;
}

ClaimResult evaluate(const ClaimSpec& spec) {
  ClaimResult result;
  result.claim = spec.claim;
  const Judgement shape = judge({}, spec.comparison);  // the expected side, also when the computation fails
  result.expected_text = shape.expected_text;
  result.tolerance_text = shape.tolerance_text;
  try {
    const Measurement m = evaluators().at(spec.computation).run(spec.params);
    const Judgement j = judge(m, spec.comparison);
    result.verdict = j.verdict;
    result.measured = j.text;
    result.values = m.values;
    result.expected_text = j.expected_text;
    result.tolerance_text = j.tolerance_text;
  } catch (const std::invalid_argument& e) {
    // The parameters are well-typed but out of the computation's domain (an unknown preset, a base <= 1):
    // bad input, like a syntax error. Params' own messages already name file, line and key.
    const std::string what = e.what();
    if (what.rfind(spec.claim.file + ":", 0) == 0) throw;
    throw std::invalid_argument(spec.claim.file + ":" + std::to_string(spec.claim.line) + ": key 'params': computation '" +
                                spec.computation + "' rejects its parameters: " + what);
  } catch (const std::exception& e) {
    // Anything else means the computation could not decide the claim.
    result.verdict = Verdict::inconclusive;
    result.measured = std::string("computation failed: ") + e.what();
  }
  // The stage overrides that ran, so a verdict table (and `ropelab check --csv`) says which pipeline it judged.
  if (spec.params.has("set")) result.measured += "; set " + spec.params.text("set");
  return result;
}

}  // namespace claims
}  // namespace ropelab::experiments
