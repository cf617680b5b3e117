"""Splitting the spread of outcomes into parameter uncertainty and chance (issue 3, deep uncertainty)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import redline
from redline.analysis import spread_sources
from redline.cli import app

TOY = str(Path(__file__).parent / "data" / "toy.yaml")


def test_shares_match_the_law_of_total_variance_on_the_toy():
    """first_strike by day 50 with p ~ U(0.01, 0.03): P(hit | p) = 1 - (1 - p)^50."""
    res = redline.simulate(TOY, runs=64_000, seed=5, replicates=16)
    got = spread_sources(res).loc["P(first_strike)"]
    p = np.linspace(0.01, 0.03, 200_001)
    hit = 1 - (1 - p) ** 50
    between, within = hit.var(), (hit * (1 - hit)).mean()
    assert got.variance == pytest.approx(between + within, rel=0.03)
    assert got.parameters_share == pytest.approx(between / (between + within), abs=0.02)
    # raids have a fixed rate: their spread is all chance
    assert spread_sources(res).loc["raids", "parameters_share"] < 0.01


def test_replicated_runs_share_their_parameter_draws():
    res = redline.simulate("iraq-2020", runs=1024, seed=2, horizon=20, replicates=8)
    draws = res.per_run().filter(like="param_").to_numpy()
    assert (draws.reshape(128, 8, -1) == draws.reshape(128, 8, -1)[:, :1, :]).all()
    assert len(np.unique(draws[:, 0])) == 128


def test_fixed_parameters_leave_only_chance():
    res = redline.simulate("iraq-2020", runs=16_384, seed=2, horizon=60, replicates=16, fixed=True)
    assert spread_sources(res).loc["P(us_death)", "parameters_share"] < 0.02


def test_bad_replicates_and_missing_replication_are_clear():
    with pytest.raises(redline.ScenarioError, match="power of two"):
        redline.simulate(TOY, runs=100, replicates=3)
    with pytest.raises(redline.RedlineError, match="replicates >= 2"):
        spread_sources(redline.simulate(TOY, runs=100, seed=1))


def test_cli_prints_the_split():
    result = CliRunner().invoke(app, ["run", "--runs", "4096", "--seed", "1", "--horizon", "60", "--replicates", "16",
                                      "--no-report"], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "Where the spread comes from" in result.output and "parameter uncertainty" in result.output
