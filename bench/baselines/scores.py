#!/usr/bin/python3
"""numpy baseline of S(m) = q^T R(m) k through the hf-eager-bf16 stack (stats_bench BM_Scores_HfEagerBf16).

q, k rounded to bfloat16; the bf16 cos/sin table of wall_map.py (float32 inv_freq, angle and trig, RNE to
bf16); the key rotated as HF eager does, every op rounded to bf16 (k*cos + rotate_half(k)*sin, half_split
pairs); the dot product q . R(m)k accumulated in float32 (numpy's sgemv order, not ropelab's coordinate
order) and rounded to bf16. Timed: the whole context, in chunks of positions.
Usage: scores.py --dim 128 --base 500000 --context M [--seed 1 --rho 0.5]
"""
import argparse

import numpy as np

from common import Timer, bf16_rne, gaussian_vectors, report


def scores(q, k, base, context, chunk=1 << 14):
    dim = q.size
    h = dim // 2
    q = bf16_rne(q.astype(np.float32))
    k = bf16_rne(k.astype(np.float32))
    k0, k1 = k[:h], k[h:]
    inv_freq = (np.float32(1.0) / (np.float32(base) ** (np.arange(0, dim, 2).astype(np.float32) / np.float32(dim))))
    inv_freq = inv_freq.astype(np.float32)
    out = np.empty(context, dtype=np.float32)
    for start in range(0, context, chunk):
        stop = min(context, start + chunk)
        angle = np.multiply.outer(np.arange(start, stop).astype(np.float32), inv_freq)
        c, s = bf16_rne(np.cos(angle)), bf16_rne(np.sin(angle))
        y0 = bf16_rne(bf16_rne(k0 * c) + bf16_rne(-k1 * s))
        y1 = bf16_rne(bf16_rne(k1 * c) + bf16_rne(k0 * s))
        out[start:stop] = bf16_rne(y0 @ q[:h] + y1 @ q[h:])
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dim", type=int, default=128)
    p.add_argument("--base", type=float, default=500000)
    p.add_argument("--context", type=int, default=1 << 24)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--rho", type=float, default=0.5)
    args = p.parse_args()
    q, k = gaussian_vectors(args.dim, args.rho, args.seed)
    with Timer() as t:
        s = scores(q, k, args.base, args.context)
    report("scores_hf_eager_bf16", "S(m) through hf-eager-bf16 (bf16 table, per-op bf16 rotation, fp32 dot)",
           t.seconds, context=args.context, dim=args.dim, base=args.base, mean=float(s.astype(np.float64).mean()))


if __name__ == "__main__":
    main()
