// `ropelab presets`: the named real-stack pipelines, one line each (--csv adds every stage field).
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "cli/cli_commands.hpp"
#include "cli/cli_table.hpp"
#include "ropelab/rope/recipe.hpp"

namespace ropelab::cli {

void add_presets_command(CLI::App& app) {
  auto csv = std::make_shared<bool>(false);
  CLI::App* sub = app.add_subcommand("presets", "List the RoPE pipeline presets of real stacks");
  sub->add_flag("--csv", *csv, "CSV with the source each preset follows");
  sub->callback([csv] {
    Table table({"preset", "description", "source"});
    for (const rope::Recipe& r : rope::presets()) table.add_row({r.name, r.description, r.source});
    if (*csv) {
      table.print_csv(std::cout);
      return;
    }
    Table brief({"preset", "description"});
    for (const rope::Recipe& r : rope::presets()) brief.add_row({r.name, r.description});
    brief.print_aligned(std::cout);
  });
}

}  // namespace ropelab::cli
