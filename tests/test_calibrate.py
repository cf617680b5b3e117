"""Event series, calibration, forecast and backtest: against known parameters, analytic expectations and the
baselines a forecaster would use.  The Hawkes estimator itself is tested in test_hawkes.py."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import redline
from conftest import assert_offline
from redline.calibrate import backtest, calibrate, event_series, forecast, load_events
from redline.calibrate.backtest import score
from redline.calibrate.hawkes import HawkesParams, excitation_state, expected_counts, simulate
from redline.cli import app
from redline.errors import RedlineError, ScenarioErrors

TOY = str(Path(__file__).parent / "data" / "hawkes_toy.yaml")
START = dt.date(2020, 1, 1)
# raids and strikes: raids excite raids (0.3) and strikes (0.15), strikes excite raids (0.4)
TRUTH = HawkesParams(np.array([0.3, 0.05]), np.array([[0.3, 0.4], [0.15, 0.0]]), np.array([0.35, 0.2]))
ACTIONS = ("raid", "strike")
runner = CliRunner()


def _record(days: int, seed: int, params: HawkesParams = TRUTH, precision: int = 1) -> pd.DataFrame:
    """An events table (as a store holds) of a process simulated with ``params``, dated to the day."""
    t, m = simulate(params, float(days), rng=seed)
    return pd.DataFrame({"event_id": np.arange(len(t)), "action": [ACTIONS[i] for i in m],
                         "event_date": [START + dt.timedelta(days=int(x)) for x in t], "time_precision": precision,
                         "actor1": "", "actor2": "", "location": "", "admin1": "", "country": "", "fatalities": 0})


def _acled_csv(events: pd.DataFrame, path: Path) -> Path:
    """The same events as an ACLED export whose actor names the toy scenario's aliases resolve."""
    sub = {"raid": ("Beta Brigades", "Alpha", "Shelling/artillery/missile attack"),
           "strike": ("Alpha", "Beta Brigades", "Air/drone strike")}
    rows = [{"event_id_cnty": f"TOY{r.event_id}", "event_date": str(r.event_date), "time_precision": r.time_precision,
             "event_type": "Explosions/Remote violence", "sub_event_type": sub[r.action][2],
             "actor1": sub[r.action][0], "actor2": sub[r.action][1], "country": "Iraq", "fatalities": 0}
            for r in events.itertuples()]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


# ----- event series ----------------------------------------------------------------------------------------
def test_a_month_precision_event_is_spread_over_its_month_not_a_spike() -> None:
    ev = pd.DataFrame({"event_id": [1, 2, 3], "action": ["raid", "raid", "strike"],
                       "event_date": [dt.date(2020, 2, 15), dt.date(2020, 3, 10), dt.date(2020, 3, 4)],
                       "time_precision": [3, 2, 1], "actor1": "", "actor2": "", "location": "", "admin1": "",
                       "country": ""})
    sc = redline.load_scenario(TOY).scenario
    s = event_series(ev, sc, ["raid", "strike"], start=dt.date(2020, 2, 1), end=dt.date(2020, 3, 31))
    daily = s.daily()
    feb = daily[:29, 0]
    assert np.allclose(feb, 1 / 29)  # February 2020: 29 days, none of them a spike
    week = daily[29 + 9 - 3:29 + 9 + 4, 0]  # 7 days around March 10
    assert np.allclose(week, 1 / 7) and daily[:, 0].sum() == pytest.approx(2.0)
    assert daily[29 + 3, 1] == 1.0 and daily[:, 1].sum() == 1.0
    assert s.counts(7).to_numpy().sum() == pytest.approx(3.0)
    t, m = s.times(seed=3)
    feb_times = t[(m == 0) & (t < 29)]
    assert len(feb_times) == 1 and 0 <= feb_times[0] < 29
    assert np.array_equal(s.times(seed=3)[0], t)  # reproducible from the seed


