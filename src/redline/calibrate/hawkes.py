"""Multivariate Hawkes processes with exponential kernels: likelihood, fit, simulation, forecast, diagnostics.

Time is in days. With M event streams, the intensity of stream i is

    lambda_i(t) = mu_i + sum_j alpha[i, j] * S_j(t),   S_j(t) = sum_{t_k of type j, t_k < t} beta_j exp(-beta_j (t - t_k))

so ``alpha[i, j]`` is the expected number of type-i events directly triggered by one type-j event (a branching
ratio) and ``beta[j]`` the decay rate per day of the excitation a type-j event produces. The process is stationary
iff the spectral radius of ``alpha`` is below 1. ``S`` is the *excitation state*: it is all a forecast needs to
know about the past.

Sums over the history use a doubling scan (log2 N vectorised passes multiplying by factors <= 1): the likelihood
and its analytic gradient take O(N M log N) array work, no Python loop over events, no overflow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import linalg, optimize, stats

from redline.errors import RedlineError

__all__ = ["HawkesError", "HawkesFit", "HawkesParams", "bootstrap", "excitation_state", "expected_counts", "fit",
           "loglik", "simulate", "simulate_counts", "time_rescaling"]


class HawkesError(RedlineError):
    """Hawkes input, parameters or fit are not what the estimator needs; the message says expected and found."""


def _error(what: str, expected: str, found: str) -> HawkesError:
    return HawkesError(f"{what}\n  expected: {expected}\n  found: {found}")


@dataclass(frozen=True)
class HawkesParams:
    """Baseline rates ``mu`` (M,), branching ratios ``alpha`` (M, M) and decay rates ``beta`` (M,), per day."""

    mu: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray

    def __post_init__(self) -> None:
        mu, alpha, beta = (np.array(x, dtype=float) for x in (self.mu, self.alpha, self.beta))
        M = mu.size
        for name, arr, shape in (("mu", mu, (M,)), ("alpha", alpha, (M, M)), ("beta", beta, (M,))):
            if arr.shape != shape:
                raise _error(f"HawkesParams.{name} has the wrong shape", f"shape {shape} (M = {M} from mu)",
                             f"shape {arr.shape}")
            if not np.all(np.isfinite(arr)):
                raise _error(f"HawkesParams.{name} is not finite", "finite numbers", f"{arr.tolist()}")
        if M == 0 or (mu < 0).any() or (alpha < 0).any() or (beta <= 0).any():
            raise _error("HawkesParams out of range", "at least one stream, mu >= 0, alpha >= 0, beta > 0",
                         f"mu={mu.tolist()}, alpha={alpha.tolist()}, beta={beta.tolist()}")
        for name, arr in (("mu", mu), ("alpha", alpha), ("beta", beta)):
            arr.setflags(write=False)  # frozen all the way down
            object.__setattr__(self, name, arr)

    @property
    def M(self) -> int:
        return self.mu.size

    def spectral_radius(self) -> float:
        """Largest |eigenvalue| of alpha: the mean number of descendants per generation (< 1 is stationary)."""
        return float(np.max(np.abs(np.linalg.eigvals(self.alpha))))

    def stationary_rate(self) -> np.ndarray:
        """Long-run events per day per stream, (I - alpha)^-1 mu; raises HawkesError if not stationary."""
        _require_stationary(self, "stationary_rate")
        return np.linalg.solve(np.eye(self.M) - self.alpha, self.mu)


def _require_stationary(params: HawkesParams, where: str, hint: str = "") -> None:
    rho = params.spectral_radius()
    if not rho < 1:
        raise _error(f"{where}: the process is not stationary (each event begets {rho:.3g} more on average, so "
                     f"it explodes){hint}", "spectral radius of alpha < 1", f"spectral radius {rho:.4g}")


# ---------------------------------------------------------------------------------------------- input checks

def _events(times: np.ndarray, marks: np.ndarray, T: float | None, M: int | None = None) \
        -> tuple[np.ndarray, np.ndarray, int]:
    """Validated (times float, marks int, M): sorted finite times, in [0, T] unless T is None, marks in 0..M-1."""
    t = np.asarray(times, dtype=float).ravel()
    raw = np.asarray(marks).ravel()
    if t.shape != raw.shape:
        raise _error("times and marks differ in length", "one mark per event time",
                     f"{t.size} times and {raw.size} marks")
    if T is not None and not (np.isfinite(T) and T > 0):
        raise _error("observation window [0, T] is empty", "T > 0 (days)", f"T = {T}")
    if raw.size and not (np.issubdtype(raw.dtype, np.integer) or np.all(np.mod(raw, 1) == 0)):
        raise _error("marks are not stream indices", "integers 0..M-1", f"dtype {raw.dtype}, e.g. {raw[:3]}")
    m = raw.astype(np.int64)
    M = (int(m.max()) + 1 if m.size else 1) if M is None else M
    if (bad := np.flatnonzero((m < 0) | (m >= M))).size:
        raise _error("mark out of range", f"integers 0..{M - 1}", f"marks[{bad[0]}] = {m[bad[0]]}")
    if (bad := np.flatnonzero(~np.isfinite(t))).size:
        raise _error("event time is not a number", "finite times in days", f"times[{bad[0]}] = {t[bad[0]]}")
    if T is not None and (bad := np.flatnonzero((t < 0) | (t > T))).size:
        raise _error("event time outside the observation window", f"times in [0, T] = [0, {T}]",
                     f"times[{bad[0]}] = {t[bad[0]]}")
    if (bad := np.flatnonzero(np.diff(t) < 0)).size:
        k = bad[0] + 1
        raise _error("event times are not sorted", "non-decreasing times",
                     f"times[{k}] = {t[k]} after times[{k - 1}] = {t[k - 1]}")
    return t, m, M


def _onehot(m: np.ndarray, M: int) -> np.ndarray:
    X = np.zeros((m.size, M))
    X[np.arange(m.size), m] = 1.0
    return X


# ----------------------------------------------------------------------------------------- history sums

def _scan(t: np.ndarray, X: np.ndarray, beta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inclusive sums at each event k: W[k, j] = sum_{l <= k} X[l, j] e^{-beta_j (t_k - t_l)}, V the same times (t_k - t_l).

    A doubling scan: after the pass with shift s, row k holds the sum over events k-2s+1..k.
    """
    W, V = X.copy(), np.zeros_like(X)
    s = 1
    while s < t.size:
        d = (t[s:] - t[:-s])[:, None]
        if d.min() * beta.min() > 745:  # every factor underflows to 0 from here on
            break
        e = np.exp(-d * beta)
        V[s:] += e * (V[:-s] + d * W[:-s])
        W[s:] += e * W[:-s]
        s *= 2
    return W, V


