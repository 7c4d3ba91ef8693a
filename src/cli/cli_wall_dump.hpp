// `wall --from DIR`: a dumped table (the layout `ropelab emulate --out DIR` writes) read and checked against the spec.
#pragma once

#include <string>

#include "ropelab/rope/rope_spec.hpp"
#include "ropelab/rope/wall_dump.hpp"

namespace ropelab::cli {

// Reads DIR into a rope::WallDump, pairs = spec.rotary_dims / 2, any float .npy dtype read_npy takes:
//   positions.npy  integer (n,), strictly increasing, in [0, 2^53)
//   omega.npy      (pairs,)        the stored inverse frequencies
//   cos.npy, sin.npy (n, pairs)    the table
//   angle.npy      (n, pairs)      optional: the stored angles
//   key.npy        (n, head_dim)   optional: the stored rotated key
//   manifest.json                  optional: when it names a spec, it must be this one
// Throws std::invalid_argument("--from: <file>: ...") naming the file and what is wrong.
rope::WallDump load_wall_dump(const std::string& dir, const rope::RopeSpec& spec);

}  // namespace ropelab::cli