def test_series_names_the_valid_actions_and_actors() -> None:
    sc = redline.load_scenario(TOY).scenario
    ev = _record(100, 1)
    with pytest.raises(RedlineError, match="(?s)unknown action.*'rade'.*expected one of: raid, strike"):
        event_series(ev, sc, ["rade"])
    with pytest.raises(RedlineError, match="(?s)unknown actor1 'c'.*expected one of: a, b"):
        event_series(ev, sc, ["raid"], actor1="c")
    with pytest.raises(RedlineError, match="ends .* before it starts"):
        event_series(ev, sc, ["raid"], start=dt.date(2020, 5, 1), end=dt.date(2020, 4, 1))


def test_events_load_from_an_acled_export_and_from_a_store(tmp_path: Path) -> None:
    sc = redline.load_scenario(TOY).scenario
    ev = _record(200, 2)
    loaded = load_events(_acled_csv(ev, tmp_path / "toy.csv"), sc)
    assert len(loaded) == len(ev) and set(loaded.action) == set(ev.action)
    assert sorted(pd.to_datetime(loaded.event_date).dt.date) == sorted(ev.event_date)
    from redline.evidence.acled import import_acled
    from redline.evidence.store import Store

    with Store(tmp_path / "toy.duckdb") as store:
        import_acled(tmp_path / "toy.csv", store, sc)
    assert len(load_events(tmp_path / "toy.duckdb", sc)) == len(ev)
    with pytest.raises(RedlineError, match="does not exist"):
        load_events(tmp_path / "missing.csv", sc)
    bad = pd.read_csv(tmp_path / "toy.csv")
    bad.loc[len(bad)] = bad.iloc[0].to_dict() | {"event_id_cnty": "ODD1", "actor1": "Gamma"}  # an actor of no action
    bad.to_csv(tmp_path / "bad.csv", index=False)
    kept = load_events(tmp_path / "bad.csv", sc)  # the rest goes in, the bad row is reported
    assert len(kept) == len(ev) and len(kept.attrs["skipped"]) == 1 and "bad.csv:" in kept.attrs["skipped"][0]
    (tmp_path / "x.txt").write_text("hello", encoding="utf-8")
    with pytest.raises(RedlineError, match="unknown file type .txt"):
        load_events(tmp_path / "x.txt", sc)


# ----- calibration -------------------------------------------------------------------------------------------
def test_calibration_recovers_the_parameters_of_a_known_process() -> None:
    """The toy scenario is a Hawkes process written as hazards; events simulated from known values must give
    those values back through the whole path (series with day dates, fit, mapping, uncertainty)."""
    cal = calibrate(TOY, _record(4000, 5), seed=1, level=0.99)
    truth = {"raid_base": 0.3, "raid_self": 0.3, "raid_hl": math.log(2) / 0.35, "raid_by_strike": 0.4,
             "strike_hl": math.log(2) / 0.2, "strike_base": 0.05, "strike_by_raid": 0.15}
    got = cal.table.set_index("parameter")
    assert set(got.index) == set(truth)
    for name, value in truth.items():
        r = got.loc[name]
        assert r.low <= value <= r.high, (name, value, r.low, r.estimate, r.high)
        assert r.high / max(r.low, 1e-9) < 20, (name, r.low, r.high)  # informative, not a shrug
    assert (cal.goodness.ks_pvalue > 0.01).all()
    qq = cal.to_dict()["qq"]["raid"]  # time-rescaled gaps against Exp(1) quantiles: close to the diagonal
    th, em = np.array(qq["exp1_quantiles"]), np.array(qq["rescaled_gaps"])
    assert len(th) == len(em) > 100 and np.median(np.abs(em - th)[th < 3]) < 0.1


def test_the_calibrated_scenario_validates_carries_uncertainty_and_cites_the_data(tmp_path: Path) -> None:
    out = calibrate(TOY, _acled_csv(_record(1500, 6), tmp_path / "rec.csv"), seed=2).write(tmp_path / "cal.yaml")
    loaded = redline.load_scenario(out)
    sc = loaded.scenario
    assert sc.id == "hawkes-toy-calibrated" and "EV1" in sc.sources and "rec.csv" in sc.sources["EV1"].outlet
    for name in ("raid_base", "raid_self", "strike_by_raid"):
        p = sc.parameters[name]
        assert p.dist is not None and p.dist.kind == "lognormal" and p.sources == ["EV1"] and "fitted" in (p.why or "")
    res = redline.simulate(out, runs=200, seed=1)  # and it runs
    assert res.outcomes().shape[0] == 1


