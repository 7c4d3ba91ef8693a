// The RoPE layer for Python: presets, specs, the emulator (`ropelab emulate`'s arrays) and the precision wall.
#include <algorithm>
#include <optional>

#include "bindings.hpp"
#include "ropelab/rope/emulate_positions.hpp"
#include "ropelab/rope/pipeline.hpp"
#include "ropelab/rope/recipe_stages.hpp"
#include "ropelab/rope/wall.hpp"
#include "ropelab/round.hpp"

namespace ropelab::python {
namespace {

py::dict preset_dict(const rope::Recipe& r) {
  py::dict d;
  d["name"] = r.name;
  d["description"] = r.description;
  d["source"] = r.source;
  py::dict stages;
  for (const auto& [stage, value] : rope::recipe_stages(r)) stages[py::str(stage)] = value;
  d["stages"] = stages;
  return d;
}

py::dict emulate(const std::string& preset, const std::string& overrides, const std::string& spec_kind,
                 const std::string& spec_value, const I64Array& positions_array, const std::optional<F64Array>& key_array,
                 std::uint64_t seed, long context) {
  const rope::Recipe recipe = recipe_from(preset, overrides);
  const rope::RopeSpec spec = spec_from(spec_kind, spec_value);
  const std::vector<std::int64_t> positions = to_vector(positions_array);
  if (positions.empty()) throw std::invalid_argument("positions: no positions listed");
  const std::int64_t last = *std::max_element(positions.begin(), positions.end());
  if (context == 0) context = static_cast<long>(last) + 1;
  if (context <= last) {
    throw std::invalid_argument("context: " + std::to_string(context) + " must exceed the largest position " +
                                std::to_string(last));
  }
  const rope::Pipeline pipeline = rope::make_pipeline(spec, recipe, context);
  std::vector<double> key;
  if (key_array) {
    key = to_vector(*key_array);
    if (key.size() != static_cast<std::size_t>(spec.head_dim)) {
      throw std::invalid_argument("k: " + std::to_string(key.size()) + " values, head_dim is " +
                                  std::to_string(spec.head_dim));
    }
    round_in_place(std::span<double>(key), recipe.input_format);  // as `ropelab emulate --k-file`
  } else {
    key = rope::seeded_key(pipeline, seed);
  }
  rope::PositionDump dump;
  {
    py::gil_scoped_release release;
    dump = rope::emulate_positions(pipeline, positions, key);
  }
  const auto n = static_cast<py::ssize_t>(positions.size());
  const auto pairs = static_cast<py::ssize_t>(pipeline.pairs());
  const auto d = static_cast<py::ssize_t>(spec.head_dim);
  py::dict out;
  out["positions"] = to_array(positions, {n});
  out["omega"] = to_array(dump.omega, {pairs});
  out["angle"] = to_array(dump.angle, {n, pairs});
  out["cos"] = to_array(dump.cos, {n, pairs});
  out["sin"] = to_array(dump.sin, {n, pairs});
  out["key"] = to_array(dump.key, {n, d});
  out["key_cache"] = to_array(dump.key_cache, {n, d});
  out["context_length"] = pipeline.context_length;
  out["spec"] = spec_dict(spec);
  out["preset"] = preset_dict(pipeline.recipe);
  out["key_cache_format"] = rope::key_cache_name(pipeline.recipe);
  return out;
}

template <typename Field>
py::array pair_column(const std::vector<rope::PairWall>& pairs, Field field) {
  using T = std::decay_t<decltype(pairs.front().*field)>;
  std::vector<T> values;
  for (const rope::PairWall& p : pairs) values.push_back(p.*field);
  return to_array(values, {static_cast<py::ssize_t>(values.size())});
}

py::dict wall_dict(const rope::WallReport& r, long pairs_count) {
  py::dict d;
  d["first_any_collision"] = r.first_any_collision;
  d["first_full_collision"] = r.first_full_collision;
  d["first_tau_exceed"] = r.first_tau_exceed;
  d["max_phase_error"] = r.max_phase_error;
  d["max_phase_error_position"] = r.max_phase_error_position;
  d["max_angle_error"] = r.max_angle_error;
  d["max_colliding_fraction"] = r.max_colliding_fraction;
  d["max_colliding_fraction_position"] = r.max_colliding_fraction_position;
  d["max_rotated_key_error"] = r.max_rotated_key_error;
  d["max_score_error"] = r.max_score_error;
  d["key_sample_step"] = r.key_sample_step;
  py::dict p;
  p["pair"] = pair_column(r.pairs, &rope::PairWall::pair);
  p["reference_omega"] = pair_column(r.pairs, &rope::PairWall::reference_omega);
  p["stored_omega"] = pair_column(r.pairs, &rope::PairWall::stored_omega);
  p["omega_subnormal"] = pair_column(r.pairs, &rope::PairWall::omega_subnormal);
  p["omega_flushed"] = pair_column(r.pairs, &rope::PairWall::omega_flushed);
  p["first_adjacent_collision"] = pair_column(r.pairs, &rope::PairWall::first_adjacent_collision);
  p["first_tau_exceed"] = pair_column(r.pairs, &rope::PairWall::first_tau_exceed);
  p["max_phase_error"] = pair_column(r.pairs, &rope::PairWall::max_phase_error);
  p["max_phase_error_position"] = pair_column(r.pairs, &rope::PairWall::max_phase_error_position);
  p["max_angle_error"] = pair_column(r.pairs, &rope::PairWall::max_angle_error);
  p["max_cos_ulps"] = pair_column(r.pairs, &rope::PairWall::max_cos_ulps);
  p["max_sin_ulps"] = pair_column(r.pairs, &rope::PairWall::max_sin_ulps);
  d["pairs"] = p;
  if (!r.positions.empty()) {
    std::vector<std::int64_t> position;
    std::vector<int> colliding;
    std::vector<double> phase;
    for (const rope::PositionWall& w : r.positions) {
      position.push_back(w.position);
      colliding.push_back(w.colliding_pairs);
      phase.push_back(w.max_phase_error);
    }
    const auto n = static_cast<py::ssize_t>(position.size());
    py::dict per_position;
    per_position["position"] = to_array(position, {n});
    per_position["colliding_pairs"] = to_array(colliding, {n});
    per_position["max_phase_error"] = to_array(phase, {n});
    d["positions"] = per_position;
  }
  if (!r.phase_error_map.empty()) {
    const auto rows = static_cast<py::ssize_t>(r.phase_error_map.size() / static_cast<std::size_t>(pairs_count));
    d["phase_error_map"] = to_array(r.phase_error_map, {rows, static_cast<py::ssize_t>(pairs_count)});
  }
  return d;
}

py::dict wall(const std::string& preset, const std::string& overrides, const std::string& spec_kind,
              const std::string& spec_value, long context, double tau, int threads, std::uint64_t seed,
              const std::optional<F64Array>& query, const std::optional<F64Array>& key, bool per_position,
              bool phase_error_map, py::object progress_callback) {
  const rope::Recipe recipe = recipe_from(preset, overrides);
  const rope::RopeSpec spec = spec_from(spec_kind, spec_value);
  if (!(tau > 0 && tau <= 3.141592653589793)) {
    throw std::invalid_argument("tau: " + std::to_string(tau) + " is not in (0, pi]");
  }
  if (threads < 0 || threads > 1024) {
    throw std::invalid_argument("threads: " + std::to_string(threads) + " is not in [0, 1024] (0 = all)");
  }
  rope::WallOptions options{.context_length = context, .tau = tau, .threads = threads, .seed = seed,
                            .query = query ? to_vector(*query) : std::vector<double>{},
                            .key = key ? to_vector(*key) : std::vector<double>{},
                            .per_position = per_position, .phase_error_map = phase_error_map, .progress = {}};
  const rope::Pipeline pipeline = rope::make_pipeline(spec, recipe, context);
  Progress progress(std::move(progress_callback));
  options.progress = progress.function();
  rope::WallReport report;
  {
    py::gil_scoped_release release;
    report = rope::measure_wall(pipeline, options);
  }
  progress.rethrow();
  py::dict d = wall_dict(report, pipeline.pairs());
  d["preset"] = preset_dict(pipeline.recipe);
  d["spec"] = spec_dict(spec);
  d["context_length"] = context;
  d["tau"] = tau;
  return d;
}

}  // namespace

void bind_rope(py::module_& m) {
  m.def("presets", [] {
    py::list out;
    for (const rope::Recipe& r : rope::presets()) out.append(preset_dict(r));
    return out;
  });
  m.def("preset_info", [](const std::string& name, const std::string& overrides) {
    return preset_dict(recipe_from(name, overrides));
  }, py::arg("name"), py::arg("overrides"));
  m.def("stage_names", &rope::stage_names);
  m.def("model_names", &rope::model_names);
  m.def("spec_info", [](const std::string& kind, const std::string& value) { return spec_dict(spec_from(kind, value)); },
        py::arg("kind"), py::arg("value"));
  m.def("emulate", &emulate, py::arg("preset"), py::arg("overrides"), py::arg("spec_kind"), py::arg("spec_value"),
        py::arg("positions"), py::arg("key"), py::arg("seed"), py::arg("context"));
  m.def("wall", &wall, py::arg("preset"), py::arg("overrides"), py::arg("spec_kind"), py::arg("spec_value"),
        py::arg("context"), py::arg("tau"), py::arg("threads"), py::arg("seed"), py::arg("query"), py::arg("key"),
        py::arg("per_position"), py::arg("phase_error_map"), py::arg("progress"));
}

}  // namespace ropelab::python
