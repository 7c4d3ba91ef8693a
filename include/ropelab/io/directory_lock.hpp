// One writer per output directory: an exclusive advisory lock (flock) on "<directory>/ropelab.lock", held for
// the object's lifetime. The kernel drops it when the process ends in any way (SIGKILL included), so a lock is
// never stale; the file itself stays and means nothing while unlocked.
#pragma once

#include <string>

namespace ropelab::io {

class DirectoryLock {
 public:
  // Locks the existing `directory` without waiting. Throws std::invalid_argument("<option>: '<directory>' is in
  // use by another ropelab process (pid N); ...") when another process holds it, or naming the error when the
  // lock file cannot be created.
  DirectoryLock(const std::string& option, const std::string& directory);
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;
  ~DirectoryLock();

 private:
  int fd_ = -1;
};

}  // namespace ropelab::io
