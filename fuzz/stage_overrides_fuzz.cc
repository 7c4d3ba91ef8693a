// libFuzzer target: `--set STAGE=VALUE,...` strings applied to a recipe (rope::apply_stage_overrides).
// Contract (recipe_stages.hpp): any text sets known stages to allowed values, or throws std::invalid_argument;
// every stage of the result can be read back by name.
#include <stdexcept>

#include "fuzz_check.hpp"
#include "ropelab/rope/recipe.hpp"
#include "ropelab/rope/recipe_stages.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ropelab::rope::Recipe recipe = ropelab::rope::presets().front();
  try {
    ropelab::rope::apply_stage_overrides(recipe, ropelab::fuzz::as_text(data, size));
  } catch (const std::invalid_argument&) {
    return 0;
  }
  for (const auto& [stage, value] : ropelab::rope::recipe_stages(recipe))
    ropelab::fuzz::require(!value.empty(), "every stage reads back a value");
  return 0;
}
