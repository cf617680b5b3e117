"""Patterns from the history of the conflict that the default preset must reproduce.

Each test states its tolerance; the numbers come from one fixed seed and
enough runs that sampling noise is far below the margins.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import redline

RUNS = 20_000
SAMPLE = 4_000


@pytest.fixture(scope="module")
def res() -> redline.Results:
    return redline.simulate("iraq-2020", runs=RUNS, seed=2020, keep_events=SAMPLE)


@pytest.fixture(scope="module")
def daily(res):
    """Per sample run and day: militia attacks, US strikes on militias, US deaths."""
    ev = res.events()
    day = (pd.to_datetime(ev.event_date) - pd.Timestamp(res.model.scenario.time.start)).dt.days.to_numpy()
    run = ev.run.to_numpy()
    out = {k: np.zeros((SAMPLE, res.horizon)) for k in ("attacks", "strikes", "deaths")}
    for key, mask in (("attacks", ev.action == "militia_attack_us"), ("strikes", ev.action == "us_strike_militia"),
                      ("deaths", (ev.actor2_id == "us") & (ev.fatalities > 0))):
        m = mask.to_numpy()
        np.add.at(out[key], (run[m], day[m]), ev.events.to_numpy()[m] if key != "deaths" else 1)
    return out


def test_most_militia_attacks_kill_no_americans(res):
    attacks = res.totals[res.model.actions[0].index].sum()
    lethal = res.quantity_values[[q for q, _ in res.model.quantities].index("share_lethal")]
    pooled = res.per_run()
    lethal_attacks = (pooled["share_lethal"] * pooled["n_militia_attack_us"]).sum()
    assert attacks > 100_000
    assert lethal_attacks / attacks < 0.10  # tolerance: at most one attack in ten kills an American
    assert lethal.mean() < 0.10


def test_an_american_death_is_followed_by_a_us_strike_within_a_week(res, daily):
    hit = total = 0
    for i in range(SAMPLE):
        d = np.flatnonzero(daily["deaths"][i])
        if d.size and d[0] <= res.horizon - 8:
            total += 1
            hit += daily["strikes"][i, d[0] : d[0] + 8].sum() > 0
    assert total > 500
    assert hit / total > 0.6  # "most runs", with a margin


def test_militia_attacks_rise_after_us_strikes_and_decay_within_weeks(res, daily):
    windows = {"before": (-28, -15), "week1": (1, 7), "weeks5_6": (29, 42)}
    rate = {}
    for name, (a, b) in windows.items():
        vals = [daily["attacks"][i, s + a : s + b + 1].mean()
                for i in range(SAMPLE) for s in np.flatnonzero(daily["strikes"][i])
                if s + a >= 0 and s + b < res.horizon]
        assert len(vals) > 1000
        rate[name] = float(np.mean(vals))
    assert rate["week1"] > 1.25 * rate["before"]  # rise: at least 25% above the month before
    # decay: more than half of the excess gone five to six weeks later
    assert rate["weeks5_6"] < rate["week1"] - 0.5 * (rate["week1"] - rate["before"])


def test_direct_iranian_strike_happens_in_some_runs_but_not_most(res):
    p = res.outcomes().loc["iran_strikes_us", "probability"]
    assert 0.01 < p < 0.5


def test_unconsented_strikes_move_iraq_toward_iran_and_toward_demanding_withdrawal(res):
    runs = res.per_run()
    rho = runs[["unconsented", "alignment_end"]].corr(method="spearman").iloc[0, 1]
    assert rho < -0.3
    demanded = runs["days_to_withdrawal_demand"].notna()
    with_strikes = demanded[runs.unconsented >= 1].mean()
    without = demanded[runs.unconsented == 0].mean()
    assert with_strikes > 0.05 and with_strikes > 3 * without
    # and causally: requiring consent (same seed, same parameter draws) lowers the demand
    consent = redline.simulate("iraq-2020", ["restraint"], runs=RUNS, seed=2020)
    assert consent.outcomes().loc["withdrawal_demand", "probability"] < res.outcomes().loc["withdrawal_demand", "probability"]
