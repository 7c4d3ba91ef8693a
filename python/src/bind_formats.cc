// Formats as Python dicts: every field of ropelab::Format / BlockFormat plus the derived quantities.
#include "bindings.hpp"
#include "ropelab/block_format.hpp"
#include "ropelab/encoding.hpp"
#include "ropelab/format.hpp"
#include "ropelab/rounding_mode.hpp"

namespace ropelab::python {
namespace {

py::dict format_dict(const Format& f) {
  py::dict d;
  d["name"] = f.name;
  d["precision"] = f.precision;
  d["emin"] = f.emin;
  d["emax"] = f.emax;
  d["subnormals"] = f.subnormals;
  d["specials"] = std::string(to_string(f.specials));
  d["overflow"] = std::string(to_string(f.overflow));
  d["max_significand"] = f.max_significand;
  d["is_mpfr"] = f.is_mpfr;
  d["unit_roundoff"] = f.unit_roundoff();
  d["machine_epsilon"] = f.machine_epsilon();
  d["max_finite"] = f.max_finite();
  d["min_normal"] = f.min_normal();
  d["min_subnormal"] = f.min_subnormal();
  d["max_exact_integer"] = f.max_exact_integer();
  const std::optional<Encoding> encoding = standard_encoding(f);
  d["bits"] = encoding ? py::object(py::int_(encoding->total_bits())) : py::object(py::none());
  d["exponent_bits"] = encoding ? py::object(py::int_(encoding->exponent_bits)) : py::object(py::none());
  d["fraction_bits"] = encoding ? py::object(py::int_(encoding->fraction_bits)) : py::object(py::none());
  return d;
}

py::dict block_format_dict(const BlockFormat& f) {
  py::dict d;
  d["name"] = f.name;
  d["rule"] = std::string(to_string(f.rule));
  d["element"] = format_dict(f.element);
  d["encoding"] = f.encoding == ElementEncoding::float_bits        ? "float_bits"
                  : f.encoding == ElementEncoding::twos_complement ? "twos_complement"
                                                                   : "ggml_integer";
  d["element_bits"] = f.element_bits;
  d["block_size"] = f.block_size;
  d["scale_format"] = std::string(to_string(f.scale_format));
  d["scale_bits"] = scale_bits(f.scale_format);
  d["offset_bits"] = f.offset_bits;
  d["rounding"] = std::string(to_string(f.rounding));
  d["static_scale"] = f.static_scale;
  d["margin"] = f.margin;
  d["description"] = f.description;
  d["source"] = f.source;
  return d;
}

}  // namespace

void bind_formats(py::module_& m) {
  m.def("format_info", [](const std::string& text) { return format_dict(parse_format(text)); }, py::arg("name"),
        "Every field of the format NAME (or a custom 'p=..,emin=..,emax=..' description) as a dict.");
  m.def("named_formats", [] {
    std::vector<std::string> names;
    for (const Format& f : formats::named()) names.push_back(f.name);
    return names;
  });
  m.def("format_syntax_help", &format_syntax_help);
  m.def("is_block_format", [](const std::string& text) { return is_block_format_name(text); }, py::arg("name"));
  m.def("block_format_info", [](const std::string& text) { return block_format_dict(parse_block_format(text)); },
        py::arg("name"));
  m.def("named_block_formats", [] {
    std::vector<std::string> names;
    for (const BlockFormat& f : block_formats::named()) names.push_back(f.name);
    return names;
  });
  m.def("rounding_mode_name", [](const std::string& text) { return std::string(to_string(parse_rounding_mode(text))); },
        py::arg("mode"), "The canonical name of a rounding mode spelling (ValueError listing the accepted ones).");
}

}  // namespace ropelab::python
