// Writing output files, all or nothing. Every file ropelab writes goes through here (the CLI's --csv / --out
// options, `run` points and CSVs, the report), so every output obeys one policy:
//  - a target is a regular file, replaced, keeping its mode; or a new file (mode 0666 & ~umask) in an existing
//    directory. A symbolic link is followed and the regular file it names is replaced (the link stays a link).
//  - refused before any work (std::invalid_argument "<option>: '<path>' ..."): an empty path; a directory; a
//    device, FIFO or socket, or a link to one; a dangling link; a read-only file; a directory that does not exist
//    or is not writable; a second option naming the same file (hard links and links included).
//  - each target is written to its temporary "<target>.ropelab-tmp-<pid>" in the same directory, flushed to disk,
//    and renamed over the target by commit(). An object destroyed without commit() (an error, an exception)
//    removes its temporaries; temporaries that processes killed outright (SIGKILL, power loss) left next to a
//    target are removed the next time that target is added.
#pragma once

#include <sys/types.h>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace ropelab::io {

class OutputFiles {
 public:
  OutputFiles() = default;
  OutputFiles(const OutputFiles&) = delete;
  OutputFiles& operator=(const OutputFiles&) = delete;
  ~OutputFiles();

  // Checks `path` as the target of `option` (policy above) and creates its temporary, so an unusable target
  // fails before any work. Throws std::invalid_argument naming `option`.
  void add(const std::string& option, const std::string& path);
  // Writes the temporary of an added `path` (std::logic_error if it was not added); a write error (disk full)
  // throws std::runtime_error naming the option.
  void write(const std::string& path, const std::function<void(std::ostream&)>& body);
  // Flushes every temporary to disk and renames it over its target. Every added path must have been written.
  void commit();

 private:
  struct Output {
    std::string option, path, target, temporary;
    dev_t device = 0;  // (device, inode) of an existing target, else 0: detects two names for one file
    ino_t inode = 0;
    bool written = false;
  };
  std::vector<Output> outputs_;
  bool committed_ = false;
};

// One file, all or nothing: OutputFiles add, write, commit.
void write_file_atomic(const std::string& option, const std::string& path, const std::string& content);

// "<target>.ropelab-tmp-<this process id>": the one naming of every temporary file and directory ropelab writes.
std::string temporary_path(const std::string& target);

// Removes the temporaries (files or whole directories) in `directory` whose process no longer runs; with a
// `target_name`, only those of that file name. Best effort: what cannot be removed stays.
void remove_stale_temporaries(const std::string& directory, const std::string& target_name = "");

}  // namespace ropelab::io
