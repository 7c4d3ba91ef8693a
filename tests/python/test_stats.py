"""ropelab.stats against brute force in numpy: O(N^2) pair counts for inversion and aliasing, an independent
float64 evaluation of S(m) = q^T R(m) k for the exact scores, and token statistics position by position."""
from __future__ import annotations

import math

import numpy as np
import pytest

import ropelab


def test_scores_exact_path_matches_numpy():
    d, base, end = 64, 10000.0, 3000
    rng = np.random.default_rng(9)
    q, k = rng.normal(size=d), rng.normal(size=d)
    s = ropelab.stats.scores({"rope_theta": base, "head_dim": d, "num_attention_heads": 1, "hidden_size": d, "max_position_embeddings": 4096}, q, k, end)
    # Half-split pairs (HF): pair i is (i, i + d/2), omega_i = base^(-2i/d); R(m) turns pair i by m*omega_i.
    half = d // 2
    omega = base ** (-2.0 * np.arange(half) / d)
    m = np.arange(end)[:, None]
    c, sn = np.cos(m * omega), np.sin(m * omega)
    k0, k1 = k[:half], k[half:]
    y0, y1 = k0 * c - k1 * sn, k1 * c + k0 * sn
    expect = (y0 * q[:half]).sum(axis=1) + (y1 * q[half:]).sum(axis=1)
    assert s.shape == (end,)
    assert np.max(np.abs(s - expect)) < 1e-9 * np.abs(q).sum() * np.abs(k).max() * 10


def test_inversion_brute_force():
    rng = np.random.default_rng(2)
    near, far = rng.normal(size=300), rng.normal(0.1, 1.0, size=250)
    near[:5] = far[:5]  # ties are not inversions
    got = ropelab.stats.inversion(near, far)
    assert got["inversions"] == int((near[:, None] < far[None, :]).sum())
    assert got["pairs"] == near.size * far.size


def test_aliasing_brute_force():
    rng = np.random.default_rng(4)
    scores = rng.normal(size=400) * 3
    rounded = ropelab.round(scores, "bf16")
    equal = rounded[:, None] == rounded[None, :]
    np.fill_diagonal(equal, False)
    got = ropelab.stats.aliasing(scores, format="bf16")
    assert got["pairs"] == int(equal.sum()) // 2
    assert got["with_partner"] == int(equal.any(axis=1).sum())
    within = np.abs(scores[:, None] - scores[None, :]) <= 0.01
    np.fill_diagonal(within, False)
    assert ropelab.stats.aliasing(scores, eps=0.01)["pairs"] == int(within.sum()) // 2


def test_token_brute_force():
    rng = np.random.default_rng(6)
    s1, s2 = rng.normal(size=500), rng.normal(size=500)
    got = ropelab.stats.token(s1, s2, s1_at_0=1.0, s2_at_0=0.5, format="bf16")
    assert np.array_equal(got["inverted"].astype(bool), s1 < s2)  # key 1 preferred at 0 loses at m
    r1, r2 = ropelab.round(s1, "bf16"), ropelab.round(s2, "bf16")
    assert np.array_equal(got["aliased"].astype(bool), r1 == r2)
    swap = (r1[:, None] == r2[None, :]) & (r1[None, :] == r2[:, None])
    np.fill_diagonal(swap, False)
    assert got["attention_invariance"] == int(swap.sum()) // 2


def test_sweep_rows_and_gaussian_vectors():
    q = ropelab.stats.gaussian(2, 32, seed=1)
    k = ropelab.stats.gaussian(2, 32, rho=0.5, seed=1, stream=1)
    assert q.shape == (2, 32) and not np.array_equal(q, k)
    assert np.array_equal(q, ropelab.stats.gaussian(2, 32, seed=1))
    spec = {"rope_theta": 10000.0, "head_dim": 32, "num_attention_heads": 1, "hidden_size": 32, "max_position_embeddings": 4096}
    table = ropelab.stats.sweep(spec, q, k, [100.0, 10000.0], [256, 1024])
    assert set(table["statistic"]) >= {"position_inversion", "position_aliasing_pairs"}
    rows = [r for r in table.rows() if r["statistic"] == "m_over_2pi_base"]
    for r in rows:
        assert r["value"] == pytest.approx(r["context"] / (2 * math.pi * r["base"]), rel=1e-15)
    # position_inversion for one (base, context) equals the halves count averaged over heads.
    scores = [ropelab.stats.scores(spec | {"rope_theta": 100.0}, q[h], k[h], 256) for h in range(2)]
    expect = np.mean([ropelab.stats.inversion(s[:128], s[128:])["probability"] for s in scores])
    got = [r["value"] for r in table.rows()
           if r["statistic"] == "position_inversion" and r["base"] == 100.0 and r["context"] == 256]
    assert got == [pytest.approx(expect, rel=1e-12)]
