// The `ropelab` program: registers the subcommands and turns errors into exit codes.
// Exit codes: 0 success (and --help, --version); 2 bad input (CLI11 parse errors, std::invalid_argument from
// a handler, no subcommand); 1 any other failure.
#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>
#include <stdexcept>
#include <string>

#include "cli/cli_commands.hpp"
#include "cli/cli_options.hpp"

namespace {

// "ropelab round": the program and the subcommand being run, for the front of every error message.
std::string command_path(const CLI::App& app) {
  std::string path = app.get_name();
  for (const CLI::App* sub = &app; !sub->get_subcommands().empty();) {
    sub = sub->get_subcommands().front();
    path += " " + sub->get_name();
  }
  return path;
}

// One line per error, naming the command (CLI11's default adds a second line and no command).
std::string one_line_failure(const CLI::App* app, const CLI::Error& e) {
  return command_path(*app) + ": " + e.what() + " (see --help)\n";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ropelab — finite-precision RoPE numerics", "ropelab"};
  app.set_version_flag("--version", std::string("ropelab ") + ROPELAB_VERSION);
  app.require_subcommand(0, 1);
  app.failure_message(one_line_failure);
  ropelab::cli::add_formats_command(app);
  ropelab::cli::add_round_command(app);
  ropelab::cli::add_presets_command(app);
  ropelab::cli::add_emulate_command(app);
  ropelab::cli::add_wall_command(app);
  ropelab::cli::add_compare_command(app);
  ropelab::cli::add_stats_command(app);
  ropelab::cli::add_zone_command(app);
  ropelab::cli::add_wall_claim_command(app);
  ropelab::cli::add_check_model_command(app);
  ropelab::cli::add_check_command(app);
  ropelab::cli::add_report_command(app);
  ropelab::cli::add_run_command(app);
  ropelab::cli::add_attention_command(app);
  ropelab::cli::refuse_empty_values(app);

  try {
    ropelab::cli::limit_default_threads();
    app.parse(argc, argv);  // subcommand handlers run inside parse, as CLI11 callbacks
  } catch (const ropelab::cli::ExitStatus& status) {
    return status.code;
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const std::invalid_argument& e) {
    std::cerr << command_path(app) << ": " << e.what() << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << command_path(app) << ": error: " << e.what() << '\n';
    return 1;
  }
  if (app.get_subcommands().empty()) {
    std::cerr << app.help();
    return 2;
  }
  return 0;
}