def _before(t: np.ndarray, W: np.ndarray, V: np.ndarray, beta: np.ndarray, at: np.ndarray) \
        -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sums over events strictly before each time in ``at``: (A, B, index of the last such event or -1)."""
    idx = np.searchsorted(t, at, side="left") - 1
    k = np.maximum(idx, 0)
    d = (at - t[k])[:, None]
    e = np.where((idx >= 0)[:, None], np.exp(-d * beta), 0.0)
    return e * W[k], e * (V[k] + d * W[k]), idx


# --------------------------------------------------------------------------------------------- likelihood

def _loglik_grad(mu: np.ndarray, alpha: np.ndarray, beta: np.ndarray, t: np.ndarray, m: np.ndarray,
                 X: np.ndarray, T: float) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """Log-likelihood and its gradient in (mu, alpha, beta)."""
    A, B, _ = _before(t, *_scan(t, X, beta), beta, t)
    S = A * beta
    rows = alpha[m]                                   # (N, M): alpha[m_k, :]
    lam = mu[m] + np.einsum("kj,kj->k", rows, S)
    inv = 1.0 / lam
    tail = np.exp(-beta[m] * (T - t))                 # e^{-beta_{m_l} (T - t_l)}
    G = np.bincount(m, -np.expm1(-beta[m] * (T - t)), minlength=mu.size)  # integrated kernels per source
    dG = np.bincount(m, (T - t) * tail, minlength=mu.size)
    ll = float(np.log(lam).sum() - mu.sum() * T - alpha.sum(0) @ G)
    g_mu = np.bincount(m, inv, minlength=mu.size) - T
    g_alpha = X.T @ (S * inv[:, None]) - G[None, :]
    g_beta = (rows * (A - beta * B) * inv[:, None]).sum(0) - alpha.sum(0) * dG
    return ll, g_mu, g_alpha, g_beta


def loglik(params: HawkesParams, times: np.ndarray, marks: np.ndarray, T: float) -> float:
    """Exact log-likelihood of events on [0, T] (no excitation carried in from before 0)."""
    t, m, M = _events(times, marks, T, params.M)
    with np.errstate(divide="ignore"):  # an event where the intensity is 0 (mu = 0) has likelihood 0: -inf
        return _loglik_grad(params.mu, params.alpha, params.beta, t, m, _onehot(m, M), T)[0]


def excitation_state(times: np.ndarray, marks: np.ndarray, params_or_beta: HawkesParams | np.ndarray,
                     at: float) -> np.ndarray:
    """State S_j(at) = sum over type-j events strictly before ``at`` of beta_j exp(-beta_j (at - t_k)), shape (M,)."""
    beta = params_or_beta.beta if isinstance(params_or_beta, HawkesParams) else np.asarray(params_or_beta, float)
    t, m, _ = _events(times, marks, None, beta.size)
    keep = t < at
    w = np.exp(-beta[m[keep]] * (at - t[keep]))
    return beta * np.bincount(m[keep], w, minlength=beta.size)


# -------------------------------------------------------------------------------------------------- fit

def _unpack(p: np.ndarray, M: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    beta = p[M + M * M:]
    return p[:M], p[M:M + M * M].reshape(M, M), np.broadcast_to(beta, (M,)) if beta.size == 1 else beta


@dataclass(frozen=True)
class HawkesFit:
    """A maximum-likelihood fit: estimates, standard errors (observed information), log-likelihood."""

    params: HawkesParams
    stderr: dict[str, np.ndarray]
    loglik: float
    n_events: np.ndarray
    T: float
    converged: bool
    message: str
    shared_beta: bool = False
    cov: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)  # over (mu, alpha, beta) flat

    @property
    def n_params(self) -> int:
        M = self.params.M
        return M + M * M + (1 if self.shared_beta else M)

    @property
    def aic(self) -> float:
        return 2 * self.n_params - 2 * self.loglik

    def interval(self, name: str, level: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
        """Wald interval (estimate -/+ z * stderr) of 'mu', 'alpha' or 'beta', clipped at 0."""
        if name not in self.stderr:
            raise _error("unknown Hawkes parameter", "one of 'mu', 'alpha', 'beta'", repr(name))
        z = stats.norm.ppf(0.5 + level / 2)
        est, se = getattr(self.params, name), self.stderr[name]
        return np.maximum(est - z * se, 0.0), est + z * se

    def table(self, names: list[str] | None = None, level: float = 0.9) -> pd.DataFrame:
        """One row per parameter: parameter, estimate, stderr, low, high (Wald, clipped at 0)."""
        M = self.params.M
        names = [str(i) for i in range(M)] if names is None else list(names)
        if len(names) != M:
            raise _error("wrong number of stream names", f"{M} names", f"{len(names)}: {names}")
        labels = {"mu": [f"mu[{n}]" for n in names],
                  "alpha": [f"alpha[{a}<-{b}]" for a in names for b in names],
                  "beta": [f"beta[{n}]" for n in names]}
        parts = [pd.DataFrame({"parameter": labels[key], "estimate": getattr(self.params, key).ravel(),
                               "stderr": self.stderr[key].ravel(), "low": low.ravel(), "high": high.ravel()})
                 for key in ("mu", "alpha", "beta") for low, high in [self.interval(key, level)]]
        return pd.concat(parts, ignore_index=True)


def _hessian(p: np.ndarray, grad: Callable[[np.ndarray], np.ndarray], free: np.ndarray) -> np.ndarray:
    """Hessian of a function with analytic gradient ``grad(p)``: central differences, relative steps, ``free`` entries."""
    H = np.zeros((free.size, free.size))
    for a, k in enumerate(free):
        up, down = p.copy(), p.copy()
        up[k] *= 1 + 1e-5
        down[k] *= 1 - 1e-5
        H[a] = (grad(up)[free] - grad(down)[free]) / (2e-5 * p[k])
    return (H + H.T) / 2


def _starts(counts: np.ndarray, T: float, n: int, shared: bool, rng: np.random.Generator) -> list[np.ndarray]:
    """Starting points: half the rate from the baseline with even branching, then random perturbations."""
    M = counts.size
    rate, nb = counts / T, 1 if shared else M
    beta0 = counts.sum() / T  # kernel lasting about one mean inter-event gap
    out = [np.concatenate([0.5 * rate, np.full(M * M, 0.5 / M), np.full(nb, beta0)])]
    for _ in range(n - 1):
        a = rng.uniform(0, 1, (M, M))
        a *= rng.uniform(0.1, 0.8) / max(np.max(np.abs(np.linalg.eigvals(a))), 1e-9)
        out.append(np.concatenate([rate * rng.uniform(0.2, 0.9, M), a.ravel(), beta0 * np.exp(rng.normal(0, 1, nb))]))
    return out[:n]


def fit(times: np.ndarray, marks: np.ndarray, T: float, M: int | None = None, *, shared_beta: bool = False,
        min_events: int = 10, rng: int | np.random.Generator | None = None, starts: int = 3,
        init: HawkesParams | None = None, max_decay: float = 1e6) -> HawkesFit:
    """Maximum-likelihood fit on [0, T] (L-BFGS-B on log-parameters with the analytic gradient, best of ``starts``).

    Needs ``min_events`` events per stream (10 by default: a stream has M + 2 parameters of its own, and with
    fewer events than a few per parameter the optimum is a point on a flat ridge). ``init`` is tried first,
    then ``starts`` starting points (the first from the event rates, the others random from ``rng``).
    ``max_decay`` caps each decay rate (per day): with dates known to the day, an excitation shorter than a
    day cannot be told apart from events on the same day, so calibration caps it at log(2), a one-day half-life.
    Raises HawkesError on malformed input, too few events, or a fit whose spectral radius is >= 1.
    """
    if not max_decay > 1.0 / T:
        raise _error("max_decay too small", f"a decay rate cap above 1/T = {1.0 / T:.4g} per day", f"{max_decay!r}")
    t, m, M = _events(times, marks, T, M)
    counts = np.bincount(m, minlength=M)
    if (few := np.flatnonzero(counts < min_events)).size:
        raise _error("too few events to fit a Hawkes process", f"at least {min_events} events per stream",
                     f"{counts[few[0]]} in stream {few[0]} (counts per stream: {counts.tolist()})")
    X, N, rng = _onehot(m, M), t.size, np.random.default_rng(rng)

    def grad_nat(p: np.ndarray) -> tuple[float, np.ndarray]:
        mu, alpha, beta = _unpack(p, M)
        ll, gm, ga, gb = _loglik_grad(mu, alpha, np.ascontiguousarray(beta), t, m, X, T)
        return ll, np.concatenate([gm, ga.ravel(), [gb.sum()] if shared_beta else gb])

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        p = np.exp(theta)
        ll, g = grad_nat(p)
        return -ll / N, -g * p / N

    # log-bounds: rates and branching ratios in [1e-10, 1e6]; a decay time at most the window (a slower
    # excitation cannot be told from a trend) and at least 1e-6 days
    nb = 1 if shared_beta else M
    lo = np.r_[np.full(M + M * M, np.log(1e-10)), np.full(nb, -np.log(T))]
    hi = np.r_[np.full(M + M * M, np.log(1e6)), np.full(nb, np.log(max_decay))]
    points = _starts(counts, T, starts if init is not None else max(starts, 1), shared_beta, rng)
    if init is not None:
        points.insert(0, np.concatenate([init.mu, init.alpha.ravel(), init.beta[:nb]]))
    best = None
    for p0 in points:
        theta0 = np.clip(np.log(np.maximum(p0, 1e-300)), lo + 1e-6, hi - 1e-6)
        res = optimize.minimize(objective, theta0, jac=True, method="L-BFGS-B", bounds=list(zip(lo, hi, strict=True)),
                                options={"maxiter": 2000, "ftol": 1e-14, "gtol": 1e-9})
        if np.isfinite(res.fun) and (best is None or res.fun < best.fun):
            best = res
    if best is None:
        raise _error(f"fit of {N} events on [0, {T:g}] failed", "a finite log-likelihood", "none at any start")
    p = np.exp(best.x)
    mu, alpha, beta = _unpack(p, M)
    params = HawkesParams(mu, alpha, np.array(beta))
    where = f"fit of {N} events on [0, {T:g}]"
    trend = ("; the data probably have a trend or a shift in rate over the window that the excitation absorbs: "
             "fit a window with a steady rate, or a shorter one")
    _require_stationary(params, where, trend)
    at_lo, at_hi = best.x <= lo + 1e-3, best.x >= hi - 1e-3
    dead = at_lo[M:M + M * M].reshape(M, M).all(axis=0)  # sources that excite nothing: their decay is moot
    dead = dead.all(keepdims=True) if shared_beta else dead
    if (slow := np.flatnonzero(at_lo[M + M * M:] & ~dead)).size:
        raise _error(f"{where}: the excitation by stream {slow[0]} outlasts the window{trend}",
                     f"decay times 1/beta shorter than the window T = {T:g} days",
                     f"beta = {p[M + M * M + slow[0]]:.4g} per day, at the bound 1/T")

    # standard errors from the observed information over the parameters inside their bounds
    moot = np.r_[np.zeros(M + M * M, dtype=bool), dead]
    free = np.flatnonzero(~(at_lo | at_hi | moot))
    cov = np.full((p.size, p.size), np.nan)
    message = str(best.message)
    try:
        H = -_hessian(p, lambda q: grad_nat(q)[1], free)
        np.linalg.cholesky(H)
        cov[np.ix_(free, free)] = np.linalg.inv(H)
    except np.linalg.LinAlgError:
        message += "; the observed information is not positive definite: no standard errors"
    if free.size < p.size:
        message += (f"; no standard error for {p.size - free.size} parameter(s) at a bound (e.g. alpha = 0) or "
                    "not identified (the decay of a stream that excites nothing)")
    se_mu, se_alpha, se_beta = _unpack(np.sqrt(np.diag(cov)), M)
    return HawkesFit(params, {"mu": se_mu, "alpha": se_alpha, "beta": np.array(se_beta)}, -best.fun * N, counts,
                     float(T), bool(best.success), message, shared_beta, cov)


_fit = fit  # bootstrap's argument is called ``fit``


def bootstrap(fit: HawkesFit, n: int = 200, rng: int | np.random.Generator | None = None) -> dict[str, np.ndarray]:
    """Parametric bootstrap: simulate n data sets from the fit on [0, T], refit each (starting at the estimate).

    Returns the refitted estimates stacked: 'mu' (k, M), 'alpha' (k, M, M), 'beta' (k, M), where k <= n counts
    the refits that succeeded (a resample with too few events or a non-stationary refit is dropped). Percentile
    intervals are ``np.quantile(draws['alpha'], [0.05, 0.95], axis=0)``.
    """
    rng = np.random.default_rng(rng)
    out: dict[str, list[np.ndarray]] = {"mu": [], "alpha": [], "beta": []}
    for _ in range(n):
        times, marks = simulate(fit.params, fit.T, rng)
        try:
            refit = _fit(times, marks, fit.T, fit.params.M, shared_beta=fit.shared_beta, min_events=2, starts=0, init=fit.params)
        except HawkesError:
            continue
        for key, draws in out.items():
            draws.append(getattr(refit.params, key))
    return {key: np.array(v).reshape((len(v),) + getattr(fit.params, key).shape) for key, v in out.items()}


# ------------------------------------------------------------------------------------------- diagnostics

def time_rescaling(params: HawkesParams, times: np.ndarray, marks: np.ndarray, T: float) -> dict[str, Any]:
    """Goodness of fit by the time-rescaling theorem.

    Under the model, the compensator increments between consecutive events of a stream (from 0 to the first,
    then event to event) are iid Exp(1). Returns per stream: 'increments' (list of arrays), 'statistic' and
    'pvalue' of a KS test against Exp(1) (arrays (M,), NaN for streams with fewer than 2 events), and 'qq': a
    list of (theoretical, empirical) quantile arrays for a QQ plot.
    """
    t, m, M = _events(times, marks, T, params.M)
    X = _onehot(m, M)
    A, _, idx = _before(t, *_scan(t, X, params.beta), params.beta, t)
    before = np.where((idx >= 0)[:, None], np.cumsum(X, axis=0)[np.maximum(idx, 0)], 0.0)
    comp = params.mu[None, :] * t[:, None] + (before - A) @ params.alpha.T  # Lambda_i(t_k), (N, M)
    increments = [np.diff(comp[m == i, i], prepend=0.0) for i in range(M)]
    statistic, pvalue = np.full(M, np.nan), np.full(M, np.nan)
    for i, inc in enumerate(increments):
        if inc.size >= 2:
            ks = stats.kstest(inc, "expon")
            statistic[i], pvalue[i] = ks.statistic, ks.pvalue
    qq = [(-np.log1p(-(np.arange(1, inc.size + 1) - 0.5) / inc.size), np.sort(inc)) for inc in increments]
    return {"increments": increments, "statistic": statistic, "pvalue": pvalue, "qq": qq}


# ----------------------------------------------------------------------------------- simulation, forecast

def _state(params: HawkesParams, state: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray:
    s = np.zeros(params.M) if state is None else np.asarray(state, dtype=float)
    try:
        s = np.broadcast_to(s, shape)
    except ValueError:
        raise _error("excitation state has the wrong shape", f"(M,) = ({params.M},) or {shape}",
                     f"shape {s.shape}") from None
    if not np.all(np.isfinite(s) & (s >= 0)):
        raise _error("excitation state out of range", "finite numbers >= 0", f"{s.ravel()[:5].tolist()}")
    return s.astype(float)


def simulate(params: HawkesParams, T: float, rng: int | np.random.Generator | None = None, *,
             state: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Exact simulation on [0, T) by Ogata's thinning: (sorted times, int marks).

    ``state`` (M,) is the excitation carried in at t = 0 (see ``excitation_state``), so lambda(0) = mu + alpha @ state.
    Between events every intensity decays, so the current total intensity bounds the next candidate's.
    """
    rng = np.random.default_rng(rng)
    mu, alpha, beta = params.mu, params.alpha, params.beta
    S = _state(params, state, (params.M,)).copy()
    lam = mu + alpha @ S
    times: list[float] = []
    marks: list[int] = []
    now = 0.0
    while True:
        bound = lam.sum()
        if bound <= 0:
            break
        w, u = rng.standard_exponential() / bound, rng.uniform() * bound
        now += w
        if now >= T:
            break
        S *= np.exp(-beta * w)
        lam = mu + alpha @ S
        cum = np.cumsum(lam)
        if u < cum[-1]:  # accepted; u is then uniform on [0, total): it also picks the stream
            j = min(int(np.searchsorted(cum, u, side="right")), params.M - 1)
            times.append(now)
            marks.append(j)
            S[j] += beta[j]
            lam = lam + alpha[:, j] * beta[j]
    return np.array(times), np.array(marks, dtype=np.int64)


