// Text and CSV renderings of a WallReport.
#include "cli/cli_wall_report.hpp"

#include <algorithm>
#include <cmath>

#include "cli/cli_json.hpp"
#include "cli/cli_support.hpp"
#include "cli/cli_table.hpp"

namespace ropelab::cli {

std::string position_text(std::int64_t position) { return position < 0 ? "none" : std::to_string(position); }

namespace {

struct OmegaCounts {
  int subnormal = 0, flushed = 0;
};

OmegaCounts omega_counts(const rope::WallReport& r) {
  OmegaCounts counts;
  for (const rope::PairWall& w : r.pairs) {
    counts.subnormal += w.omega_subnormal;
    counts.flushed += w.omega_flushed;
  }
  return counts;
}

// Where the key and score errors were measured, as a label suffix: ", every 16th position and the last".
std::string key_positions_text(const rope::WallReport& r) {
  if (r.listed_positions) return ", every listed position";
  const std::int64_t n = r.key_sample_step;
  if (n <= 1) return ", every position";
  const std::int64_t last_two = n % 100, last = n % 10;
  const char* suffix = last_two >= 11 && last_two <= 13 ? "th" : last == 1 ? "st" : last == 2 ? "nd" : last == 3 ? "rd" : "th";
  return ", every " + std::to_string(n) + suffix + " position and the last";
}

}  // namespace

std::vector<std::vector<Cell>> overall_rows(const rope::WallReport& r, double tau) {
  const OmegaCounts omega = omega_counts(r);
  const std::string sampled = key_positions_text(r);
  return {{"first adjacent collision (any pair)", Cell::position(r.first_any_collision)},
          {"first adjacent collision (all pairs)", Cell::position(r.first_full_collision)},
          {"first phase error > tau = " + human_number(tau) + " rad", Cell::position(r.first_tau_exceed)},
          {"max phase error (rad)", Cell::real(r.max_phase_error)},
          {"  at position", Cell::position(r.max_phase_error_position)},
          {"max angle error (rad)", Cell::real(r.max_angle_error)},
          {"max fraction of pairs colliding at one m", Cell::real(r.max_colliding_fraction)},
          {"  at position", Cell::position(r.max_colliding_fraction_position)},
          {"max rotated-key error (abs)" + sampled, Cell::real(r.max_rotated_key_error)},
          {"max score error (abs)" + sampled, Cell::real(r.max_score_error)},
          {"omega subnormal / flushed to 0", std::to_string(omega.subnormal) + " / " + std::to_string(omega.flushed)}};
}

nlohmann::ordered_json wall_summary_json(const rope::WallReport& r) {
  const OmegaCounts omega = omega_counts(r);
  return {{"first_any_collision", json_position(r.first_any_collision)},
          {"first_full_collision", json_position(r.first_full_collision)},
          {"first_tau_exceed", json_position(r.first_tau_exceed)},
          {"max_phase_error", json_measured(r.max_phase_error)},
          {"max_phase_error_position", json_position(r.max_phase_error_position)},
          {"max_angle_error", json_measured(r.max_angle_error)},
          {"max_colliding_fraction", json_measured(r.max_colliding_fraction)},
          {"max_colliding_fraction_position", json_position(r.max_colliding_fraction_position)},
          {"max_rotated_key_error", json_measured(r.max_rotated_key_error)},
          {"max_score_error", json_measured(r.max_score_error)},
          {"key_sample_step", r.listed_positions ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r.key_sample_step)},
          {"omega_subnormal_pairs", omega.subnormal},
          {"omega_flushed_pairs", omega.flushed}};
}

nlohmann::ordered_json wall_pairs_json(const rope::WallReport& r) {
  nlohmann::ordered_json pairs = nlohmann::ordered_json::array();
  for (const rope::PairWall& w : r.pairs) {
    pairs.push_back({{"pair", w.pair},
                     {"reference_omega", json_number(w.reference_omega)},
                     {"stored_omega", json_number(w.stored_omega)},
                     {"omega_subnormal", w.omega_subnormal},
                     {"omega_flushed", w.omega_flushed},
                     {"first_adjacent_collision", json_position(w.first_adjacent_collision)},
                     {"first_tau_exceed", json_position(w.first_tau_exceed)},
                     {"max_phase_error", json_measured(w.max_phase_error)},
                     {"max_phase_error_position", json_position(w.max_phase_error_position)},
                     {"max_angle_error", json_measured(w.max_angle_error)},
                     {"max_cos_ulps", json_measured(w.max_cos_ulps)},
                     {"max_sin_ulps", json_measured(w.max_sin_ulps)}});
  }
  return pairs;
}

