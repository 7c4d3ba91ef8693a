// Reading input files: only regular files, checked before a byte is read. A FIFO would block the reader
// forever, a device such as /dev/zero never ends, a directory has no bytes; none of them is a config, a spec
// or a vector file a user meant to give.
#pragma once

#include <string>

namespace ropelab::io {

// The whole content of the regular file at `path` (symbolic links followed).
// Throws std::invalid_argument("cannot read '<path>': <why>") when the file is missing ("it does not exist"),
// unreadable ("Permission denied") or not a regular file ("it is a FIFO, not a regular file"; also directories,
// character and block devices, sockets). A FIFO is opened without blocking, so the check never waits for a writer.
std::string read_regular_file(const std::string& path);

}  // namespace ropelab::io
