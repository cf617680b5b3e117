"""The vectorised engine against analytic answers, itself (seeds, workers) and the reference."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import redline
from redline.engine import BLOCK_SIZE
from redline.engine.kernel import poisson_from_uniform
from redline.errors import NumericalError, RedlineError, UnknownNameError

DATA = Path(__file__).parent / "data"
TOY = str(DATA / "toy.yaml")


def z_ok(observed: float, expected: float, se: float, z: float = 4.5) -> bool:
    return abs(observed - expected) <= z * se


def test_toy_matches_analytic_answers():
    runs = 40_000
    res = redline.simulate(TOY, runs=runs, seed=3)
    # First strike by day 50 with p ~ U(0.01, 0.03): 1 - E[(1-p)^50], exactly integrated.
    lo, hi, h = 0.01, 0.03, 50
    expected = 1 - ((1 - lo) ** (h + 1) - (1 - hi) ** (h + 1)) / ((h + 1) * (hi - lo))
    p = res.outcomes().loc["first_strike", "probability"]
    assert z_ok(p, expected, np.sqrt(expected * (1 - expected) / runs))
    # Raids: Poisson(0.2/day) over 50 days; hits: Binomial(raids, 0.5).
    q = res.quantities()
    assert z_ok(q.loc["raids", "mean"], 10.0, np.sqrt(10.0 / runs))
    assert z_ok(res.quantity_values[0].var(), 10.0, 10.0 * np.sqrt(2 / runs) * 1.5)
    assert z_ok(q.loc["hits_total", "mean"], 5.0, np.sqrt(5.0 / runs))
    # Heat relaxes with half-life 7: stationary end-of-day mean = 0.2 / (1 - 0.5**(1/7)).
    stationary = 0.2 / (1 - 0.5 ** (1 / 7))
    late = res.state_quantiles("heat")["mean"].iloc[-1]
    assert abs(late - stationary) < 0.05 * stationary


def test_policy_override_changes_the_answer_analytically():
    runs = 20_000
    res = redline.simulate(TOY, ["hawk"], runs=runs, seed=4)
    expected = 1 - 0.9**50
    p = res.outcomes().loc["first_strike", "probability"]
    assert z_ok(p, expected, np.sqrt(expected * (1 - expected) / runs))
    assert res.policies == ("hawk",)


def test_poisson_by_inversion_has_poisson_moments():
    rng = np.random.default_rng(0)
    for lam in (0.01, 0.7, 3.0, 25.0):
        rate = np.full(200_000, lam)
        k = poisson_from_uniform(rate, rng.random(rate.size))
        assert z_ok(k.mean(), lam, np.sqrt(lam / rate.size))
        assert abs(k.var() - lam) < 0.05 * lam + 0.002


def _same(a: redline.Results, b: redline.Results) -> None:
    for name in ("first_passage", "quantity_values", "max_rung", "totals", "params", "daily_counts",
                 "daily_fatalities", "hist", "hist_sum", "sums"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert a.event_rows == b.event_rows


@pytest.mark.parametrize("scenario", [TOY, "iraq-2020"])
def test_same_seed_is_bit_identical_across_worker_counts(scenario):
    runs = 2 * BLOCK_SIZE + 123
    base = redline.simulate(scenario, runs=runs, seed=42, workers=1, horizon=60, keep_events=BLOCK_SIZE + 50)
    for workers in (2, 3):
        _same(base, redline.simulate(scenario, runs=runs, seed=42, workers=workers, horizon=60,
                                     keep_events=BLOCK_SIZE + 50))
    assert base.seed == 42


def test_blocks_are_independent_of_how_they_are_scheduled():
    """Block b's numbers depend only on (seed, b): running blocks out of order changes nothing."""
    from redline.engine.model import build_model
    from redline.engine.runner import run_block

    model = build_model("iraq-2020", horizon=30)
    forward = [run_block(model, 9, b, b * 100, (b + 1) * 100, 0) for b in range(3)]
    backward = [run_block(model, 9, b, b * 100, (b + 1) * 100, 0) for b in reversed(range(3))][::-1]
    for f, g in zip(forward, backward, strict=True):
        np.testing.assert_array_equal(f.quantities, g.quantities)
        np.testing.assert_array_equal(f.hist, g.hist)


