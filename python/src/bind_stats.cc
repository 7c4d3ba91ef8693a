// The attention statistics (stats/scores.hpp, stats/empirical.hpp) on numpy arrays: scores S(m) = q^T R(m) k from
// the exact reference or a pipeline, and the exact counting statistics over score windows.
#include <cmath>
#include <optional>

#include "bindings.hpp"
#include "ropelab/stats/closed_forms.hpp"
#include "ropelab/stats/empirical.hpp"
#include "ropelab/stats/scores.hpp"
#include "ropelab/stats/vectors.hpp"

namespace ropelab::python {
namespace {

stats::ScoreSource score_source(const std::string& spec_kind, const std::string& spec_value,
                                const std::optional<std::string>& preset, const std::string& overrides, long context) {
  stats::ScoreSource source{spec_from(spec_kind, spec_value), std::nullopt, context};
  if (preset) source.recipe = recipe_from(*preset, overrides);
  return source;
}

// One 2-D array [heads][d] as a VectorSet, its values within the ranges stats/vectors.hpp states.
stats::VectorSet vector_set(const F64Array& a, const std::string& name) {
  if (a.ndim() != 2) throw std::invalid_argument(name + ": expected a (heads, head_dim) array");
  stats::VectorSet v{static_cast<int>(a.shape(0)), static_cast<int>(a.shape(1)), to_vector(a)};
  stats::require_usable(v, name);
  stats::require_nonzero(v, name);
  return v;
}

py::array_t<double> scores(const std::string& spec_kind, const std::string& spec_value,
                           const std::optional<std::string>& preset, const std::string& overrides, const F64Array& q,
                           const F64Array& k, std::int64_t first, std::int64_t end, long context, int threads,
                           py::object progress_callback) {
  const stats::ScoreSource source = score_source(spec_kind, spec_value, preset, overrides, context);
  const std::vector<double> qv = to_vector(q), kv = to_vector(k);
  Progress progress(std::move(progress_callback));
  std::vector<double> s;
  {
    py::gil_scoped_release release;
    s = stats::compute_scores(source, stats::QueryKey{qv, kv}, first, end,
                              stats::ScoreOptions{.threads = threads, .progress = progress.function()});
  }
  progress.rethrow();
  return to_array(s, {static_cast<py::ssize_t>(s.size())});
}

py::dict inversion(const F64Array& near, const F64Array& far) {
  const std::span<const double> n(near.data(), static_cast<std::size_t>(near.size()));
  const std::span<const double> f(far.data(), static_cast<std::size_t>(far.size()));
  stats::InversionCount count;
  double normal = 0;
  {
    py::gil_scoped_release release;
    count = stats::count_inversions(n, f);
    normal = stats::normal_inversion_probability(n, f);
  }
  py::dict d;
  d["inversions"] = count.inversions;
  d["pairs"] = count.pairs;
  d["probability"] = count.probability();
  d["normal_sample_moments"] = normal;
  return d;
}

py::dict aliasing_dict(const stats::AliasingCount& c, const stats::AliasingPrediction& empirical,
                       const stats::AliasingPrediction& normal) {
  py::dict d;
  d["pairs"] = c.pairs;
  d["with_partner"] = c.with_partner;
  d["positions"] = c.positions;
  d["partner_fraction"] = c.partner_fraction();
  d["predicted_pairs_empirical"] = empirical.pairs;
  d["predicted_partner_fraction_empirical"] = empirical.partner_fraction;
  d["predicted_pairs_normal"] = normal.pairs;
  d["predicted_partner_fraction_normal"] = normal.partner_fraction;
  return d;
}

py::dict aliasing(const F64Array& scores, const std::optional<std::string>& format, const std::optional<double>& eps) {
  const std::span<const double> s(scores.data(), static_cast<std::size_t>(scores.size()));
  if (format.has_value() == eps.has_value()) throw std::invalid_argument("aliasing: give exactly one of format and eps");
  const std::optional<Format> f = format ? std::optional(parse_format(*format)) : std::nullopt;
  stats::AliasingCount count;
  stats::AliasingPrediction empirical, normal;
  {
    py::gil_scoped_release release;
    if (f) {
      count = stats::count_aliasing_rounded(s, *f);
      empirical = stats::predict_aliasing_rounded(s, *f, stats::Density::empirical);
      normal = stats::predict_aliasing_rounded(s, *f, stats::Density::normal);
    } else {
      count = stats::count_aliasing_tolerance(s, *eps);
      empirical = stats::predict_aliasing_tolerance(s, *eps, stats::Density::empirical);
      normal = stats::predict_aliasing_tolerance(s, *eps, stats::Density::normal);
    }
  }
  return aliasing_dict(count, empirical, normal);
}

py::dict token(double s1_at_0, double s2_at_0, const F64Array& s1, const F64Array& s2,
               const std::optional<std::string>& format, double eps) {
  if (s1.size() != s2.size()) throw std::invalid_argument("s2: " + std::to_string(s2.size()) + " scores, s1 has " + std::to_string(s1.size()));
  const std::span<const double> a(s1.data(), static_cast<std::size_t>(s1.size()));
  const std::span<const double> b(s2.data(), static_cast<std::size_t>(s2.size()));
  stats::Equality equality;
  if (format) {
    equality.format = parse_format(*format);
  } else if (!(eps >= 0) || !std::isfinite(eps)) {
    throw std::invalid_argument("eps: " + std::to_string(eps) + " is not finite >= 0");
  } else {
    equality.eps = eps;
  }
  stats::TokenInversion inv;
  stats::TokenAliasing alias;
  std::uint64_t invariance = 0;
  {
    py::gil_scoped_release release;
    inv = stats::token_inversion(s1_at_0, s2_at_0, a, b);
    alias = stats::token_aliasing(a, b, equality);
    invariance = stats::count_attention_invariance(a, b, equality);
  }
  py::dict d;
  d["inverted"] = to_array(inv.inverted, {static_cast<py::ssize_t>(inv.inverted.size())});
  d["token_inversion"] = inv.fraction();
  d["aliased"] = to_array(alias.aliased, {static_cast<py::ssize_t>(alias.aliased.size())});
  d["token_aliasing"] = alias.fraction();
  d["attention_invariance"] = invariance;
  return d;
}

py::dict sweep(const std::string& spec_kind, const std::string& spec_value, const std::optional<std::string>& preset,
               const std::string& overrides, const F64Array& q, const F64Array& k, const std::optional<F64Array>& k2,
               const std::vector<double>& bases, const std::vector<long>& contexts, const std::string& format,
               const std::optional<double>& eps, int threads, py::object progress_callback) {
  const stats::VectorSet qs = vector_set(q, "q"), ks = vector_set(k, "k");
  const std::optional<stats::VectorSet> k2s = k2 ? std::optional(vector_set(*k2, "k2")) : std::nullopt;
  Progress progress(std::move(progress_callback));
  stats::SweepRequest request{score_source(spec_kind, spec_value, preset, overrides, 0), bases, contexts, &qs, &ks,
                              k2s ? &*k2s : nullptr, parse_format(format), eps,
                              stats::ScoreOptions{.threads = threads, .progress = progress.function()}};
  std::vector<stats::SweepRow> rows;
  {
    py::gil_scoped_release release;
    rows = stats::run_sweep(request);
  }
  progress.rethrow();
  std::vector<double> base, value;
  std::vector<long> context;
  std::vector<std::string> statistic;
  for (const stats::SweepRow& r : rows) {
    base.push_back(r.base);
    context.push_back(r.context);
    statistic.push_back(r.statistic);
    value.push_back(r.value);
  }
  const auto n = static_cast<py::ssize_t>(rows.size());
  py::dict d;
  d["base"] = to_array(base, {n});
  d["context"] = to_array(context, {n});
  d["statistic"] = statistic;
  d["value"] = to_array(value, {n});
  return d;
}

}  // namespace

void bind_stats(py::module_& m) {
  m.def("scores", &scores, py::arg("spec_kind"), py::arg("spec_value"), py::arg("preset"), py::arg("overrides"),
        py::arg("q"), py::arg("k"), py::arg("first"), py::arg("end"), py::arg("context"), py::arg("threads"),
        py::arg("progress"));
  m.def("inversion", &inversion, py::arg("near"), py::arg("far"));
  m.def("aliasing", &aliasing, py::arg("scores"), py::arg("format"), py::arg("eps"));
  m.def("token", &token, py::arg("s1_at_0"), py::arg("s2_at_0"), py::arg("s1"), py::arg("s2"), py::arg("format"),
        py::arg("eps"));
  m.def("sweep", &sweep, py::arg("spec_kind"), py::arg("spec_value"), py::arg("preset"), py::arg("overrides"),
        py::arg("q"), py::arg("k"), py::arg("k2"), py::arg("bases"), py::arg("contexts"), py::arg("format"),
        py::arg("eps"), py::arg("threads"), py::arg("progress"));
  m.def("gaussian_vectors", [](int heads, int dim, double rho, double scale, std::uint64_t seed, std::uint64_t stream) {
    const stats::VectorSet q = stats::gaussian_query(heads, dim, scale, seed);
    const stats::VectorSet v = stream == 0 ? q : stats::gaussian_key(q, rho, scale, seed, stream);
    return to_array(v.values, {v.heads, v.dim});
  }, py::arg("heads"), py::arg("dim"), py::arg("rho"), py::arg("scale"), py::arg("seed"), py::arg("stream"),
     "The stats Gaussian model: stream 0 is the query q = s g, stream j > 0 the key s (rho g + sqrt(1 - rho^2) xi_j).");
}

}  // namespace ropelab::python
