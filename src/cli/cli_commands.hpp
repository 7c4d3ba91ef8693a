// Every subcommand of the `ropelab` program, one file each (cli_<name>.cc), registered by main.cc.
//
// Contract shared by all handlers: bad user input throws std::invalid_argument whose message starts with
// the argument it concerns ("--format: unknown format 'bf17'; allowed: ..."); main prefixes the command
// ("ropelab round: ") and exits 2. Handlers validate every argument before writing anything to stdout,
// so a failed command prints nothing there.
#pragma once

namespace CLI {
class App;
}

namespace ropelab::cli {

// Thrown by a handler that finished its work but must end with a non-zero status that is not an error
// (check-model: 1 = unsafe). main returns `code` without printing anything.
struct ExitStatus {
  int code;
};

void add_formats_command(CLI::App& app);
void add_round_command(CLI::App& app);
void add_presets_command(CLI::App& app);
void add_emulate_command(CLI::App& app);
void add_wall_command(CLI::App& app);
void add_compare_command(CLI::App& app);
void add_stats_command(CLI::App& app);
void add_zone_command(CLI::App& app);
void add_wall_claim_command(CLI::App& app);
void add_check_model_command(CLI::App& app);
void add_check_command(CLI::App& app);
void add_report_command(CLI::App& app);
void add_run_command(CLI::App& app);
void add_attention_command(CLI::App& app);

}  // namespace ropelab::cli