def expected_counts(params: HawkesParams, state: np.ndarray | None, horizon_days: float,
                    bins: int | np.ndarray) -> np.ndarray:
    """Expected events per stream in each bin of [0, horizon], given the excitation state at 0: (n_bins, M).

    ``bins`` is a number of equal bins or an increasing array of edges in [0, horizon]. The mean state obeys the
    linear ODE ds/dt = diag(beta) (alpha - I) s + beta * mu, and the mean intensity is mu + alpha s; the
    integral of s rides along in an augmented matrix exponential. Valid for explosive parameters too.
    """
    M = params.M
    edges = np.linspace(0, horizon_days, int(bins) + 1) if np.ndim(bins) == 0 else np.asarray(bins, dtype=float)
    if edges.size < 2 or np.any(np.diff(edges) <= 0) or edges[0] < 0 or edges[-1] > horizon_days:
        raise _error("bad forecast bins", f"a positive count or increasing edges within [0, {horizon_days}]",
                     f"{bins!r}")
    Z = np.zeros((2 * M + 1, 2 * M + 1))
    Z[:M, :M] = params.beta[:, None] * (params.alpha - np.eye(M))
    Z[:M, -1] = params.beta * params.mu
    Z[M:2 * M, :M] = np.eye(M)
    z = np.concatenate([_state(params, state, (M,)), np.zeros(M), [1.0]])
    z = linalg.expm(Z * edges[0]) @ z
    out = np.empty((edges.size - 1, M))
    for b, width in enumerate(np.diff(edges)):
        z, prev = linalg.expm(Z * width) @ z, z
        out[b] = params.mu * width + params.alpha @ (z[M:2 * M] - prev[M:2 * M])
    return out


