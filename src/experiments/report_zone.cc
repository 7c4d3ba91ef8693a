// Report experiment (c): the Goldilocks zone of arXiv 2602.10959 over the shipped model zoo
// (theory::case_study), in both theta_min conventions, for fp32 and bf16 angles.
#include "report_internal.hpp"
#include "ropelab/format.hpp"
#include "ropelab/theory/phase_bounds.hpp"

namespace ropelab::experiments::report_detail {

ExperimentOutput run_zone(const Settings& s) {
  ExperimentOutput out{.id = "c", .title = "(c) The Goldilocks zone over the model zoo", .summary = {}, .data = {},
                       .page_tables = {}};
  constexpr double eps = 0.5;  // the paper's coherence threshold in its case study
  out.data = ReportTable{
      .name = "c_zone",
      .columns = {"model", "format", "convention", "context", "layers", "rope_theta", "base", "theta_min", "phase",
                  "aliasing_min_base", "dc_min_base", "depth_min_base", "precision_wall", "lower", "upper",
                  "feasible", "verdict"},
      .rows = {}, .meta = {{"eps", number(eps)}, {"eps_mach_convention", "ulp"}}};
  ReportTable page{.name = "c_zone_summary",
                   .columns = {"model", "context", "layers", "rope_theta", "verdict (approximate)", "verdict (exact)"},
                   .rows = {}, .meta = {}};
  int feasible_exact = 0, models = 0;
  for (const Format& format : {formats::binary32(), formats::bfloat16()}) {
    s.say("(c) zone over the model zoo, " + format.name);
    for (const theory::CaseStudyRow& row : theory::case_study(eps, format, theory::EpsMachConvention::ulp)) {
      for (const theory::Zone* zone : {&row.approximate, &row.exact}) {
        out.data.rows.push_back(
            {row.model, format.name, std::string(theory::to_string(zone->inputs.convention)), integer(row.context),
             integer(row.layers), number(row.spec.base), number(zone->inputs.base), number(zone->theta_min),
             number(zone->phase), number(zone->aliasing_min_base), number(zone->dc_min_base),
             number(zone->depth_min_base), number(zone->precision_wall), number(zone->lower), number(zone->upper),
             zone->feasible() ? "true" : "false", theory::verdict_text(*zone)});
      }
      if (format.name == formats::binary32().name) {
        ++models;
        feasible_exact += row.exact.feasible();
        page.rows.push_back({row.model, integer(row.context), integer(row.layers), number(row.spec.base),
                             theory::verdict_text(row.approximate), theory::verdict_text(row.exact)});
      }
    }
  }
  out.page_tables.push_back(page);
  out.summary = "Each shipped model at its max_position_embeddings with its own layer count, eps = 0.5, fp32 angles "
                "(the CSV also has bf16): " + std::to_string(feasible_exact) + " of " + std::to_string(models) +
                " models lie inside the zone in the exact convention. The figure draws the zone [lower, upper) per "
                "model with the model's (effective) base.";
  return out;
}

}  // namespace ropelab::experiments::report_detail
