// libFuzzer target: experiment spec TOML → ExperimentSpec (parse_experiment_spec).
// Contract (runner.hpp): any bytes give a spec whose names all resolve, or throw std::invalid_argument.
#include <stdexcept>
#include <string>

#include "fuzz_check.hpp"
#include "ropelab/experiments/runner.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const ropelab::experiments::ExperimentSpec spec =
        ropelab::experiments::parse_experiment_spec(std::string(ropelab::fuzz::as_text(data, size)), "fuzz.toml");
    ropelab::fuzz::require(!spec.name.empty() && !spec.metrics.empty(), "a parsed spec has a name and metrics");
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