def test_calibration_errors_say_what_was_expected(tmp_path: Path) -> None:
    few = _record(30, 7)
    with pytest.raises(RedlineError, match=r"(?s)too few events.* strike.*at least 10 events per stream"):
        calibrate(TOY, few, seed=1)
    with pytest.raises(RedlineError, match="whole weeks"):
        backtest(TOY, _record(400, 12), train_until=START + dt.timedelta(days=300), horizon=10)
    ramp = pd.concat([_record(400, 8, HawkesParams(np.array([r, 0.05]), np.zeros((2, 2)), np.array([1.0, 1.0])))
                      .assign(event_date=lambda d, k=k: d.event_date + dt.timedelta(days=400 * k))
                      for k, r in enumerate([0.02, 0.1, 0.5, 2.0])], ignore_index=True)
    with pytest.raises(RedlineError, match="spectral radius|trend|stationar"):
        calibrate(TOY, ramp, seed=1)
    with pytest.raises(RedlineError, match="nothing to calibrate"):
        calibrate(str(Path(__file__).parent / "data" / "toy.yaml"), few, seed=1)


def test_a_calibrate_block_is_checked_like_any_expression(tmp_path: Path) -> None:
    text = Path(TOY).read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("raid_base: baseline", "raid_bse: baseline").replace(
        "strike_base: baseline", "strike_base: excitation_bomb"), encoding="utf-8")
    with pytest.raises(ScenarioErrors) as err:
        redline.load_scenario(bad)
    msg = str(err.value)
    assert "unknown parameter 'raid_bse'" in msg and "raid_base" in msg
    assert "unknown name 'excitation_bomb'" in msg and "excitation_raid" in msg


# ----- forecast -------------------------------------------------------------------------------------------------
def test_a_forecast_starts_from_the_excitation_state_of_the_record() -> None:
    """With the toy's own parameters (no calibration), the mean of 28 simulated days from the record's state
    matches the Hawkes process's analytic expectation from the same state; after a burst it is higher."""
    params = redline.load_scenario(TOY).scenario.parameters
    p = HawkesParams(np.array([params["raid_base"].value, params["strike_base"].value]),
                     np.array([[params["raid_self"].value, params["raid_by_strike"].value],
                               [params["strike_by_raid"].value, 0.0]]),
                     np.log(2) / np.array([params["raid_hl"].value, params["strike_hl"].value]))
    quiet = _record(300, 9, p)
    burst_day = START + dt.timedelta(days=299)
    burst = pd.concat([quiet, pd.DataFrame({"event_id": 10_000 + np.arange(12), "action": "raid",
                                            "event_date": burst_day, "time_precision": 1, "actor1": "", "actor2": "",
                                            "location": "", "admin1": "", "country": "", "fatalities": 0})])
    origin = START + dt.timedelta(days=300)
    means = {}
    for name, rec in (("quiet", quiet), ("burst", burst)):
        f = forecast(TOY, rec, origin=origin, horizon=28, runs=20_000, seed=3, calibrate_first=False)
        total = f.weekly.sum(axis=1).mean(axis=0)  # 28-day mean per stream
        # the daily engine's convention: an event of day d excites from day d + 1 on, as if at the day's end
        days = np.array([(d - START).days + 1.0 for d in pd.to_datetime(rec.event_date).dt.date]) - 1e-9
        marks = np.array([ACTIONS.index(a) for a in rec.action])
        order = np.argsort(days)
        state = excitation_state(days[order], marks[order], p, 300.0)
        expect = expected_counts(p, state, 28, 1)[0]
        sd = np.sqrt(f.weekly.sum(axis=1).var(axis=0) / f.runs)
        assert np.all(np.abs(total - expect) < 4 * sd + 0.06 * expect), (name, total, expect)
        means[name] = total
    assert means["burst"][0] > means["quiet"][0] + 1.0


