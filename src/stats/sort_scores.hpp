// Sorting binary64 scores (internal to src/stats): the counts sort millions of scores per call, where
// std::sort costs several times more than two bucket passes.
#pragma once

#include <vector>

namespace ropelab::stats::detail {

// Sorts v ascending. Valid: no NaN (their order is not defined). Method: MSD bucket passes of up to 2048
// buckets of equal width over [min, max] of the range being sorted (the bucket index fl(fl(x − min)·scale) is
// monotone in x, so bucket order is value order), each bucket then sorted the same way; insertion sort for
// ranges of <= 32 values, std::sort below 512 values, past 6 levels, or when max − min is not finite.
// O(n) passes for scores of a bounded density (two levels at n = 2^23); n extra doubles of memory.
void sort_scores(std::vector<double>& v);

}  // namespace ropelab::stats::detail