def test_different_seeds_differ_and_fresh_seed_is_recorded():
    a = redline.simulate(TOY, runs=2000, seed=1)
    b = redline.simulate(TOY, runs=2000, seed=2)
    assert not np.array_equal(a.quantity_values, b.quantity_values)
    c = redline.simulate(TOY, runs=500)
    again = redline.simulate(TOY, runs=500, seed=c.seed)
    np.testing.assert_array_equal(c.quantity_values, again.quantity_values)


def test_bad_run_arguments_are_clear():
    with pytest.raises(RedlineError, match="runs must be a positive integer"):
        redline.simulate(TOY, runs=0)
    with pytest.raises(RedlineError, match="seed must be a non-negative integer"):
        redline.simulate(TOY, runs=10, seed=-1)
    with pytest.raises(UnknownNameError, match="valid policy names: calm, hawk"):
        redline.simulate(TOY, ["dove"], runs=10)


def _toy_with(tmp_path: Path, old: str, new: str) -> str:
    text = (DATA / "toy.yaml").read_text()
    assert old in text
    path = tmp_path / "broken.yaml"
    path.write_text(text.replace(old, new))
    return str(path)


@pytest.mark.parametrize(
    ("old", "new", "what", "day"),
    [
        ("hazard: {rate: rate}", "hazard: {rate: rate - 0.3}", "rate hazard of action 'raid' is -0.1", 0),
        ("hazard: {rate: rate}", "hazard: {rate: 'rate * log(t - 5)'}", "rate hazard of action 'raid' is nan", 0),
        ("hazard: {rate: rate}", "hazard: {rate: 'rate / (t - 3) ** 2'}", "rate hazard of action 'raid' is inf", 3),
        ("hazard: {probability: p_strike}", "hazard: {probability: 'p_strike * (1 + 100 * (t >= 7))'}",
         "probability hazard of action 'strike'", 7),
    ],
)
def test_numerical_trouble_names_action_expression_run_and_day(tmp_path, old, new, what, day):
    path = _toy_with(tmp_path, old, new)
    with pytest.raises(NumericalError, match="in run 0 on day") as info:
        redline.simulate(path, runs=300, seed=1)
    err = info.value
    assert what in str(err)
    assert err.day == day and err.run == 0
    assert err.expression in str(err)
    # The reference implementation reports the same place.
    from redline.engine.reference import simulate_reference

    with pytest.raises(NumericalError) as ref_info:
        simulate_reference(path, runs=3, seed=1)
    assert (ref_info.value.action, ref_info.value.day, ref_info.value.run) == (err.action, err.day, 0)


def test_nan_effect_is_reported_with_the_run_that_produced_it(tmp_path):
    path = _toy_with(tmp_path, "effects: {add: {hits: hurt, heat: n}}", "effects: {add: {hits: 'sqrt(hurt - 1)', heat: n}}")
    with pytest.raises(NumericalError, match="effect on 'hits' of action 'raid'") as info:
        redline.simulate(path, runs=5000, seed=2)
    assert info.value.run >= 0 and info.value.day >= 0


def test_results_tables_and_json_shape():
    res = redline.simulate("iraq-2020", runs=3000, seed=5, keep_events=20)
    doc = res.to_dict()
    assert set(doc) == {"scenario", "policy", "runs", "horizon_days", "seed", "outcomes", "quantities"}
    for out in doc["outcomes"].values():
        assert set(out) == {"probability", "ci95", "median_days"}
        assert out["ci95"][0] <= out["probability"] <= out["ci95"][1]
    for q in doc["quantities"].values():
        assert q["p05"] <= q["p50"] <= q["p95"]
    ev = res.events()
    assert list(ev.columns[:7]) == ["event_date", "actor1", "actor2", "event_type", "sub_event_type", "fatalities", "run"]
    assert ev.run.max() < 20 and len(ev) > 0
    fan = res.state_quantiles("alignment")
    assert ((fan.p05 <= fan.p50 + 1e-9) & (fan.p50 <= fan.p95 + 1e-9)).all()
    assert res.rungs()["share"].sum() == pytest.approx(1.0)
    assert len(res.per_run()) == 3000


