// Vector loading (.npy float32/float64/bf16, CSV) with small files written here, their errors, and the
// Gaussian model.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ropelab/stats/vectors.hpp"

using namespace ropelab::stats;
using Catch::Matchers::ContainsSubstring;

namespace {

// A .npy v1.0 file: magic, version, header length, the dict padded with blanks to a multiple of 64, data.
std::string npy(const std::string& descr, const std::string& shape, const std::string& data, char major = 1) {
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  const std::size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + dict.size() + 1) % 64 != 0) dict += ' ';
  dict += '\n';
  std::string out = std::string("\x93NUMPY", 6) + static_cast<char>(major) + '\0';
  const auto n = static_cast<std::uint32_t>(dict.size());
  out += static_cast<char>(n & 0xff);
  out += static_cast<char>((n >> 8) & 0xff);
  if (major != 1) out += std::string(2, '\0');
  return out + dict + data;
}

template <class T>
std::string bytes_of(const std::vector<T>& v) {
  std::string s(v.size() * sizeof(T), '\0');
  std::memcpy(s.data(), v.data(), s.size());
  return s;
}

std::string write_file(const std::string& name, const std::string& content) {
  const std::string path = (std::filesystem::temp_directory_path() / ("ropelab_vectors_test_" + name)).string();
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

}  // namespace

TEST_CASE("npy: float32, float64 and bf16-as-uint16, one or several heads", "[empirical]") {
  const std::vector<float> f32{1.5f, -2.25f, 0.1f, 3.0f};
  VectorSet v = parse_npy(npy("<f4", "(4,)", bytes_of(f32)), "f32.npy");
  CHECK(v.heads == 1);
  CHECK(v.dim == 4);
  CHECK(v.values[2] == static_cast<double>(0.1f));

  const std::vector<double> f64{1, 2, 3, 4, 5, 6};
  v = parse_npy(npy("<f8", "(2, 3)", bytes_of(f64), 2), "f64.npy");
  CHECK(v.heads == 2);
  CHECK(v.dim == 3);
  CHECK(v.head(1)[0] == 4);

  // bf16 patterns: 0x3FC0 = 1.5, 0xC010 = -2.25
  const std::vector<std::uint16_t> bf{0x3FC0, 0xC010};
  v = parse_npy(npy("<u2", "(1, 2)", bytes_of(bf)), "bf16.npy");
  CHECK(v.values == std::vector<double>{1.5, -2.25});

  const std::string path = write_file("q.npy", npy("<f4", "(4,)", bytes_of(f32)));
  CHECK(load_vectors(path).values.size() == 4);
  std::filesystem::remove(path);
}

TEST_CASE("npy errors name the file and the problem", "[empirical]") {
  const std::vector<float> f32{1, 2};
  CHECK_THROWS_WITH(parse_npy("not numpy at all", "a.npy"), ContainsSubstring("a.npy") && ContainsSubstring("magic"));
  CHECK_THROWS_WITH(parse_npy(npy("<i4", "(2,)", bytes_of(f32)), "b.npy"), ContainsSubstring("dtype '<i4'"));
  CHECK_THROWS_WITH(parse_npy(npy("<f4", "(3,)", bytes_of(f32)), "c.npy"), ContainsSubstring("fewer"));
  CHECK_THROWS_WITH(parse_npy(npy("<f4", "(0,)", ""), "d.npy"), ContainsSubstring("no vectors"));
  CHECK_THROWS_WITH(parse_npy(npy("<f4", "(1, 1, 2)", bytes_of(f32)), "e.npy"), ContainsSubstring("shape"));
  const std::vector<float> nan{1, std::nanf("")};
  CHECK_THROWS_WITH(parse_npy(npy("<f4", "(2,)", bytes_of(nan)), "f.npy"), ContainsSubstring("not finite"));
}

TEST_CASE("csv: one vector per row, comments and blanks; errors", "[empirical]") {
  const VectorSet v = parse_csv("# q for two heads\n1, 2,3\n\n4,5,6e-1\n", "q.csv");
  CHECK(v.heads == 2);
  CHECK(v.dim == 3);
  CHECK(v.values == std::vector<double>{1, 2, 3, 4, 5, 0.6});
  CHECK_THROWS_WITH(parse_csv("1,2,3\n4,5\n", "r.csv"), ContainsSubstring("line 2 has 2 values"));
  CHECK_THROWS_WITH(parse_csv("1,x\n", "x.csv"), ContainsSubstring("'x' is not a number"));
  CHECK_THROWS_WITH(parse_csv("", "e.csv"), ContainsSubstring("no vectors"));
  CHECK_THROWS_WITH(parse_csv("1,nan\n", "n.csv"), ContainsSubstring("not finite"));
  CHECK_THROWS_WITH(load_vectors("/nonexistent/ropelab.csv"), ContainsSubstring("cannot read"));
}

TEST_CASE("gaussian model: deterministic, correlated as asked, rho checked", "[empirical]") {
  const VectorSet q = gaussian_query(4, 4096, 1.0, 7);
  CHECK(q.values == gaussian_query(4, 4096, 1.0, 7).values);
  CHECK(q.values != gaussian_query(4, 4096, 1.0, 8).values);
  double mean = 0, var = 0;
  for (double x : q.values) mean += x;
  mean /= static_cast<double>(q.values.size());
  for (double x : q.values) var += (x - mean) * (x - mean);
  var /= static_cast<double>(q.values.size());
  CHECK(std::abs(mean) < 5 / std::sqrt(16384.0));
  CHECK(std::abs(var - 1) < 0.05);
  const VectorSet k = gaussian_key(q, 0.6, 1.0, 7, 1);
  double qk = 0, kk = 0;
  for (std::size_t i = 0; i < q.values.size(); ++i) {
    qk += q.values[i] * k.values[i];
    kk += k.values[i] * k.values[i];
  }
  CHECK(std::abs(qk / static_cast<double>(q.values.size()) - 0.6) < 0.03);
  CHECK(std::abs(kk / static_cast<double>(q.values.size()) - 1) < 0.05);
  CHECK(gaussian_key(q, 1.0, 1.0, 7, 1).values == q.values);
  CHECK_THROWS_WITH(gaussian_key(q, 1.5, 1.0, 7, 1), ContainsSubstring("rho"));
  CHECK_THROWS_WITH(gaussian_key(q, std::nan(""), 1.0, 7, 1), ContainsSubstring("rho"));
}
