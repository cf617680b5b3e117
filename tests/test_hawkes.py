"""The Hawkes estimator against truth: simulated data, naive formulas, analytic means, and its error messages."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize

from redline.calibrate.hawkes import (
    HawkesError,
    HawkesParams,
    bootstrap,
    excitation_state,
    expected_counts,
    fit,
    loglik,
    simulate,
    simulate_counts,
    time_rescaling,
)
from redline.errors import RedlineError

# militia attacks (0) and US strikes (1): attacks provoke strikes more than strikes provoke attacks
TWO = HawkesParams(mu=[0.3, 0.1], alpha=[[0.3, 0.2], [0.4, 0.1]], beta=[1.0, 0.5])
ONE = HawkesParams(mu=[0.2], alpha=[[0.5]], beta=[1.5])


def flat(p: HawkesParams) -> np.ndarray:
    return np.concatenate([p.mu, p.alpha.ravel(), p.beta])


def naive_loglik(p: HawkesParams, t: np.ndarray, m: np.ndarray, T: float) -> float:
    """The definition, as a plain double sum over pairs of events (strictly earlier ones excite)."""
    total = 0.0
    for k in range(len(t)):
        lam = p.mu[m[k]]
        for j in range(k):
            if t[j] < t[k]:
                lam += p.alpha[m[k], m[j]] * p.beta[m[j]] * math.exp(-p.beta[m[j]] * (t[k] - t[j]))
        total += math.log(lam)
    compensator = p.mu.sum() * T
    for j in range(len(t)):
        compensator += p.alpha[:, m[j]].sum() * (1 - math.exp(-p.beta[m[j]] * (T - t[j])))
    return total - compensator


@pytest.fixture(scope="module")
def two_stream_data() -> tuple[np.ndarray, np.ndarray, float]:
    T = 4000.0
    t, m = simulate(TWO, T, rng=1)
    return t, m, T


@pytest.fixture(scope="module")
def two_stream_fit(two_stream_data):
    t, m, T = two_stream_data
    return fit(t, m, T, rng=0)


# ------------------------------------------------------------------------------------------ recovery

def test_recovers_two_stream_parameters(two_stream_fit, two_stream_data):
    f = two_stream_fit
    assert 3000 < f.n_events.sum() < 4000 and f.converged
    est, se, truth = flat(f.params), np.concatenate([f.stderr[k].ravel() for k in ("mu", "alpha", "beta")]), flat(TWO)
    assert np.all(np.abs(est - truth) < 3 * se), (est, se)
    # informative but not overconfident: relative stderrs between 1% and 40% for ~3,500 events
    assert np.all((se / truth > 0.01) & (se / truth < 0.4)), se / truth
    low, high = f.interval("alpha", 0.99)
    assert np.all((low <= TWO.alpha) & (TWO.alpha <= high))
    assert f.params.spectral_radius() == pytest.approx(TWO.spectral_radius(), abs=0.1)


def test_table_and_intervals(two_stream_fit):
    table = two_stream_fit.table(names=["militia", "us"])
    assert list(table.columns) == ["parameter", "estimate", "stderr", "low", "high"]
    assert len(table) == 8 and "alpha[us<-militia]" in set(table.parameter)
    row = table.set_index("parameter").loc["alpha[us<-militia]"]
    assert row.estimate == pytest.approx(two_stream_fit.params.alpha[1, 0])
    assert row.low < row.estimate < row.high
    low90, high90 = two_stream_fit.interval("mu", 0.9)
    low99, high99 = two_stream_fit.interval("mu", 0.99)
    assert np.all((low99 < low90) & (high90 < high99))
    with pytest.raises(HawkesError, match="one of 'mu', 'alpha', 'beta'"):
        two_stream_fit.interval("gamma")


def test_wald_intervals_are_clipped_at_zero_and_absent_at_the_bound():
    t, m = simulate(HawkesParams([0.2, 0.2], [[0.4, 0.0], [0.0, 0.4]], [1.0, 1.0]), 600.0, rng=3)
    f = fit(t, m, 600.0, rng=0)
    low, high = f.interval("alpha", 0.99)
    at_bound = f.params.alpha < 1e-8  # the MLE of a zero cross-excitation is often exactly at the bound 0
    assert at_bound.sum() == 1 and np.isnan(f.stderr["alpha"][at_bound]).all() and "no standard error" in f.message
    inside = ~at_bound
    assert np.all(np.isfinite(f.stderr["alpha"][inside]) & (low[inside] < f.params.alpha[inside]))
    assert np.all(f.params.alpha[inside] < high[inside]) and np.isnan(high[at_bound]).all()
    assert np.all(low[inside] >= 0) and np.any(low[inside] == 0)  # the other zero cannot be told from 0 either
    assert np.all(np.isfinite(f.stderr["beta"]) & np.isfinite(f.stderr["mu"]))


def test_an_excitation_longer_than_the_window_is_refused():
    # stream 1 excites nothing; by chance its events fit a slow rise of stream 0 better than a flat rate
    t, m = simulate(HawkesParams([0.2, 0.2], [[0.4, 0.0], [0.0, 0.0]], [1.0, 1.0]), 600.0, rng=3)
    with pytest.raises(HawkesError, match=r"stream 1 outlasts the window(.|\n)*trend(.|\n)*at the bound 1/T"):
        fit(t, m, 600.0, rng=0)


def test_stderr_matches_parametric_bootstrap_spread():
    T = 2000.0
    t, m = simulate(ONE, T, rng=4)
    f = fit(t, m, T, rng=0)
    draws = bootstrap(f, n=40, rng=5)
    assert draws["alpha"].shape[1:] == (1, 1) and len(draws["alpha"]) >= 38
    for key in ("mu", "alpha", "beta"):
        ratio = draws[key].std(axis=0, ddof=1).ravel() / f.stderr[key].ravel()
        assert np.all((ratio > 0.6) & (ratio < 1.6)), (key, ratio)
        low, high = np.quantile(draws[key], [0.005, 0.995], axis=0)
        assert np.all((low <= getattr(ONE, key)) & (getattr(ONE, key) <= high))


def test_shared_beta_fit_has_one_decay():
    p = HawkesParams([0.3, 0.1], [[0.3, 0.2], [0.4, 0.1]], [0.8, 0.8])
    t, m = simulate(p, 3000.0, rng=6)
    f = fit(t, m, 3000.0, shared_beta=True, rng=0)
    assert f.params.beta[0] == f.params.beta[1] and f.n_params == 7
    assert abs(f.params.beta[0] - 0.8) < 3 * f.stderr["beta"][0]
    assert f.aic < fit(t, m, 3000.0, rng=0).aic + 2  # one parameter fewer costs at most a little likelihood


# ------------------------------------------------------------------- agreement with plain implementations

def test_loglik_matches_naive_double_sum():
    t, m = simulate(TWO, 300.0, rng=7)
    t = np.round(t, 1)  # ties: an event does not excite one at the same instant
    assert np.any(np.diff(t) == 0)
    for p in (TWO, HawkesParams([0.2, 0.3], [[0.1, 0.6], [0.05, 0.2]], [3.0, 0.2])):
        assert loglik(p, t, m, 300.0) == pytest.approx(naive_loglik(p, t, m, 300.0), rel=1e-10)
    t1, m1 = simulate(ONE, 400.0, rng=8)
    assert loglik(ONE, t1, m1, 400.0) == pytest.approx(naive_loglik(ONE, t1, m1, 400.0), rel=1e-10)


def test_gradient_matches_finite_differences(two_stream_data):
    from redline.calibrate.hawkes import _loglik_grad, _onehot

    t, m, T = two_stream_data
    p0 = flat(TWO) * np.array([1.1, 0.9, 1.2, 0.8, 1.1, 1.3, 0.9, 1.2])

    def ll(p: np.ndarray) -> float:
        return _loglik_grad(p[:2], p[2:6].reshape(2, 2), p[6:], t, m, _onehot(m, 2), T)[0]

    _, gm, ga, gb = _loglik_grad(p0[:2], p0[2:6].reshape(2, 2), p0[6:], t, m, _onehot(m, 2), T)
    numeric = optimize.approx_fprime(p0, ll, 1e-6 * p0)
    assert np.concatenate([gm, ga.ravel(), gb]) == pytest.approx(numeric, rel=1e-4)


def test_univariate_mle_matches_nelder_mead_on_the_naive_likelihood():
    T = 500.0
    t, m = simulate(ONE, T, rng=9)
    lag = t[:, None] - t[None, :]
    earlier = lag > 0

    def naive_nll(log_p: np.ndarray) -> float:  # the double sum as an N x N matrix
        mu, a, b = np.exp(log_p)
        lam = mu + a * b * np.where(earlier, np.exp(-b * np.where(earlier, lag, 0.0)), 0.0).sum(axis=1)
        return -(np.log(lam).sum() - mu * T - a * (1 - np.exp(-b * (T - t))).sum())

    nm = optimize.minimize(naive_nll, np.log([0.1, 0.3, 1.0]), method="Nelder-Mead",
                           options={"xatol": 1e-9, "fatol": 1e-11, "maxiter": 5000})
    f = fit(t, m, T, rng=0)
    assert nm.success and f.loglik == pytest.approx(-nm.fun, abs=1e-6)
    assert flat(f.params) == pytest.approx(np.exp(nm.x), rel=1e-4)


# --------------------------------------------------------------------------------- analytic means

def test_stationary_mean_rate_univariate():
    p = HawkesParams([0.5], [[0.5]], [2.0])
    n, T = 0.5, 20_000.0
    t, _ = simulate(p, T, rng=10)
    rate = 0.5 / (1 - n)
    sd = math.sqrt(0.5 * T / (1 - n) ** 3)  # Var N(T) ~ mu T / (1 - n)^3 for a univariate Hawkes process
    assert abs(t.size - rate * T) < 4 * sd
    assert p.stationary_rate() == pytest.approx([rate])
    assert expected_counts(p, None, 5000.0, 1)[0, 0] / 5000 == pytest.approx(rate, rel=1e-3)


def test_expected_counts_with_a_state_and_explicit_edges():
    state = np.array([4.0, 0.5])
    daily = expected_counts(TWO, state, 10.0, 10)
    coarse = expected_counts(TWO, state, 10.0, np.array([0.0, 2.5, 10.0]))
    assert coarse.sum(0) == pytest.approx(daily.sum(0))
    assert np.all(daily[0] > daily[-1])  # the carried excitation dies out towards the stationary rate
    assert expected_counts(TWO, None, 400.0, 1)[0] / 400 == pytest.approx(TWO.stationary_rate(), rel=0.02)


def count_moments(totals: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-column mean, variance and their standard errors from the sample."""
    n = len(totals)
    mean, var = totals.mean(0), totals.var(0, ddof=1)
    fourth = ((totals - mean) ** 4).mean(0)
    return mean, var, np.sqrt(var / n), np.sqrt(np.maximum(fourth - var**2, 0) / n)


