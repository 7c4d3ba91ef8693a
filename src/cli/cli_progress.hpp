// Progress of long work on stderr, shared by every subcommand (wall, compare, check-model, stats, wall-claim,
// run, report).
//
// On a terminal: one line rewritten in place ("\r<label> 42% ETA 1m05s"), at most 4 times a second. Otherwise
// (a log, CI): a plain line "<label>: 42% after 10 s, ETA 14 s" about every 10 s, so a quick run prints nothing.
// Disabled (nothing at all) by --quiet or when the work is too small to be worth a line.
//
// Only prints: the analyses call the callback from one thread (their contract), and it never feeds back into
// the computation, so results are bit-identical with and without it.
//
// Testing knobs (environment): ROPELAB_PROGRESS_ALWAYS=1 enables progress for any amount of work;
// ROPELAB_PROGRESS_INTERVAL=S sets the period in seconds, terminal and plain (defaults 0.25 and 10; may be 0).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace ropelab::cli {

class Progress {
 public:
  // `long_work`: whether the caller judges the work long enough (e.g. wall at >= 2^22 positions); `quiet`: --quiet.
  Progress(std::string label, bool long_work, bool quiet);
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  ~Progress();

  // fraction in [0, 1] of the whole work; `detail` (optional) follows the percentage (e.g. the grid point).
  void update(double fraction, const std::string& detail = "");
  // Ends the terminal line (and, in plain mode, says when it finished if anything was printed). Idempotent.
  // Call it when the work is done; the destructor only ends a terminal line.
  void finish();

  bool enabled() const { return enabled_; }
  bool terminal() const { return terminal_; }

 private:
  using Clock = std::chrono::steady_clock;
  std::string label_;
  bool enabled_;
  bool terminal_;
  double interval_s_;
  Clock::time_point started_;
  Clock::time_point last_print_;
  bool printed_ = false;
  bool finished_ = false;
  int last_percent_ = -1;
};

// "1m05s", "42 s", "2h03m" for people.
std::string duration_text(double seconds);

}  // namespace ropelab::cli
