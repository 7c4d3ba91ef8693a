// `ropelab run FILE.toml --out DIR`: a declarative experiment (ropelab/experiments/runner.hpp). Under mpirun
// every rank takes grid points i with i % ranks == rank and rank 0 gathers and writes; started without
// mpirun the program never initialises MPI.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <mpi.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/cli_commands.hpp"
#include "cli/cli_json.hpp"
#include "cli/cli_progress.hpp"
#include "cli/cli_options.hpp"
#include "ropelab/experiments/runner.hpp"

namespace ropelab::cli {
namespace {

struct RunCommand {
  std::string spec;
  std::string out;
  int threads = -1;
  OutputFlags output;
};

// Launched by Open MPI's mpirun (or another PMI/PMIx launcher)?
bool under_mpi_launcher() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"}) {
    if (std::getenv(name)) return true;
  }
  return false;
}

// Rank 0 receives every rank's results: sizes by MPI_Gather, then one MPI_Gatherv of "index\nsize\nrecord".
std::vector<experiments::PointResult> gather_results(std::vector<experiments::PointResult> mine, int rank, int ranks) {
  std::string bytes;
  for (const experiments::PointResult& r : mine) {
    bytes += std::to_string(r.index) + "\n" + std::to_string(r.record.size()) + "\n" + r.record;
  }
  int size = static_cast<int>(bytes.size());
  std::vector<int> sizes(static_cast<std::size_t>(ranks));
  MPI_Gather(&size, 1, MPI_INT, sizes.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::vector<int> offsets(static_cast<std::size_t>(ranks), 0);
  int total = 0;
  for (int r = 0; r < ranks; ++r) {
    offsets[static_cast<std::size_t>(r)] = total;
    total += sizes[static_cast<std::size_t>(r)];
  }
  std::string all(rank == 0 ? static_cast<std::size_t>(total) : 0, '\0');
  MPI_Gatherv(bytes.data(), size, MPI_CHAR, all.data(), sizes.data(), offsets.data(), MPI_CHAR, 0, MPI_COMM_WORLD);
  std::vector<experiments::PointResult> out;
  for (std::size_t at = 0; at < all.size();) {
    const std::size_t a = all.find('\n', at);
    const std::size_t b = all.find('\n', a + 1);
    const std::size_t length = std::stoull(all.substr(a + 1, b - a - 1));
    out.push_back({std::stoull(all.substr(at, a - at)), all.substr(b + 1, length)});
    at = b + 1 + length;
  }
  return out;
}

void run_spec(const RunCommand& c, int rank, int ranks) {
  // Validate everything before writing anything.
  const experiments::ExperimentSpec spec = experiments::load_experiment_spec(c.spec);
  experiments::RunOptions options;
  options.out_dir = c.out;
  if (c.threads >= 0) options.threads = c.threads;
  options.rank = rank;
  options.ranks = ranks;
  options.version = ROPELAB_VERSION;
  if (ranks > 1) options.gather = [rank, ranks](auto mine) { return gather_results(std::move(mine), rank, ranks); };
  const std::string label = "ropelab run" + (ranks > 1 ? " (rank 0 of " + std::to_string(ranks) + ")" : std::string());
  Progress progress(label, true, c.output.quiet || rank != 0);
  options.progress = [&progress](std::size_t done, std::size_t total, const std::string& point) {
    progress.update(total ? static_cast<double>(done) / static_cast<double>(total) : 1.0,
                    std::to_string(done) + "/" + std::to_string(total) + " " + point);
  };
  const experiments::RunSummary summary = experiments::run_experiment(spec, options);
  progress.finish();
  if (rank == 0 && c.output.json) {
    nlohmann::ordered_json document = json_document("run");
    document["spec"] = c.spec;
    document["out"] = c.out;
    document["points"] = summary.points;
    document["computed"] = summary.computed;
    document["resumed"] = summary.resumed;
    document["ranks"] = ranks;
    document["files"] = nlohmann::ordered_json::array();  // relative to --out, as report's
    for (const std::string& f : summary.files) {
      document["files"].push_back(std::filesystem::path(f).lexically_relative(c.out).generic_string());
    }
    print_json(document);
  } else if (rank == 0) {
    std::cout << "ran " << summary.computed << " of " << summary.points << " grid points (" << summary.resumed
              << " already done) on " << ranks << (ranks == 1 ? " process" : " ranks") << "; wrote "
              << summary.files.size() << " files to " << c.out << "\n";
  }
}

void run_command(const RunCommand& c) {
  if (!under_mpi_launcher()) {
    run_spec(c, 0, 1);
    return;
  }
  MPI_Init(nullptr, nullptr);
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  try {
    run_spec(c, rank, ranks);
  } catch (const std::exception& e) {
    // Another rank may be waiting in the gather: end the whole job (bad input: 2, anything else: 1).
    const bool bad_input = dynamic_cast<const std::invalid_argument*>(&e) != nullptr;
    if (ranks == 1) {
      MPI_Finalize();
      throw;
    }
    if (rank == 0 || !bad_input) std::cerr << "ropelab run: " << (bad_input ? "" : "error: ") << e.what() << std::endl;
    MPI_Abort(MPI_COMM_WORLD, bad_input ? 2 : 1);
  }
  MPI_Finalize();
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto c = std::make_shared<RunCommand>();
  CLI::App* sub = app.add_subcommand(
      "run", "Run a declarative experiment (experiments/*.toml): tidy CSV per metric + manifest.json; resumable; MPI");
  sub->add_option("spec", c->spec, "Experiment spec (TOML)")->required()->type_name("FILE.toml");
  sub->add_option("--out", c->out,
                  "Output directory (created; a rerun resumes from DIR/points/; locked while a run writes it)")
      ->required()->type_name("DIR");
  add_threads_option(*sub, c->threads,
                     "OpenMP threads per process, in [0, 1024] (0: all; default: the spec's); results do not depend on it");
  add_output_flags(*sub, c->output);
  sub->footer("A grid.presets entry is \"NAME\" or { preset = \"NAME\", set = \"STAGE=VALUE,...\" } (stage overrides as "
              "`--set`, see `ropelab presets --help`); the CSVs' set column and the manifest record them.");
  sub->callback([c] { run_command(*c); });
}

}  // namespace ropelab::cli
