// Recipe stages by name: one table of (name, getter, setter) per Recipe field, so printing, recording and
// overriding cannot disagree.
#include "ropelab/rope/recipe_stages.hpp"

#include <algorithm>
#include <functional>
#include <stdexcept>

namespace ropelab::rope {
namespace {

template <typename Enum>
struct EnumNames {
  std::vector<std::pair<Enum, std::string_view>> names;

  [[nodiscard]] std::string text(Enum value) const {
    for (const auto& [v, n] : names) {
      if (v == value) return std::string(n);
    }
    throw std::logic_error("recipe stage value without a name");
  }
  [[nodiscard]] std::string allowed() const {
    std::string out;
    for (const auto& [v, n] : names) out += (out.empty() ? "" : "|") + std::string(n);
    return out;
  }
  [[nodiscard]] Enum parse(std::string_view stage, std::string_view value) const {
    for (const auto& [v, n] : names) {
      if (n == value) return v;
    }
    throw std::invalid_argument("stage '" + std::string(stage) + "': unknown value '" + std::string(value) +
                                "'; allowed: " + allowed());
  }
};

const EnumNames<OmegaMethod> kOmegaMethods{{{OmegaMethod::correctly_rounded, "correctly_rounded"},
                                            {OmegaMethod::pow_reciprocal, "pow_reciprocal"},
                                            {OmegaMethod::fp64_pow_reciprocal, "fp64_pow_reciprocal"},
                                            {OmegaMethod::ggml_recurrence, "ggml_recurrence"},
                                            {OmegaMethod::ggml_angle_recurrence, "ggml_angle_recurrence"},
                                            {OmegaMethod::ggml_power_of_scale, "ggml_power_of_scale"},
                                            {OmegaMethod::power_of_reciprocal, "power_of_reciprocal"},
                                            {OmegaMethod::timescale_division, "timescale_division"},
                                            {OmegaMethod::pow_negative_exponent, "pow_negative_exponent"}}};
const EnumNames<Pow> kPows{{{Pow::correctly_rounded, "correctly_rounded"}, {Pow::libm, "libm"}, {Pow::torch_cpu, "torch_cpu"}, {Pow::cuda_fast, "cuda_fast"}}};
const EnumNames<PositionSemantics> kPositions{
    {{PositionSemantics::rounded, "rounded"}, {PositionSemantics::torch_arange, "torch_arange"}}};
const EnumNames<AngleProduct> kAngleProducts{
    {{AngleProduct::elementwise, "elementwise"}, {AngleProduct::tf32_matmul, "tf32_matmul"}}};
const EnumNames<ScalingStage> kScalingStages{{{ScalingStage::omega, "omega"},
                                              {ScalingStage::angle, "angle"},
                                              {ScalingStage::ggml_freq_scale, "ggml_freq_scale"},
                                              {ScalingStage::position, "position"},
                                              {ScalingStage::position_reciprocal, "position_reciprocal"},
                                              {ScalingStage::reciprocal_numerator, "reciprocal_numerator"}}};
const EnumNames<AttentionFactor> kAttentionFactors{
    {{AttentionFactor::cos_sin, "cos_sin"}, {AttentionFactor::softmax, "softmax"}}};
const EnumNames<Trig> kTrigs{{{Trig::correctly_rounded, "correctly_rounded"},
                              {Trig::accurate, "accurate"},
                              {Trig::libm, "libm"},
                              {Trig::sleef_u10, "sleef_u10"},
                              {Trig::highway_unreduced, "highway_unreduced"},
                              {Trig::fast_sfu, "fast_sfu"}}};
const EnumNames<Rotation> kRotations{
    {{Rotation::per_op, "per_op"}, {Rotation::wide_then_round, "wide_then_round"}, {Rotation::fma, "fma"}}};
const EnumNames<Incremental> kIncrementals{{{Incremental::none, "none"},
                                            {Incremental::phase_accumulator, "phase_accumulator"},
                                            {Incremental::rotation_recurrence, "rotation_recurrence"}}};

constexpr std::string_view kFormatValues = "a format name or description (see `ropelab formats`)";

Format stage_format(std::string_view stage, std::string_view value) {
  Format f;
  try {
    f = parse_format(value);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("stage '" + std::string(stage) + "': " + e.what());
  }
  if (!f.fits_binary64()) {
    throw std::invalid_argument("stage '" + std::string(stage) + "': format '" + std::string(value) +
                                "' holds values wider than binary64; the emulator needs p <= 53");
  }
  return f;
}

struct Stage {
  std::string_view name;
  std::function<std::string(const Recipe&)> get;
  std::function<void(Recipe&, std::string_view)> set;
  std::function<std::string()> allowed;
};

template <typename Enum>
Stage enum_stage(std::string_view name, const EnumNames<Enum>& names, Enum Recipe::*field) {
  return {name, [&names, field](const Recipe& r) { return names.text(r.*field); },
          [&names, field, name](Recipe& r, std::string_view v) { r.*field = names.parse(name, v); },
          [&names] { return names.allowed(); }};
}

Stage format_stage(std::string_view name, Format Recipe::*field) {
  return {name, [field](const Recipe& r) { return (r.*field).name; },
          [field, name](Recipe& r, std::string_view v) { r.*field = stage_format(name, v); },
          [] { return std::string(kFormatValues); }};
}

// The key cache: a scalar format (RNE of each value) or a block format name with overrides ("q4_0",
// "fp8_e4m3_per_tensor:scale=0.05"); setting either kind replaces the other.
Stage key_cache_stage(std::string_view name) {
  return {name, [](const Recipe& r) { return key_cache_name(r); },
          [name](Recipe& r, std::string_view v) {
            if (is_block_format_name(v)) {
              try {
                r.key_cache_block = parse_block_format(v);
              } catch (const std::invalid_argument& e) {
                throw std::invalid_argument("stage '" + std::string(name) + "': " + e.what());
              }
              return;
            }
            try {
              r.key_cache_format = stage_format(name, v);
            } catch (const std::invalid_argument& e) {
              throw std::invalid_argument(std::string(e.what()) + "; or " + block_format_syntax_help());
            }
            r.key_cache_block.reset();
          },
          [] {
            return std::string(kFormatValues) + ", or a block format NAME[:KEY=VALUE]... (see `ropelab formats --block`)";
          }};
}

const std::vector<Stage>& stages() {
  static const std::vector<Stage> all = {
      enum_stage("omega_method", kOmegaMethods, &Recipe::omega_method),
      format_stage("omega_format", &Recipe::omega_format),
      enum_stage("pow", kPows, &Recipe::pow),
      {"omega_cast", [](const Recipe& r) { return r.omega_cast ? r.omega_cast_format.name : std::string("none"); },
       [](Recipe& r, std::string_view v) {
         r.omega_cast = v != "none";
         if (r.omega_cast) r.omega_cast_format = stage_format("omega_cast", v);
       },
       [] { return "none|" + std::string(kFormatValues); }},
      format_stage("position_format", &Recipe::position_format),
      enum_stage("positions", kPositions, &Recipe::position_semantics),
      {"init_table",
       [](const Recipe& r) { return std::string(r.init_table_below_max_positions ? "below_max_positions" : "none"); },
       [](Recipe& r, std::string_view v) {
         if (v != "none" && v != "below_max_positions") {
           throw std::invalid_argument("stage 'init_table': unknown value '" + std::string(v) +
                                       "'; allowed: none|below_max_positions");
         }
         r.init_table_below_max_positions = v == "below_max_positions";
       },
       [] { return std::string("none|below_max_positions"); }},
      enum_stage("angle_product", kAngleProducts, &Recipe::angle_product),
      format_stage("angle_format", &Recipe::angle_format),
      enum_stage("incremental", kIncrementals, &Recipe::incremental),
      enum_stage("scaling_stage", kScalingStages, &Recipe::scaling_stage),
      enum_stage("trig", kTrigs, &Recipe::trig),
      format_stage("trig_format", &Recipe::trig_format),
      enum_stage("attention_factor", kAttentionFactors, &Recipe::attention_factor),
      format_stage("table_format", &Recipe::table_format),
      format_stage("input_format", &Recipe::input_format),
      enum_stage("rotation", kRotations, &Recipe::rotation),
      format_stage("rotation_math_format", &Recipe::rotation_math_format),
      format_stage("storage_format", &Recipe::storage_format),
      key_cache_stage("key_cache_format"),
  };
  return all;
}

// Names --set accepts besides the printed stages: `key_cache` is the key cache stage under its short name.
const std::vector<Stage>& aliases() {
  static const std::vector<Stage> all = {key_cache_stage("key_cache")};
  return all;
}

const Stage& find_stage(std::string_view name) {
  for (const std::vector<Stage>* table : {&stages(), &aliases()}) {
    for (const Stage& s : *table) {
      if (s.name == name) return s;
    }
  }
  std::string known;
  for (const Stage& s : stages()) known += (known.empty() ? "" : ", ") + std::string(s.name);
  throw std::invalid_argument("unknown stage '" + std::string(name) + "'; stages: " + known + " (alias: key_cache)");
}

}  // namespace

std::string key_cache_name(const Recipe& recipe) {
  return recipe.key_cache_block ? recipe.key_cache_block->name : recipe.key_cache_format.name;
}

std::vector<std::pair<std::string, std::string>> recipe_stages(const Recipe& recipe) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Stage& s : stages()) out.emplace_back(std::string(s.name), s.get(recipe));
  return out;
}