@pytest.mark.parametrize(
    "dist",
    [
        {"kind": "uniform", "low": -1, "high": 3},
        {"kind": "loguniform", "low": 0.001, "high": 0.1},
        {"kind": "triangular", "low": 1, "mode": 2.5, "high": 5},
        {"kind": "triangular", "low": 0, "mode": 0, "high": 1},
        {"kind": "triangular", "low": 0, "mode": 1, "high": 1},
        {"kind": "normal", "mean": 2, "sd": 0.5},
        {"kind": "normal", "mean": 2, "sd": 0.5, "low": 1.5, "high": 4},
        {"kind": "lognormal", "median": 8, "sigma": 0.7},
        {"kind": "beta", "a": 2, "b": 60},
        {"kind": "beta", "a": 1.5, "b": 6, "low": 0.1, "high": 0.9},
        {"kind": "gamma", "shape": 2, "scale": 3},
    ],
)
def test_fast_quantile_functions_match_scipy(dist):
    from pydantic import TypeAdapter

    from redline.scenario.distributions import frozen, ppf
    from redline.scenario.model import Distribution

    d = TypeAdapter(Distribution).validate_python(dist)
    u = np.random.default_rng(0).random(5000)
    np.testing.assert_allclose(ppf(d, u), frozen(d).ppf(u), rtol=1e-9, atol=1e-12)


def test_nan_inside_a_random_draw_is_reported_not_swallowed(toy_variant):
    path = toy_variant(('draws: {hurt: "binomial(n, 0.5)"}', 'draws: {hurt: "poisson(log(t - 100))"}'))
    with pytest.raises(NumericalError, match="of action 'raid' is nan in run") as info:
        redline.simulate(path, runs=2000, seed=1)
    assert info.value.day == 0
    from redline.engine.reference import simulate_reference

    with pytest.raises(NumericalError, match="of action 'raid' is nan in run"):
        simulate_reference(path, runs=50, seed=1)


def test_a_worker_error_is_the_first_block_in_block_order(toy_variant):
    """With several workers the error reported is the one of the earliest block, whatever the timing."""
    path = toy_variant(("hazard: {rate: rate}", 'hazard: {rate: "rate * (1 - t / 10)"}'))
    seen = set()
    for workers in (1, 2, 3):
        with pytest.raises(NumericalError) as info:
            redline.simulate(path, runs=3 * BLOCK_SIZE, seed=1, workers=workers)
        seen.add((info.value.run, info.value.day))
    assert seen == {(0, 11)}


def test_unusable_arguments_are_rejected():
    for bad in ({"runs": True}, {"workers": 2.5}, {"keep_events": None}, {"horizon": 100_000}):
        with pytest.raises(RedlineError):
            redline.simulate(TOY, **{"runs": 10, **bad})


def test_a_mapping_can_extend_a_builtin():
    loaded = redline.load_scenario({"extends": "iraq-2020", "id": "mine", "title": "Mine",
                                    "time": {"start": "2020-01-01", "horizon": 30}})
    assert loaded.scenario.id == "mine" and loaded.scenario.time.horizon == 30
    assert set(loaded.scenario.actions) == set(redline.load_scenario("iraq-2020").scenario.actions)
    with pytest.raises(redline.ScenarioError, match="unknown scenario 'nope'"):
        redline.load_scenario({"extends": "nope", "id": "x"})


def test_incremental_histograms_equal_a_full_recount():
    """run_block updates each day's histogram with the values that changed; check against a recount."""
    from redline.engine import kernel, runner
    from redline.engine.model import build_model

    model = build_model("iraq-2020", horizon=60)
    block = runner.run_block(model, 3, 0, 0, 5000, 0)
    rng = kernel.Streams(3, 0, len(model.actions))
    ctx = kernel.make_context(model, kernel.sample_params(model, rng.params.random((len(model.param_names), 5000))))
    state, bins, v = kernel.initial_state(model, ctx), runner.Bins.of(model), len(model.state_names)
    for t in range(60):
        state, _ = kernel.step(model, ctx, state, rng)
        cells = bins.index(state.x)
        np.testing.assert_array_equal(np.bincount(cells, minlength=v * runner.N_BINS).reshape(v, -1), block.hist[t])
        sums = np.bincount(cells, weights=state.x.ravel(), minlength=v * runner.N_BINS).reshape(v, -1)
        np.testing.assert_allclose(sums, block.hist_sum[t], rtol=1e-9, atol=1e-9)


