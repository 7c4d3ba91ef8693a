// Recipe stages by name: every field of a Recipe as (stage, value) text, so presets can be printed
// (`ropelab presets --stages`), recorded (emulate's manifest.json) and overridden (`--set STAGE=VALUE,...`).
// Stage names and values are stable: scripts use them.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ropelab/rope/recipe.hpp"

namespace ropelab::rope {

// Every stage of the recipe in pipeline order, as (stage name, value text). Formats print by name.
std::vector<std::pair<std::string, std::string>> recipe_stages(const Recipe& recipe);

// The stage names, in pipeline order.
std::vector<std::string> stage_names();

// What `stage` accepts, for messages and --help ("a|b|c", or "a format name (ropelab formats)").
std::string allowed_stage_values(std::string_view stage);

// Sets one stage. Throws std::invalid_argument naming the unknown stage (listing the stages) or the bad value
// (listing the allowed values); formats must hold binary64 values (no mpfr:P with P > 53).
void set_stage(Recipe& recipe, std::string_view stage, std::string_view value);

// Applies "STAGE=VALUE,STAGE=VALUE,..." in order (empty text: nothing). Errors as set_stage, prefixed "--set: ".
// The recipe's name gains no suffix; callers record the overrides themselves.
void apply_stage_overrides(Recipe& recipe, std::string_view overrides);

}  // namespace ropelab::rope
