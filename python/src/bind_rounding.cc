// Rounding numpy arrays (float32/float64 storage) and their interchange encodings, with the GIL released.
#include <limits>
#include <span>

#include "bindings.hpp"
#include "ropelab/encoding.hpp"
#include "ropelab/format.hpp"
#include "ropelab/round.hpp"
#include "ropelab/rounding_mode.hpp"

namespace ropelab::python {
namespace {

RoundOptions round_options(const std::string& mode, std::uint64_t seed, std::uint64_t index, int threads,
                           std::size_t n) {
  RoundOptions options{.mode = parse_rounding_mode(mode), .seed = seed, .first_index = index, .threads = threads};
  // Element i uses counter index + i: the last counter must not wrap past 2^64 - 1.
  if (n > 0 && index > std::numeric_limits<std::uint64_t>::max() - (n - 1)) {
    throw std::invalid_argument("index: " + std::to_string(index) + " + " + std::to_string(n - 1) +
                                " (element i uses index + i) exceeds 2^64 - 1");
  }
  if (threads < 0 || threads > 1024) {
    throw std::invalid_argument("threads: " + std::to_string(threads) + " is not in [0, 1024] (0 = all)");
  }
  return options;
}

template <typename T>
void round_array(py::array_t<T, py::array::c_style> values, const std::string& format, const std::string& mode,
                 std::uint64_t seed, std::uint64_t index, int threads) {
  const Format f = parse_format(format);
  const RoundOptions options = round_options(mode, seed, index, threads, static_cast<std::size_t>(values.size()));
  T* data = values.mutable_data();
  const auto n = static_cast<std::size_t>(values.size());
  py::gil_scoped_release release;
  round_in_place(std::span<T>(data, n), f, options);
}

}  // namespace

void bind_rounding(py::module_& m) {
  m.def("round_f32", &round_array<float>, py::arg("values"), py::arg("format"), py::arg("mode"), py::arg("seed"),
        py::arg("index"), py::arg("threads"), "Rounds a C-contiguous float32 array in place (round_in_place).");
  m.def("round_f64", &round_array<double>, py::arg("values"), py::arg("format"), py::arg("mode"), py::arg("seed"),
        py::arg("index"), py::arg("threads"), "Rounds a C-contiguous float64 array in place (round_in_place).");
  m.def(
      "encode",
      [](const F64Array& values, const std::string& format) {
        const Format f = parse_format(format);
        const std::optional<Encoding> encoding = standard_encoding(f);
        if (!encoding) {
          throw std::invalid_argument("format: " + f.name +
                                      " has no standard encoding (bit patterns exist for binary64, binary32, tf32, "
                                      "binary16, bfloat16, e4m3fn and e5m2)");
        }
        py::array_t<std::uint64_t> bits(values.size());
        const double* in = values.data();
        std::uint64_t* out = bits.mutable_data();
        const auto n = static_cast<std::size_t>(values.size());
        {
          py::gil_scoped_release release;
          for (std::size_t i = 0; i < n; ++i) out[i] = encode(in[i], f, *encoding);
        }
        return bits;
      },
      py::arg("values"), py::arg("format"),
      "Bit patterns (as uint64) of values that are already values of the format (round first).");
}

}  // namespace ropelab::python
