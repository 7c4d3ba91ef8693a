// The shipped model zoo for the phase bounds: layer counts (absent from RopeSpec) and the case-study table.
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "ropelab/io/input_file.hpp"
#include "ropelab/theory/phase_bounds.hpp"

#ifndef ROPELAB_MODELS_DIR
#error "ROPELAB_MODELS_DIR must be defined by the build"
#endif

namespace ropelab::theory {

std::optional<int> num_hidden_layers_from_config_file(const std::string& path) {
  const nlohmann::json config = nlohmann::json::parse(io::read_regular_file(path), nullptr, /*allow_exceptions=*/false);
  if (config.is_discarded() || !config.is_object()) {
    throw std::invalid_argument("'" + path + "' is not a JSON object");
  }
  const auto it = config.find("num_hidden_layers");
  if (it == config.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer() || it->get<long long>() < 1 || it->get<long long>() > 1000000) {
    throw std::invalid_argument("'" + path + "': 'num_hidden_layers' " + it->dump() +
                                " is not an integer in [1, 1000000]");
  }
  return static_cast<int>(it->get<long long>());
}

std::optional<int> model_num_hidden_layers(std::string_view name) {
  rope::model_spec(name);  // an unknown name throws, listing the known ones
  return num_hidden_layers_from_config_file(std::string(ROPELAB_MODELS_DIR) + "/" + std::string(name) + ".json");
}

std::vector<CaseStudyRow> case_study(double eps, const Format& format, EpsMachConvention eps_convention) {
  std::vector<CaseStudyRow> rows;
  for (const std::string& name : rope::model_names()) {
    CaseStudyRow row;
    row.model = name;
    row.spec = rope::model_spec(name);
    row.context = row.spec.max_position_embeddings;
    row.layers = model_num_hidden_layers(name).value_or(1);
    row.effective = effective_base(row.spec, row.context);
    for (const ThetaMinConvention c : {ThetaMinConvention::approximate, ThetaMinConvention::exact}) {
      const Zone zone = evaluate_zone(ZoneInputs{.base = row.effective.in(c),
                                                 .rotary_dims = row.spec.rotary_dims,
                                                 .context = static_cast<double>(row.context),
                                                 .eps = eps,
                                                 .layers = row.layers,
                                                 .format = format,
                                                 .eps_convention = eps_convention,
                                                 .convention = c});
      (c == ThetaMinConvention::exact ? row.exact : row.approximate) = zone;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace ropelab::theory