def simulate_counts(params: HawkesParams, state: np.ndarray | None, horizon_days: int, n_paths: int,
                    rng: int | np.random.Generator | None = None, *, steps_per_day: int | None = None) -> np.ndarray:
    """Many continuations at once, vectorised over paths: events per stream per day, shape (n_paths, days, M).

    ``state`` is (M,) or (n_paths, M). Time steps of dt = 1 / steps_per_day (default: enough that beta * dt <=
    1/8). In a step, each path draws Poisson counts with the exact integral of its decaying intensity, then
    Poisson offspring of those events born later in the same step (the first-order discretisation error); the
    state decays by exp(-beta dt) and jumps by beta times the mean decay of an event placed uniformly in the step.
    The remaining bias in the mean is of order (beta dt)^2. For the two-stream model of the tests (beta = 1, 0.5)
    over 28 days, the scheme's own mean recursion is low by 0.1-0.2% per stream at 8 steps a day (the
    default), 0.4-0.6% at 4, 1.3-1.9% at 2 and 3.6-5.3% at 1.
    """
    if int(horizon_days) < 1 or int(n_paths) < 1:
        raise _error("nothing to simulate", "horizon_days >= 1 and n_paths >= 1",
                     f"horizon_days = {horizon_days}, n_paths = {n_paths}")
    rng = np.random.default_rng(rng)
    mu, alpha, beta = params.mu, params.alpha, params.beta
    k = int(steps_per_day) if steps_per_day else max(8, int(np.ceil(8 * beta.max())))
    dt = 1.0 / k
    decay = np.exp(-beta * dt)
    integral = -np.expm1(-beta * dt) / beta        # int_0^dt exp(-beta s) ds
    jump = beta * integral / dt                      # beta * mean of exp(-beta (dt - u)), u ~ U(0, dt)
    late = 1.0 - integral / dt                       # share of a kernel's mass left in the step after its event
    S = _state(params, state, (n_paths, params.M)).copy()
    out = np.zeros((n_paths, int(horizon_days), params.M), dtype=np.int64)
    for day in range(int(horizon_days)):
        for _ in range(k):
            first = rng.poisson(mu * dt + (S * integral) @ alpha.T)
            second = rng.poisson((first * late) @ alpha.T)
            S *= decay
            S += (first + second) * jump
            out[:, day] += first + second
    return out