def test_forecast_report_and_json(tmp_path: Path) -> None:
    csv = _acled_csv(_record(500, 10), tmp_path / "rec.csv")
    r = runner.invoke(app, ["forecast", TOY, "--events", str(csv), "--from", "2021-02-01", "--horizon", "28",
                            "--runs", "2000", "--seed", "1", "--json", str(tmp_path / "f.json"),
                            "--report", str(tmp_path / "f.html")])
    assert r.exit_code == 0, r.output
    data = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))
    assert data["origin"] == "2021-02-01" and len(data["weekly"]) == 8 and data["calibration"]
    assert {o["outcome"] for o in data["outcomes"]} == {"any_strike"}
    assert all(w["observed"] is not None for w in data["weekly"])  # the record goes on past the origin
    assert_offline((tmp_path / "f.html").read_text(encoding="utf-8"))
    r = runner.invoke(app, ["forecast", TOY, "--events", str(csv), "--from", "2019-01-01"])
    assert r.exit_code != 0 and "not after the start of the record" in r.output


# ----- backtest -------------------------------------------------------------------------------------------------
def test_scores_agree_with_their_definitions() -> None:
    obs = np.array([[2.0, 0.0]])
    point = np.full((1, 2, 50), 3.0)  # a point forecast of 3
    s = score(obs, point)
    assert np.allclose(s["crps"], [[1.0, 3.0]])  # CRPS of a point forecast is the absolute error
    assert np.allclose(s["interval_score"], [[0 + 2 / 0.1 * 1, 2 / 0.1 * 3]])  # width 0 plus misses
    assert np.allclose(s["covered"], 0) and np.allclose(s["brier"], [[0.0, 1.0]])


def test_backtest_scores_the_model_and_every_baseline(tmp_path: Path) -> None:
    csv = _acled_csv(_record(720, 11), tmp_path / "rec.csv")
    r = runner.invoke(app, ["backtest", TOY, "--events", str(csv), "--train-until", "2021-03-31", "--step", "28",
                            "--horizon", "28", "--runs", "500", "--seed", "1", "--json", str(tmp_path / "b.json"),
                            "--report", str(tmp_path / "b.html")])
    assert r.exit_code == 0, r.output
    data = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    assert set(data["model"]) == {"crps", "interval_score", "coverage90", "brier"}
    assert set(data["baselines"]) == {"no_change", "poisson_recent", "historical_mean", "hawkes", "scenario_prior"}
    assert len(data["origins"]) >= 8 and 0 <= data["model"]["coverage90"] <= 1
    # the toy is a Hawkes process: its calibrated forecast must beat a point forecast of last week's count
    assert data["model"]["crps"] < data["baselines"]["no_change"]["crps"]
    assert data["model"]["coverage90"] > data["baselines"]["no_change"]["coverage90"]
    assert "CRPS" in data["verdict"]
    assert_offline((tmp_path / "b.html").read_text(encoding="utf-8"))
    r = runner.invoke(app, ["backtest", TOY, "--events", str(csv), "--train-until", "2030-01-01"])
    assert r.exit_code != 0 and "no backtest origin" in r.output


def test_fewer_streams_fit_the_entries_they_inform_and_list_the_rest() -> None:
    cal = calibrate(TOY, _record(1500, 13), seed=1, streams=["strike"])
    assert list(cal.series.streams) == ["strike"]
    assert set(cal.table.parameter) == {"strike_hl", "strike_base"}  # strike_hl reads only the strike stream
    assert any(n.startswith("raid_base ") and "needs the stream(s) raid" in n for n in cal.skipped)
    with pytest.raises(RedlineError, match="(?s)unknown action.*'bomb'.*expected some of: raid, strike"):
        calibrate(TOY, _record(100, 13), streams=["bomb"])
