// Query and key vectors for the attention statistics: a seeded Gaussian model, or vectors read from files
// (.npy float32 / float64 / bf16-as-uint16, or CSV), one or several heads at once.
// Notation (shared/theory/positions-and-tokens.md §1, §6): q, k of head dimension d; the Gaussian model is
// q = s·g, k = s·(ρ g + sqrt(1 − ρ²) ξ) with g, ξ ~ N(0, I_d) independent and s the scale.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ropelab::stats {

// `heads` vectors of `dim` binary64 values, row-major [head][coordinate].
struct VectorSet {
  int heads = 0;
  int dim = 0;
  std::vector<double> values;

  [[nodiscard]] std::span<const double> head(int h) const {
    return std::span<const double>(values).subspan(static_cast<std::size_t>(h) * static_cast<std::size_t>(dim),
                                                   static_cast<std::size_t>(dim));
  }
};

// --- Ranges -----------------------------------------------------------------------------------------------
// What a query or key may hold, from files and the Gaussian model alike. |x| <= 1e40 keeps every score
// (|q^T R k| <= d·max|q|·max|k|), squared score and variance finite for d <= 65536. For the statistics a vector
// must also hold a value with |x| >= 1e-40 (require_nonzero), else its scores are all 0 (an all-zero query) or
// underflow and every statistic is 0/0; a wall measurement takes a zero query (its score error is then 0).
inline constexpr double max_vector_value = 1e40;
inline constexpr double min_vector_peak = 1e-40;
// Vectors (heads) in one set, and values per vector (rope::max_head_dim).
inline constexpr int max_vector_heads = 65536;
inline constexpr int max_vector_dim = 65536;

// --- Files ------------------------------------------------------------------------------------------------
// Every loader throws std::invalid_argument("<name>: ...") naming the file and what is wrong: unreadable or not
// a regular file, malformed header, unsupported dtype or shape (more than max_vector_heads vectors or
// max_vector_dim values each), no values, rows of different lengths, a value beyond max_vector_value.

// NumPy .npy (format versions 1.0, 2.0, 3.0), C order, little-endian: dtype '<f4', '<f8', or '<u2' read as
// bf16 bit patterns (torch's bf16 tensors saved through .view(torch.uint16)). Shape (d,) is one head,
// (heads, d) several. The header is parsed here (no NumPy dependency): {'descr': ..., 'fortran_order':
// False, 'shape': (...), }.
VectorSet parse_npy(std::string_view bytes, const std::string& name);
// CSV: one vector per non-empty line, values separated by commas (blanks around them ignored); lines
// starting with '#' are comments. Every line must have the same number of values.
VectorSet parse_csv(std::string_view text, const std::string& name);
// By extension: ".npy" → parse_npy, anything else → parse_csv.
VectorSet load_vectors(const std::string& path);

// --- Gaussian model ---------------------------------------------------------------------------------------

// `heads` independent N(0, 1) vectors of `dim` values (heads in [1, max_vector_heads], dim in [1, max_vector_dim]). Deterministic in (seed, stream): Box–Muller over the
// counter RNG (ropelab/counter_rng.hpp) and libm log/cos/sin: the same vectors on every run and thread count. Distinct
// streams give independent draws (q uses stream 0, the keys' noise ξ streams 1, 2, ...).
VectorSet standard_normal(int heads, int dim, std::uint64_t seed, std::uint64_t stream);

// q = scale·g: the query of the Gaussian model. Throws std::invalid_argument unless 1e-40 <= scale <= 1e40
// (the ranges above; |g| < 8.6 always), heads in [1, max_vector_heads], dim in [1, max_vector_dim].
VectorSet gaussian_query(int heads, int dim, double scale, std::uint64_t seed);
// k = ρ q + scale·sqrt(1 − ρ²) ξ with ξ = standard_normal(heads, dim, seed, stream), stream >= 1.
// Throws std::invalid_argument unless −1 <= rho <= 1 and 1e-40 <= scale <= 1e40.
VectorSet gaussian_key(const VectorSet& query, double rho, double scale, std::uint64_t seed, std::uint64_t stream);

// Throws std::invalid_argument("<name>: ...") if the set is empty or a value is NaN, infinite or beyond
// max_vector_value (every loader calls it).
void require_usable(const VectorSet& vectors, const std::string& name);
// Throws std::invalid_argument("<name>: vector i is all zeros; ...") unless every vector holds a value of
// magnitude >= min_vector_peak (the statistics call it).
void require_nonzero(const VectorSet& vectors, const std::string& name);

}  // namespace ropelab::stats
