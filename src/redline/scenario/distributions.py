"""Parameter distributions: quantile functions (for sampling from uniforms), centres, text.

Sampling goes through the quantile function ``ppf(u)`` so that the same code
serves plain Monte Carlo (u from the run's random stream) and designed
experiments (u from a Sobol or Latin-hypercube sample).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special, stats

from redline.scenario.model import (
    Beta,
    Distribution,
    Fixed,
    Gamma,
    LogNormal,
    LogUniform,
    Normal,
    Triangular,
    Uniform,
)


def frozen(d: Distribution):  # type: ignore[no-untyped-def]
    """The scipy.stats frozen distribution for ``d`` (None for fixed values)."""
    if isinstance(d, Fixed):
        return None
    if isinstance(d, Uniform):
        return stats.uniform(loc=d.low, scale=d.high - d.low)
    if isinstance(d, LogUniform):
        return stats.loguniform(d.low, d.high)
    if isinstance(d, Triangular):
        width = d.high - d.low
        return stats.triang(c=(d.mode - d.low) / width, loc=d.low, scale=width)
    if isinstance(d, Normal):
        if math.isinf(d.low) and math.isinf(d.high):
            return stats.norm(loc=d.mean, scale=d.sd)
        a, b = (d.low - d.mean) / d.sd, (d.high - d.mean) / d.sd
        return stats.truncnorm(a, b, loc=d.mean, scale=d.sd)
    if isinstance(d, LogNormal):
        return stats.lognorm(s=d.sigma, scale=d.median)
    if isinstance(d, Beta):
        return stats.beta(d.a, d.b, loc=d.low, scale=d.high - d.low)
    if isinstance(d, Gamma):
        return stats.gamma(d.shape, scale=d.scale)
    raise TypeError(d)  # pragma: no cover


def ppf(d: Distribution | float, u: np.ndarray) -> np.ndarray:
    """Values at quantiles ``u`` (shape preserved).

    Closed forms (or one scipy.special inverse) instead of scipy.stats' generic
    ppf, which is several times slower; tests check both agree.
    """
    if isinstance(d, int | float):
        return np.full(u.shape, float(d))
    if isinstance(d, Fixed):
        return np.full(u.shape, d.value)
    if isinstance(d, Uniform):
        return d.low + u * (d.high - d.low)
    if isinstance(d, LogUniform):
        return np.exp(np.log(d.low) + u * (np.log(d.high) - np.log(d.low)))
    if isinstance(d, Triangular):
        width = d.high - d.low
        c = (d.mode - d.low) / width
        left = d.low + np.sqrt(u * width * (d.mode - d.low))
        right = d.high - np.sqrt((1 - u) * width * (d.high - d.mode))
        return np.where(u < c, left, right)
    if isinstance(d, LogNormal):
        return d.median * np.exp(d.sigma * special.ndtri(u))
    if isinstance(d, Normal) and math.isinf(d.low) and math.isinf(d.high):
        return d.mean + d.sd * special.ndtri(u)
    if isinstance(d, Beta):
        return d.low + (d.high - d.low) * special.betaincinv(d.a, d.b, u)
    if isinstance(d, Gamma):
        return d.scale * special.gammaincinv(d.shape, u)
    return np.asarray(frozen(d).ppf(u), dtype=float)


def central(d: Distribution | float) -> float:
    """The median: the value used when uncertainty is switched off."""
    if isinstance(d, int | float):
        return float(d)
    if isinstance(d, Fixed):
        return d.value
    return float(frozen(d).median())


def bounds(d: Distribution | float) -> tuple[float, float]:
    """Support of the distribution (the 0.1% and 99.9% quantiles for unbounded ones, and the 0.1% quantile
    as the low end of a lognormal or gamma, whose support is open at 0)."""
    if isinstance(d, int | float):
        return float(d), float(d)
    if isinstance(d, Fixed):
        return d.value, d.value
    f = frozen(d)
    lo, hi = f.support()
    if not math.isfinite(lo) or d.kind in ("lognormal", "gamma"):  # never 0: its support is open there
        lo = f.ppf(0.001)
    if not math.isfinite(hi):
        hi = f.ppf(0.999)
    return float(lo), float(hi)


def describe(d: Distribution | float) -> str:
    """Short human-readable text, e.g. ``triangular(5, 10, 30)``."""
    if isinstance(d, int | float):
        return f"{d:g}"
    fields = {k: v for k, v in d.model_dump().items() if k != "kind"}
    if d.kind == "fixed":
        return f"{d.value:g}"
    parts = [f"{k}={v:g}" for k, v in fields.items() if not (isinstance(v, float) and math.isinf(v))]
    return f"{d.kind}({', '.join(parts)})"
