"""Exact sampling by inversion of uniforms, shared by the engine and the expression language.

Drawing every random quantity from one uniform per run (instead of numpy's
own samplers, which consume a varying amount of the stream) keeps runs of
different policies paired: run i gets the same uniform whatever other runs do.
"""

from __future__ import annotations

import numpy as np
from scipy import special, stats

TINY = 2.0**-54  # stands in for a uniform of exactly 0 where the quantile function would be infinite


_LARGE_RATE = 30.0  # above this, summing terms is slow and exp(-rate) may underflow: special-function quantile


def _poisson_ppf(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """The Poisson quantile function as scipy.stats.poisson.ppf computes it, on plain ufuncs."""
    k = np.ceil(special.pdtrik(u, lam))
    below = np.maximum(k - 1, 0)
    return np.where(special.pdtr(below, lam) >= u, below, k)


def poisson_from_uniform(rate: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Poisson counts by inversion of the uniforms ``u`` (exact).

    Rates up to 30 sum the Poisson terms over whole arrays; larger ones use the
    incomplete-gamma quantile, which is also exact where exp(-rate) underflows.
    """
    out = np.zeros(rate.shape, dtype=np.int64)
    if rate.size and rate.max() <= 0:  # nothing can happen (a common case inside effects)
        return out
    big = rate > _LARGE_RATE
    if big.any():
        out[big] = _poisson_ppf(u[big], rate[big]).astype(np.int64)
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
    """Binomial(n, p) counts by inversion of ``u`` (n, p, u of one shape; n >= 0 integers).

    n <= 1 (the usual case) is one comparison; small n sums the probability
    mass function term by term; large n uses scipy's quantile function.
    """
    out = ((u > 1.0 - p) & (n >= 1)).astype(float)  # the quantile function: 1 when u > P(0)
    more = np.flatnonzero(n > 1)
    if more.size == 0:
        return out
    nn, pp, uu = n[more], p[more], u[more]
    big = nn > 1000
    if big.any():
        out[more[big]] = stats.binom.ppf(uu[big], nn[big], pp[big])
        nn, pp, uu, more = nn[~big], pp[~big], uu[~big], more[~big]
    certain = pp >= 1.0
    out[more[certain]] = nn[certain]
    nn, pp, uu, more = nn[~certain], pp[~certain], uu[~certain], more[~certain]
    pmf = (1.0 - pp) ** nn  # P(0)
    cdf = pmf.copy()
    ratio = pp / (1.0 - pp)
    k = np.zeros(nn.shape)
    todo = np.flatnonzero(uu >= cdf)
    while todo.size:
        pmf[todo] *= (nn[todo] - k[todo]) / (k[todo] + 1.0) * ratio[todo]
        k[todo] += 1.0
        cdf[todo] += pmf[todo]
        todo = todo[(uu[todo] >= cdf[todo]) & (k[todo] < nn[todo])]
    out[more] = k
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


def stream_seed(key: int, *parts: int) -> int:
    """A SplitMix64 seed for a sub-stream of ``key`` named by small integers (e.g. day and draw)."""
    with np.errstate(over="ignore"):
        mixed = _mix(np.array([sum(p * 1_000_003**i for i, p in enumerate(parts))], dtype=np.uint64) * _GOLDEN)
    return key ^ int(mixed[0])
