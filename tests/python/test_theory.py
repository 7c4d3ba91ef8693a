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
    text = run_cli("zone", "--model", "llama-3-8b", "--csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    ours = ropelab.zone("llama-3-8b")
    assert rows, text
    checked = 0
    for row in rows:
        convention = row.get("convention")
        if convention not in ours:
            continue
        for key, value in row.items():
            if key in ours[convention] and isinstance(ours[convention][key], float):
                try:
                    cli_value = float(value)
                except ValueError:
                    continue
                assert ours[convention][key] == pytest.approx(cli_value, rel=1e-15, nan_ok=True), key
                checked += 1
    assert checked >= 8, rows[0].keys()


def test_zone_errors():
    with pytest.raises(ValueError, match="eps"):
        ropelab.zone("llama-3-8b", eps=1.5)
    with pytest.raises(ValueError, match="spec"):
        ropelab.zone()
    with pytest.raises(ValueError, match="base"):
        ropelab.zone(base=0.5, rotary_dims=128, context=100)
