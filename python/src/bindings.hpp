// Shared pieces of the ropelab._core extension module: numpy <-> std::vector conversion, the spec and recipe a
// Python call names, and progress callbacks that may run on any thread while the GIL is released.
#pragma once

#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ropelab/rope/recipe.hpp"
#include "ropelab/rope/rope_spec.hpp"

namespace ropelab::python {

namespace py = pybind11;

// C-contiguous native-endian arrays only: python/ropelab/*.py converts (and raises TypeError for wrong dtypes)
// before calling in, so no silent cast happens here.
using F32Array = py::array_t<float, py::array::c_style>;
using F64Array = py::array_t<double, py::array::c_style>;
using I64Array = py::array_t<std::int64_t, py::array::c_style>;

template <typename T>
py::array_t<T> to_array(const std::vector<T>& values, std::vector<py::ssize_t> shape) {
  py::array_t<T> out(shape);
  std::copy(values.begin(), values.end(), out.mutable_data());
  return out;
}

template <typename T>
std::vector<T> to_vector(const py::array_t<T, py::array::c_style>& a) {
  return std::vector<T>(a.data(), a.data() + a.size());
}

// A model's spec from what the Python layer resolved: kind "model" (a shipped name), "config_file" (a path) or
// "config_json" (config.json text, e.g. json.dumps of an HF config.to_dict()).
rope::RopeSpec spec_from(const std::string& kind, const std::string& value);
py::dict spec_dict(const rope::RopeSpec& spec);

// A preset with `overrides` ("STAGE=VALUE,...", may be empty) applied.
rope::Recipe recipe_from(const std::string& preset, const std::string& overrides);

// A progress callback for C++ code that runs with the GIL released: forwards the fraction done (at most once per
// percent) to the Python callable under the GIL, from whichever thread reports it. An exception the callable
// raises is kept and re-raised by rethrow() once the C++ call has returned (C++ code cannot be unwound from it).
// Construct and destroy it with the GIL held (outside the py::gil_scoped_release scope).
class Progress {
 public:
  explicit Progress(py::object callback) : callback_(std::move(callback)) {}
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  [[nodiscard]] std::function<void(double)> function();
  void rethrow();

 private:
  py::object callback_;
  std::mutex mutex_;
  int last_percent_ = -1;
  std::unique_ptr<py::error_already_set> error_;
};

void bind_formats(py::module_& m);
void bind_rounding(py::module_& m);
void bind_blocks(py::module_& m);
void bind_rope(py::module_& m);
void bind_theory(py::module_& m);
void bind_stats(py::module_& m);
void bind_experiments(py::module_& m);
void bind_attention(py::module_& m);

}  // namespace ropelab::python
