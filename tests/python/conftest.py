"""Shared fixtures: the built CLI (ROPELAB_CLI, set by ctest) run in a scratch directory."""
from __future__ import annotations

import os
import pathlib
import subprocess

import pytest


@pytest.fixture(scope="session")
def cli() -> str:
    path = os.environ.get("ROPELAB_CLI")
    if not path:
        pytest.fail("ROPELAB_CLI is not set (ctest sets it to the built ropelab binary)")
    return path


@pytest.fixture(scope="session")
def source_dir() -> pathlib.Path:
    return pathlib.Path(os.environ.get("ROPELAB_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))


@pytest.fixture
def run_cli(cli):
    """run_cli(*args) -> stdout; fails the test with stderr when the CLI exits non-zero."""

    def run(*args: str, expect: int = 0) -> str:
        done = subprocess.run([cli, *map(str, args)], capture_output=True, text=True, check=False)
        assert done.returncode == expect, f"ropelab {' '.join(map(str, args))}: exit {done.returncode}\n{done.stderr}"
        return done.stdout

    return run
