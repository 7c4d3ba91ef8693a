// The claims registry's verdict logic on synthetic measurements and temporary registries: a claim made to
// fail must fail the check, and every malformed registry names its file, line and key.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "claims_registry.hpp"
#include "ropelab/experiments/claims.hpp"

using namespace ropelab::experiments;
using namespace ropelab::experiments::claims;
using Catch::Matchers::ContainsSubstring;

namespace {

Comparison expected_value(double value, double tolerance, ToleranceKind kind) {
  Comparison c;
  c.kind = Comparison::Kind::expected_value;
  c.value = value;
  c.tolerance = tolerance;
  c.tolerance_kind = kind;
  return c;
}

Comparison direction(bool increasing) {
  Comparison c;
  c.kind = Comparison::Kind::direction;
  c.increasing = increasing;
  return c;
}

Verdict verdict(std::vector<double> values, const Comparison& c) { return judge({std::move(values), {}}, c).verdict; }

// A temporary registry directory holding one file, removed on destruction.
struct TempRegistry {
  std::filesystem::path dir;
  explicit TempRegistry(const std::string& name) {
    dir = std::filesystem::temp_directory_path() / ("ropelab_claims_test_" + name);
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  ~TempRegistry() { std::filesystem::remove_all(dir); }
  std::string write(const std::string& file, const std::string& text) const {
    std::ofstream(dir / file) << text;
    return (dir / file).string();
  }
};

// A valid claim: 2*pi*1e4 as the aliasing horizon, with the given expectation and expected value.
std::string horizon_claim(const std::string& id, const std::string& expect, const std::string& value) {
  return "[[claim]]\nid = \"" + id + "\"\nstatement = \"2 pi 1e4\"\nsource = \"test\"\nexpect = \"" + expect +
         "\"\ncomputation = \"bounds.aliasing_horizon\"\nparams = { base = 1e4 }\nexpected_value = " + value +
         "\ntolerance = 1e-12\ntolerance_kind = \"relative\"\n"
         "expected_source = { kind = \"closed_form\", ref = \"test\", derivation = \"2 pi 1e4\" }\n";
}

// The message of the invalid_argument parse_registry throws for `text`.
std::string parse_error(const std::string& text) {
  try {
    parse_registry(text, "reg.toml");
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  FAIL("no error for:\n" << text);
  return {};
}

}  // namespace

TEST_CASE("expected_value: absolute and relative tolerances, boundary included", "[claims]") {
  CHECK(verdict({1.05}, expected_value(1.0, 0.1, ToleranceKind::absolute)) == Verdict::holds);
  CHECK(verdict({1.2}, expected_value(1.0, 0.1, ToleranceKind::absolute)) == Verdict::refuted);
  CHECK(verdict({0.75}, expected_value(1.0, 0.25, ToleranceKind::absolute)) == Verdict::holds);  // exactly at the edge
  // Relative: 1e6 +- 1e-6 relative allows 1; 1e6 + 2 is out.
  CHECK(verdict({1e6 + 0.5}, expected_value(1e6, 1e-6, ToleranceKind::relative)) == Verdict::holds);
  CHECK(verdict({1e6 + 2}, expected_value(1e6, 1e-6, ToleranceKind::relative)) == Verdict::refuted);
  // The same difference judged absolutely at 1e-6 is refuted.
  CHECK(verdict({1e6 + 0.5}, expected_value(1e6, 1e-6, ToleranceKind::absolute)) == Verdict::refuted);
  CHECK(verdict({NAN}, expected_value(1, 1, ToleranceKind::absolute)) == Verdict::inconclusive);
  CHECK(verdict({}, expected_value(1, 1, ToleranceKind::absolute)) == Verdict::inconclusive);
  const Judgement j = judge({{0.374570044}, {}}, expected_value(0.3745702, 1e-7, ToleranceKind::absolute));
  CHECK(j.verdict == Verdict::refuted);
  CHECK_THAT(j.text, ContainsSubstring("0.374570044") && ContainsSubstring("0.3745702"));
}

TEST_CASE("direction: strictly monotone over the sweep, else refuted; one point is inconclusive", "[claims]") {
  CHECK(verdict({1, 2, 3}, direction(true)) == Verdict::holds);
  CHECK(verdict({3, 2, 1}, direction(false)) == Verdict::holds);
  CHECK(verdict({1, 3, 2}, direction(true)) == Verdict::refuted);
  CHECK(verdict({1, 1, 2}, direction(true)) == Verdict::refuted);  // a plateau is not an increase
  CHECK(verdict({1, 2, 3}, direction(false)) == Verdict::refuted);
  CHECK(verdict({1}, direction(true)) == Verdict::inconclusive);
  CHECK(verdict({1, NAN, 3}, direction(true)) == Verdict::inconclusive);
}

TEST_CASE("equals, above and below", "[claims]") {
  Comparison eq;
  eq.kind = Comparison::Kind::equals;
  eq.value = 256;
  CHECK(verdict({256}, eq) == Verdict::holds);
  CHECK(verdict({257}, eq) == Verdict::refuted);
  Comparison above;
  above.kind = Comparison::Kind::above;
  above.value = 0.1;
  CHECK(verdict({0.2}, above) == Verdict::holds);
  CHECK(verdict({0.1}, above) == Verdict::refuted);  // strict
  Comparison below = above;
  below.kind = Comparison::Kind::below;
  CHECK(verdict({0.05}, below) == Verdict::holds);
  CHECK(verdict({0.1}, below) == Verdict::refuted);
}

TEST_CASE("a claim made to fail fails the check: correct constant, wrong expected value", "[claims]") {
  TempRegistry reg("fail");
  reg.write("a.toml", horizon_claim("right", "holds", "62831.85307179586") +
                          horizon_claim("wrong-value", "holds", "62832.0") +
                          horizon_claim("wrong-recorded-as-refuted", "refuted", "62832.0"));
  const std::vector<ClaimResult> results = check_claims(reg.dir.string());
  REQUIRE(results.size() == 3);
  CHECK(results[0].verdict == Verdict::holds);
  CHECK(results[0].as_expected());
  CHECK(results[1].verdict == Verdict::refuted);
  CHECK_FALSE(results[1].as_expected());  // this is what makes `ropelab check` exit 1
  CHECK(results[2].verdict == Verdict::refuted);
  CHECK(results[2].as_expected());
  CHECK(results[1].claim.line == 12);
  CHECK_THAT(results[1].measured, ContainsSubstring("62831.85307"));

  // The filter evaluates only matching ids.
  const std::vector<ClaimResult> filtered = check_claims_matching(reg.dir.string(), "wrong");
  CHECK(filtered.size() == 2);
}

TEST_CASE("a computation rejecting its parameter values is bad input naming file, line and key", "[claims]") {
  TempRegistry reg("domain");
  reg.write("a.toml",
            "[[claim]]\nid = \"x\"\nstatement = \"s\"\nsource = \"t\"\nexpect = \"holds\"\n"
            "computation = \"bounds.precision_wall\"\nparams = { format = \"bf17\" }\nequals = 1\n"
            "expected_source = { kind = \"closed_form\", ref = \"t\", derivation = \"d\" }\n");
  try {
    check_claims(reg.dir.string());
    FAIL("no error");
  } catch (const std::invalid_argument& e) {
    CHECK_THAT(e.what(), ContainsSubstring("a.toml:") && ContainsSubstring("params") && ContainsSubstring("bf17"));
  }
}

TEST_CASE("a claim's pipeline carries stage overrides as params.set, recorded in `measured`", "[claims]") {
  // bf16 positions (p = 8) are exact up to 256 and round 257 to 256 (tie, even): every pair rotates 256 and 257
  // alike. Below 256, pair 0 (omega = 1, angle = the position) tells adjacent positions apart. As shipped,
  // hf-eager-bf16 holds positions in binary32 and never merges two of the first 512.
  const std::string head = "[[claim]]\nid = \"x\"\nstatement = \"s\"\nsource = \"t\"\nexpect = \"holds\"\n"
                           "computation = \"wall.first_full_collision\"\n";  // params on line 7
  const auto claim = [&](const std::string& params) {
    return head + "params = { preset = \"hf-eager-bf16\", base = 1e4, head_dim = 16, context = 512" + params +
           " }\nequals = 256\n"
           "expected_source = { kind = \"closed_form\", ref = \"t\", derivation = \"bf16 257 -> 256\" }\n";
  };
  const ClaimResult shipped = evaluate(parse_registry(claim(""), "reg.toml").front());
  CHECK(shipped.verdict == Verdict::refuted);
  CHECK_THAT(shipped.measured, !ContainsSubstring("set"));
  const ClaimResult bf16 = evaluate(parse_registry(claim(", set = \"position_format=bfloat16\""), "reg.toml").front());
  CHECK(bf16.verdict == Verdict::holds);
  CHECK_THAT(bf16.measured, ContainsSubstring("measured 256") && ContainsSubstring("; set position_format=bfloat16"));

  // Unknown stages, values and presets are bad registries at the key's own line; the old per-stage keys are gone.
  CHECK_THAT(parse_error(claim(", set = \"trig=nope\"")),
             ContainsSubstring("reg.toml:7: key 'params.set'") && ContainsSubstring("stage 'trig': unknown value 'nope'") &&
                 ContainsSubstring("allowed: correctly_rounded|"));
  CHECK_THAT(parse_error(claim(", set = \"tirg=libm\"")),
             ContainsSubstring("reg.toml:7: key 'params.set'") && ContainsSubstring("unknown stage 'tirg'; stages: omega_method"));
  std::string unknown_preset = claim("");
  unknown_preset.replace(unknown_preset.find("hf-eager-bf16"), 13, "no-such-stack");
  CHECK_THAT(parse_error(unknown_preset), ContainsSubstring("reg.toml:7: key 'params.preset'") &&
                                              ContainsSubstring("'no-such-stack'"));
  CHECK_THAT(parse_error(claim(", trig = \"fast_sfu\"")),
             ContainsSubstring("reg.toml:7: key 'params.trig'") && ContainsSubstring("unknown parameter") &&
                 ContainsSubstring("set"));
}

TEST_CASE("parse errors name file, line and key", "[claims]") {
  const std::string head = "[[claim]]\nid = \"x\"\nstatement = \"s\"\nsource = \"t\"\nexpect = \"holds\"\n";
  const std::string tail = "computation = \"bounds.phase_budget\"\nparams = { eps = 0.5, layers = 32 }\n"
                           "expected_value = 0.2\ntolerance = 0.1\ntolerance_kind = \"absolute\"\n"
                           "expected_source = { kind = \"closed_form\", ref = \"t\", derivation = \"d\" }\n";
  REQUIRE_NOTHROW(parse_registry(head + tail, "reg.toml"));

  SECTION("unknown key") {
    CHECK_THAT(parse_error(head + "colour = \"red\"\n" + tail), ContainsSubstring("reg.toml:6: key 'colour'"));
  }
  SECTION("wrong type") {
    const std::string text = "[[claim]]\nid = 7\nstatement = \"s\"\nsource = \"t\"\nexpect = \"holds\"\n" + tail;
    CHECK_THAT(parse_error(text), ContainsSubstring("reg.toml:2: key 'id'") && ContainsSubstring("string"));
    std::string t2 = tail;
    t2.replace(t2.find("0.1"), 3, "\"big\"");
    CHECK_THAT(parse_error(head + t2), ContainsSubstring("reg.toml:9: key 'tolerance'"));
  }
  SECTION("wrong parameter type") {
    std::string t = tail;
    t.replace(t.find("layers = 32"), 11, "layers = 3.5");
    CHECK_THAT(parse_error(head + t), ContainsSubstring("reg.toml:7: key 'params.layers'") &&
                                          ContainsSubstring("integer"));
  }
  SECTION("unknown computation") {
    std::string t = tail;
    t.replace(t.find("bounds.phase_budget"), 19, "bounds.phase_budgett");
    CHECK_THAT(parse_error(head + t), ContainsSubstring("reg.toml:6: key 'computation'") &&
                                          ContainsSubstring("bounds.phase_budgett"));
  }
  SECTION("unknown and missing parameters") {
    std::string t = tail;
    t.replace(t.find("layers = 32"), 11, "layerz = 32");
    const std::string message = parse_error(head + t);
    CHECK_THAT(message, ContainsSubstring("reg.toml:7: key 'params.layerz'"));
    std::string t2 = tail;
    t2.replace(t2.find(", layers = 32"), 13, "");
    CHECK_THAT(parse_error(head + t2), ContainsSubstring("reg.toml:7: key 'params.layers'") &&
                                           ContainsSubstring("missing"));
  }
  SECTION("missing id") {
    const std::string text = "[[claim]]\nstatement = \"s\"\nsource = \"t\"\nexpect = \"holds\"\n" + tail;
    CHECK_THAT(parse_error(text), ContainsSubstring("reg.toml:1: key 'id'") && ContainsSubstring("missing"));
  }
  SECTION("duplicate id") {
    const std::string message = parse_error(head + tail + head + tail);
    CHECK_THAT(message, ContainsSubstring("reg.toml:13: key 'id'") && ContainsSubstring("duplicate") &&
                            ContainsSubstring("line 2"));
  }
  SECTION("bad expectation, missing or doubled comparison, missing tolerance kind") {
    std::string t = head;
    t.replace(t.find("\"holds\""), 7, "\"maybe\"");
    CHECK_THAT(parse_error(t + tail), ContainsSubstring("reg.toml:5: key 'expect'"));
    CHECK_THAT(parse_error(head + "computation = \"bounds.phase_budget\"\nparams = { eps = 0.5, layers = 32 }\n"),
               ContainsSubstring("reg.toml:1: key 'expected_value'"));
    CHECK_THAT(parse_error(head + tail + "direction = \"increasing\"\n"),
               ContainsSubstring("reg.toml:12: key 'direction'"));
    std::string t3 = tail;
    t3.replace(t3.find("tolerance_kind = \"absolute\"\n"), 28, "");
    CHECK_THAT(parse_error(head + t3), ContainsSubstring("key 'tolerance_kind'"));
  }
  SECTION("TOML syntax error") {
    CHECK_THAT(parse_error(head + "computation = \n"), ContainsSubstring("reg.toml:6"));
  }
}

TEST_CASE("duplicate ids across registry files are an error naming both places", "[claims]") {
  TempRegistry reg("dup");
  reg.write("a.toml", horizon_claim("same", "holds", "62831.85307179586"));
  const std::string b = reg.write("b.toml", "\n" + horizon_claim("same", "holds", "62831.85307179586"));
  try {
    load_registry(reg.dir.string());
    FAIL("no error");
  } catch (const std::invalid_argument& e) {
    CHECK_THAT(e.what(), ContainsSubstring(b + ":2: key 'id'") && ContainsSubstring("a.toml:1"));
  }
}

TEST_CASE("tolerance_kind factor: within [expected / f, expected * f], same sign", "[claims]") {
  const Comparison c = expected_value(1e-2, 3, ToleranceKind::factor);
  CHECK(verdict({1e-2 / 3}, c) == Verdict::holds);  // boundary included
  CHECK(verdict({3e-2}, c) == Verdict::holds);
  CHECK(verdict({3.01e-2}, c) == Verdict::refuted);
  CHECK(verdict({3.3e-3}, c) == Verdict::refuted);
  CHECK(verdict({-1e-2}, c) == Verdict::refuted);
  const Judgement j = judge({{2e-2}, {}}, c);
  CHECK(j.expected_text == "0.01");
  CHECK(j.tolerance_text == "3 factor");
  CHECK_THAT(j.text, ContainsSubstring("within a factor 3") && ContainsSubstring("ratio 2"));
}

TEST_CASE("expected_source: required, one of five kinds with its own field; a definition is refused", "[claims]") {
  const std::string body = "[[claim]]\nid = \"x\"\nstatement = \"s\"\nsource = \"t\"\nexpect = \"holds\"\n"
                           "computation = \"bounds.phase_budget\"\nparams = { eps = 0.5, layers = 32 }\n"
                           "expected_value = 0.2\ntolerance = 0.1\ntolerance_kind = \"absolute\"\n";
  const auto with = [&](const std::string& source) { return body + "expected_source = " + source + "\n"; };
  CHECK_THAT(parse_error(body), ContainsSubstring("reg.toml:1: key 'expected_source'") &&
                                    ContainsSubstring("claim 'x'") && ContainsSubstring("missing"));
  CHECK_THAT(parse_error(with("\"a paper\"")),
             ContainsSubstring("reg.toml:11: key 'expected_source'") && ContainsSubstring("inline table"));
  CHECK_THAT(parse_error(with("{ kind = \"definition\", ref = \"fp32\" }")),
             ContainsSubstring("reg.toml:11: key 'expected_source.kind'") && ContainsSubstring("claim 'x'") &&
                 ContainsSubstring("not a claim") && ContainsSubstring("unit test"));
  CHECK_THAT(parse_error(with("{ kind = \"ropelab\", ref = \"run 3\" }")),
             ContainsSubstring("key 'expected_source.kind'") && ContainsSubstring("'ropelab' is not paper"));
  CHECK_THAT(parse_error(with("{ kind = \"thread\", ref = \"o/r#1\" }")),
             ContainsSubstring("key 'expected_source.quote'") && ContainsSubstring("missing"));
  CHECK_THAT(parse_error(with("{ kind = \"paper\", ref = \"arXiv 1\", where = \"\" }")),
             ContainsSubstring("key 'expected_source.where'") && ContainsSubstring("empty"));
  CHECK_THAT(parse_error(with("{ kind = \"oracle\", ref = \"t.cc\", test = \"x\", quote = \"1\" }")),
             ContainsSubstring("key 'expected_source.quote'") && ContainsSubstring("allowed: kind, ref, test"));
  CHECK_THAT(parse_error(with("{ ref = \"x\" }")), ContainsSubstring("key 'expected_source.kind'"));

  const std::vector<std::pair<std::string, std::string>> kinds{
      {"paper", "where"}, {"thread", "quote"}, {"closed_form", "derivation"}, {"oracle", "test"}, {"real_stack", "data"}};
  for (const auto& [kind, field] : kinds) {
    const ClaimSpec spec =
        parse_registry(with("{ kind = \"" + kind + "\", ref = \"R\", " + field + " = \"D\" }"), "reg.toml").front();
    CHECK(spec.claim.expected_source.kind == kind);
    CHECK(spec.claim.expected_source.text() == kind + " R: D");
  }
}

TEST_CASE("a result carries the measured numbers, the expected side and the tolerance", "[claims]") {
  TempRegistry reg("result");
  reg.write("a.toml", horizon_claim("h", "holds", "62831.85307179586"));
  const std::vector<ClaimResult> results = check_claims(reg.dir.string());
  REQUIRE(results.size() == 1);
  REQUIRE(results[0].values.size() == 1);
  CHECK(std::fabs(results[0].values[0] - 62831.85307179586) < 1e-9);
  CHECK(results[0].expected_text == "62831.85307");
  CHECK(results[0].tolerance_text == "1e-12 relative");
  CHECK(results[0].claim.expected_source.text() == "closed_form test: 2 pi 1e4");
}

TEST_CASE("the shipped registry: every claim names an independent expected source", "[claims]") {
  const std::vector<ClaimSpec> specs = load_registry(ROPELAB_CLAIMS_DIR);
  CHECK(specs.size() >= 20);
  int refuted = 0, papers = 0, threads = 0;
  for (const ClaimSpec& s : specs) {
    INFO(s.claim.id);
    CHECK_FALSE(s.claim.statement.empty());
    CHECK_FALSE(s.claim.source.empty());
    const ExpectedSource& e = s.claim.expected_source;
    CHECK_FALSE(e.reference.empty());
    CHECK_FALSE(e.detail.empty());
    // No expected value is ropelab's own output: the source is a paper, a thread, a closed form, a separate
    // oracle or a real stack, never a bare "ropelab".
    CHECK(e.reference != "ropelab");
    // An expected refutation says why, and every paper claim says which reading its verdict concerns when the
    // paper's statement needs one (a refuted paper claim always does).
    if (s.claim.expected == Verdict::refuted) CHECK_FALSE(s.claim.note.empty());
    refuted += s.claim.expected == Verdict::refuted ? 1 : 0;
    papers += e.kind == "paper" ? 1 : 0;
    threads += e.kind == "thread" ? 1 : 0;
  }
  CHECK(refuted >= 3);  // the papers' claims our measurements refute are recorded, not dropped
  CHECK(papers >= 8);
  CHECK(threads >= 5);
}
