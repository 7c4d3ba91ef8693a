// Regular-file input (contract in ropelab/io/input_file.hpp).
#include "ropelab/io/input_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "io/file_kind.hpp"

namespace ropelab::io {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& why) {
  throw std::invalid_argument("cannot read '" + path + "': " + why);
}

// Closes the descriptor on every path out of read_regular_file.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

std::string read_regular_file(const std::string& path) {
  if (path.empty()) throw std::invalid_argument("an empty path is not a file");
  // O_NONBLOCK: opening a FIFO for reading must not wait for a writer; fstat then refuses it.
  const Descriptor fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) {
    fail(path, errno == ENOENT ? std::string("it does not exist") : std::string(std::strerror(errno)));
  }
  struct stat status {};
  if (::fstat(fd.get(), &status) != 0) fail(path, std::strerror(errno));
  if (!S_ISREG(status.st_mode)) fail(path, "it is " + file_kind_name(status.st_mode) + ", not a regular file");
  std::string bytes;
  bytes.reserve(static_cast<std::size_t>(status.st_size));
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(path, std::strerror(errno));
    }
    bytes.append(buffer, static_cast<std::size_t>(n));
  }
  return bytes;
}

}  // namespace ropelab::io
