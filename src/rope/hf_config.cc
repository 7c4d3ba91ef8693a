// RopeSpec from a HuggingFace config.json, and the shipped model presets (experiments/models/*.json).
// Field semantics: HF transformers modeling_rope_utils ≥ v4.45 (real-stacks.md §1.1, §1.3); v5 rope_parameters.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ropelab/io/input_file.hpp"
#include "ropelab/rope/rope_spec.hpp"

#ifndef ROPELAB_MODELS_DIR
#error "ROPELAB_MODELS_DIR must be defined by the build"
#endif

namespace ropelab::rope {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& field, const std::string& what) {
  throw std::invalid_argument("config.json: '" + field + "' " + what);
}

// obj[key] as a number; nullopt when absent or null.
std::optional<double> number(const json& obj, const std::string& key, const std::string& field) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  if (!it->is_number()) fail(field, "must be a number, got " + it->dump());
  return it->get<double>();
}

// obj[key] as an integer (a float with an integral value is accepted); nullopt when absent or null.
// |value| <= 2^53 - 1, so the double holds it exactly.
std::optional<long> integer(const json& obj, const std::string& key, const std::string& field) {
  const std::optional<double> value = number(obj, key, field);
  if (!value) return std::nullopt;
  if (std::floor(*value) != *value || std::fabs(*value) > static_cast<double>(max_context_length)) {
    fail(field, "must be an integer in [-(2^53 - 1), 2^53 - 1], got " + obj.at(key).dump());
  }
  return static_cast<long>(*value);
}

// A head dimension field, range-checked before it narrows to int (4294967424 must not become 128).
int dimension(const std::string& field, long value) {
  if (value < 1 || value > max_head_dim) {
    fail(field, "= " + std::to_string(value) + " is not in [1, " + std::to_string(max_head_dim) + "]");
  }
  return static_cast<int>(value);
}

// The dotted path of the object keys open at a parse event ("rope_scaling.factor").
std::string key_path(const std::vector<std::string>& keys) {
  std::string path;
  for (const std::string& k : keys) path += (path.empty() ? "" : ".") + k;
  return path.empty() ? "(top level)" : path;
}

// Parses `text`, naming the field of a number beyond binary64 (1e400) instead of nlohmann's bare message.
json parse_json(std::string_view text) {
  std::vector<std::string> keys;  // one entry per open object: its current key
  const json::parser_callback_t track = [&keys](int, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) keys.emplace_back();
    if (event == json::parse_event_t::object_end && !keys.empty()) keys.pop_back();
    if (event == json::parse_event_t::key && !keys.empty()) keys.back() = parsed.get<std::string>();
    return true;
  };
  try {
    return json::parse(text, track);
  } catch (const json::parse_error& e) {
    throw std::invalid_argument(std::string("config.json: malformed JSON: ") + e.what());
  } catch (const json::out_of_range& e) {  // 406: "number overflow parsing '1e400'"
    const std::string what = e.what();
    const std::size_t open = what.find('\''), close = what.rfind('\'');
    const std::string number_text = open < close ? what.substr(open + 1, close - open - 1) : what;
    fail(key_path(keys), "= " + number_text + " is beyond binary64's range (|x| <= 1.7976931348623157e+308)");
  } catch (const json::exception& e) {
    throw std::invalid_argument(std::string("config.json: ") + e.what());
  }
}

double required_number(const json& obj, const std::string& key, const std::string& field, const std::string& allowed) {
  const std::optional<double> value = number(obj, key, field);
  if (!value) fail(field, "is missing; must be " + allowed);
  return *value;
}

std::vector<double> number_list(const json& obj, const std::string& key, const std::string& field) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) fail(field, "is missing; must be a list of numbers > 0");
  if (!it->is_array()) fail(field, "must be a list of numbers > 0, got " + it->dump());
  std::vector<double> values;
  for (std::size_t i = 0; i < it->size(); ++i) {
    if (!(*it)[i].is_number()) fail(field + "[" + std::to_string(i) + "]", "must be a number, got " + (*it)[i].dump());
    values.push_back((*it)[i].get<double>());
  }
  return values;
}

// First present of params[key] then config[key] (v5 moved several keys into rope_parameters).
std::optional<double> number_either(const json& config, const json& params, const std::string& prefix,
                                    const std::string& key) {
  if (const auto value = number(params, key, prefix + "." + key)) return value;
  return number(config, key, key);
}

