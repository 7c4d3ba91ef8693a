// ropelab._core: attention at absolute positions (include/ropelab/attention/shift_experiment.hpp): the AnchorAttention
// relative-invariance experiment D(shift) and the weight-level key collisions, as `ropelab attention` and the claims
// registry run them. The GIL is released while they run.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "ropelab/attention/shift_experiment.hpp"

namespace ropelab::python {
namespace {

py::list shift_experiment(const std::string& preset, const std::string& spec_kind, const std::string& spec_value,
                          long context, const std::vector<std::int64_t>& shifts, int heads, std::uint64_t seed,
                          double rho, double sink_strength) {
  attention::ShiftExperiment e{.preset = preset, .spec = spec_from(spec_kind, spec_value), .context = context,
                               .shifts = shifts, .heads = heads, .seed = seed, .rho = rho,
                               .sink_strength = sink_strength};
  std::vector<attention::ShiftPoint> points;
  {
    py::gil_scoped_release release;
    points = attention::run_shift_experiment(e);
  }
  py::list out;
  for (const attention::ShiftPoint& p : points) {
    py::dict d;
    d["shift"] = p.shift;
    d["weight_l1"] = p.weight_l1;
    d["max_logit_difference"] = p.max_logit_difference;
    d["first_key_share"] = p.first_key_share;
    out.append(d);
  }
  return out;
}

py::dict collision_experiment(const std::string& preset, const std::string& spec_kind, const std::string& spec_value,
                              long context, int heads, std::uint64_t seed, double rho) {
  const rope::RopeSpec spec = spec_from(spec_kind, spec_value);
  attention::CollisionFractions f;
  {
    py::gil_scoped_release release;
    f = attention::run_collision_experiment(preset, spec, context, heads, seed, rho);
  }
  py::dict d;
  d["moved"] = f.moved;
  d["swapped"] = f.swapped;
  return d;
}

}  // namespace

void bind_attention(py::module_& m) {
  m.def("attention_shift", &shift_experiment, py::arg("preset"), py::arg("spec_kind"), py::arg("spec_value"),
        py::arg("context"), py::arg("shifts"), py::arg("heads"), py::arg("seed"), py::arg("rho"),
        py::arg("sink_strength"));
  m.def("attention_collisions", &collision_experiment, py::arg("preset"), py::arg("spec_kind"), py::arg("spec_value"),
        py::arg("context"), py::arg("heads"), py::arg("seed"), py::arg("rho"));
}

}  // namespace ropelab::python
