// Text and CSV renderings of a WallReport, shared by `wall` and `compare`.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "cli/cli_table.hpp"
#include "ropelab/rope/wall.hpp"

namespace ropelab::cli {

// "none" for "never", else the position.
std::string position_text(std::int64_t position);

// The overall quantities, as (name, value) rows; missing cells for what was not measured (no stored angle, no key).
std::vector<std::vector<Cell>> overall_rows(const rope::WallReport& report, double tau);
// The same quantities for JSON (docs/json-schemas.md, "wall summary"): positions null for never, errors null when
// not measured.
nlohmann::ordered_json wall_summary_json(const rope::WallReport& report);
// Every pair's row of --pairs-csv, for JSON (null for never / not measured).
nlohmann::ordered_json wall_pairs_json(const rope::WallReport& report);
// Pairs grouped into up to `groups` contiguous ranges: ω range, first collision, first tau exceed, ...
void print_pair_groups(std::ostream& out, const rope::WallReport& report, int groups);
void write_pairs_csv(std::ostream& out, const rope::WallReport& report);
void write_positions_csv(std::ostream& out, const rope::WallReport& report, int pairs);
// Rows of the map at `positions` (a dump's listed positions); empty: rows are positions 0, 1, ...
void write_phase_error_map_csv(std::ostream& out, const rope::WallReport& report, int pairs,
                               std::span<const std::int64_t> positions = {});

}  // namespace ropelab::cli
