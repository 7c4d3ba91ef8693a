// The recipe stages a `--set STAGE=VALUE,...` option accepts, as --help text.
#pragma once

#include <string>

namespace ropelab::cli {

// One line per stage (pipeline order) with its allowed values, from rope/recipe_stages.hpp, under a heading
// that points to `ropelab presets --stages` for every preset's values. Ends with a newline.
std::string stage_overrides_help();

}  // namespace ropelab::cli
