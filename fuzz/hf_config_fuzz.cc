// libFuzzer target: config.json text → RopeSpec (rope_spec_from_hf_config).
// Contract (rope_spec.hpp): any bytes give a spec that passes validate(), or throw std::invalid_argument.
#include <stdexcept>

#include "fuzz_check.hpp"
#include "ropelab/rope/rope_spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ropelab::rope::RopeSpec spec;
  try {
    spec = ropelab::rope::rope_spec_from_hf_config(ropelab::fuzz::as_text(data, size));
  } catch (const std::invalid_argument&) {
    return 0;
  }
  ropelab::rope::validate(spec);  // a throw here escapes: a parsed spec must be valid
  static_cast<void>(ropelab::rope::attention_scaling(spec));
  static_cast<void>(ropelab::rope::scaling_name(spec));
  return 0;
}
