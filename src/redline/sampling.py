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
    if rate.size and rate.max() <= 0:  # nothing can happen (a common case inside effects)
        return out
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


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's output function (Steele, Lea and Flood 2014), on uint64 arrays."""
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def indexed_uniforms(seed: int, index: np.ndarray) -> np.ndarray:
    """Uniforms in [0, 1) at positions ``index`` of the SplitMix64 sequence started at ``seed``.

    numpy's generators are sequential: giving runs 3 and 9000 of a block their
    own numbers would mean generating all the numbers in between. SplitMix64's
    n-th output is a pure function of seed + n x golden ratio, so any positions
    can be read directly: run i always gets number i, whichever runs draw.
    """
    with np.errstate(over="ignore"):
        state = np.uint64(seed) + (index.astype(np.uint64) + np.uint64(1)) * _GOLDEN
        return (_mix(state) >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)
