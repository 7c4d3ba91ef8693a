// The claims registry: every numerical claim (the papers', known regressions', ropelab's own) as data in
// experiments/claims/*.toml, evaluated by running the computation it names, with a verdict.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace ropelab::experiments {

enum class Verdict { holds, refuted, inconclusive };
std::string to_string(Verdict verdict);  // "holds", "refuted", "inconclusive"

// Where a claim's expected value comes from (registry key `expected_source`). Never ropelab's own output:
//   paper       — the paper's statement; `where` names its section / figure / table / abstract
//   thread      — a public issue or PR thread; `quote` holds the number(s) it states
//   closed_form — an exact formula; `derivation` names the derivation (docs/claims-derivations.md § or a comment)
//   oracle      — a second method implemented separately in the test suite; `test` names that test
//   real_stack  — a real stack's output recorded as data; `data` names where it is stored
// (`definition` is refused: a definition is not a claim, it belongs in a unit test.)
struct ExpectedSource {
  std::string kind;       // one of the kinds above
  std::string reference;  // `ref`: arXiv id, owner/repo#N, document, test file
  std::string detail;     // the kind's own field (where / quote / derivation / test / data)
  [[nodiscard]] std::string text() const;  // "kind ref: detail", one line
};

// One claim as written in a registry file.
struct Claim {
  std::string id;           // unique, e.g. "bounds.precision-wall-on-base"
  std::string statement;    // the claim in words
  std::string source;       // "paper:arXiv 2602.10959", "issue:huggingface/transformers#29285", "ropelab"
  std::string file;         // registry file it came from, and line of its table
  int line = 0;
  Verdict expected = Verdict::holds;  // expectation: holds / refuted
  ExpectedSource expected_source;
  std::string note;  // evidence behind an expected refutation, or which reading the verdict concerns
};

// A claim after evaluation.
struct ClaimResult {
  Claim claim;
  Verdict verdict = Verdict::inconclusive;
  std::string measured;  // the numbers behind the verdict, one line
  std::vector<double> values;  // the measured number(s) (NaN: not measured)
  std::string expected_text;   // "62831.85", "== 256", "> 0.1", "strictly increasing"
  std::string tolerance_text;  // "1e-13 relative", "factor 3", "exact", "" for one-sided bounds
  [[nodiscard]] bool as_expected() const { return verdict == claim.expected; }
};

// Loads and evaluates every *.toml in `directory` (sorted by file name). Bad registry files throw
// std::invalid_argument naming the file, line and key (also when a computation rejects a parameter's value,
// e.g. an unknown preset); a computation that runs but cannot decide gives Verdict::inconclusive.
// Registry format: experiments/claims/README.md. progress(id) is called before each claim.
std::vector<ClaimResult> check_claims(const std::string& directory,
                                      const std::function<void(const std::string&)>& progress = {});
// The same, evaluating only the claims whose id contains `id_filter` (every file is still parsed and
// validated, so a bad registry fails the same way whatever the filter).
std::vector<ClaimResult> check_claims_matching(const std::string& directory, const std::string& id_filter,
                                               const std::function<void(const std::string&)>& progress = {});

// The shipped registry, <repo>/experiments/claims (fixed at build time).
std::string default_claims_directory();

}  // namespace ropelab::experiments
