// Computations for claims about attention at absolute positions (ropelab/attention/shift_experiment.hpp): the
// AnchorAttention relative-invariance violation D(Δ) of a preset, swept over shifts or sequence lengths, and the
// share of D carried by the first token.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "claims_registry.hpp"
#include "ropelab/attention/shift_experiment.hpp"

namespace ropelab::experiments::claims {
namespace {

std::vector<double> sweep(const Params& p, const std::string& singular, const std::string& plural) {
  if (p.has(plural)) return p.numbers(plural);
  if (!p.has(singular)) throw std::invalid_argument(p.where(singular) + ": give " + singular + " or " + plural);
  return {p.number(singular)};
}

}  // namespace

void add_attention_evaluators(std::map<std::string, Evaluator>& t) {
  const ParamSpec opt_int{ParamType::integer, false};
  const ParamSpec opt_num{ParamType::number, false};
  const ParamSpec opt_nums{ParamType::numbers, false};
  t["attention.shift_difference"] = {
      "AnchorAttention D(shift): sum_j |w_j(layout + shift) - w_j(layout)| of an attention preset (with its RoPE "
      "preset), decode layout 0..L-1, seeded Gaussian heads with a sink at 0; statistic \"D_weight\", "
      "\"first_key_share\", \"first_key_largest\" (fraction of heads whose largest term of D is the first token's), "
      "\"logit_max\" (mean over heads, swept over shifts or contexts) or \"growth\" (the mean D over the upper half "
      "of the shift list over the mean over its lower half: a trend robust to one noisy point)",
      {{"attention_preset", {ParamType::text}}, {"head_dim", {ParamType::integer}}, {"base", {ParamType::number}},
       {"context", opt_num}, {"contexts", opt_nums}, {"shift", opt_num}, {"shifts", opt_nums},
       {"heads", opt_int}, {"seed", opt_int}, {"rho", opt_num}, {"sink", opt_num}, {"statistic", {ParamType::text, false}}},
      [](const Params& p) {
        const std::string statistic = p.text_or("statistic", "D_weight");
        if (statistic != "D_weight" && statistic != "first_key_share" && statistic != "first_key_largest" &&
            statistic != "logit_max" && statistic != "growth")
          throw std::invalid_argument(p.where("statistic") + ": '" + statistic +
                                      "' is not \"D_weight\", \"first_key_share\", \"first_key_largest\", "
                                      "\"logit_max\" or \"growth\"");
        const std::vector<double> contexts = sweep(p, "context", "contexts");
        const std::vector<double> shifts = sweep(p, "shift", "shifts");
        if (contexts.size() > 1 && shifts.size() > 1)
          throw std::invalid_argument(p.where("shifts") + ": sweep shifts or contexts, not both");
        if (statistic == "growth" && (shifts.size() < 2 || !std::is_sorted(shifts.begin(), shifts.end())))
          throw std::invalid_argument(p.where("shifts") + ": \"growth\" needs at least two shifts in increasing order");
        attention::ShiftExperiment e;
        e.preset = p.text("attention_preset");
        e.spec.head_dim = e.spec.rotary_dims = static_cast<int>(p.integer("head_dim"));
        e.spec.base = p.number("base");
        e.spec.max_position_embeddings = 1 << 20;
        e.heads = static_cast<int>(p.integer_or("heads", 4));
        e.seed = static_cast<std::uint64_t>(p.integer_or("seed", 1));
        e.rho = p.number_or("rho", 0.3);
        e.sink_strength = p.number_or("sink", 1.0);
        for (double s : shifts) e.shifts.push_back(static_cast<std::int64_t>(s));
        Measurement m;
        for (double context : contexts) {
          e.context = static_cast<long>(context);
          const std::vector<attention::ShiftPoint> points = attention::run_shift_experiment(e);
          if (statistic == "growth") {
            const std::size_t half = points.size() / 2;
            double lower = 0, upper = 0;
            for (std::size_t i = 0; i < half; ++i) lower += points[i].weight_l1 / static_cast<double>(half);
            for (std::size_t i = points.size() - half; i < points.size(); ++i) upper += points[i].weight_l1 / static_cast<double>(half);
            m.values.push_back(upper / lower);
            std::string sweep_text;
            for (const attention::ShiftPoint& point : points) sweep_text += (sweep_text.empty() ? "" : ", ") + number_text(point.weight_l1);
            m.detail = "D over the shifts: [" + sweep_text + "]; ";
            continue;
          }
          for (const attention::ShiftPoint& point : points) {
            m.values.push_back(statistic == "D_weight"            ? point.weight_l1
                               : statistic == "first_key_share"   ? point.first_key_share
                               : statistic == "first_key_largest" ? point.first_key_largest
                                                                  : point.max_logit_difference);
          }
        }
        m.detail += e.preset + ", " + std::to_string(e.heads) + " heads, seed " + std::to_string(e.seed);
        return m;
      }};

  t["attention.key_collisions"] = {
      "fraction of keys whose emulated score is bit-for-bit unchanged when moved one position (\"moved\") or swapped "
      "for the next key (\"swapped\") while the exact score changes; decode layout 0..L-1, seeded Gaussian heads",
      {{"attention_preset", {ParamType::text}}, {"head_dim", {ParamType::integer}}, {"base", {ParamType::number}},
       {"context", {ParamType::integer}}, {"heads", opt_int}, {"seed", opt_int}, {"rho", opt_num},
       {"statistic", {ParamType::text}}},
      [](const Params& p) {
        const std::string statistic = p.text("statistic");
        if (statistic != "moved" && statistic != "swapped")
          throw std::invalid_argument(p.where("statistic") + ": '" + statistic + "' is not \"moved\" or \"swapped\"");
        rope::RopeSpec spec;
        spec.head_dim = spec.rotary_dims = static_cast<int>(p.integer("head_dim"));
        spec.base = p.number("base");
        spec.max_position_embeddings = 1 << 20;
        const int heads = static_cast<int>(p.integer_or("heads", 4));
        const auto seed = static_cast<std::uint64_t>(p.integer_or("seed", 1));
        const attention::CollisionFractions f = attention::run_collision_experiment(
            p.text("attention_preset"), spec, static_cast<long>(p.integer("context")), heads, seed, p.number_or("rho", 0.3));
        return Measurement{{statistic == "moved" ? f.moved : f.swapped},
                           "moved " + number_text(f.moved) + ", swapped " + number_text(f.swapped) + ", " +
                               std::to_string(heads) + " heads"};
      }};
}

}  // namespace ropelab::experiments::claims
