"""ropelab.wall / compare / check_model against the CLI's own outputs on the same inputs (`ropelab wall
--pairs-csv --csv`, `ropelab check-model --json`), and the progress callback's contract."""
from __future__ import annotations

import csv
import json
import subprocess

import numpy as np
import pytest

import ropelab

PAIR_COLUMNS = ("pair", "reference_omega", "stored_omega", "omega_subnormal", "omega_flushed",
                "first_adjacent_collision", "first_tau_exceed", "max_phase_error", "max_phase_error_position",
                "max_angle_error", "max_cos_ulps", "max_sin_ulps")


def number(text: str) -> float:
    """A CSV cell: full-precision numbers; 'none' or empty for 'never' (-1 in the library's results)."""
    return -1.0 if text in ("", "none", "-") else float(text)


def test_wall_pairs_and_positions_equal_cli(run_cli, tmp_path):
    context = 70000
    run_cli("wall", "--preset", "hf-eager-bf16", "--model", "llama-2-7b", "--context", context, "--seed", 3,
            "--pairs-csv", tmp_path / "pairs.csv", "--csv", tmp_path / "positions.csv", "--threads", 2)
    ours = ropelab.wall("hf-eager-bf16", "llama-2-7b", context, seed=3, per_position=True, threads=1)
    with open(tmp_path / "pairs.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(ours.pairs["pair"]) == 64
    for column in PAIR_COLUMNS:
        cli = np.array([number(r[column]) for r in rows])
        mine = np.asarray(ours.pairs[column], dtype=np.float64)
        assert np.array_equal(mine, cli, equal_nan=True), column
    with open(tmp_path / "positions.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(ours.positions["position"])
    assert np.array_equal(ours.positions["colliding_pairs"], [int(r["colliding_pairs"]) for r in rows])
    assert np.array_equal(ours.positions["max_phase_error"], [float(r["max_phase_error"]) for r in rows])
    # The overall quantities are the per-pair ones reduced.
    collisions = ours.pairs["first_adjacent_collision"]
    assert ours.first_any_collision == (collisions[collisions >= 0].min() if (collisions >= 0).any() else -1)
    assert ours.max_phase_error == ours.pairs["max_phase_error"].max()


def test_progress_callback():
    seen = []
    ropelab.wall("vllm-old-bf16", "llama-3-8b", 1 << 17, progress=seen.append)
    assert seen and all(0 <= a <= b <= 1 for a, b in zip(seen, seen[1:]))

    def fail(_):
        raise KeyboardInterrupt("stop")

    with pytest.raises(KeyboardInterrupt):
        ropelab.wall("vllm-old-bf16", "llama-3-8b", 1 << 17, progress=fail)


def test_compare_rows_are_walls():
    table = ropelab.compare(["hf-eager-bf16", "vllm-fp32-math"], "llama-3-8b", 20000)
    assert list(table["preset"]) == ["hf-eager-bf16", "vllm-fp32-math"]
    for i, name in enumerate(table["preset"]):
        alone = ropelab.wall(name, "llama-3-8b", 20000)
        assert table["max_phase_error"][i] == alone.max_phase_error
        assert table["first_any_collision"][i] == alone.first_any_collision
    with pytest.raises(ValueError, match="set"):
        ropelab.compare(["hf-eager-bf16", "vllm-fp32-math"], "llama-3-8b", 100, set=[None])


@pytest.mark.parametrize("preset", ["hf-eager-bf16", "hf-4.37-cast-bf16"])
def test_check_model_equals_cli_json(cli, preset):
    done = subprocess.run([cli, "check-model", "--preset", preset, "--model", "llama-3-8b", "--context", "65536",
                           "--key-cache", "bf16,q8_0,e4m3fn", "--json"], capture_output=True, text=True, check=False)
    assert done.returncode in (0, 1), done.stderr  # 0 safe, 1 unsafe
    theirs = json.loads(done.stdout)
    ours = ropelab.check_model(preset, "llama-3-8b", 65536, key_cache=["bf16", "q8_0", "e4m3fn"])
    assert ours.safe == theirs["safe"] == (done.returncode == 0)
    assert ours.problems == theirs["problems"]
    assert ours.unresolved_pairs == theirs["unresolved_pairs"]
    for mine, row in zip(ours.key_cache, theirs["key_cache"], strict=True):
        for key in ("format", "first_key_collision", "max_score_error", "max_logit_error", "equal_neighbour_fraction",
                    "safe"):
            # JSON writes "never" (-1 in the library and in Python) as null.
            assert mine[key] == (-1 if row[key] is None and key == "first_key_collision" else row[key]), key


def test_wall_errors():
    with pytest.raises(ValueError, match="tau"):
        ropelab.wall("hf-eager-bf16", "llama-3-8b", 100, tau=0)
    with pytest.raises(ValueError, match="context"):
        ropelab.wall("hf-eager-bf16", "llama-3-8b", 1)
    with pytest.raises(ValueError, match="threads"):
        ropelab.wall("hf-eager-bf16", "llama-3-8b", 100, threads=-1)


def test_long_calls_release_the_gil():
    import threading

    done = threading.Event()
    result = {}

    def work():
        result["wall"] = ropelab.wall("vllm-fp32-math", "llama-3-8b", 1 << 18, threads=1)
        done.set()

    thread = threading.Thread(target=work)
    thread.start()
    spins = 0
    while not done.is_set():  # runs only while the wall measurement does not hold the GIL
        spins += 1
    thread.join()
    assert result["wall"].first_any_collision >= 0
    assert spins > 10000, spins


def test_tables_convert_to_pandas():
    pandas = pytest.importorskip("pandas")
    frame = ropelab.wall("hf-eager-bf16", "llama-3-8b", 4096).pairs.to_pandas()
    assert isinstance(frame, pandas.DataFrame) and len(frame) == 64
