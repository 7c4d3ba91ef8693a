// ropelab._core: the extension module behind the Python package (python/ropelab). Thin: every computation is a
// library call; python/ropelab/*.py checks dtypes and shapes and builds the user-facing results.
#include <pybind11/pybind11.h>

#include "bindings.hpp"
#include "ropelab/rope/recipe_stages.hpp"

namespace ropelab::python {

rope::RopeSpec spec_from(const std::string& kind, const std::string& value) {
  if (kind == "model") return rope::model_spec(value);
  if (kind == "config_file") return rope::rope_spec_from_hf_config_file(value);
  if (kind == "config_json") return rope::rope_spec_from_hf_config(value);
  throw std::invalid_argument("spec: kind '" + kind + "' is not model, config_file or config_json");
}

py::dict spec_dict(const rope::RopeSpec& spec) {
  py::dict d;
  d["head_dim"] = spec.head_dim;
  d["rotary_dims"] = spec.rotary_dims;
  d["base"] = spec.base;
  d["pairing"] = spec.pairing == rope::Pairing::interleaved ? "interleaved" : "half_split";
  d["max_position_embeddings"] = spec.max_position_embeddings;
  d["scaling"] = rope::scaling_name(spec);
  return d;
}

rope::Recipe recipe_from(const std::string& preset, const std::string& overrides) {
  rope::Recipe recipe = rope::preset(preset);
  rope::apply_stage_overrides(recipe, overrides);
  return recipe;
}

std::function<void(double)> Progress::function() {
  if (callback_.is_none()) return {};
  return [this](double fraction) {
    const int percent = static_cast<int>(fraction * 100);
    std::lock_guard<std::mutex> lock(mutex_);
    if (percent == last_percent_ || error_) return;
    last_percent_ = percent;
    py::gil_scoped_acquire gil;
    try {
      callback_(fraction);
    } catch (py::error_already_set& e) {
      error_ = std::make_unique<py::error_already_set>(std::move(e));
    }
  };
}

void Progress::rethrow() {
  if (error_) throw std::move(*error_);
}

}  // namespace ropelab::python

PYBIND11_MODULE(_core, m) {
  m.doc() = "ropelab's C++ core (formats, rounding, the RoPE emulator and analyses); use the ropelab package.";
  m.attr("__version__") = ROPELAB_VERSION;
  ropelab::python::bind_formats(m);
  ropelab::python::bind_rounding(m);
  ropelab::python::bind_blocks(m);
  ropelab::python::bind_rope(m);
  ropelab::python::bind_theory(m);
  ropelab::python::bind_stats(m);
  ropelab::python::bind_experiments(m);
  ropelab::python::bind_attention(m);
}
