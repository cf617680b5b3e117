"""Sweeps: sensitivity analysis and scenario discovery against analytic answers, executors, bad input.

``tests/data/sweep.yaml`` holds outcomes whose answers are known in closed form:
the Ishigami function (SALib's own reference case), a probability linear in two
parameters, and a planted box.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import redline
from conftest import assert_offline
from redline.analysis.discover import discover, find_box
from redline.analysis.sensitivity import sensitivity
from redline.cli import app
from redline.engine import build_model
from redline.engine.executors import run_sweep
from redline.engine.sweep import SweepJob, run_points, values_at
from redline.errors import ExecutorError, NumericalError, RedlineError, UnknownNameError

SWEEP = str(Path(__file__).parent / "data" / "sweep.yaml")
# Ishigami and Homma (1990) with a = 7, b = 0.1: exact first-order and total indices.
ISHIGAMI_S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ISHIGAMI_ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}


# ----- the sweep kernel -------------------------------------------------------------------------
def test_a_point_at_the_medians_is_simulate_with_fixed_parameters() -> None:
    """Run j of every point uses the random numbers of run j of simulate(runs=k): same answers."""
    for scenario, k in (("iraq-2020", 300), ("iraq-2024", 200)):
        model = build_model(scenario)
        values = values_at(model, np.full((2, len(model.uncertain)), 0.5))
        got = run_points(model, values, k, seed=11)
        res = redline.simulate(scenario, runs=k, seed=11, fixed=True, workers=1)
        expected = res.outcomes().probability.to_numpy()
        np.testing.assert_array_equal(got.probabilities[0], expected)
        np.testing.assert_array_equal(got.probabilities[1], expected)
        np.testing.assert_allclose(got.means[0], res.quantities()["mean"].to_numpy(), rtol=1e-12)


def test_answers_do_not_depend_on_chunks_order_or_workers() -> None:
    loaded = redline.load_scenario("iraq-2020")
    model = build_model(loaded)
    u = np.random.default_rng(5).random((150, len(model.uncertain)))
    values = values_at(model, u)
    job = SweepJob(loaded, model.policies, model.horizon, 200, 3)  # 81 points per chunk: two chunks
    one = run_sweep(job, values, workers=1)
    two = run_sweep(job, values, workers=2)
    np.testing.assert_array_equal(one.probabilities, two.probabilities)
    np.testing.assert_array_equal(one.means, two.means)
    order = np.random.default_rng(1).permutation(150)
    shuffled = run_sweep(job, values[order], workers=1)
    np.testing.assert_array_equal(shuffled.probabilities, one.probabilities[order])
    assert one.probabilities[:, 4].std() > 0  # us_death moves with the parameters: the check can fail


def test_a_numerical_error_in_a_sweep_names_the_first_failing_chunk(toy_variant) -> None:
    path = toy_variant(("hazard: {probability: p_strike}", "hazard: {probability: p_strike * 61}"))
    model = build_model(redline.load_scenario(str(path)))
    values = np.linspace(0.01, 0.03, 100).reshape(-1, 1)  # p_strike * 61 > 1 from point 32 (0.01646) on
    job = SweepJob(redline.load_scenario(str(path)), model.policies, model.horizon, 500, 1)
    for workers in (1, 2):
        with pytest.raises(NumericalError) as info:
            run_sweep(job, values, workers=workers)
        message = str(info.value)
        assert "strike" in message and "between 0 and 1" in message
        assert "at: parameter point 32 (p_strike=0.0164646), run 0 of 500" in message


# ----- sensitivity ---------------------------------------------------------------------------------
def test_sobol_recovers_the_ishigami_indices() -> None:
    s = sensitivity(SWEEP, "ishigami", samples=1024, runs_per_point=1, seed=3)
    df = s.indices()
    for name, s1 in ISHIGAMI_S1.items():
        r = df.loc[name]
        assert abs(r.S1 - s1) < max(1.5 * r.S1_conf, 0.03), (name, r.S1, r.S1_conf)
        assert abs(r.ST - ISHIGAMI_ST[name]) < max(1.5 * r.ST_conf, 0.03), (name, r.ST, r.ST_conf)
    # parameters the function never reads: exactly zero, not noise
    assert (df.loc[["a", "b", "c"], ["S1", "ST"]].to_numpy() == 0).all()
    assert list(df.index[:3]) == ["x1", "x2", "x3"]


def test_sobol_on_a_simulated_probability_recovers_the_analytic_shares() -> None:
    """P(event) = 0.6 a + 0.3 b: variance shares 0.8 and 0.2, estimated through 200 runs per point."""
    s = sensitivity(SWEEP, "linear", samples=512, runs_per_point=200, seed=3)
    df = s.indices()
    assert abs(df.loc["a", "S1"] - 0.8) < 0.06 and abs(df.loc["a", "ST"] - 0.8) < 0.06
    assert abs(df.loc["b", "S1"] - 0.2) < 0.06 and abs(df.loc["b", "ST"] - 0.2) < 0.06
    assert df.loc["c", "ST"] == 0
    text = s.summary()
    assert "a — none" in text and "b — none" in text and "4 of 6 parameters" in text


def test_morris_ranks_by_the_slopes() -> None:
    m = sensitivity(SWEEP, "linear", method="morris", samples=20, runs_per_point=400, seed=2)
    df = m.indices()
    assert list(df.index[:2]) == ["a", "b"]
    assert abs(df.loc["a", "mu_star"] - 0.6) < 0.05 and abs(df.loc["b", "mu_star"] - 0.3) < 0.05
    assert df.loc["c", "mu_star"] == 0


def test_a_constant_outcome_says_so_instead_of_dividing_by_zero() -> None:
    s = sensitivity(SWEEP, "linear", policy="calm", samples=16, runs_per_point=10, seed=1)
    assert s.constant and (s.indices().ST == 0).all()
    assert "was 0.0% at every one of the" in s.summary()


def test_sensitivity_outputs_json_and_a_self_contained_page(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["sensitivity", SWEEP, "--outcome", "linear", "--samples", "64",
                                      "--runs-per-point", "50", "--seed", "1", "--json", str(tmp_path / "s.json"),
                                      "--report", str(tmp_path / "s.html")])
    assert result.exit_code == 0, result.output
    assert "first-order S1" in result.output and "depends most on a" in result.output
    data = json.loads((tmp_path / "s.json").read_text())
    assert data["points"] == 64 * 8 and data["indices"][0]["parameter"] == "a"
    page = (tmp_path / "s.html").read_text()
    assert "chart-ranked" in page
    assert_offline(page)


def test_seed_zero_gives_the_same_intervals_twice() -> None:
    one = sensitivity(SWEEP, "linear", samples=64, runs_per_point=20, seed=0).indices()
    two = sensitivity(SWEEP, "linear", samples=64, runs_per_point=20, seed=0).indices()
    pd.testing.assert_frame_equal(one, two)
    assert one.loc["a", "ST_conf"] > 0


def test_morris_on_the_default_scenario_stays_within_its_quantile_range() -> None:
    """Unbounded laws (lognormal attack rate, strike kills) are sampled from their 0.1% to 99.9% quantiles."""
    m = sensitivity("iraq-2020", "us_death", method="morris", samples=4, runs_per_point=20, seed=1)
    q = m.evaluation.quantiles
    assert q.min() == pytest.approx(0.001) and q.max() == pytest.approx(0.999)
    assert m.indices().mu_star.iloc[0] > 0 and "mu* is the typical change" in m.summary()


def test_too_many_points_are_refused_before_any_work() -> None:
    with pytest.raises(RedlineError, match="needs 25,165,824 points"):
        sensitivity("iraq-2020", "us_death", samples=1 << 19)


# ----- scenario discovery -------------------------------------------------------------------------------
def test_prim_recovers_a_planted_box() -> None:
    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.random((3000, 5)), columns=list("pqrst"))
    y = ((x.p < 0.3) & (x.r > 0.6)).to_numpy() ^ (rng.random(3000) < 0.02)  # 2% of labels flipped
    limits, coverage, density, mass, _, dense = find_box(x, y)
    assert set(limits.index) == {"p", "r"}
    assert abs(limits.loc["p", "high"] - 0.3) < 0.03 and limits.loc["p", "low"] == -np.inf
    assert abs(limits.loc["r", "low"] - 0.6) < 0.03 and limits.loc["r", "high"] == np.inf
    assert coverage > 0.75 and density > 0.9 and abs(mass - 0.12) < 0.02 and dense


def test_discover_finds_the_box_planted_in_a_scenario() -> None:
    d = discover(SWEEP, "boxed", samples=1000, runs_per_point=50, seed=3)
    box = d.box()
    assert set(box.index) == {"a", "b"}
    assert abs(box.loc["a", "high"] - 0.3) < 0.03 and abs(box.loc["b", "low"] - 0.6) < 0.03
    assert d.density > 0.9 and d.coverage > 0.9
    assert d.inside(pd.DataFrame({n: [0.1 if n == "a" else 0.9] for n in d.target.names})).all()
    assert box.loc["a", "reads"].startswith("a below 0.") and box.loc["b", "reads"].startswith("b above 0.")
    assert box.loc["a", "reads"] in d.summary() and box.loc["b", "reads"] in d.summary()
    assert d.dense_enough and "No box along" not in d.summary()


def test_prim_refuses_marks_that_cannot_make_a_box() -> None:
    x = pd.DataFrame({"p": np.linspace(0, 1, 50)})
    for y in (np.zeros(50, dtype=bool), np.ones(50, dtype=bool), np.ones(3, dtype=bool)):
        with pytest.raises(RedlineError, match="PRIM needs a mark for every point"):
            find_box(x, y)


def test_a_box_that_cannot_reach_the_density_asked_for_says_so() -> None:
    rng = np.random.default_rng(2)
    x = pd.DataFrame(rng.random((2000, 3)), columns=list("pqr"))
    y = rng.random(2000) < 0.3 + 0.3 * (x.p > 0.5).to_numpy()  # denser for p > 0.5, never 95% dense
    limits, _, density, _, _, dense = find_box(x, y, min_density=0.95)
    assert not dense and density < 0.95 and "p" in limits.index
    d = discover(SWEEP, "boxed", samples=500, runs_per_point=20, seed=4)
    assert d.dense_enough and "No box along" not in d.summary()
    d.dense_enough = False
    assert "No box along PRIM's trajectory reached the density asked for (80%)" in d.summary()


def test_discover_without_enough_cases_explains_the_range() -> None:
    d = discover(SWEEP, "linear", threshold=0.99, samples=200, runs_per_point=200, seed=1)  # P(linear) <= 0.9
    assert not d.found and d.limits.empty
    assert "Choose a threshold in that range with --threshold" in d.summary()
    assert d.to_dict()["found"] is False


def test_discover_cli_prints_the_box_and_writes_json_and_page(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["discover", SWEEP, "--outcome", "boxed", "--samples", "500",
                                      "--runs-per-point", "40", "--seed", "2", "--json", str(tmp_path / "d.json"),
                                      "--report", str(tmp_path / "d.html")])
    assert result.exit_code == 0, result.output
    assert "PRIM box" in result.output
    data = json.loads((tmp_path / "d.json").read_text())
    assert {b["parameter"] for b in data["box"]} == {"a", "b"}
    page = (tmp_path / "d.html").read_text()
    assert "chart-tradeoff" in page and "chart-points" in page
    assert_offline(page)


# ----- executors ----------------------------------------------------------------------------------
def test_dask_local_cluster_gives_the_same_numbers_as_the_local_pool() -> None:
    pytest.importorskip("distributed")
    local = sensitivity("iraq-2020", "us_death", samples=4, runs_per_point=100, seed=9, workers=2)
    dask = sensitivity("iraq-2020", "us_death", samples=4, runs_per_point=100, seed=9, executor="dask", workers=2)
    np.testing.assert_array_equal(local.evaluation.y, dask.evaluation.y)
    assert local.evaluation.y.std() > 0
    np.testing.assert_array_equal(local.indices().ST, dask.indices().ST)


def test_an_unreachable_scheduler_fails_within_seconds() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.perf_counter()
    with pytest.raises(ExecutorError) as info:
        sensitivity(SWEEP, "linear", samples=8, executor="dask", scheduler=f"tcp://127.0.0.1:{port}")
    assert time.perf_counter() - start < 15
    assert f"127.0.0.1:{port}" in str(info.value) and "expected: the address of a running scheduler" in str(info.value)


def test_something_that_is_not_a_scheduler_is_reported_not_crashed_on() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]

    def answer() -> None:
        server.settimeout(10)
        try:
            conn, _ = server.accept()
            conn.sendall(b"HTTP/1.0 200 OK\r\n\r\nhello" * 8)
            time.sleep(0.5)
            conn.close()
        except OSError:
            pass

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        with pytest.raises(ExecutorError, match="could not connect to a Dask scheduler"):
            sensitivity(SWEEP, "linear", samples=8, executor="dask", scheduler=f"127.0.0.1:{port}")
    finally:
        server.close()


# ----- bad input ----------------------------------------------------------------------------------
def test_unknown_outcome_and_policy_list_the_valid_names() -> None:
    with pytest.raises(UnknownNameError, match="valid outcome names: boxed, ishigami, linear"):
        sensitivity(SWEEP, "nope", samples=8)
    with pytest.raises(UnknownNameError, match="valid policy names: calm, plain"):
        discover(SWEEP, "linear", policy="nope", samples=100)


def test_no_uncertain_parameters_is_a_clear_error(toy_variant) -> None:
    old = "p_strike: {dist: {kind: uniform, low: 0.01, high: 0.03}, unit: probability/day, sources: [T1], why: test fixture}"
    path = toy_variant((old, "p_strike: {value: 0.02, unit: probability/day, assumption: fixed}"))
    for fn in (sensitivity, discover):
        with pytest.raises(RedlineError, match="has no uncertain parameters") as info:
            fn(str(path), "first_strike")
        assert "expected: at least one parameter given as a distribution" in str(info.value)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sensitivity", SWEEP, "--outcome", "nope"], "valid outcome names: boxed, ishigami, linear"),
        (["sensitivity", SWEEP, "--outcome", "linear", "--policy", "nope"], "valid policy names: calm, plain"),
        (["sensitivity", SWEEP, "--outcome", "linear", "--samples", "100"], "power of two"),
        (["sensitivity", SWEEP, "--outcome", "linear", "--method", "fast"], "expected: one of sobol, morris"),
        (["sensitivity", SWEEP, "--outcome", "linear", "--executor", "ray"], "expected: one of local, dask"),
        (["sensitivity", SWEEP, "--outcome", "linear", "--scheduler", "tcp://127.0.0.1:1"], "only used with --executor dask"),
        (["discover", SWEEP, "--outcome", "linear", "--threshold", "1.5"], "must be in (0, 1]"),
        (["discover", SWEEP, "--outcome", "nope"], "valid outcome names"),
        (["discover", SWEEP, "--outcome", "linear", "--min-density", "0"], "min_density must be a number in (0, 1]"),
        (["discover", SWEEP, "--outcome", "linear", "--samples", "50"], "samples must be an integer from 100"),
        (["discover", SWEEP, "--outcome", "linear", "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1",
          "--workers", "2"], "--workers cannot be combined with --scheduler"),
        (["sensitivity", SWEEP, "--outcome", "linear", "--runs-per-point", "0"], "Invalid value for '--runs-per-point'"),
    ],
)
def test_cli_bad_input_exits_non_zero_with_the_reason(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code != 0
    assert message in result.output.replace("\n", " ")


@pytest.mark.parametrize("executor", ["local", "dask"])
def test_ctrl_c_stops_a_sweep_cleanly(executor: str) -> None:
    """SIGINT to the whole process group, as a terminal sends it: exit 130, one line, no traceback,
    no worker left behind."""
    import os
    import signal
    import subprocess
    import sys

    args = ["sensitivity", "iraq-2020", "--samples", "1024", "--runs-per-point", "200", "--seed", "1",
            "--executor", executor, "--workers", "2"]
    # as a terminal runs it: a shell's background job (CI's, say) may inherit SIGINT ignored
    code = "import signal; signal.signal(signal.SIGINT, signal.default_int_handler); from redline.cli import app; app()"
    proc = subprocess.Popen([sys.executable, "-c", code, *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)

    def group() -> list[str]:
        return subprocess.run(["pgrep", "-g", str(proc.pid)], capture_output=True, text=True, check=False).stdout.split()

    deadline = time.monotonic() + 60
    while len(group()) < 3 and time.monotonic() < deadline and proc.poll() is None:  # main and 2 workers
        time.sleep(0.2)
    time.sleep(2 if executor == "local" else 6)  # chunks are being simulated (Dask first scatters the scenario)
    assert proc.poll() is None, "the sweep ended before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "interrupted" in err and "Traceback" not in err, err[-2000:]
    deadline = time.monotonic() + 20
    while group() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not group()
