// The output-directory lock (contract in ropelab/io/directory_lock.hpp).
#include "ropelab/io/directory_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace ropelab::io {

DirectoryLock::DirectoryLock(const std::string& option, const std::string& directory) {
  const std::string path = directory + "/ropelab.lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd_ < 0) {
    throw std::invalid_argument(option + ": cannot create the lock file '" + path + "': " + std::strerror(errno));
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    char holder[32] = {};
    const ssize_t n = ::pread(fd_, holder, sizeof holder - 1, 0);
    const std::string pid = n > 0 ? std::string(holder, static_cast<std::size_t>(n)) : std::string("unknown");
    ::close(fd_);
    fd_ = -1;
    if (error != EWOULDBLOCK) throw std::invalid_argument(option + ": cannot lock '" + path + "': " + std::strerror(error));
    throw std::invalid_argument(option + ": '" + directory + "' is in use by another ropelab process (pid " +
                                pid.substr(0, pid.find('\n')) + "); wait for it to finish or choose another " + option);
  }
  // The holder's pid, for the message above. The lock, not the text, is what excludes: if writing fails, only
  // a second process's message loses the pid.
  const std::string pid = std::to_string(::getpid()) + "\n";
  const bool recorded = ::ftruncate(fd_, 0) == 0 && ::pwrite(fd_, pid.data(), pid.size(), 0) == static_cast<ssize_t>(pid.size());
  static_cast<void>(recorded);
}

DirectoryLock::~DirectoryLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace ropelab::io