def test_forecasts_agree_with_expected_counts_and_exact_simulation():
    state = excitation_state(*simulate(TWO, 60.0, rng=11), TWO, at=60.0)
    assert np.all(state > 0)
    expected = expected_counts(TWO, state, 28, 28)

    fast = simulate_counts(TWO, state, 28, 20_000, rng=12)
    assert fast.shape == (20_000, 28, 2)
    daily_sd = fast.std(0, ddof=1) / math.sqrt(len(fast))
    assert np.all(np.abs(fast.mean(0) - expected) < 4.5 * daily_sd)
    f_mean, f_var, f_mean_se, f_var_se = count_moments(fast.sum(1).astype(float))
    assert np.all(np.abs(f_mean - expected.sum(0)) < 4 * f_mean_se)

    rng = np.random.default_rng(13)
    exact = np.array([np.bincount(simulate(TWO, 28.0, rng, state=state)[1], minlength=2) for _ in range(3000)])
    e_mean, e_var, e_mean_se, e_var_se = count_moments(exact.astype(float))
    assert np.all(np.abs(e_mean - expected.sum(0)) < 4 * e_mean_se)
    # the spread (clustering) of the time-stepped paths is that of the exact process
    assert np.all(np.abs(f_var - e_var) < 4 * np.hypot(f_var_se, e_var_se))
    assert np.all(e_var > 2 * e_mean)  # and it is well over Poisson, so the check has teeth


