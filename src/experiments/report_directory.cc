// Where the report is written (contract in report_internal.hpp): a work directory beside --out, put in place of
// --out as a whole when the report is complete.
#include <fcntl.h>
#include <stdio.h>  // renameat2

#include <nlohmann/json.hpp>

#include "report_internal.hpp"
#include "ropelab/io/input_file.hpp"
#include "ropelab/io/output_files.hpp"

namespace ropelab::experiments::report_detail {

namespace fs = std::filesystem;

fs::path report_path(const std::string& out_dir) {
  fs::path out = fs::path(out_dir).lexically_normal();
  if (!out.has_filename()) out = out.parent_path();
  return out;
}

fs::path out_parent(const fs::path& out) { return out.has_parent_path() ? out.parent_path() : fs::path("."); }

bool replaceable_report(const fs::path& out) {
  std::error_code ec;
  if (fs::is_empty(out, ec)) return true;
  try {
    const nlohmann::json manifest = nlohmann::json::parse(io::read_regular_file((out / "manifest.json").string()));
    return manifest.is_object() && manifest.contains("ropelab_version");
  } catch (const std::exception&) {
    return false;
  }
}

ReportDirectory::ReportDirectory(fs::path out) : out_(std::move(out)), work_(io::temporary_path(out_.string())) {
  const std::string parent = out_parent(out_).string(), name = out_.filename().string();
  io::remove_stale_temporaries(parent, name);
  io::remove_stale_temporaries(parent, name + "-replaced");
  fs::create_directory(work_);
}

ReportDirectory::~ReportDirectory() {
  std::error_code ignored;
  if (!installed_) fs::remove_all(work_, ignored);
}

void ReportDirectory::install() {
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(out_, ec))) {
    fs::rename(work_, out_);
  } else if (::renameat2(AT_FDCWD, work_.c_str(), AT_FDCWD, out_.c_str(), RENAME_EXCHANGE) == 0) {
    fs::remove_all(work_, ec);  // now the earlier report
  } else {
    // A file system without RENAME_EXCHANGE: move the earlier report aside first (a short window without --out).
    const fs::path aside = io::temporary_path(out_.string() + "-replaced");
    fs::rename(out_, aside);
    fs::rename(work_, out_);
    fs::remove_all(aside, ec);
  }
  installed_ = true;
}

}  // namespace ropelab::experiments::report_detail
