// RopeSpec naming, validation and the cos/sin attention scaling (real-stacks.md §1.3).
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "ropelab/rope/rope_spec.hpp"

namespace ropelab::rope {
namespace {

[[noreturn]] void fail(const std::string& field, double value, const std::string& allowed) {
  std::ostringstream out;
  out.precision(17);
  out << "RopeSpec: '" << field << "' = " << value << " is not " << allowed;
  throw std::invalid_argument(out.str());
}

void require_positive_factor(const std::string& field, double value) {
  if (!(std::isfinite(value) && value > 0)) fail(field, value, "a finite number > 0");
}

void require_positive_length(const std::string& field, long value) {
  if (value <= 0 || value > max_context_length) fail(field, static_cast<double>(value), "in [1, 2^53 - 1]");
}

void validate_scaling(const scaling::None&, const RopeSpec&) {}

void validate_scaling(const scaling::Linear& s, const RopeSpec&) {
  require_positive_factor("rope_scaling.factor", s.factor);
}

void validate_scaling(const scaling::DynamicNtk& s, const RopeSpec& spec) {
  require_positive_factor("rope_scaling.factor", s.factor);
  require_positive_length("rope_scaling.original_max_position_embeddings", s.original_max_positions);
  // d/(d−2) is the exponent: d = 2 would divide by zero.
  if (spec.rotary_dims <= 2) fail("rotary_dims", spec.rotary_dims, "> 2 (dynamic NTK uses d/(d-2))");
}

void validate_scaling(const scaling::Yarn& s, const RopeSpec&) {
  require_positive_factor("rope_scaling.factor", s.factor);
  require_positive_length("rope_scaling.original_max_position_embeddings", s.original_max_positions);
  require_positive_factor("rope_scaling.beta_slow", s.beta_slow);
  if (!(std::isfinite(s.beta_fast) && s.beta_fast > s.beta_slow))
    fail("rope_scaling.beta_fast", s.beta_fast, "a finite number > beta_slow");
  if (s.mscale && !std::isfinite(*s.mscale)) fail("rope_scaling.mscale", *s.mscale, "finite");
  if (s.mscale_all_dim && !std::isfinite(*s.mscale_all_dim))
    fail("rope_scaling.mscale_all_dim", *s.mscale_all_dim, "finite");
  if (s.attention_factor) require_positive_factor("rope_scaling.attention_factor", *s.attention_factor);
}

void validate_scaling(const scaling::Llama3& s, const RopeSpec&) {
  require_positive_factor("rope_scaling.factor", s.factor);
  require_positive_factor("rope_scaling.low_freq_factor", s.low_freq_factor);
  if (!(std::isfinite(s.high_freq_factor) && s.high_freq_factor > s.low_freq_factor))
    fail("rope_scaling.high_freq_factor", s.high_freq_factor, "a finite number > low_freq_factor");
  require_positive_length("rope_scaling.original_max_position_embeddings", s.original_max_positions);
}

void validate_factor_list(const std::string& field, const std::vector<double>& list, int pairs) {
  if (static_cast<int>(list.size()) != pairs)
    fail(field + " length", static_cast<double>(list.size()), "rotary_dims/2 = " + std::to_string(pairs));
  for (std::size_t i = 0; i < list.size(); ++i)
    require_positive_factor(field + "[" + std::to_string(i) + "]", list[i]);
}

void validate_scaling(const scaling::LongRope& s, const RopeSpec& spec) {
  validate_factor_list("rope_scaling.short_factor", s.short_factor, spec.rotary_dims / 2);
  validate_factor_list("rope_scaling.long_factor", s.long_factor, spec.rotary_dims / 2);
  require_positive_length("original_max_position_embeddings", s.original_max_positions);
  require_positive_factor("rope_scaling.factor", s.factor);
  if (s.attention_factor) require_positive_factor("rope_scaling.attention_factor", *s.attention_factor);
}

// HF get_mscale(scale, mscale): 0.1·mscale·ln(scale) + 1, or 1 when scale <= 1 (real-stacks.md §1.3).
double get_mscale(double scale, double mscale) {
  if (scale <= 1) return 1.0;
  return 0.1 * mscale * std::log(scale) + 1.0;
}

}  // namespace

std::string scaling_name(const RopeSpec& spec) {
  return std::visit(
      [](const auto& s) -> std::string {
        using T = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<T, scaling::None>) return "default";
        if constexpr (std::is_same_v<T, scaling::Linear>) return "linear";
        if constexpr (std::is_same_v<T, scaling::DynamicNtk>) return "dynamic";
        if constexpr (std::is_same_v<T, scaling::Yarn>) return "yarn";
        if constexpr (std::is_same_v<T, scaling::Llama3>) return "llama3";
        if constexpr (std::is_same_v<T, scaling::LongRope>) return "longrope";
      },
      spec.scaling);
}

void validate(const RopeSpec& spec) {
  if (spec.head_dim <= 0 || spec.head_dim % 2 != 0 || spec.head_dim > max_head_dim) {
    fail("head_dim", spec.head_dim, "an even integer in [2, " + std::to_string(max_head_dim) + "]");
  }
  if (spec.rotary_dims <= 0 || spec.rotary_dims % 2 != 0 || spec.rotary_dims > spec.head_dim)
    fail("rotary_dims", spec.rotary_dims, "an even integer in (0, head_dim = " + std::to_string(spec.head_dim) + "]");
  if (!(std::isfinite(spec.base) && spec.base > 1)) fail("rope_theta", spec.base, "a finite number > 1");
  require_positive_length("max_position_embeddings", spec.max_position_embeddings);
  std::visit([&](const auto& s) { validate_scaling(s, spec); }, spec.scaling);
}

double attention_scaling(const RopeSpec& spec) {
  if (const auto* yarn = std::get_if<scaling::Yarn>(&spec.scaling)) {
    if (yarn->attention_factor) return *yarn->attention_factor;
    // HF tests truthiness: a 0 mscale counts as unset.
    const bool both = yarn->mscale && *yarn->mscale != 0 && yarn->mscale_all_dim && *yarn->mscale_all_dim != 0;
    if (both) return get_mscale(yarn->factor, *yarn->mscale) / get_mscale(yarn->factor, *yarn->mscale_all_dim);
    return get_mscale(yarn->factor, 1.0);
  }
  if (const auto* longrope = std::get_if<scaling::LongRope>(&spec.scaling)) {
    if (longrope->attention_factor) return *longrope->attention_factor;
    if (longrope->factor <= 1) return 1.0;
    return std::sqrt(1.0 + std::log(longrope->factor) / std::log(static_cast<double>(longrope->original_max_positions)));
  }
  return 1.0;
}

}  // namespace ropelab::rope
