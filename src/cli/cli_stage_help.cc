// --help text of the recipe stages, generated from the stage table so it cannot drift from what --set accepts.
#include "cli/cli_stage_help.hpp"

#include <algorithm>

#include "ropelab/rope/recipe_stages.hpp"

namespace ropelab::cli {

std::string stage_overrides_help() {
  const std::vector<std::string> names = rope::stage_names();
  std::size_t width = 0;
  for (const std::string& name : names) width = std::max(width, name.size());
  std::string text =
      "Recipe stages for --set STAGE=VALUE,... in pipeline order (`ropelab presets --stages` prints every preset's "
      "values):\n";
  for (const std::string& name : names) {
    text += "  " + name + std::string(width + 2 - name.size(), ' ') + rope::allowed_stage_values(name) + "\n";
  }
  return text;
}

}  // namespace ropelab::cli
