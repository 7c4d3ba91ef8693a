// libFuzzer target: claims registry TOML → ClaimSpecs (claims::parse_registry).
// Contract (claims_registry.hpp): any bytes give claims with resolved computations, or throw
// std::invalid_argument naming the file, line and key.
#include <stdexcept>
#include <string>

#include "claims_registry.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace claims = ropelab::experiments::claims;
  try {
    const std::string text(ropelab::fuzz::as_text(data, size));
    for (const claims::ClaimSpec& spec : claims::parse_registry(text, "fuzz.toml")) {
      ropelab::fuzz::require(claims::evaluators().contains(spec.computation), "a parsed claim names a known computation");
    }
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
