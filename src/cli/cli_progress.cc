// Progress lines on stderr (contract in cli_progress.hpp).
#include "cli/cli_progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace ropelab::cli {
namespace {

bool env_flag(const char* name) {
  const char* value = std::getenv(name);
  return value && *value && std::string(value) != "0";
}

// Seconds between redraws on a terminal (0.25) or plain lines in a log (10). ROPELAB_PROGRESS_INTERVAL (a finite
// number >= 0; anything else keeps the default) replaces both, so tests can see every update however fast the work.
double interval_s(bool terminal) {
  const double fallback = terminal ? 0.25 : 10;
  const char* value = std::getenv("ROPELAB_PROGRESS_INTERVAL");
  if (!value || !*value) return fallback;
  char* end = nullptr;
  const double s = std::strtod(value, &end);
  return *end == '\0' && std::isfinite(s) && s >= 0 ? s : fallback;
}

}  // namespace

std::string duration_text(double seconds) {
  const auto s = static_cast<long long>(std::llround(std::max(0.0, seconds)));
  char text[48];
  if (s < 60) {
    std::snprintf(text, sizeof text, "%lld s", s);
  } else if (s < 3600) {
    std::snprintf(text, sizeof text, "%lldm%02llds", s / 60, s % 60);
  } else {
    std::snprintf(text, sizeof text, "%lldh%02lldm", s / 3600, s % 3600 / 60);
  }
  return text;
}

Progress::Progress(std::string label, bool long_work, bool quiet)
    : label_(std::move(label)),
      enabled_(!quiet && (long_work || env_flag("ROPELAB_PROGRESS_ALWAYS"))),
      terminal_(::isatty(STDERR_FILENO) != 0),
      interval_s_(interval_s(terminal_)),
      started_(Clock::now()),
      last_print_(started_) {}

// Left without finish() (an exception): end a terminal line, but do not claim the work was done.
Progress::~Progress() {
  if (enabled_ && !finished_ && printed_ && terminal_) std::cerr << '\n' << std::flush;
}

void Progress::update(double fraction, const std::string& detail) {
  if (!enabled_ || finished_) return;
  fraction = std::clamp(fraction, 0.0, 1.0);
  const int percent = static_cast<int>(fraction * 100);
  const Clock::time_point now = Clock::now();
  const double since_last = std::chrono::duration<double>(now - last_print_).count();
  // A terminal also redraws on a new percent; a log only gets a line per interval.
  if (since_last < interval_s_ &&
      !(terminal_ && percent != last_percent_ && since_last >= std::min(0.05, interval_s_))) {
    return;
  }
  const double elapsed = std::chrono::duration<double>(now - started_).count();
  const std::string eta = fraction > 0 ? duration_text(elapsed * (1 - fraction) / fraction) : std::string("unknown");
  std::string line = label_ + (terminal_ ? " " : ": ") + std::to_string(percent) + "%";
  line += terminal_ ? " ETA " + eta : " after " + duration_text(elapsed) + ", ETA " + eta;
  if (!detail.empty()) line += " (" + detail + ")";
  if (terminal_) {
    std::cerr << '\r' << line << "\033[K" << std::flush;
  } else {
    std::cerr << line << '\n' << std::flush;
  }
  printed_ = true;
  last_percent_ = percent;
  last_print_ = now;
}

void Progress::finish() {
  if (!enabled_ || finished_) return;
  finished_ = true;
  if (!printed_) return;
  const double elapsed = std::chrono::duration<double>(Clock::now() - started_).count();
  if (terminal_) {
    std::cerr << '\r' << label_ << " done in " << duration_text(elapsed) << "\033[K\n" << std::flush;
  } else {
    std::cerr << label_ << ": done in " << duration_text(elapsed) << '\n' << std::flush;
  }
}

}  // namespace ropelab::cli