def test_simulate_counts_accepts_one_state_per_path():
    states = np.array([[0.0, 0.0], [30.0, 30.0]])
    counts = simulate_counts(TWO, np.repeat(states, 2000, axis=0), 3, 4000, rng=14)
    calm, hot = counts[:2000].sum((1, 2)).mean(), counts[2000:].sum((1, 2)).mean()
    assert calm == pytest.approx(expected_counts(TWO, states[0], 3, 1).sum(), rel=0.1)
    assert hot == pytest.approx(expected_counts(TWO, states[1], 3, 1).sum(), rel=0.05)


def test_excitation_state_sums_strictly_earlier_events():
    t, m = np.array([0.0, 1.0, 2.0, 2.0]), np.array([0, 1, 0, 1])
    got = excitation_state(t, m, TWO, at=2.0)
    assert got == pytest.approx([1.0 * math.exp(-2.0), 0.5 * math.exp(-0.5)])
    assert excitation_state(t, m, TWO.beta, at=0.0) == pytest.approx([0.0, 0.0])


# --------------------------------------------------------------------------------- goodness of fit

def test_time_rescaling_accepts_the_true_model_and_rejects_poisson():
    p = HawkesParams([0.1], [[0.8]], [1.0])
    t, m = simulate(p, 3000.0, rng=15)
    good = time_rescaling(p, t, m, 3000.0)
    assert good["pvalue"][0] > 0.05 and len(good["increments"][0]) == t.size
    theory, empirical = good["qq"][0]
    assert theory.shape == empirical.shape == (t.size,) and np.all(np.diff(empirical) >= 0)
    poisson = HawkesParams([t.size / 3000.0], [[0.0]], [1.0])
    assert time_rescaling(poisson, t, m, 3000.0)["pvalue"][0] < 1e-10


