// Point records of `ropelab run` (contract in runner_internal.hpp): sealed with a line count and a checksum so a
// resumed run can tell a finished point from a torn or truncated one.
#include <cstdint>
#include <cstdio>
#include <string>

#include "report_internal.hpp"
#include "runner_internal.hpp"

namespace ropelab::experiments::runner_detail {
namespace {

constexpr const char* kTrailer = "#end,";

std::size_t count_lines(const std::string& text) {
  std::size_t lines = 0;
  for (const char c : text) lines += c == '\n';
  return lines;
}

}  // namespace

std::string fnv1a_hex(const std::string& text) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(h));
  return buffer;
}

std::string seal_record(double seconds, const std::string& rows) {
  const std::string body = "#seconds," + report_detail::number(seconds) + "\n" + rows;
  return body + kTrailer + std::to_string(count_lines(body)) + "," + fnv1a_hex(body) + "\n";
}

bool verified_record(const std::string& record) {
  if (record.rfind("#seconds,", 0) != 0 || record.back() != '\n') return false;
  const std::size_t before_last = record.rfind('\n', record.size() - 2);
  if (before_last == std::string::npos) return false;  // one line: no trailer
  const std::size_t trailer = before_last + 1;
  const std::string body = record.substr(0, trailer);
  const std::string expected = kTrailer + std::to_string(count_lines(body)) + "," + fnv1a_hex(body) + "\n";
  return record.compare(trailer, std::string::npos, expected) == 0;
}

}  // namespace ropelab::experiments::runner_detail
