// `ropelab zone`: the phase bounds on the RoPE base, the zone between them and the verdict, in both θ_min
// conventions, for one model / config / (base, dim), or (--all) the case-study table over the shipped zoo.
#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/cli_commands.hpp"
#include "cli/cli_json.hpp"
#include "cli/cli_rope_support.hpp"
#include "cli/cli_support.hpp"
#include "ropelab/io/output_files.hpp"
#include "cli/cli_table.hpp"
#include "ropelab/theory/phase_bounds.hpp"

namespace ropelab::cli {
namespace {

using theory::ThetaMinConvention;

struct ZoneCommand {
  SpecOptions spec;
  bool all = false;
  std::string eps = "0.5";
  std::optional<std::string> layers;
  std::optional<std::string> context;
  std::string format = "fp32";
  std::string eps_mach_convention = "ulp";
  std::vector<std::string> csv;  // --csv alone: CSV on stdout; --csv FILE: also write FILE
  bool csv_given = false;
  OutputFlags output;
};

// Arguments shared by both modes, validated before any work.
struct Common {
  double eps = 0.5;
  Format format;
  theory::EpsMachConvention eps_convention = theory::EpsMachConvention::ulp;
  std::string csv_file;  // empty: none
  bool csv_stdout = false;
  bool json = false;
};

// digits 0: for people (human_number); else %.<digits>g. NaN (no such bound) prints "none" in both.
std::string number(double value, int digits) {
  if (std::isnan(value)) return "none";
  if (digits == 0) return human_number(value);
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.*g", digits, value);
  return buffer;
}

Common parse_common(const ZoneCommand& c) {
  Common m;
  m.eps = parse_number_argument("--eps", c.eps);
  if (!(m.eps > 0 && m.eps < 1)) {
    throw std::invalid_argument("--eps: " + c.eps + " is not in (0, 1) (a coherence threshold, not machine epsilon)");
  }
  m.format = parse_format_argument("--format", c.format);
  if (c.eps_mach_convention == "ulp") {
    m.eps_convention = theory::EpsMachConvention::ulp;
  } else if (c.eps_mach_convention == "unit-roundoff") {
    m.eps_convention = theory::EpsMachConvention::unit_roundoff;
  } else {
    throw std::invalid_argument("--eps-mach-convention: '" + c.eps_mach_convention +
                                "' is not one of ulp (2^(1-p)), unit-roundoff (2^-p)");
  }
  // CLI11 stores "" for a bare --csv (expected(0, 1)), so "--csv" and "--csv=" both mean stdout.
  if (c.csv.size() > 1) throw std::invalid_argument("--csv: give at most one FILE");
  m.csv_file = c.csv.empty() ? "" : c.csv.front();
  m.csv_stdout = c.csv_given && m.csv_file.empty();
  m.json = c.output.json;
  return m;
}

std::string eps_mach_text(const Common& m) {
  const int exponent = m.eps_convention == theory::EpsMachConvention::ulp ? 1 - m.format.precision : -m.format.precision;
  return "2^" + std::to_string(exponent) + " = " + number(theory::eps_mach(m.format, m.eps_convention), 0) + " (" +
         std::string(theory::to_string(m.eps_convention)) + ")";
}

// The settings every zone document carries.
nlohmann::ordered_json zone_document(const Common& m, bool all) {
  nlohmann::ordered_json document = json_document(all ? "zone-all" : "zone");
  document["eps"] = m.eps;
  document["format"] = m.format.name;
  document["eps_mach_convention"] = std::string(theory::to_string(m.eps_convention));
  document["eps_mach"] = theory::eps_mach(m.format, m.eps_convention);
  return document;
}

// One zone's bounds for JSON: null where a bound does not exist (NaN), the zone's ends, the verdict.
nlohmann::ordered_json zone_json(const theory::Zone& z) {
  nlohmann::ordered_json violated = nlohmann::ordered_json::array();
  for (const theory::Bound b : z.violated) violated.push_back(std::string(theory::to_string(b)));
  return {{"base", json_measured(z.inputs.base)}, {"theta_min", json_measured(z.theta_min)},
          {"phase", json_measured(z.phase)}, {"max_eps_single", json_measured(z.max_eps_single)},
          {"max_eps_depth", json_measured(z.max_eps_depth)}, {"aliasing_min_base", json_measured(z.aliasing_min_base)},
          {"dc_min_base", json_measured(z.dc_min_base)}, {"depth_min_base", json_measured(z.depth_min_base)},
          {"precision_wall", json_measured(z.precision_wall)}, {"zone_lower", json_measured(z.lower)},
          {"zone_upper", json_measured(z.upper)}, {"zone_empty", z.empty()}, {"feasible", z.feasible()},
          {"violated", violated}, {"verdict", theory::verdict_text(z)}};
}

// Writes `table` as CSV to the --csv FILE (atomically) and/or prints it (or `document` with --json); `aligned`
// prints the human form.
void emit(const Common& m, const Table& table, const std::function<void()>& aligned,
          const std::function<nlohmann::ordered_json()>& document) {
  io::OutputFiles outputs;
  if (!m.csv_file.empty()) outputs.add("--csv", m.csv_file);
  if (!m.csv_file.empty()) outputs.write(m.csv_file, [&](std::ostream& out) { table.print_csv(out); });
  outputs.commit();
  if (m.json) {
    print_json(document());
  } else if (m.csv_stdout) {
    table.print_csv(std::cout);
  } else {
    aligned();
  }
}

// ---- one model

struct Quantity {
  std::string key, description;
  std::function<std::string(const theory::Zone&, int digits)> value;
};

std::vector<Quantity> quantities() {
  auto num = [](double theory::Zone::*field) {
    return [field](const theory::Zone& z, int digits) { return number(z.*field, digits); };
  };
  return {
      {"base", "base compared (effective base if scaled)",
       [](const theory::Zone& z, int digits) { return number(z.inputs.base, digits); }},
      {"theta_min", "theta_min (rad/token)", num(&theory::Zone::theta_min)},
      {"phase", "phase L*theta_min (rad)", num(&theory::Zone::phase)},
      {"max_eps_single", "largest eps met, N = 1: cos(phase)", num(&theory::Zone::max_eps_single)},
      {"max_eps_depth", "largest eps met, N layers: cos(phase)^N", num(&theory::Zone::max_eps_depth)},
      {"aliasing_min_base", "aliasing: base > L/(2 pi)", num(&theory::Zone::aliasing_min_base)},
      {"dc_min_base", "dc-stability: base >= L/arccos(eps)", num(&theory::Zone::dc_min_base)},
      {"depth_min_base", "depth: base >= L/arccos(eps^(1/N))", num(&theory::Zone::depth_min_base)},
      {"precision_wall", "precision-wall: base < 1/eps_mach", num(&theory::Zone::precision_wall)},
      {"zone", "zone [lower, upper)",
       [](const theory::Zone& z, int digits) {
         return z.empty() ? std::string("empty") : "[" + number(z.lower, digits) + ", " + number(z.upper, digits) + ")";
       }},
      {"verdict", "verdict", [](const theory::Zone& z, int) { return theory::verdict_text(z); }},
  };
}

struct Subject {
  std::string label;
  rope::RopeSpec spec;
  std::optional<int> config_layers;
  bool has_max_positions = true;
};

Subject resolve_subject(const ZoneCommand& c) {
  Subject s;
  s.spec = resolve_spec(c.spec);
  if (!c.spec.model.empty()) {
    s.label = "model " + c.spec.model;
    s.config_layers = parse_argument("--model", [&] { return theory::model_num_hidden_layers(c.spec.model); });
  } else if (!c.spec.config.empty()) {
    s.label = "config " + c.spec.config;
    s.config_layers = parse_argument("--config", [&] { return theory::num_hidden_layers_from_config_file(c.spec.config); });
  } else {
    s.label = "base " + number(s.spec.base, 0) + ", dim " + std::to_string(s.spec.head_dim);
    s.has_max_positions = false;  // resolve_spec fills a placeholder
  }
  if (s.spec.rotary_dims < 4) {
    const std::string option = c.spec.rotary_dims ? "--rotary-dims" : c.spec.dim ? "--dim" : "--model";
    throw std::invalid_argument(option + ": " + std::to_string(s.spec.rotary_dims) +
                                " rotary dims; the bounds need >= 4 (with 2 the only pair has theta = 1 for every base)");
  }
  return s;
}

void run_single(const ZoneCommand& c, const Common& m) {
  const Subject s = resolve_subject(c);
  long context = s.spec.max_position_embeddings;
  if (c.context) {
    context = parse_context_argument(*c.context);
  } else if (!s.has_max_positions) {
    throw std::invalid_argument("--context: required with --base/--dim (there is no max_position_embeddings)");
  }
  int layers = s.config_layers.value_or(1);
  if (c.layers) {
    const std::string message = "--layers: '" + *c.layers + "' is not an integer in [1, 1000000]";
    std::uint64_t n = 0;
    try {
      n = parse_u64_argument("--layers", *c.layers);
    } catch (const std::invalid_argument&) {
      throw std::invalid_argument(message);
    }
    if (n < 1 || n > 1000000) throw std::invalid_argument(message);
    layers = static_cast<int>(n);
  }
  require_reference_range(c.spec, s.spec, context);
  const theory::EffectiveBase effective = theory::effective_base(s.spec, context);
  if (!std::isfinite(effective.approximate) || !std::isfinite(effective.exact)) {
    throw std::invalid_argument(spec_option(c.spec) + ": the effective base of this " + rope::scaling_name(s.spec) +
                                " scaling at context " + std::to_string(context) +
                                " overflows binary64; the bounds need a finite base (check the scaling factors)");
  }
  std::vector<theory::Zone> zones;
  for (const ThetaMinConvention convention : {ThetaMinConvention::approximate, ThetaMinConvention::exact}) {
    zones.push_back(theory::evaluate_zone(
        theory::zone_inputs(s.spec, context, m.eps, layers, m.format, m.eps_convention, convention)));
  }

  Table csv({"quantity", "approximate", "exact"});
  Table aligned({"quantity", "approximate: theta_min = 1/base", "exact: theta_min = base^-((d-2)/d)"});
  for (const Quantity& q : quantities()) {
    csv.add_row({q.key, q.value(zones[0], 17), q.value(zones[1], 17)});
    aligned.add_row({q.description, q.value(zones[0], 0), q.value(zones[1], 0)});
  }
  emit(m, csv, [&] {
    std::cout << s.label << ": rotary dims " << s.spec.rotary_dims << ", base " << number(s.spec.base, 0)
              << ", scaling " << rope::scaling_name(s.spec) << ", context " << context << ", layers " << layers
              << (c.layers ? "" : s.config_layers ? " (num_hidden_layers)" : " (default)") << "\n";
    if (rope::scaling_name(s.spec) != "default") {
      std::cout << "scaled RoPE: slowest pair slowed by s = " << number(effective.slowdown, 0)
                << "; effective base s*base = " << number(effective.approximate, 0)
                << " (approximate), omega_min^(-d/(d-2)) = " << number(effective.exact, 0) << " (exact)\n";
    }
    std::cout << "eps " << number(m.eps, 0) << " (coherence threshold), format " << m.format.name << " (p = "
              << m.format.precision << "), eps_mach " << eps_mach_text(m) << "\n\n";
    aligned.print_aligned(std::cout);
  }, [&] {
    nlohmann::ordered_json document = zone_document(m, false);
    document["subject"] = s.label;
    document["spec"] = {{"head_dim", s.spec.head_dim}, {"rotary_dims", s.spec.rotary_dims}, {"base", s.spec.base},
                        {"scaling", rope::scaling_name(s.spec)}};
    document["context"] = context;
    document["layers"] = layers;
    document["effective_base"] = {{"slowdown", json_measured(effective.slowdown)},
                                  {"approximate", json_measured(effective.approximate)},
                                  {"exact", json_measured(effective.exact)}};
    document["approximate"] = zone_json(zones[0]);
    document["exact"] = zone_json(zones[1]);
    return document;
  });
}

// ---- the zoo

std::string short_verdict(const theory::Zone& z) {
  if (z.feasible()) return "feasible";
  std::string text = "infeasible:";
  for (std::size_t i = 0; i < z.violated.size(); ++i) text += (i ? "+" : " ") + std::string(theory::to_string(z.violated[i]));
  return text;
}

void run_all(const ZoneCommand& c, const Common& m) {
  const SpecOptions& o = c.spec;
  if (!o.model.empty() || !o.config.empty() || o.base || o.dim || o.rotary_dims || o.pairing) {
    const std::string option = !o.model.empty() ? "--model" : !o.config.empty() ? "--config" : o.base ? "--base"
                               : o.dim ? "--dim" : o.rotary_dims ? "--rotary-dims" : "--pairing";
    throw std::invalid_argument(option + ": not with --all (the table covers every shipped model)");
  }
  if (c.layers) throw std::invalid_argument("--layers: not with --all (each model uses its num_hidden_layers)");
  if (c.context) throw std::invalid_argument("--context: not with --all (each model uses its max_position_embeddings)");
  const std::vector<theory::CaseStudyRow> rows = theory::case_study(m.eps, m.format, m.eps_convention);

  auto make = [&](int digits) {
    std::vector<std::string> header{"model", "base", "scaling", "eff_base_approx", "eff_base_exact", "context", "layers"};
    for (const std::string prefix : {"approx_", "exact_"}) {
      for (const char* name : {"aliasing", "dc", "depth", "wall", "verdict"}) header.push_back(prefix + name);
    }
    Table table(header);
    for (const theory::CaseStudyRow& r : rows) {
      std::vector<Cell> row{r.model, number(r.spec.base, digits), rope::scaling_name(r.spec),
                                   number(r.effective.approximate, digits), number(r.effective.exact, digits),
                                   std::to_string(r.context), std::to_string(r.layers)};
      for (const theory::Zone* z : {&r.approximate, &r.exact}) {
        for (const double v : {z->aliasing_min_base, z->dc_min_base, z->depth_min_base, z->precision_wall}) {
          row.push_back(number(v, digits));
        }
        row.push_back(short_verdict(*z));
      }
      table.add_row(row);
    }
    return table;
  };
  const Table csv = make(17);
  emit(m, csv, [&] {
    std::cout << "eps " << number(m.eps, 0) << " (coherence threshold), format " << m.format.name << ", eps_mach "
              << eps_mach_text(m) << "\n"
              << "Each model at max_position_embeddings with num_hidden_layers. aliasing/dc/depth: smallest base allowed;\n"
              << "wall: largest. approx: theta_min = 1/base; exact: theta_min = base^-((d-2)/d). Scaled RoPE is\n"
              << "compared through its effective base.\n\n";
    make(0).print_aligned(std::cout);
  }, [&] {
    nlohmann::ordered_json document = zone_document(m, true);
    document["models"] = nlohmann::ordered_json::array();
    for (const theory::CaseStudyRow& r : rows) {
      document["models"].push_back({{"model", r.model}, {"base", r.spec.base}, {"scaling", rope::scaling_name(r.spec)},
                                    {"effective_base_approximate", json_measured(r.effective.approximate)},
                                    {"effective_base_exact", json_measured(r.effective.exact)},
                                    {"context", r.context}, {"layers", r.layers},
                                    {"approximate", zone_json(r.approximate)}, {"exact", zone_json(r.exact)}});
    }
    return document;
  });
}

void run_zone(const ZoneCommand& c) {
  const Common m = parse_common(c);
  if (c.all) {
    run_all(c, m);
  } else {
    run_single(c, m);
  }
}

}  // namespace

void add_zone_command(CLI::App& app) {
  auto c = std::make_shared<ZoneCommand>();
  CLI::App* sub = app.add_subcommand(
      "zone", "Phase bounds on the RoPE base (aliasing, DC stability, depth, precision wall) and the feasible zone");
  add_spec_options(*sub, c->spec);
  sub->add_flag("--all", c->all, "The case-study table over every shipped model");
  sub->add_option("--eps", c->eps, "Coherence threshold eps in (0, 1), default 0.5 (not machine epsilon)")->type_name("E");
  sub->add_option("--layers", c->layers, "Layers N of the depth bound (default: num_hidden_layers, else 1)")->type_name("N");
  sub->add_option("--context", c->context, "Context length L (default: max_position_embeddings)")->type_name("L");
  sub->add_option("--format", c->format, "Format of the precision wall (default fp32)")->type_name("F");
  sub->add_option("--eps-mach-convention", c->eps_mach_convention,
                  "ulp: eps_mach = 2^(1-p) (default); unit-roundoff: 2^-p")->type_name("C");
  sub->add_option("--csv", c->csv, "CSV on stdout; with FILE, write the CSV there (atomically) instead")
      ->expected(0, 1)
      ->type_name("[FILE]");
  add_output_flags(*sub, c->output);
  sub->callback([c, sub] {
    c->csv_given = sub->count("--csv") > 0;
    run_zone(*c);
  });
}

}  // namespace ropelab::cli
