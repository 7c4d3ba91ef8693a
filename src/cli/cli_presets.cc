// `ropelab presets`: the named real-stack pipelines, one line each (--csv adds the source each follows);
// --stages prints every preset's recipe stages (rope/recipe_stages.hpp), the values `--set` accepts.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "cli/cli_commands.hpp"
#include "cli/cli_json.hpp"
#include "cli/cli_stage_help.hpp"
#include "cli/cli_table.hpp"
#include "ropelab/rope/recipe.hpp"
#include "ropelab/rope/recipe_stages.hpp"

namespace ropelab::cli {
namespace {

struct PresetsCommand {
  bool csv = false;
  bool stages = false;
  OutputFlags output;
};

// One document with or without --stages: every preset with its description, source and stages.
void print_presets_json() {
  nlohmann::ordered_json document = json_document("presets");
  document["presets"] = nlohmann::ordered_json::array();
  for (const rope::Recipe& r : rope::presets()) {
    nlohmann::ordered_json stages = nlohmann::ordered_json::object();
    for (const auto& [stage, value] : rope::recipe_stages(r)) stages[stage] = value;
    document["presets"].push_back(
        {{"preset", r.name}, {"description", r.description}, {"source", r.source}, {"stages", stages}});
  }
  print_json(document);
}

void print_presets(bool csv) {
  if (csv) {
    Table table({"preset", "description", "source"});
    for (const rope::Recipe& r : rope::presets()) table.add_row({r.name, r.description, r.source});
    table.print_csv(std::cout);
    return;
  }
  Table brief({"preset", "description"});
  for (const rope::Recipe& r : rope::presets()) brief.add_row({r.name, r.description});
  brief.print_aligned(std::cout);
}

// Aligned: a row per stage (pipeline order), a column per preset. CSV: long form, preset,stage,value.
void print_stages(bool csv) {
  if (csv) {
    Table table({"preset", "stage", "value"});
    for (const rope::Recipe& r : rope::presets()) {
      for (const auto& [stage, value] : rope::recipe_stages(r)) table.add_row({r.name, stage, value});
    }
    table.print_csv(std::cout);
    return;
  }
  std::vector<std::string> header{"stage"};
  std::vector<std::vector<std::pair<std::string, std::string>>> columns;  // recipe_stages: pipeline order
  for (const rope::Recipe& r : rope::presets()) {
    header.push_back(r.name);
    columns.push_back(rope::recipe_stages(r));
  }
  Table table(header);
  const std::vector<std::string> stages = rope::stage_names();
  for (std::size_t i = 0; i < stages.size(); ++i) {
    std::vector<Cell> row{stages[i]};
    for (const auto& column : columns) row.push_back(column[i].second);
    table.add_row(row);
  }
  table.print_aligned(std::cout);
}

}  // namespace

void add_presets_command(CLI::App& app) {
  auto c = std::make_shared<PresetsCommand>();
  CLI::App* sub = app.add_subcommand("presets", "List the RoPE pipeline presets of real stacks");
  sub->add_flag("--csv", c->csv, "CSV with the source each preset follows (with --stages: preset,stage,value)");
  sub->add_flag("--stages", c->stages, "Every preset's recipe stages: a row per stage, a column per preset");
  add_output_flags(*sub, c->output);
  sub->footer(stage_overrides_help());
  sub->callback([c] {
    if (c->output.json) return print_presets_json();
    c->stages ? print_stages(c->csv) : print_presets(c->csv);
  });
}

}  // namespace ropelab::cli
