"""ropelab.zone / bounds against the closed forms of arXiv:2602.10959 (shared/theory/phase-bounds.md §2) and
`ropelab zone --csv` on the same model."""
from __future__ import annotations

import csv
import io
import math

import pytest

import ropelab


def test_bounds_closed_forms():
    L, d, eps, n = 131072.0, 128, 0.5, 32
    b = ropelab.bounds(L, d, eps=eps, layers=n)
    assert b["aliasing_min_base"] == pytest.approx(L / (2 * math.pi), rel=1e-15)
    assert b["dc_min_base"] == pytest.approx(L / math.acos(eps), rel=1e-15)
    assert b["depth_min_base"] == pytest.approx(L / math.acos(eps ** (1 / n)), rel=1e-12)
    assert b["precision_wall"] == 2.0**23  # fp32, eps_mach = 2^(1-24)
    assert ropelab.bounds(L, d, format="bf16", eps_mach="unit-roundoff")["precision_wall"] == 2.0**8
    exact = ropelab.bounds(L, d, convention="exact")
    assert exact["aliasing_min_base"] == pytest.approx((L / (2 * math.pi)) ** (d / (d - 2)), rel=1e-13)


def test_zone_of_base_verdict():
    z = ropelab.zone(base=10000, rotary_dims=128, context=4096, eps=0.5)["approximate"]
    assert z["phase"] == pytest.approx(4096 / 10000, rel=1e-15)
    assert z["feasible"] and z["violated"] == []
    bad = ropelab.zone(base=10000, rotary_dims=128, context=40000, eps=0.5)["approximate"]
    assert not bad["feasible"] and "dc-stability" in bad["violated"]


def test_zone_of_model_equals_cli(run_cli):
    # The CLI prints one row per quantity, one column per convention, numbers at full precision (%.17g).
    rows = list(csv.DictReader(io.StringIO(run_cli("zone", "--model", "llama-3-8b", "--csv"))))
    ours = ropelab.zone("llama-3-8b")
    checked = 0
    for row in rows:
        for convention in ("approximate", "exact"):
            value = ours[convention].get(row["quantity"])
            if isinstance(value, float):
                assert value == float(row[convention]), (row["quantity"], convention)
                checked += 1
            elif row["quantity"] == "verdict":
                assert ours[convention]["verdict"] == row[convention]
                checked += 1
    assert checked >= 18, rows


def test_zone_errors():
    with pytest.raises(ValueError, match="eps"):
        ropelab.zone("llama-3-8b", eps=1.5)
    with pytest.raises(ValueError, match="spec"):
        ropelab.zone()
    with pytest.raises(ValueError, match="base"):
        ropelab.zone(base=0.5, rotary_dims=128, context=100)


def test_check_claims_equals_cli(run_cli, tmp_path):
    run_cli("check", "--filter", "bounds.", "--csv", tmp_path / "claims.csv")
    with open(tmp_path / "claims.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    seen = []
    ours = ropelab.check_claims("bounds.", progress=seen.append)
    assert list(ours["id"]) == [r["id"] for r in rows] == seen
    assert list(ours["verdict"]) == [r["verdict"] for r in rows]
    assert list(ours["detail"]) == [r["detail"] for r in rows]
    assert list(ours["expected_source"]) == [r["expected_source"] for r in rows]
    # The CSV prints the measured numbers with %.6g; the Python lists carry them in full.
    assert [" ".join("%.6g" % v for v in m) or "-" for m in ours["measured"]] == [r["measured"] for r in rows]
    assert all(ours["as_expected"])
    with pytest.raises(ValueError, match="filter"):
        ropelab.check_claims("no-such-claim-id")