def test_skipping_a_day_keeps_an_action_stream_in_step():
    from redline.engine.kernel import Streams

    drawn, skipped = Streams(5, 2, 3), Streams(5, 2, 3)
    drawn.uniforms(1, 1000)
    skipped.skip(1, 1000)
    np.testing.assert_array_equal(drawn.uniforms(1, 50), skipped.uniforms(1, 50))


def test_policies_share_parameter_draws_and_streams():
    """Common random numbers: a policy that changes nothing gives the very same runs."""
    base = redline.simulate("iraq-2020", ["proportional"], runs=3000, seed=8, horizon=60)
    same = redline.simulate("iraq-2020", [], runs=3000, seed=8, horizon=60)
    np.testing.assert_array_equal(base.first_passage, same.first_passage)
    np.testing.assert_array_equal(base.totals, same.totals)
    other = redline.simulate("iraq-2020", ["withdraw"], runs=3000, seed=8, horizon=60)
    a, b = base.per_run().filter(like="param_"), other.per_run().filter(like="param_")
    assert "param_withdraw_rate" in b.columns and "param_withdraw_rate" not in a.columns
    for col in a.columns:
        np.testing.assert_array_equal(a[col], b[col], err_msg=col)


def test_indexed_uniforms_are_uniform_and_addressed_by_run():
    from scipy import stats

    from redline.sampling import indexed_uniforms

    u = indexed_uniforms(2**63 + 12345, np.arange(200_000))
    assert stats.kstest(u, "uniform").pvalue > 1e-4
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 0.01
    v = indexed_uniforms(2**63 + 12346, np.arange(200_000))
    assert abs(np.corrcoef(u, v)[0, 1]) < 0.01
    some = np.array([3, 9000, 150_000])
    np.testing.assert_array_equal(indexed_uniforms(2**63 + 12345, some), u[some])


@pytest.mark.parametrize(("n", "p"), [(1, 0.3), (2, 0.3), (5, 0.01), (40, 0.5), (3, 1.0), (7, 0.0), (2000, 0.2)])
def test_binomial_by_inversion_equals_scipys_quantile(n, p):
    from scipy import stats

    from redline.sampling import binomial_from_uniform

    u = np.random.default_rng(0).random(50_000)
    got = binomial_from_uniform(np.full(u.size, float(n)), np.full(u.size, p), u)
    np.testing.assert_array_equal(got, stats.binom.ppf(u, n, p))


@pytest.mark.parametrize("lam", [0.3, 1.5, 8.0, 40.0, 1000.0])
def test_poisson_by_inversion_equals_scipys_quantile(lam):
    from scipy import stats

    u = np.random.default_rng(1).random(50_000)
    got = poisson_from_uniform(np.full(u.size, lam), u)
    agree = np.mean(got == stats.poisson.ppf(u, lam))
    assert agree > 0.9999  # the summation branch may differ only where u equals a CDF value to rounding


def test_fixed_sets_every_uncertain_parameter_to_its_median():
    from redline.scenario.distributions import central

    res = redline.simulate("iraq-2020", runs=2000, seed=3, horizon=30, fixed=True)
    assert res.model.fixed and res.params.shape[0] == 0  # nothing left to draw
    sc = res.model.scenario
    assert dict(zip(res.model.param_names, res.model.param_dists, strict=True))["attack_rate"] == pytest.approx(
        central(sc.parameters["attack_rate"].dist))
    free = redline.simulate("iraq-2020", runs=2000, seed=3, horizon=30)
    # chance alone spreads attacks less than chance plus parameter uncertainty
    assert res.per_run()["n_militia_attack_us"].var() < free.per_run()["n_militia_attack_us"].var()
