// Interchange encodings: the precision core's (ropelab/encoding.hpp), under the names the CLI uses.
#pragma once

#include "ropelab/encoding.hpp"

namespace ropelab::cli {

using ropelab::Encoding;
using ropelab::encode;
using ropelab::encoding_hex;
using ropelab::standard_encoding;

}  // namespace ropelab::cli