// HF's `x or default`: null, absent and 0 all give the default (yarn beta_fast / beta_slow).
double or_default(const json& params, const std::string& key, const std::string& field, double fallback) {
  const std::optional<double> value = number(params, key, field);
  return (value && *value != 0) ? *value : fallback;
}

Scaling parse_scaling(const json& config, const json& params, const std::string& prefix, long max_positions) {
  std::string type = "default";
  for (const char* key : {"rope_type", "type"}) {
    const auto it = params.find(key);
    if (it == params.end() || it->is_null()) continue;
    if (!it->is_string()) fail(prefix + "." + key, "must be a string, got " + it->dump());
    type = it->get<std::string>();
    break;
  }
  const std::string factor_field = prefix + ".factor";
  // original_max_position_embeddings: rope block first, then top level (Phi-3 keeps it there).
  const std::optional<long> original_in_params =
      integer(params, "original_max_position_embeddings", prefix + ".original_max_position_embeddings");
  const std::optional<long> original_top = integer(config, "original_max_position_embeddings", "original_max_position_embeddings");
  const std::optional<long> original = original_in_params ? original_in_params : original_top;

  if (type == "default") return scaling::None{};
  if (type == "linear") return scaling::Linear{required_number(params, "factor", factor_field, "a number > 0")};
  if (type == "dynamic") {
    // HF ≥ 4.45 _compute_dynamic_ntk_parameters uses config.max_position_embeddings as the original length.
    return scaling::DynamicNtk{required_number(params, "factor", factor_field, "a number > 0"), max_positions};
  }
  if (type == "yarn") {
    scaling::Yarn s;
    // Older revs used max_position_embeddings as L_orig when no original is given (real-stacks.md §1.3).
    s.original_max_positions = original.value_or(max_positions);
    // Newer HF: factor absent → max_pos / original.
    const std::optional<double> factor = number(params, "factor", factor_field);
    if (factor) {
      s.factor = *factor;
    } else if (original) {
      s.factor = static_cast<double>(max_positions) / static_cast<double>(*original);
    } else {
      fail(factor_field, "is missing; must be a number > 0 (or give original_max_position_embeddings)");
    }
    s.beta_fast = or_default(params, "beta_fast", prefix + ".beta_fast", 32.0);
    s.beta_slow = or_default(params, "beta_slow", prefix + ".beta_slow", 1.0);
    s.mscale = number(params, "mscale", prefix + ".mscale");
    s.mscale_all_dim = number(params, "mscale_all_dim", prefix + ".mscale_all_dim");
    s.attention_factor = number(params, "attention_factor", prefix + ".attention_factor");
    if (const auto it = params.find("truncate"); it != params.end() && !it->is_null()) {
      if (!it->is_boolean()) fail(prefix + ".truncate", "must be true or false, got " + it->dump());
      s.truncate = it->get<bool>();
    }
    return s;
  }
  if (type == "llama3") {
    scaling::Llama3 s;  // defaults: the original Llama 3.1 code (real-stacks.md §1.3)
    s.factor = number(params, "factor", factor_field).value_or(s.factor);
    s.low_freq_factor = number(params, "low_freq_factor", prefix + ".low_freq_factor").value_or(s.low_freq_factor);
    s.high_freq_factor = number(params, "high_freq_factor", prefix + ".high_freq_factor").value_or(s.high_freq_factor);
    s.original_max_positions = original_in_params.value_or(s.original_max_positions);
    return s;
  }
  if (type == "longrope" || type == "su") {  // "su": the Phi-3 launch name of longrope
    scaling::LongRope s;
    s.short_factor = number_list(params, "short_factor", prefix + ".short_factor");
    s.long_factor = number_list(params, "long_factor", prefix + ".long_factor");
    s.original_max_positions = original.value_or(max_positions);
    s.factor = number(params, "factor", factor_field)
                   .value_or(static_cast<double>(max_positions) / static_cast<double>(s.original_max_positions));
    s.attention_factor = number(params, "attention_factor", prefix + ".attention_factor");
    return s;
  }
  fail(prefix + ".rope_type", "is \"" + type + "\"; allowed: default, linear, dynamic, yarn, llama3, longrope (su)");
}

