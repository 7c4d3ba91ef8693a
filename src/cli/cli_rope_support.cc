// Spec resolution, atomic CSV output, memory checks and progress for the RoPE subcommands.
#include "cli/cli_rope_support.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include "cli/cli_support.hpp"
#include "ropelab/rope/exact_reference.hpp"

namespace ropelab::cli {

void add_spec_options(CLI::App& sub, SpecOptions& o) {
  sub.add_option("--model", o.model, "A shipped model config (experiments/models/NAME.json)")->type_name("NAME");
  sub.add_option("--config", o.config, "A Hugging Face config.json")->type_name("FILE");
  sub.add_option("--base", o.base, "RoPE base (rope_theta), > 1, with --dim")->type_name("B");
  sub.add_option("--dim", o.dim, "Head dimension (even, > 0), with --base")->type_name("D");
  sub.add_option("--rotary-dims", o.rotary_dims, "Rotary dimensions (even, <= dim; default: dim)")->type_name("R");
  sub.add_option("--pairing", o.pairing, "half_split (default) or interleaved, with --base")->type_name("P");
  sub.add_option("--max-positions", o.max_positions,
                 "max_position_embeddings, in [1, 2^53 - 1], with --base (default 2^20)")->type_name("N");
}

long parse_context_argument(const std::string& text) {
  const std::uint64_t value = parse_u64_argument("--context", text);
  if (value < 2 || value > static_cast<std::uint64_t>(rope::max_reference_position)) {
    throw std::invalid_argument("--context: " + text + " is not in [2, 2^53 - 1]");
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
  if (*o.dim <= 0 || *o.dim % 2 != 0) {
    throw std::invalid_argument("--dim: " + std::to_string(*o.dim) + " is not an even integer > 0");
  }
  if (!(*o.base > 1)) throw std::invalid_argument("--base: " + format_double(*o.base) + " is not > 1");
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

AtomicOutputs::~AtomicOutputs() {
  if (committed_) return;
  for (const Output& o : outputs_) {
    std::error_code ignored;
    std::filesystem::remove(o.temporary, ignored);
  }
}

void AtomicOutputs::add(const std::string& option, const std::string& path) {
  const std::string temporary = path + ".tmp" + std::to_string(::getpid());
  std::ofstream probe(temporary);
  if (!probe) throw std::invalid_argument(option + ": cannot create '" + path + "' (missing directory or no permission)");
  outputs_.push_back({option, path, temporary});
}

void AtomicOutputs::write(const std::string& path, const std::function<void(std::ostream&)>& body) {
  for (const Output& o : outputs_) {
    if (o.path != path) continue;
    std::ofstream out(o.temporary, std::ios::trunc);
    body(out);
    out.flush();
    if (!out) throw std::runtime_error(o.option + ": writing '" + path + "' failed");
    return;
  }
  throw std::logic_error("AtomicOutputs::write: '" + path + "' was not added");
}

void AtomicOutputs::commit() {
  for (const Output& o : outputs_) std::filesystem::rename(o.temporary, o.path);
  committed_ = true;
}

void require_memory(const std::string& argument, unsigned long long bytes) {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_size = ::sysconf(_SC_PAGE_SIZE);
  const unsigned long long physical = static_cast<unsigned long long>(pages) * static_cast<unsigned long long>(page_size);
  if (pages > 0 && bytes > physical / 2) {
    throw std::invalid_argument(argument + ": needs about " + std::to_string(bytes >> 20) +
                                " MiB of memory, more than half of this machine's " + std::to_string(physical >> 20) +
                                " MiB of RAM");
  }
}

void ProgressLine::update(double fraction) {
  // A terminal gets one line rewritten per percent; a log (CI) gets a line per 10%.
  static const bool terminal = ::isatty(STDERR_FILENO) != 0;
  const int step = terminal ? 1 : 10;
  const int percent = static_cast<int>(fraction * 100) / step * step;
  if (!enabled_ || percent == last_percent_) return;
  last_percent_ = percent;
  std::cerr << (terminal ? "\r" : "") << label_ << ' ' << percent << '%' << (terminal ? "" : "\n") << std::flush;
}

void ProgressLine::finish() {
  static const bool terminal = ::isatty(STDERR_FILENO) != 0;
  if (enabled_ && last_percent_ >= 0 && terminal) std::cerr << '\r' << label_ << " done\n";
}

}  // namespace ropelab::cli
