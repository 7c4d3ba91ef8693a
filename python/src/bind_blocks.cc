// Block-scaled formats (OCP MX, NVFP4, scaled FP8, ggml q*_*) on numpy float32 arrays.
#include "bindings.hpp"
#include "ropelab/block_format.hpp"
#include "ropelab/block_quant.hpp"

namespace ropelab::python {
namespace {

BlockOptions block_options(std::uint64_t seed, std::uint64_t index, int threads) {
  if (threads < 0 || threads > 1024) {
    throw std::invalid_argument("threads: " + std::to_string(threads) + " is not in [0, 1024] (0 = all)");
  }
  return BlockOptions{.seed = seed, .first_index = index, .threads = threads};
}

py::dict quantize(const F32Array& values, const std::string& format, std::uint64_t seed, std::uint64_t index,
                  int threads) {
  const BlockFormat f = parse_block_format(format);
  const BlockOptions options = block_options(seed, index, threads);
  const auto n = static_cast<std::size_t>(values.size());
  QuantizedBlocks blocks;
  {
    py::gil_scoped_release release;
    quantize_blocks(std::span<const float>(values.data(), n), f, blocks, options);
  }
  py::dict d;
  d["codes"] = to_array(blocks.codes, {static_cast<py::ssize_t>(blocks.codes.size())});
  d["scales"] = to_array(blocks.scales, {static_cast<py::ssize_t>(blocks.scales.size())});
  d["offsets"] = to_array(blocks.offsets, {static_cast<py::ssize_t>(blocks.offsets.size())});
  d["tensor_scale"] = blocks.tensor_scale;
  return d;
}

py::array_t<float> dequantize(const py::array_t<std::uint8_t, py::array::c_style>& codes,
                              const py::array_t<std::uint32_t, py::array::c_style>& scales,
                              const py::array_t<std::uint16_t, py::array::c_style>& offsets, float tensor_scale,
                              const std::string& format, int threads) {
  const BlockFormat f = parse_block_format(format);
  QuantizedBlocks blocks{to_vector(codes), to_vector(scales), to_vector(offsets), tensor_scale};
  const std::size_t expected_blocks = block_count(f, blocks.codes.size());
  if (blocks.scales.size() != expected_blocks) {
    throw std::invalid_argument("scales: " + std::to_string(blocks.scales.size()) + " scale codes for " +
                                std::to_string(expected_blocks) + " blocks");
  }
  if (blocks.offsets.size() != (f.offset_bits > 0 ? expected_blocks : 0)) {
    throw std::invalid_argument("offsets: " + std::to_string(blocks.offsets.size()) + " offsets, " + f.name +
                                " has " + std::to_string(f.offset_bits > 0 ? expected_blocks : 0));
  }
  py::array_t<float> out(static_cast<py::ssize_t>(blocks.codes.size()));
  float* data = out.mutable_data();
  const BlockOptions options = block_options(0, 0, threads);
  {
    py::gil_scoped_release release;
    dequantize_blocks(blocks, f, std::span<float>(data, blocks.codes.size()), options);
  }
  return out;
}

void quantize_dequantize_in_place(F32Array values, const std::string& format, std::uint64_t seed, std::uint64_t index,
                                  int threads) {
  const BlockFormat f = parse_block_format(format);
  const BlockOptions options = block_options(seed, index, threads);
  float* data = values.mutable_data();
  const auto n = static_cast<std::size_t>(values.size());
  py::gil_scoped_release release;
  quantize_dequantize(std::span<float>(data, n), f, options);
}

}  // namespace

void bind_blocks(py::module_& m) {
  m.def("quantize_blocks", &quantize, py::arg("values"), py::arg("format"), py::arg("seed"), py::arg("index"),
        py::arg("threads"), "Element codes, scale codes, offsets and tensor scale of a float32 array.");
  m.def("dequantize_blocks", &dequantize, py::arg("codes"), py::arg("scales"), py::arg("offsets"),
        py::arg("tensor_scale"), py::arg("format"), py::arg("threads"), "The stored values of quantized blocks.");
  m.def("quantize_dequantize", &quantize_dequantize_in_place, py::arg("values"), py::arg("format"), py::arg("seed"),
        py::arg("index"), py::arg("threads"), "values = dequantize(quantize(values)) in place.");
}

}  // namespace ropelab::python
