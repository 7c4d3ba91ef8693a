#!/usr/bin/python3
"""numpy baseline of `ropelab wall --preset hf-eager-bf16` (the precision-wall map of one pipeline).

Per (position m, pair n), in chunks of positions (memory independent of the context):
  table: inv_freq = 1 / base^(arange(0, d, 2) / d) in float32, angle = float32(m) * inv_freq in float32,
         cos/sin in float32, rounded to bfloat16 (RNE) - the HF eager bf16 stack;
  reference: binary64 m * w_n (w_n = base^(-2n/d)), cos/sin in binary64 (rounded angle: not exact);
  phase error |atan2(s c_ref - c s_ref, c c_ref + s s_ref)|;
and per pair: the max phase error and its position, the first position whose error exceeds tau, the first
adjacent collision (bf16 cos and sin equal at m and m + 1). ropelab also reports angle errors and table ulps.
Timed: everything above, for the whole context.
Usage: wall_map.py --dim 128 --base 500000 --context M [--tau 0.1]
"""
import argparse

import numpy as np

from common import Timer, bf16_rne, report


def wall(dim, base, context, tau, chunk=1 << 14):
    h = dim // 2
    inv_freq = (np.float32(1.0) / (np.float32(base) ** (np.arange(0, dim, 2).astype(np.float32) / np.float32(dim))))
    inv_freq = inv_freq.astype(np.float32)
    omega = base ** (-2.0 * np.arange(h) / dim)
    max_error = np.zeros(h)
    max_at = np.zeros(h, dtype=np.int64)
    first_exceed = np.full(h, -1, dtype=np.int64)
    first_collision = np.full(h, -1, dtype=np.int64)
    previous = None
    for start in range(0, context, chunk):
        stop = min(context, start + chunk)
        m = np.arange(start, stop)
        angle = np.multiply.outer(m.astype(np.float32), inv_freq)
        c, s = bf16_rne(np.cos(angle)), bf16_rne(np.sin(angle))
        reference = np.multiply.outer(m.astype(np.float64), omega)
        cr, sr = np.cos(reference), np.sin(reference)
        error = np.abs(np.arctan2(s * cr - c * sr, c * cr + s * sr))
        row = error.argmax(axis=0)
        better = error[row, np.arange(h)] > max_error
        max_error = np.where(better, error[row, np.arange(h)], max_error)
        max_at = np.where(better, start + row, max_at)
        exceed = error > tau
        hit = exceed.any(axis=0) & (first_exceed < 0)
        first_exceed[hit] = start + exceed.argmax(axis=0)[hit]
        if previous is not None:
            c = np.vstack([previous[0], c])
            s = np.vstack([previous[1], s])
            base_row = start - 1
        else:
            base_row = start
        same = (c[1:] == c[:-1]) & (s[1:] == s[:-1])
        hit = same.any(axis=0) & (first_collision < 0)
        first_collision[hit] = base_row + same.argmax(axis=0)[hit]
        previous = (c[-1:], s[-1:])
    return max_error, max_at, first_exceed, first_collision


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dim", type=int, default=128)
    p.add_argument("--base", type=float, default=500000)
    p.add_argument("--context", type=int, default=1 << 20)
    p.add_argument("--tau", type=float, default=0.1)
    args = p.parse_args()
    with Timer() as t:
        max_error, _, first_exceed, first_collision = wall(args.dim, args.base, args.context, args.tau)
    exceeded = first_exceed[first_exceed >= 0]
    collided = first_collision[first_collision >= 0]
    report("wall_map", "hf-eager-bf16 table vs fp64 reference: phase error, tau crossing, adjacent collisions",
           t.seconds, context=args.context, dim=args.dim, base=args.base,
           max_phase_error=float(max_error.max()),
           first_tau_exceed=int(exceeded.min()) if exceeded.size else -1,
           first_adjacent_collision=int(collided.min()) if collided.size else -1)


if __name__ == "__main__":
    main()
