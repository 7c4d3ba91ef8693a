#!/usr/bin/python3
"""numpy fp64 baseline of `ropelab stats inversion` (the exact position-inversion count between halves).

S(m) = sum_n A_n cos(m w_n) - B_n sin(m w_n) in binary64 with m*w_n rounded (numpy's usual way; the angle
error grows with m, so near-ties can be mis-ordered), w_n = base^(-2n/d), pairs (2n, 2n+1) (--pairing
interleaved, the theory note's convention) or (n, n + d/2) (half_split, ropelab's default: pass the same
--pairing to both); then inversions = #{(i near, j far): S_i < S_j} by sorting both halves.
Timed: scores + sort + count, not the loading of q and k.
Usage: inversion_count.py --q Q.npy --k K.npy --dim 128 --base 500000 --context M [--pairing interleaved]
"""
import argparse

import numpy as np

from common import Timer, load_vector, report


def scores(q, k, base, context, pairing, chunk=1 << 15):
    d = q.size
    h = d // 2
    if pairing == "interleaved":
        q0, q1, k0, k1 = q[0::2], q[1::2], k[0::2], k[1::2]
    else:
        q0, q1, k0, k1 = q[:h], q[h:], k[:h], k[h:]
    a = q0 * k0 + q1 * k1
    b = q0 * k1 - q1 * k0
    omega = base ** (-2.0 * np.arange(h) / d)
    s = np.empty(context)
    for start in range(0, context, chunk):
        stop = min(context, start + chunk)
        angle = np.multiply.outer(np.arange(start, stop, dtype=np.float64), omega)
        s[start:stop] = np.cos(angle) @ a - np.sin(angle) @ b
    return s


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--q", required=True)
    p.add_argument("--k", required=True)
    p.add_argument("--dim", type=int, default=128)
    p.add_argument("--base", type=float, default=500000)
    p.add_argument("--context", type=int, default=1 << 20)
    p.add_argument("--pairing", choices=["interleaved", "half_split"], default="interleaved")
    args = p.parse_args()
    q, k = load_vector(args.q, args.dim), load_vector(args.k, args.dim)
    with Timer() as t:
        s = scores(q, k, args.base, args.context, args.pairing)
        half = args.context // 2
        near, far = np.sort(s[:half]), np.sort(s[half:])
        inversions = int((far.size - np.searchsorted(far, near, side="right")).sum())
    report("inversion_count", "fp64 scores (m*w rounded) + sort + count, halves", t.seconds,
           context=args.context, dim=args.dim, base=args.base, pairing=args.pairing, inversions=inversions)


if __name__ == "__main__":
    main()