def test_time_rescaling_two_streams(two_stream_data):
    t, m, T = two_stream_data
    assert np.all(time_rescaling(TWO, t, m, T)["pvalue"] > 0.05)
    poisson = HawkesParams(np.bincount(m) / T, np.zeros((2, 2)), [1.0, 1.0])
    assert np.all(time_rescaling(poisson, t, m, T)["pvalue"] < 1e-6)


# ------------------------------------------------------------------------------------------ errors

def test_too_few_events_says_how_many_it_needs():
    t, m = simulate(TWO, 200.0, rng=16)
    keep = (m == 0) | (np.cumsum(m == 1) <= 4)  # only 4 US strikes
    with pytest.raises(HawkesError, match=r"at least 10 events per stream(.|\n)*found: 4 in stream 1"):
        fit(t[keep], m[keep], 200.0)
    with pytest.raises(HawkesError, match="found: 0 in stream 2"):
        fit(t, m, 200.0, M=3)


def test_rate_ramp_gives_a_non_stationary_fit_and_an_error():
    rng = np.random.default_rng(17)
    a, b, T = 0.05, 0.002, 1000.0  # Poisson events with a rate rising from 0.05 to 2.05 a day
    u = rng.uniform(size=rng.poisson(a * T + b * T * T / 2))
    t = np.sort((-a + np.sqrt(a * a + 2 * b * u * (a * T + b * T * T / 2))) / b)
    with pytest.raises(HawkesError, match=r"not stationary(.|\n)*spectral radius 1\.\d+") as err:
        fit(t, np.zeros(t.size, dtype=int), T, rng=0)
    assert isinstance(err.value, RedlineError)
    with pytest.raises(HawkesError, match="spectral radius 1.2"):
        HawkesParams([0.5], [[1.2]], [1.0]).stationary_rate()


@pytest.mark.parametrize(
    ("times", "marks", "T", "message"),
    [
        ([1.0, 3.0, 2.0], [0, 0, 0], 5.0, r"not sorted(.|\n)*times\[2\] = 2.0 after times\[1\] = 3.0"),
        ([1.0, 2.0, 6.0], [0, 0, 0], 5.0, r"outside the observation window(.|\n)*times\[2\] = 6.0"),
        ([-1.0, 2.0, 3.0], [0, 0, 0], 5.0, r"times\[0\] = -1.0"),
        ([1.0, np.nan, 3.0], [0, 0, 0], 5.0, "not a number"),
        ([1.0, 2.0, 3.0], [0, 2, 0], 5.0, r"integers 0..1(.|\n)*marks\[1\] = 2"),
        ([1.0, 2.0, 3.0], [0, -1, 0], 5.0, r"marks\[1\] = -1"),
        ([1.0, 2.0, 3.0], [0, 0.5, 0], 5.0, "not stream indices"),
        ([1.0, 2.0], [0, 0, 0], 5.0, "2 times and 3 marks"),
        ([1.0, 2.0, 3.0], [0, 0, 0], 0.0, "T > 0"),
    ],
)
def test_malformed_events(times, marks, T, message):
    with pytest.raises(HawkesError, match=message):
        loglik(HawkesParams([0.1, 0.1], np.zeros((2, 2)), [1.0, 1.0]), np.array(times), np.array(marks), T)


def test_fit_rejects_malformed_events_before_counting():
    with pytest.raises(HawkesError, match="not sorted"):
        fit(np.array([2.0, 1.0]), np.array([0, 0]), 5.0)


@pytest.mark.parametrize(
    ("mu", "alpha", "beta", "message"),
    [
        ([0.1, 0.1], [[0.1]], [1.0, 1.0], r"alpha has the wrong shape(.|\n)*\(2, 2\)"),
        ([0.1], [[0.1]], [1.0, 1.0], r"beta has the wrong shape"),
        ([0.1], [[-0.1]], [1.0], "alpha >= 0"),
        ([0.1], [[0.1]], [0.0], "beta > 0"),
        ([np.inf], [[0.1]], [1.0], "not finite"),
    ],
)
def test_invalid_parameters(mu, alpha, beta, message):
    with pytest.raises(HawkesError, match=message):
        HawkesParams(mu, alpha, beta)


def test_bad_state_and_bins():
    with pytest.raises(HawkesError, match="state has the wrong shape"):
        simulate(TWO, 10.0, rng=0, state=np.ones(3))
    with pytest.raises(HawkesError, match=">= 0"):
        simulate_counts(TWO, np.array([-1.0, 0.0]), 5, 10, rng=0)
    with pytest.raises(HawkesError, match="increasing edges"):
        expected_counts(TWO, None, 10.0, np.array([0.0, 5.0, 3.0]))
