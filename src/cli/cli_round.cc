// `ropelab round`: rounds numbers given on the command line to a format and shows the result, its
// encoding and the rounding error in ulps.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/cli_commands.hpp"
#include "cli/cli_encoding.hpp"
#include "cli/cli_json.hpp"
#include "cli/cli_support.hpp"
#include "cli/cli_table.hpp"
#include "ropelab/format.hpp"
#include "ropelab/round.hpp"
#include "ropelab/rounding_mode.hpp"

namespace ropelab::cli {
namespace {

struct RoundArguments {
  std::string format;
  std::string mode = "rne";
  std::string seed = "0";
  std::string index = "0";
  bool csv = false;
  OutputFlags output;
};

// log2 of the spacing of `format`'s values in the binade of `result` (subnormals share emin's spacing).
// At zero: the gap to the smallest nonzero value, 2^emin when subnormals are off.
long quantum_exponent(double result, const Format& format) {
  if (result == 0) return format.subnormals ? format.emin - format.precision + 1 : format.emin;
  const long e = std::max<long>(std::ilogb(result), format.emin);
  return e - format.precision + 1;
}

// (result - input) / quantum. Exact whenever the result is a neighbour of the input: the difference is
// below one quantum and a multiple of the input's binary64 ulp, so it fits 53 bits; dividing by the quantum
// is a power-of-two scaling. (A result saturated from far beyond max_finite gives a rounded count.)
// Equal values (including an infinity kept) are 0 ulps; otherwise NaN or Inf propagate, printed unsigned
// for NaN because an undefined error has no direction.
double error_in_ulps(double input, double result, const Format& format) {
  if (result == input) return 0;
  const long q = std::clamp(quantum_exponent(result, format), -2'000'000'000L, 2'000'000'000L);
  const double ulps = std::ldexp(result - input, static_cast<int>(-q));
  return std::isnan(ulps) ? std::fabs(ulps) : ulps;
}

// CLI11 lists only declared positionals in the usage line; the values are extras (see parse_values).
class RoundUsageFormatter : public CLI::Formatter {
 public:
  std::string make_usage(const CLI::App* app, std::string name) const override {
    std::string usage = CLI::Formatter::make_usage(app, std::move(name));
    usage.insert(usage.find_last_not_of('\n') + 1, " VALUE...");
    return usage;
  }
};

// The values are not a CLI11 positional: CLI11 reads "-inf" and "-nan" as short options. They arrive as
// extras in command-line order; anything else that starts like an option is a mistyped option.
std::vector<double> parse_values(const std::vector<std::string>& texts) {
  if (texts.empty()) throw std::invalid_argument("VALUE: at least one number to round is required");
  std::vector<double> values;
  for (const std::string& text : texts) {
    try {
      values.push_back(parse_number_argument("VALUE", text));
    } catch (const std::invalid_argument&) {
      const unsigned char second = text.size() > 1 ? static_cast<unsigned char>(text[1]) : 0;
      const bool looks_like_option = text[0] == '-' && (std::isalpha(second) || second == '-');
      if (looks_like_option) {
        throw std::invalid_argument("'" + text +
                                    "' is not an option of this command and not a number (see --help)");
      }
      throw;
    }
  }
  return values;
}

void run_round(const RoundArguments& arguments, const std::vector<std::string>& value_texts) {
  const Format format = parse_format_argument("--format", arguments.format);
  RoundOptions options;
  options.mode = parse_mode_argument("--mode", arguments.mode);
  options.seed = parse_u64_argument("--seed", arguments.seed);
  options.first_index = parse_u64_argument("--index", arguments.index);
  const std::vector<double> inputs = parse_values(value_texts);
  // VALUE i uses counter I + i: the last counter must not wrap past 2^64 - 1 to 0.
  if (options.first_index > std::numeric_limits<std::uint64_t>::max() - (inputs.size() - 1)) {
    throw std::invalid_argument("--index: " + arguments.index + " + " + std::to_string(inputs.size() - 1) +
                                " (VALUE i uses I + i) exceeds 2^64 - 1; give I <= 2^64 - " + std::to_string(inputs.size()));
  }

  std::vector<double> results = inputs;
  round_in_place(std::span<double>(results), format, options);  // element i uses counter index I + i

  // Without a standard encoding, show the binary64 bits the result is stored in.
  const std::optional<Encoding> standard = standard_encoding(format);
  const Format bits_format = standard ? format : formats::binary64();
  const Encoding encoding = standard.value_or(*standard_encoding(bits_format));
  Table table({"input", "result", bits_format.name + "_bits", "error_ulps"});
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const std::string bits = encoding_hex(encode(results[i], bits_format, encoding), encoding);
    // Every digit in full (shortest round-trip text): the point of the command is whether 0.49998 ulp is 0.5.
    table.add_row({Cell::exact(inputs[i]), Cell::exact(results[i]), bits,
                   Cell::exact(error_in_ulps(inputs[i], results[i], format))});
  }
  if (arguments.output.json) {
    nlohmann::ordered_json document = json_document("round");
    document["format"] = format.name;
    document["mode"] = arguments.mode;
    document["seed"] = options.seed;
    document["first_index"] = options.first_index;
    document["bits_format"] = bits_format.name;
    document["values"] = nlohmann::ordered_json::array();
    for (nlohmann::ordered_json row : table.to_json()) {  // a fixed key for the bits, whatever the format
      document["values"].push_back({{"input", row["input"]}, {"result", row["result"]},
                                    {"bits", row[bits_format.name + "_bits"]}, {"error_ulps", row["error_ulps"]}});
    }
    print_json(document);
  } else if (arguments.csv) {
    table.print_csv(std::cout);
  } else {
    table.print_aligned(std::cout);
  }
}

}  // namespace

void add_round_command(CLI::App& app) {
  auto arguments = std::make_shared<RoundArguments>();
  CLI::App* sub = app.add_subcommand(
      "round", "Round each VALUE to a format; print the result, its bit pattern and the error in ulps");
  sub->add_option("--format", arguments->format, "Target format; " + format_syntax_help())
      ->type_name("F")
      ->required();
  sub->add_option("--mode", arguments->mode,
                  "Rounding mode: rne (nearest_even), rz (toward_zero), ru (upward), rd (downward), "
                  "sr (stochastic)")
      ->type_name("M")
      ->capture_default_str();
  sub->add_option("--seed", arguments->seed, "Stochastic rounding seed (unsigned 64-bit)")
      ->type_name("S")
      ->capture_default_str();
  sub->add_option("--index", arguments->index,
                  "Stochastic rounding counter of the first VALUE; VALUE i uses I + i (unsigned 64-bit)")
      ->type_name("I")
      ->capture_default_str();
  sub->add_flag("--csv", arguments->csv, "Print CSV instead of an aligned table");
  add_output_flags(*sub, arguments->output);
  sub->allow_extras();
  sub->formatter(std::make_shared<RoundUsageFormatter>());
  sub->footer(
      "VALUE...: numbers to round: decimal, hex-float (0x1.8p3), inf, -inf or nan; negative values need no\n"
      "'--' (and must not follow one).\n"
      "The bits column is the format's encoding (tf32: its 19 bits); custom and mpfr:P formats have\n"
      "none, so it shows the binary64 bits of the result.\n"
      "error_ulps = (result - input) / ulp of the format at the result.");
  sub->callback([arguments, sub] { run_round(*arguments, sub->remaining(false)); });
}

}  // namespace ropelab::cli
