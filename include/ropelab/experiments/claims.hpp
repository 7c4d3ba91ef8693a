// The claims registry: every numerical claim (the papers', known regressions', ropelab's own) as data in
// experiments/claims/*.toml, evaluated by running the computation it names, with a verdict.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace ropelab::experiments {

enum class Verdict { holds, refuted, inconclusive };
std::string to_string(Verdict verdict);  // "holds", "refuted", "inconclusive"

// One claim as written in a registry file.
struct Claim {
  std::string id;           // unique, e.g. "bounds.precision-wall-on-base"
  std::string statement;    // the claim in words
  std::string source;       // "paper:arXiv 2602.10959", "issue:huggingface/transformers#29285", "ropelab"
  std::string file;         // registry file it came from, and line of its table
  int line = 0;
  Verdict expected = Verdict::holds;  // expectation: holds / refuted
};

// A claim after evaluation.
struct ClaimResult {
  Claim claim;
  Verdict verdict = Verdict::inconclusive;
  std::string measured;  // the numbers behind the verdict, one line
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