int head_dim_of(const json& config) {
  // DeepSeek MLA: only qk_rope_head_dim dimensions are rotated (models.md §1).
  if (const auto rope_head = integer(config, "qk_rope_head_dim", "qk_rope_head_dim")) return dimension("qk_rope_head_dim", *rope_head);
  if (const auto head_dim = integer(config, "head_dim", "head_dim")) return dimension("head_dim", *head_dim);
  const auto hidden = integer(config, "hidden_size", "hidden_size");
  const auto heads = integer(config, "num_attention_heads", "num_attention_heads");
  if (!hidden || !heads) fail("head_dim", "is missing, and so is 'hidden_size' or 'num_attention_heads'");
  if (*heads <= 0 || *hidden % *heads != 0)
    fail("num_attention_heads", "= " + std::to_string(*heads) + " must be > 0 and divide hidden_size = " + std::to_string(*hidden));
  return dimension("hidden_size / num_attention_heads", *hidden / *heads);
}

}  // namespace

RopeSpec rope_spec_from_hf_config(std::string_view json_text) {
  const json config = parse_json(json_text);
  if (!config.is_object()) throw std::invalid_argument("config.json: top level must be a JSON object");

  std::string prefix = "rope_scaling";
  json params = json::object();
  for (const char* key : {"rope_parameters", "rope_scaling"}) {
    const auto it = config.find(key);
    if (it == config.end() || it->is_null()) continue;
    if (!it->is_object()) fail(key, "must be an object or null, got " + it->dump());
    prefix = key;
    params = *it;
    break;
  }

  RopeSpec spec;
  spec.head_dim = head_dim_of(config);
  // DeepSeek MLA: the softmax scale uses qk_head_dim = qk_nope_head_dim + qk_rope_head_dim (models.md §1).
  if (const auto nope = integer(config, "qk_nope_head_dim", "qk_nope_head_dim")) {
    if (config.contains("qk_rope_head_dim")) spec.qk_head_dim = dimension("qk_nope_head_dim", *nope) + spec.head_dim;
  }
  const std::optional<double> theta = number_either(config, params, prefix, "rope_theta");
  spec.base = theta ? *theta : number(config, "rotary_emb_base", "rotary_emb_base").value_or(10000.0);
  std::optional<double> partial = number_either(config, params, prefix, "partial_rotary_factor");
  if (!partial) partial = number(config, "rotary_pct", "rotary_pct");  // GPT-NeoX
  const double fraction = partial.value_or(1.0);
  if (!(fraction > 0 && fraction <= 1)) fail(partial ? "partial_rotary_factor" : "rotary_pct", "must be in (0, 1]");
  spec.rotary_dims = static_cast<int>(spec.head_dim * fraction);  // Python int(): truncation
  const auto max_positions = integer(config, "max_position_embeddings", "max_position_embeddings");
  if (!max_positions) fail("max_position_embeddings", "is missing; must be an integer > 0");
  spec.max_position_embeddings = *max_positions;
  if (const auto it = config.find("ropelab_pairing"); it != config.end()) {
    if (*it == "half_split") spec.pairing = Pairing::half_split;
    else if (*it == "interleaved") spec.pairing = Pairing::interleaved;
    else fail("ropelab_pairing", "is " + it->dump() + "; allowed: \"half_split\", \"interleaved\"");
  }
  spec.scaling = parse_scaling(config, params, prefix, spec.max_position_embeddings);
  try {
    validate(spec);
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    const std::string tag = "RopeSpec: ";
    throw std::invalid_argument("config.json: " + (message.rfind(tag, 0) == 0 ? message.substr(tag.size()) : message));
  }
  return spec;
}

RopeSpec rope_spec_from_hf_config_file(const std::string& path) {
  std::string text;
  try {
    text = io::read_regular_file(path);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("config.json: ") + e.what());
  }
  return rope_spec_from_hf_config(text);
}

std::vector<std::string> model_names() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(ROPELAB_MODELS_DIR))
    if (entry.is_regular_file() && entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

RopeSpec model_spec(std::string_view name) {
  const std::vector<std::string> names = model_names();
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    std::string known;
    for (const std::string& n : names) known += (known.empty() ? "" : ", ") + n;
    throw std::invalid_argument("model '" + std::string(name) + "' is not shipped; known: " + known);
  }
  return rope_spec_from_hf_config_file(std::string(ROPELAB_MODELS_DIR) + "/" + std::string(name) + ".json");
}

}  // namespace ropelab::rope
