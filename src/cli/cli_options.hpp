// Range checks of option values at parse time. CLI11 runs a validator on the text of each value before it is
// converted and before the command's handler runs, so a value outside its documented range fails with exit 2
// naming the option ("--threads: '100000' is not an integer in [0, 1024]") before any work or allocation.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace ropelab::cli {

// The text is a decimal integer in [lo, hi].
CLI::Validator integer_in(long long lo, long long hi);
// The text is a finite number (strtod: decimal or hex-float) in the interval from lo to hi, each end open or
// closed as given.
CLI::Validator number_in(double lo, double hi, bool lo_open, bool hi_open);

// --tau T: a phase-error threshold in (0, pi] (phase errors are angles mod 2 pi, at most pi).
CLI::Validator tau_range();

// --threads N: OpenMP threads, 0 (all cores) to ropelab::max_threads.
CLI::Option* add_threads_option(CLI::App& sub, int& threads, const std::string& help);

// Applies the thread limit to OpenMP's default team ("0 = all cores"): an OMP_NUM_THREADS above max_threads is
// refused (std::invalid_argument naming it), a machine with more cores than max_threads uses max_threads.
void limit_default_threads();

// Makes every option of `app` and of its subcommands that takes a value refuse an empty one ("--csv: empty
// value", e.g. `--csv ''`, which was once silently ignored), except --set, where "" means "no overrides", and
// options whose value is optional (zone's bare --csv).
void refuse_empty_values(CLI::App& app);

}  // namespace ropelab::cli
