// Parse-time range checks of option values (contract in cli_options.hpp).
#include "cli/cli_options.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <numbers>

#include <omp.h>

#include "cli/cli_support.hpp"
#include "ropelab/threads.hpp"

namespace ropelab::cli {

CLI::Validator integer_in(long long lo, long long hi) {
  const std::string range = "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  return CLI::Validator(
      [lo, hi, range](std::string& text) -> std::string {
        long long value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (text.empty() || error != std::errc{} || end != text.data() + text.size() || value < lo || value > hi) {
          return "'" + text + "' is not an integer in " + range;
        }
        return {};
      },
      "");
}

CLI::Validator number_in(double lo, double hi, bool lo_open, bool hi_open) {
  const std::string range = std::string(lo_open ? "(" : "[") + shortest_number(lo) + ", " + shortest_number(hi) + (hi_open ? ")" : "]");
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        char* end = nullptr;
        errno = 0;
        const double value = std::strtod(text.c_str(), &end);
        const bool number = !text.empty() && end == text.c_str() + text.size() && std::isfinite(value);
        const bool inside = (lo_open ? value > lo : value >= lo) && (hi_open ? value < hi : value <= hi);
        if (!number || !inside) return "'" + text + "' is not a finite number in " + range;
        return {};
      },
      "");
}

CLI::Validator tau_range() { return number_in(0, std::numbers::pi, true, false); }

CLI::Option* add_threads_option(CLI::App& sub, int& threads, const std::string& help) {
  return sub.add_option("--threads", threads, help)->type_name("N")->check(integer_in(0, max_threads));
}

void limit_default_threads() {
  if (const char* text = std::getenv("OMP_NUM_THREADS")) {
    // OpenMP reads a list ("8,4" for nested levels); the first entry is the team ropelab starts.
    std::string first = std::string(text).substr(0, std::string(text).find(','));
    if (!integer_in(1, max_threads)(first).empty()) {
      throw std::invalid_argument("OMP_NUM_THREADS: '" + std::string(text) + "' is not an integer in [1, " +
                                  std::to_string(max_threads) + "] (the environment's default for --threads 0)");
    }
  }
  if (omp_get_max_threads() > max_threads) omp_set_num_threads(max_threads);
}

void refuse_empty_values(CLI::App& app) {
  const CLI::Validator non_empty(
      [](std::string& text) -> std::string { return text.empty() ? "empty value" : std::string(); }, "");
  for (CLI::Option* option : app.get_options()) {
    if (option->get_expected_min() > 0 && option->get_name() != "--set") option->check(non_empty);
  }
  for (CLI::App* sub : app.get_subcommands({})) refuse_empty_values(*sub);
}

}  // namespace ropelab::cli
