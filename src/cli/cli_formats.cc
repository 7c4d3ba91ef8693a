// `ropelab formats`: the derived quantities of every named format and of any --format given.
#include <CLI/CLI.hpp>
#include <mpfr.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/cli_commands.hpp"
#include "cli/cli_json.hpp"
#include "cli/cli_support.hpp"
#include "cli/cli_table.hpp"
#include "ropelab/block_format.hpp"
#include "ropelab/format.hpp"
#include "ropelab/mpfr_value.hpp"

namespace ropelab::cli {
namespace {

struct FormatsOptions {
  std::vector<std::string> extra_formats;
  bool csv = false;
  bool block = false;
  OutputFlags output;
};

// The quantities as cells: numbers for formats that fit binary64; mpfr:P formats reach far beyond binary64
// (2^(2^30)), so a value binary64 cannot hold is text printed from the exact MPFR number.
struct FormatFacts {
  Cell unit_roundoff, machine_epsilon, max_finite, min_normal, min_subnormal, max_exact_integer;
};

FormatFacts binary64_facts(const Format& f) {
  return {Cell::real(f.unit_roundoff()), Cell::real(f.machine_epsilon()), Cell::real(f.max_finite()),
          Cell::real(f.min_normal()),    Cell::real(f.min_subnormal()),
          Cell::integer(static_cast<std::int64_t>(f.max_exact_integer()))};  // <= 2^53 for these formats
}

class MpfrNumber : public MpfrValue {
 public:
  using MpfrValue::MpfrValue;

  // A number when the value is exactly a finite binary64 number (so it reads back exactly), else "%.6Re" text.
  Cell cell() {
    const double d = mpfr_get_d(get(), MPFR_RNDN);
    if (std::isfinite(d) && d != 0 && mpfr_cmp_d(get(), d) == 0) return Cell::real(d);
    char* s = nullptr;
    mpfr_asprintf(&s, "%.6Re", get());
    std::string result(s);
    mpfr_free_str(s);
    return result;
  }
};

Cell power_of_two(long exponent) {
  MpfrNumber x(2);
  mpfr_set_ui_2exp(x.get(), 1, exponent, MPFR_RNDN);  // exact: within MPFR's default exponent range
  return x.cell();
}

FormatFacts mpfr_facts(const Format& f) {
  // max finite = (2 - 2^(1-P)) * 2^emax: P ones, exact at precision P; emax + 1 is MPFR's own emax.
  MpfrNumber max(f.precision);
  mpfr_set_ui(max.get(), 2, MPFR_RNDN);
  mpfr_nextbelow(max.get());  // the largest P-bit number below 2 is 2 - 2^(1-P)
  mpfr_mul_2si(max.get(), max.get(), f.emax, MPFR_RNDN);
  const Cell min_normal = power_of_two(f.emin);
  return {power_of_two(-f.precision),
          power_of_two(1 - f.precision),
          max.cell(),
          min_normal,
          f.subnormals ? power_of_two(f.emin - f.precision + 1) : min_normal,
          power_of_two(f.precision)};  // 2^P <= max finite, so every integer up to 2^P is exact
}

std::vector<Cell> format_row(const Format& f) {
  const FormatFacts facts = f.is_mpfr ? mpfr_facts(f) : binary64_facts(f);
  return {f.name,
          Cell::integer(f.precision),
          facts.unit_roundoff,
          facts.machine_epsilon,
          Cell::integer(f.emin),
          Cell::integer(f.emax),
          facts.max_finite,
          facts.min_normal,
          facts.min_subnormal,
          f.subnormals ? "on" : "off",
          std::string(to_string(f.specials)),
          std::string(to_string(f.overflow)),
          facts.max_exact_integer};
}

// Bits per stored element: a number for fixed blocks; "E+S/n" when one scale covers the whole row of n elements.
Cell bits_cell(const BlockFormat& f) {
  if (f.block_size > 0) return Cell::real(bits_per_element(f, f.block_size));
  return std::to_string(f.element_bits) + "+" + std::to_string(scale_bits(f.scale_format)) + "/n";
}

std::string element_text(const BlockFormat& f) {
  if (f.encoding == ElementEncoding::ggml_integer) return "int" + std::to_string(f.element_bits);
  return f.element.name;
}

void print(const Table& table, const FormatsOptions& options, const std::string& schema) {
  if (options.output.json) {
    nlohmann::ordered_json document = json_document(schema);
    document["formats"] = table.to_json();
    print_json(document);
  } else if (options.csv) {
    table.print_csv(std::cout);
  } else {
    table.print_aligned(std::cout);
  }
}

void run_block_formats(const FormatsOptions& options) {
  std::vector<BlockFormat> listed = block_formats::named();
  for (const std::string& text : options.extra_formats) {
    const BlockFormat f = parse_argument("--format", [&] { return parse_block_format(text); });
    if (std::find(listed.begin(), listed.end(), f) == listed.end()) listed.push_back(f);
  }
  Table table({"name", "element", "element_bits", "block", "scale", "bits_per_element", "rule", "rounding",
               "description"});
  for (const BlockFormat& f : listed) {
    table.add_row({f.name, element_text(f), Cell::integer(f.element_bits),
                   f.block_size > 0 ? Cell::integer(f.block_size) : Cell("row"), std::string(to_string(f.scale_format)),
                   bits_cell(f), std::string(to_string(f.rule)),
                   f.encoding == ElementEncoding::ggml_integer || f.rule == ScaleRule::ggml_mxfp4
                       ? std::string("ggml")  // the rule fixes its rounding (ScaleRule)
                       : std::string(to_string(f.rounding)),
                   f.description});
  }
  print(table, options, "formats-block");
}

void run_formats(const FormatsOptions& options) {
  if (options.block) return run_block_formats(options);
  std::vector<Format> listed = formats::named();
  for (const std::string& text : options.extra_formats) {
    const Format f = parse_format_argument("--format", text);
    if (std::find(listed.begin(), listed.end(), f) == listed.end()) listed.push_back(f);
  }
  Table table({"name", "p", "unit_roundoff", "machine_epsilon", "emin", "emax", "max_finite", "min_normal",
               "min_subnormal", "subnormals", "specials", "overflow", "max_exact_integer"});
  for (const Format& f : listed) table.add_row(format_row(f));
  print(table, options, "formats");
}

}  // namespace

void add_formats_command(CLI::App& app) {
  auto options = std::make_shared<FormatsOptions>();
  CLI::App* sub = app.add_subcommand(
      "formats",
      "List the named formats (and any --format): precision, u, eps, exponent range, extreme values, "
      "specials, overflow, max exact integer; --block lists the block-scaled formats");
  sub->add_option("--format", options->extra_formats,
                  "Also list this format (repeatable); " + format_syntax_help())
      ->type_name("F");
  sub->add_flag("--csv", options->csv, "Print CSV instead of an aligned table");
  add_output_flags(*sub, options->output);
  sub->add_flag("--block", options->block,
                "List the block-scaled formats instead (OCP MX, NVFP4, ggml, scaled FP8) with their bits per element; "
                "--format then takes " + block_format_syntax_help());
  sub->callback([options] { run_formats(*options); });
}

}  // namespace ropelab::cli