std::vector<std::string> stage_names() {
  std::vector<std::string> out;
  for (const Stage& s : stages()) out.emplace_back(s.name);
  return out;
}

std::string allowed_stage_values(std::string_view stage) { return find_stage(stage).allowed(); }

void set_stage(Recipe& recipe, std::string_view stage, std::string_view value) { find_stage(stage).set(recipe, value); }

namespace {

// Splits "a=b,c=d" into items. A custom format description has commas of its own
// ("p=11,emin=-14,emax=15,..."): an item whose key is a format-description key (none is a stage name) continues
// the previous item's value.
std::vector<std::string> override_items(std::string_view overrides) {
  static const std::vector<std::string_view> kFormatKeys = {"p", "emin", "emax", "subnormals", "overflow", "specials", "max"};
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= overrides.size() && !overrides.empty()) {
    const std::size_t comma = std::min(overrides.find(',', start), overrides.size());
    const std::string item(overrides.substr(start, comma - start));
    const std::string key = item.substr(0, item.find('='));
    const bool continues = !items.empty() && item.find('=') != std::string::npos &&
                           std::find(kFormatKeys.begin(), kFormatKeys.end(), key) != kFormatKeys.end();
    if (continues) {
      items.back() += "," + item;
    } else {
      items.push_back(item);
    }
    start = comma + 1;
  }
  return items;
}

}  // namespace

void apply_stage_overrides(Recipe& recipe, std::string_view overrides) {
  for (const std::string& item : override_items(overrides)) {
    const std::size_t equals = item.find('=');
    if (equals == std::string::npos || equals == 0) {
      throw std::invalid_argument("--set: '" + item + "' is not STAGE=VALUE");
    }
    try {
      set_stage(recipe, std::string_view(item).substr(0, equals), std::string_view(item).substr(equals + 1));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string("--set: ") + e.what());
    }
  }
}

}  // namespace ropelab::rope
