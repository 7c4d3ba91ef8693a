// Attention recipe stages by name (print, record, --set), in pipeline order.
#include <cstdio>
#include <stdexcept>
#include <string>

#include "ropelab/attention/attention_recipe.hpp"

namespace ropelab::attention {
namespace {

template <class E>
struct Names {
  E value;
  const char* name;
};
constexpr Names<ScoreAccumulation> kAccumulation[] = {
    {ScoreAccumulation::fp32, "fp32"}, {ScoreAccumulation::fp16, "fp16"}, {ScoreAccumulation::fp64, "fp64"}};
constexpr Names<ScaleStage> kScale[] = {{ScaleStage::multiply, "multiply"}, {ScaleStage::log2e_fold, "log2e_fold"},
    {ScaleStage::log2e_multiply, "log2e_multiply"}, {ScaleStage::split_sqrt, "split_sqrt"}};
constexpr Names<ExpFunction> kExp[] = {{ExpFunction::expf, "expf"}, {ExpFunction::exp2f, "exp2f"},
                                     {ExpFunction::exp_binary64, "exp_binary64"}};
constexpr Names<SoftmaxMethod> kSoftmax[] = {{SoftmaxMethod::two_pass, "two_pass"}, {SoftmaxMethod::online, "online"}};
constexpr Names<Normalisation> kNorm[] = {{Normalisation::reciprocal, "reciprocal"}, {Normalisation::divide, "divide"}};
constexpr Names<QkDescale> kDescale[] = {{QkDescale::score, "score"}, {QkDescale::softmax_scale, "softmax_scale"}};

template <class E, std::size_t N>
std::string name_of(const Names<E> (&table)[N], E value) {
  for (const auto& entry : table) {
    if (entry.value == value) return entry.name;
  }
  return "?";
}

template <class E, std::size_t N>
E parse(const Names<E> (&table)[N], std::string_view stage, std::string_view text) {
  std::string allowed;
  for (const auto& entry : table) {
    if (text == entry.name) return entry.value;
    allowed += (allowed.empty() ? "" : ", ") + std::string(entry.name);
  }
  throw std::invalid_argument(std::string(stage) + ": unknown value '" + std::string(text) + "'; allowed: " + allowed);
}

Format parse_stage_format(std::string_view stage, std::string_view text) {
  try {
    Format f = parse_format(text);
    if (!f.fits_binary64()) throw std::invalid_argument("formats must hold binary64 values");
    return f;
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string(stage) + ": " + e.what());
  }
}

std::string format_number(double x, int digits = 9) {
  char text[40];
  std::snprintf(text, sizeof text, "%.*g", digits, x);
  return text;
}

// An integer in [lo, hi]; throws naming the stage.
int parse_integer(std::string_view stage, std::string_view text, int lo, int hi) {
  std::size_t used = 0;
  int x = 0;
  try {
    x = std::stoi(std::string(text), &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || x < lo || x > hi) {
    throw std::invalid_argument(std::string(stage) + ": '" + std::string(text) + "' is not an integer in [" +
                                std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  return x;
}

// A number in (0, max]; throws naming the stage.
double parse_positive(std::string_view stage, std::string_view text, double max) {
  std::size_t used = 0;
  double x = -1;
  try {
    x = std::stod(std::string(text), &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || !(x > 0 && x <= max)) {
    throw std::invalid_argument(std::string(stage) + ": '" + std::string(text) + "' is not a number in (0, " +
                                format_number(max) + "]");
  }
  return x;
}

std::string fp8_text(const Fp8Operand& o) {
  if (!o.enabled) return "none";
  return std::string("e4m3fn:scale=") + (o.amax ? "amax" : format_number(o.scale)) +
         ":apply=" + (o.reciprocal ? "reciprocal" : "divide");
}

// "none" | "e4m3fn[:scale=S|amax][:apply=divide|reciprocal]"; S is rounded to binary32 (the kernel's fp32 scale).
Fp8Operand parse_fp8(std::string_view stage, std::string_view text) {
  Fp8Operand o;
  if (text == "none") return o;
  const std::string syntax = "; allowed: none, e4m3fn[:scale=S|amax][:apply=divide|reciprocal]";
  std::size_t colon = text.find(':');
  if (text.substr(0, colon) != "e4m3fn") {
    throw std::invalid_argument(std::string(stage) + ": unknown value '" + std::string(text) + "'" + syntax);
  }
  o.enabled = true;
  while (colon != std::string_view::npos) {
    const std::size_t next = text.find(':', colon + 1);
    const std::string_view item = text.substr(colon + 1, next == std::string_view::npos ? next : next - colon - 1);
    colon = next;
    if (item == "scale=amax") {
      o.amax = true;
    } else if (item.substr(0, 6) == "scale=") {
      o.scale = static_cast<float>(parse_positive(stage, item.substr(6), 1e30));
      o.amax = false;
    } else if (item == "apply=divide" || item == "apply=reciprocal") {
      o.reciprocal = item == "apply=reciprocal";
    } else {
      throw std::invalid_argument(std::string(stage) + ": unknown key '" + std::string(item) + "'" + syntax);
    }
  }
  return o;
}

constexpr const char* kStages[] = {"query_format", "query_quantization", "key_quantization", "score_accumulation", "score_chunk", "qk_descale",
                                   "score_format", "scale_stage", "softmax_scale", "logit_format", "softmax", "exp",
                                   "softmax_block", "exp_offset", "softmax_format", "sum_format", "sum_epsilon", "normalisation",
                                   "weight_format", "output_accumulation_format", "output_format"};

}  // namespace

std::vector<std::pair<std::string, std::string>> attention_stages(const AttentionRecipe& r) {
  return {{"query_format", r.query_format.name},
          {"query_quantization", fp8_text(r.query_fp8)},
          {"key_quantization", fp8_text(r.key_fp8)},
          {"score_accumulation", name_of(kAccumulation, r.score_accumulation)},
          {"score_chunk", std::to_string(r.score_chunk)},
          {"qk_descale", name_of(kDescale, r.qk_descale)},
          {"score_format", r.score_format.name},
          {"scale_stage", name_of(kScale, r.scale_stage)},
          {"softmax_scale", r.softmax_scale == 0 ? "default" : format_number(r.softmax_scale, 17)},
          {"logit_format", r.logit_format.name},
          {"softmax", name_of(kSoftmax, r.softmax)},
          {"exp", name_of(kExp, r.exp)},
          {"softmax_block", std::to_string(r.softmax_block)},
          {"exp_offset", std::to_string(r.exp_offset)},
          {"softmax_format", r.softmax_format.name},
          {"sum_format", r.sum_format.name},
          {"sum_epsilon", format_number(r.sum_epsilon)},
          {"normalisation", name_of(kNorm, r.normalisation)},
          {"weight_format", r.weight_format.name},
          {"output_accumulation_format", r.output_accumulation_format.name},
          {"output_format", r.output_format.name}};
}

bool is_attention_stage(std::string_view stage) {
  for (const char* s : kStages) {
    if (stage == s) return true;
  }
  return false;
}

void set_attention_stage(AttentionRecipe& r, std::string_view stage, std::string_view value) {
  if (stage == "query_format") r.query_format = parse_stage_format(stage, value);
  else if (stage == "query_quantization") r.query_fp8 = parse_fp8(stage, value);
  else if (stage == "key_quantization") r.key_fp8 = parse_fp8(stage, value);
  else if (stage == "score_chunk") r.score_chunk = parse_integer(stage, value, 0, 65536);
  else if (stage == "qk_descale") r.qk_descale = parse(kDescale, stage, value);
  else if (stage == "softmax_scale") r.softmax_scale = value == "default" ? 0.0 : parse_positive(stage, value, 1e6);
  else if (stage == "exp_offset") r.exp_offset = parse_integer(stage, value, 0, 64);
  else if (stage == "score_accumulation") r.score_accumulation = parse(kAccumulation, stage, value);
  else if (stage == "score_format") r.score_format = parse_stage_format(stage, value);
  else if (stage == "scale_stage") r.scale_stage = parse(kScale, stage, value);
  else if (stage == "logit_format") r.logit_format = parse_stage_format(stage, value);
  else if (stage == "softmax") r.softmax = parse(kSoftmax, stage, value);
  else if (stage == "exp") r.exp = parse(kExp, stage, value);
  else if (stage == "softmax_block") r.softmax_block = parse_integer(stage, value, 1, 65536);
  else if (stage == "sum_epsilon") {
    std::size_t used = 0;
    double e = -1;
    try {
      e = std::stod(std::string(value), &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != value.size() || !(e >= 0 && e <= 1)) {
      throw std::invalid_argument("sum_epsilon: '" + std::string(value) + "' is not a number in [0, 1]");
    }
    r.sum_epsilon = e;
  } else if (stage == "softmax_format") r.softmax_format = parse_stage_format(stage, value);
  else if (stage == "sum_format") r.sum_format = parse_stage_format(stage, value);
  else if (stage == "normalisation") r.normalisation = parse(kNorm, stage, value);
  else if (stage == "weight_format") r.weight_format = parse_stage_format(stage, value);
  else if (stage == "output_accumulation_format") r.output_accumulation_format = parse_stage_format(stage, value);
  else if (stage == "output_format") r.output_format = parse_stage_format(stage, value);
  else {
    std::string allowed;
    for (const char* s : kStages) allowed += (allowed.empty() ? "" : ", ") + std::string(s);
    throw std::invalid_argument("unknown attention stage '" + std::string(stage) + "'; allowed: " + allowed);
  }
}

}  // namespace ropelab::attention
