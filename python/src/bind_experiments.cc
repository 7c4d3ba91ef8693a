// The claims registry (experiments/claims.hpp): every claim evaluated with its verdict, as `ropelab check` does.
#include "bindings.hpp"
#include "ropelab/experiments/claims.hpp"

namespace ropelab::python {
namespace {

py::dict check_claims(const std::string& id_filter, const std::string& directory, py::object progress_callback) {
  const std::string dir = directory.empty() ? experiments::default_claims_directory() : directory;
  std::function<void(const std::string&)> progress;
  if (!progress_callback.is_none()) {
    progress = [&progress_callback](const std::string& id) {
      py::gil_scoped_acquire gil;
      progress_callback(id);
    };
  }
  std::vector<experiments::ClaimResult> results;
  {
    py::gil_scoped_release release;
    results = experiments::check_claims_matching(dir, id_filter, progress);
  }
  if (results.empty()) throw std::invalid_argument("filter: no claim id contains '" + id_filter + "'");
  py::dict table;
  std::vector<std::string> id, statement, source, expected_source, expect, expected, tolerance, verdict, detail, file;
  std::vector<std::vector<double>> measured;
  std::vector<bool> as_expected;
  for (const experiments::ClaimResult& r : results) {
    id.push_back(r.claim.id);
    statement.push_back(r.claim.statement);
    source.push_back(r.claim.source);
    expected_source.push_back(r.claim.expected_source.text());
    expect.push_back(experiments::to_string(r.claim.expected));
    expected.push_back(r.expected_text);
    tolerance.push_back(r.tolerance_text);
    verdict.push_back(experiments::to_string(r.verdict));
    as_expected.push_back(r.as_expected());
    measured.push_back(r.values);
    detail.push_back(r.measured);
    file.push_back(r.claim.file + ":" + std::to_string(r.claim.line));
  }
  // The columns of `ropelab check --csv`, with the measured numbers at full precision (lists of floats).
  table["id"] = id;
  table["measured"] = measured;
  table["expected"] = expected;
  table["tolerance"] = tolerance;
  table["verdict"] = verdict;
  table["expect"] = expect;
  table["as_expected"] = as_expected;
  table["expected_source"] = expected_source;
  table["detail"] = detail;
  table["source"] = source;
  table["statement"] = statement;
  table["file"] = file;
  return table;
}

}  // namespace

void bind_experiments(py::module_& m) {
  m.def("check_claims", &check_claims, py::arg("id_filter"), py::arg("directory"), py::arg("progress"),
        "Evaluates the claims whose id contains id_filter (every registry file is still validated).");
}

}  // namespace ropelab::python
