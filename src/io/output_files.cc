// All-or-nothing output files (policy and contract in ropelab/io/output_files.hpp).
#include "ropelab/io/output_files.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "io/file_kind.hpp"

namespace ropelab::io {
namespace {

namespace fs = std::filesystem;

constexpr const char* kTemporaryMark = ".ropelab-tmp-";

std::string error_text() { return std::strerror(errno); }

// The directory part of `path` ("." for a bare name).
std::string directory_of(const std::string& path) {
  const std::string parent = fs::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

bool process_running(pid_t pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

// The pid of a temporary named "<name>.ropelab-tmp-<pid>" (with `name` when given), else 0.
pid_t temporary_owner(const std::string& file_name, const std::string& target_name) {
  const std::size_t mark = file_name.rfind(kTemporaryMark);
  if (mark == std::string::npos || mark == 0) return 0;
  if (!target_name.empty() && file_name.compare(0, mark, target_name) != 0) return 0;
  const std::string digits = file_name.substr(mark + std::strlen(kTemporaryMark));
  if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) return 0;
  return static_cast<pid_t>(std::stol(digits));
}

// Where `path` really writes: itself, or the file a symbolic link names. Refuses what the policy refuses.
std::string resolve_target(const std::string& option, const std::string& path, struct stat& status, bool& exists) {
  const std::string quoted = option + ": '" + path + "'";
  struct stat link {};
  if (::lstat(path.c_str(), &link) != 0) {
    if (errno != ENOENT) throw std::invalid_argument(quoted + " cannot be used: " + error_text());
    exists = false;
    return path;
  }
  std::string target = path;
  if (S_ISLNK(link.st_mode)) {
    char resolved[PATH_MAX];
    if (!::realpath(path.c_str(), resolved)) {
      throw std::invalid_argument(quoted + " is a symbolic link to nothing (" + error_text() + "); give a FILE");
    }
    target = resolved;
  }
  if (::stat(target.c_str(), &status) != 0) throw std::invalid_argument(quoted + " cannot be used: " + error_text());
  const std::string via = target == path ? "" : " (a link to '" + target + "')";
  if (S_ISDIR(status.st_mode)) throw std::invalid_argument(quoted + via + " is a directory; give a FILE");
  if (!S_ISREG(status.st_mode)) {
    throw std::invalid_argument(quoted + via + " is " + file_kind_name(status.st_mode) +
                                "; ropelab writes only regular files");
  }
  if (::access(target.c_str(), W_OK) != 0) throw std::invalid_argument(quoted + via + " is not writable: " + error_text());
  exists = true;
  return target;
}

// Creates the empty temporary of `target` (the mode of an existing target, else 0666 & ~umask).
void create_temporary(const std::string& option, const std::string& target, const std::string& temporary,
                      const struct stat* existing) {
  const std::string directory = directory_of(target);
  struct stat dir {};
  if (::stat(directory.c_str(), &dir) != 0) {
    throw std::invalid_argument(option + ": cannot create '" + target + "': directory '" + directory +
                                "' does not exist");
  }
  if (!S_ISDIR(dir.st_mode)) {
    throw std::invalid_argument(option + ": cannot create '" + target + "': '" + directory + "' is " +
                                file_kind_name(dir.st_mode) + ", not a directory");
  }
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0 && errno == EEXIST) {  // left by an earlier process that had this pid
    ::unlink(temporary.c_str());
    fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  }
  if (fd < 0) {
    throw std::invalid_argument(option + ": cannot create '" + target + "' in '" + directory + "': " + error_text());
  }
  if (existing) static_cast<void>(::fchmod(fd, existing->st_mode & 07777));
  ::close(fd);
}

// Flushes `path` (a file or a directory) to disk; best effort for directories.
bool sync_path(const std::string& path, bool directory) {
  const int fd = ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_WRONLY) | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

std::string temporary_path(const std::string& target) { return target + kTemporaryMark + std::to_string(::getpid()); }

void remove_stale_temporaries(const std::string& directory, const std::string& target_name) {
  std::error_code ec;
  for (fs::directory_iterator it(directory, ec), end; !ec && it != end; it.increment(ec)) {
    const pid_t owner = temporary_owner(it->path().filename().string(), target_name);
    if (owner > 0 && owner != ::getpid() && !process_running(owner)) {
      std::error_code ignored;
      fs::remove_all(it->path(), ignored);
    }
  }
}

OutputFiles::~OutputFiles() {
  if (committed_) return;
  for (const Output& o : outputs_) ::unlink(o.temporary.c_str());
}

void OutputFiles::add(const std::string& option, const std::string& path) {
  if (path.empty()) throw std::invalid_argument(option + ": empty path; give a FILE");
  struct stat status {};
  bool exists = false;
  Output o{.option = option, .path = path, .target = resolve_target(option, path, status, exists), .temporary = {}};
  if (exists) {
    o.device = status.st_dev;
    o.inode = status.st_ino;
  } else {
    char resolved[PATH_MAX];
    const std::string directory = directory_of(path);
    if (::realpath(directory.c_str(), resolved)) o.target = (fs::path(resolved) / fs::path(path).filename()).string();
  }
  for (const Output& other : outputs_) {
    const bool same = exists ? (other.inode == o.inode && other.device == o.device) : other.target == o.target;
    if (same) {
      throw std::invalid_argument(option + ": '" + path + "' is the same file as " + other.option + " '" + other.path +
                                  "'; give each output its own file");
    }
  }
  remove_stale_temporaries(directory_of(o.target), fs::path(o.target).filename().string());
  o.temporary = temporary_path(o.target);
  create_temporary(option, o.target, o.temporary, exists ? &status : nullptr);
  outputs_.push_back(std::move(o));
}

void OutputFiles::write(const std::string& path, const std::function<void(std::ostream&)>& body) {
  for (Output& o : outputs_) {
    if (o.path != path) continue;
    std::ofstream out(o.temporary, std::ios::binary | std::ios::trunc);
    body(out);
    out.flush();
    if (!out) throw std::runtime_error(o.option + ": writing '" + path + "' failed: " + error_text());
    o.written = true;
    return;
  }
  throw std::logic_error("OutputFiles::write: '" + path + "' was not added");
}

void OutputFiles::commit() {
  for (const Output& o : outputs_) {
    if (!o.written) throw std::logic_error("OutputFiles::commit: '" + o.path + "' was added but never written");
    if (!sync_path(o.temporary, false)) {
      throw std::runtime_error(o.option + ": writing '" + o.path + "' failed: " + error_text());
    }
  }
  for (const Output& o : outputs_) {
    // The target may have changed kind during the work (a FIFO made meanwhile): it is still never replaced.
    struct stat now {};
    if (::lstat(o.target.c_str(), &now) == 0 && !S_ISREG(now.st_mode)) {
      throw std::runtime_error(o.option + ": '" + o.target + "' became " + file_kind_name(now.st_mode) +
                               " while ropelab worked; it was left as it is");
    }
    if (::rename(o.temporary.c_str(), o.target.c_str()) != 0) {
      throw std::runtime_error(o.option + ": cannot rename '" + o.temporary + "' to '" + o.target + "': " + error_text());
    }
  }
  committed_ = true;
  for (const Output& o : outputs_) sync_path(directory_of(o.target), true);
}

void write_file_atomic(const std::string& option, const std::string& path, const std::string& content) {
  OutputFiles files;
  files.add(option, path);
  files.write(path, [&](std::ostream& out) { out << content; });
  files.commit();
}

}  // namespace ropelab::io
