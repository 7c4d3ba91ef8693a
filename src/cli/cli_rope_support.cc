// Spec resolution, and memory checks for the RoPE subcommands.
#include "cli/cli_rope_support.hpp"

#include <unistd.h>

#include <cmath>
#include <iostream>
#include <limits>
#include <stdexcept>

#include "cli/cli_options.hpp"
#include "cli/cli_support.hpp"
#include "ropelab/checked_size.hpp"
#include "ropelab/rope/exact_reference.hpp"
#include "ropelab/stats/vectors.hpp"

namespace ropelab::cli {

void add_spec_options(CLI::App& sub, SpecOptions& o) {
  sub.add_option("--model", o.model, "A shipped model config (experiments/models/NAME.json)")->type_name("NAME");
  sub.add_option("--config", o.config, "A Hugging Face config.json")->type_name("FILE");
  sub.add_option("--base", o.base, "RoPE base (rope_theta), finite > 1, with --dim")
      ->type_name("B")->check(number_in(1, std::numeric_limits<double>::max(), true, false));
  sub.add_option("--dim", o.dim, "Head dimension, even, in [2, 65536], with --base")
      ->type_name("D")->check(integer_in(2, rope::max_head_dim));
  sub.add_option("--rotary-dims", o.rotary_dims, "Rotary dimensions (even, <= dim; default: dim)")
      ->type_name("R")->check(integer_in(2, rope::max_head_dim));
  sub.add_option("--pairing", o.pairing, "half_split (default) or interleaved, with --base")->type_name("P");
  sub.add_option("--max-positions", o.max_positions,
                 "max_position_embeddings, in [1, 2^53 - 1], with --base (default 2^20)")
      ->type_name("N")->check(integer_in(1, rope::max_context_length));
}

long parse_context_argument(const std::string& text, const std::string& option) {
  const std::uint64_t value = parse_u64_argument(option, text);
  if (value < 2 || value > static_cast<std::uint64_t>(rope::max_reference_position)) {
    throw std::invalid_argument(option + ": " + text + " is not in [2, 2^53 - 1]");
  }
  return static_cast<long>(value);
}

rope::RopeSpec resolve_spec(const SpecOptions& o) {
  const int sources = !o.model.empty() + !o.config.empty() + (o.base.has_value() || o.dim.has_value());
  if (sources != 1) {
    throw std::invalid_argument("--model: give exactly one of --model NAME, --config FILE.json, --base B --dim D");
  }
  if ((!o.model.empty() || !o.config.empty()) && (o.rotary_dims || o.pairing || o.max_positions)) {
    throw std::invalid_argument(std::string(o.rotary_dims ? "--rotary-dims" : o.pairing ? "--pairing" : "--max-positions") +
                                ": only with --base/--dim (a model or config.json fixes it)");
  }
  if (!o.model.empty()) return parse_argument("--model", [&] { return rope::model_spec(o.model); });
  if (!o.config.empty()) return parse_argument("--config", [&] { return rope::rope_spec_from_hf_config_file(o.config); });
  if (!o.base) throw std::invalid_argument("--base: required with --dim");
  if (!o.dim) throw std::invalid_argument("--dim: required with --base");
  if (*o.dim <= 0 || *o.dim % 2 != 0 || *o.dim > rope::max_head_dim) {
    throw std::invalid_argument("--dim: " + std::to_string(*o.dim) + " is not an even integer in [2, 65536]");
  }
  if (!(*o.base > 1)) throw std::invalid_argument("--base: " + shortest_number(*o.base) + " is not > 1");
  rope::RopeSpec spec;
  spec.head_dim = *o.dim;
  spec.rotary_dims = o.rotary_dims.value_or(*o.dim);
  spec.base = *o.base;
  const std::string pairing = o.pairing.value_or("half_split");
  if (pairing == "interleaved") {
    spec.pairing = rope::Pairing::interleaved;
  } else if (pairing != "half_split") {
    throw std::invalid_argument("--pairing: '" + pairing + "' is not one of half_split, interleaved");
  }
  spec.max_position_embeddings = o.max_positions.value_or(1L << 20);
  if (spec.max_position_embeddings < 1 || spec.max_position_embeddings > rope::max_reference_position) {
    throw std::invalid_argument("--max-positions: " + std::to_string(spec.max_position_embeddings) +
                                " is not in [1, 2^53 - 1]");
  }
  parse_argument("--rotary-dims", [&] { rope::validate(spec); return 0; });
  return spec;
}

std::string spec_option(const SpecOptions& o) { return !o.model.empty() ? "--model" : !o.config.empty() ? "--config" : "--base"; }

void require_reference_range(const SpecOptions& o, const rope::RopeSpec& spec, long context) {
  parse_argument(spec_option(o), [&] { return rope::reference_inverse_frequencies(spec, context).size(); });
}

std::vector<double> load_pipeline_vector(const std::string& option, const std::string& path, const rope::RopeSpec& spec,
                                         const rope::Recipe& recipe) {
  if (path.empty()) return {};
  const stats::VectorSet v = parse_argument(option, [&] { return stats::load_vectors(path); });
  if (v.heads != 1 || v.dim != spec.head_dim) {
    throw std::invalid_argument(option + ": '" + path + "' holds " + std::to_string(v.heads) + " vector(s) of " +
                                std::to_string(v.dim) + " values; need one vector of head_dim = " + std::to_string(spec.head_dim));
  }
  const Format* narrowest = &recipe.input_format;
  for (const Format* f : {&recipe.storage_format, &recipe.key_cache_format}) {
    if (f->max_finite() < narrowest->max_finite()) narrowest = f;
  }
  const double limit = narrowest->max_finite() / 2;
  for (std::size_t i = 0; i < v.values.size(); ++i) {
    if (std::fabs(v.values[i]) > limit) {
      throw std::invalid_argument(option + ": value " + std::to_string(i) + " is " + shortest_number(v.values[i]) +
                                  "; the preset's formats need |x| <= " + shortest_number(limit) + " (half of " +
                                  narrowest->name + "'s max finite: a rotated pair can double)");
    }
  }
  return v.values;
}

unsigned long long memory_limit_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_size = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return std::numeric_limits<unsigned long long>::max();
  return saturating_mul(static_cast<std::uint64_t>(pages), static_cast<std::uint64_t>(page_size)) / 2;
}

void require_memory(const std::string& argument, unsigned long long bytes) {
  const unsigned long long limit = memory_limit_bytes();
  if (bytes > limit) {
    const std::string needed = bytes == std::numeric_limits<unsigned long long>::max() ? "more than 2^64 bytes"
                                                                                      : "about " + std::to_string(bytes >> 20) + " MiB";
    throw std::invalid_argument(argument + ": needs " + needed + " of memory, more than half of this machine's " +
                                std::to_string((limit * 2) >> 20) + " MiB of RAM");
  }
}

}  // namespace ropelab::cli
