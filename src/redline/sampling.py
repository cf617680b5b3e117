"""Exact sampling by inversion of uniforms, shared by the engine and the expression language.

Drawing every random quantity from one uniform per run (instead of numpy's
own samplers, which consume a varying amount of the stream) keeps runs of
different policies paired: run i gets the same uniform whatever other runs do.
"""

from __future__ import annotations

import numpy as np
from scipy import special, stats

TINY = 2.0**-54  # stands in for a uniform of exactly 0 where the quantile function would be infinite


_SMALL_RATE = 30.0  # above this, inversion by summing terms is slow: use scipy's Poisson quantile


def poisson_from_uniform(rate: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Poisson counts by inversion of the uniforms ``u`` (exact).

    Small rates (the usual case) sum the Poisson terms; rates above 30 use
    scipy's quantile function, which stays exact where exp(-rate) underflows.
    """
    out = np.zeros(rate.shape, dtype=np.int64)
    big = rate > _SMALL_RATE
    if big.any():
        out[big] = stats.poisson.ppf(u[big], rate[big]).astype(np.int64)
        rate = np.where(big, 0.0, rate)
        pmf = np.exp(-rate)
        idx = np.flatnonzero((u >= pmf) & ~big)
    else:
        pmf = np.exp(-rate)
        idx = np.flatnonzero(u >= pmf)
    if idx.size == 0:
        return out
    lam, uu, pm = rate[idx], u[idx], pmf[idx]
    cdf = pm.copy()
    k = 0
    while idx.size:
        k += 1
        pm = pm * lam / k
        cdf = cdf + pm
        out[idx] = k
        more = (uu >= cdf) & (k < 10.0 * lam + 100.0)
        idx, lam, uu, pm, cdf = idx[more], lam[more], uu[more], pm[more], cdf[more]
    return out


def binomial_from_uniform(n: np.ndarray, p: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Binomial(n, p) counts by inversion of ``u`` (n, p, u of one shape; n >= 0 integers)."""
    out = ((u < p) & (n >= 1)).astype(float)  # exact when n <= 1, the usual case
    more = n > 1
    if more.any():
        out[more] = stats.binom.ppf(u[more], n[more], p[more])
    return out


def normal_from_uniform(mean: np.ndarray, sd: np.ndarray, u: np.ndarray) -> np.ndarray:
    return mean + sd * special.ndtri(np.maximum(u, TINY))