void print_pair_groups(std::ostream& out, const rope::WallReport& r, int groups) {
  const int pairs = static_cast<int>(r.pairs.size());
  groups = std::max(1, std::min(groups, pairs));
  Table table({"pairs", "omega_max", "omega_min", "first_collision", "first_tau_exceed", "max_phase_error",
               "max_angle_error", "max_cos_ulps", "max_sin_ulps", "omega_subnormal", "omega_flushed"});
  for (int g = 0; g < groups; ++g) {
    const int begin = g * pairs / groups, end = (g + 1) * pairs / groups;
    std::int64_t collision = -1, tau = -1;
    double phase = 0, angle = 0, cos_ulps = 0, sin_ulps = 0;
    int subnormal = 0, flushed = 0;
    for (int i = begin; i < end; ++i) {
      const rope::PairWall& w = r.pairs[static_cast<std::size_t>(i)];
      if (w.first_adjacent_collision >= 0 && (collision < 0 || w.first_adjacent_collision < collision)) collision = w.first_adjacent_collision;
      if (w.first_tau_exceed >= 0 && (tau < 0 || w.first_tau_exceed < tau)) tau = w.first_tau_exceed;
      phase = std::max(phase, w.max_phase_error);
      if (w.max_angle_error > angle || std::isnan(w.max_angle_error)) angle = w.max_angle_error;  // NaN stays
      cos_ulps = std::max(cos_ulps, w.max_cos_ulps);
      sin_ulps = std::max(sin_ulps, w.max_sin_ulps);
      subnormal += w.omega_subnormal;
      flushed += w.omega_flushed;
    }
    table.add_row({std::to_string(begin) + "-" + std::to_string(end - 1),
                   Cell::real(r.pairs[static_cast<std::size_t>(begin)].reference_omega),
                   Cell::real(r.pairs[static_cast<std::size_t>(end - 1)].reference_omega), Cell::position(collision),
                   Cell::position(tau), Cell::real(phase), Cell::real(angle), Cell::real(cos_ulps), Cell::real(sin_ulps),
                   Cell::integer(subnormal), Cell::integer(flushed)});
  }
  table.print_aligned(out);
}

void write_pairs_csv(std::ostream& out, const rope::WallReport& r) {
  Table table({"pair", "reference_omega", "stored_omega", "omega_subnormal", "omega_flushed",
               "first_adjacent_collision", "first_tau_exceed", "max_phase_error", "max_phase_error_position",
               "max_angle_error", "max_cos_ulps", "max_sin_ulps"});
  for (const rope::PairWall& w : r.pairs) {
    // Kept as text: this file's format predates the typed cells (-1 = never, nan = not measured).
    table.add_row({std::to_string(w.pair), format_double(w.reference_omega), format_double(w.stored_omega),
                   std::to_string(w.omega_subnormal), std::to_string(w.omega_flushed),
                   std::to_string(w.first_adjacent_collision), std::to_string(w.first_tau_exceed),
                   format_double(w.max_phase_error), std::to_string(w.max_phase_error_position),
                   format_double(w.max_angle_error), format_double(w.max_cos_ulps), format_double(w.max_sin_ulps)});
  }
  table.print_csv(out);
}

void write_positions_csv(std::ostream& out, const rope::WallReport& r, int pairs) {
  out << "position,colliding_pairs,colliding_fraction,max_phase_error\n";
  for (const rope::PositionWall& row : r.positions) {
    out << row.position << ',' << row.colliding_pairs << ','
        << format_double(static_cast<double>(row.colliding_pairs) / pairs) << ',' << format_double(row.max_phase_error)
        << '\n';
  }
}

void write_phase_error_map_csv(std::ostream& out, const rope::WallReport& r, int pairs,
                               std::span<const std::int64_t> positions) {
  out << "position,pair,phase_error\n";
  const auto n = static_cast<std::size_t>(pairs);
  for (std::size_t e = 0; e < r.phase_error_map.size(); ++e) {
    const std::size_t row = e / n;
    out << (positions.empty() ? static_cast<std::int64_t>(row) : positions[row]) << ',' << e % n << ','
        << format_double(r.phase_error_map[e]) << '\n';
  }
}

}  // namespace ropelab::cli
