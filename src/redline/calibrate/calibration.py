"""Calibrate a scenario's parameters to recorded events with a multivariate Hawkes fit.

Each action may declare, under ``calibrate:``, which of its parameters a fit to the recorded events
informs, as an expression of fitted quantities (see :func:`redline.scenario.validate.calibration_names`):

.. code-block:: yaml

    militia_attack_us:
      calibrate:
        grievance_gain: excitation_us_strike_militia * decay_us_strike_militia / baseline
        grievance_half_life: half_life_us_strike_militia

The streams of the fit are those actions and every action their expressions read.  The estimation
uncertainty is carried into the calibrated parameters by drawing Hawkes parameters from the fit's
asymptotic normal distribution (on the log scale, so they stay positive; draws past stationarity are
dropped) and evaluating each expression on every draw.  The written scenario keeps each parameter's
marginal, a lognormal (or normal) distribution citing the event data; forecasts and backtests use the
joint draws (:meth:`Calibration.values`), so the correlations of the fit (a faster decay with a larger
excitation) are kept there, and each run's expression reads that run's own draws of the other parameters.  The calibrated scenario ``extends`` the original and replaces only those parameters.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from redline.calibrate.hawkes import HawkesError, HawkesFit, HawkesParams, fit, time_rescaling
from redline.calibrate.series import EventSeries, event_series, load_events
from redline.errors import RedlineError
from redline.expr import compile_numpy, parse
from redline.scenario.distributions import central, describe
from redline.scenario.load import LoadedScenario, load_scenario
from redline.scenario.model import Scenario

_FITTED = re.compile(r"^(excitation|decay|half_life)_(\w+)$")


def _reads(text: str | float, scenario: Scenario, aid: str | None = None) -> set[str]:
    """The streams an expression of action ``aid``'s block needs: ``baseline`` and ``excitation_X`` are about
    ``aid``'s own stream (and X's); ``decay_X`` and ``half_life_X`` only about X's."""
    names = parse(text).names
    need = {m.group(2) for name in names if (m := _FITTED.match(name)) and m.group(2) in scenario.actions}
    if aid is not None and ("baseline" in names or any(n.startswith("excitation_") for n in names)):
        need.add(aid)
    return need


def streams_of(scenario: Scenario, only: Sequence[str] | None = None) -> list[str]:
    """The actions a calibration fits, in the scenario's order: those with ``calibrate:`` entries and those
    their expressions read; or ``only`` these (entries that read other actions are then left out)."""
    if only:
        unknown = [a for a in only if a not in scenario.actions]
        if unknown:
            raise RedlineError(f"unknown action(s) {', '.join(map(repr, unknown))} in --streams\n"
                               f"  expected some of: {', '.join(scenario.actions)}")
        if not entries(scenario, only)[0]:
            raise RedlineError(f"no calibrate: entry of scenario {scenario.id!r} can be fitted from "
                               f"{', '.join(only)} alone\n  expected: streams that include an action with a "
                               "'calibrate:' block and every action its expressions read")
        return [a for a in scenario.actions if a in set(only)]
    used: set[str] = set()
    for aid, act in scenario.actions.items():
        for text in act.calibrate.values():
            used |= _reads(text, scenario, aid)
    if not used:
        raise RedlineError(f"scenario {scenario.id!r} has nothing to calibrate\n"
                           "  expected: at least one action with a 'calibrate:' block naming the parameters a fit "
                           "to recorded events informs (docs/scenario-format.md)")
    return [a for a in scenario.actions if a in used]


def entries(scenario: Scenario, streams: Sequence[str]) -> tuple[list[tuple[str, str, str | float]], list[str]]:
    """(action, parameter, expression) of the calibrate: entries a fit of ``streams`` informs, and a note for
    each entry left out because it reads an action outside them."""
    keep, skipped = [], []
    for aid, act in scenario.actions.items():
        for par, text in act.calibrate.items():
            missing = _reads(text, scenario, aid) - set(streams)
            if missing:
                skipped.append(f"{par} (actions.{aid}.calibrate) needs the stream(s) {', '.join(sorted(missing))}")
            else:
                keep.append((aid, par, text))
    return keep, skipped


def _draws(f: HawkesFit, n: int, rng: np.random.Generator, max_decay: float = np.inf) -> list[HawkesParams]:
    """Hawkes parameters drawn from the fit's asymptotic normal on the log scale (delta method);
    a parameter without a standard error (at a bound) stays at its estimate; decays held to the fit's cap."""
    p = f.params
    est = np.concatenate([p.mu, p.alpha.ravel(), p.beta])
    cov = f.cov if f.cov.shape == (est.size, est.size) else np.full((est.size, est.size), np.nan)
    free = np.isfinite(np.diag(cov)) & (est > 0)
    sub = cov[np.ix_(free, free)]
    ok = np.all(np.isfinite(sub)) and free.any()
    logs = np.tile(np.log(np.where(est > 0, est, 1.0)), (n, 1))
    if ok:
        scale = est[free]
        log_cov = sub / np.outer(scale, scale)
        logs[:, free] = rng.multivariate_normal(np.log(scale), log_cov, size=n, method="eigh")
    vals = np.where(est > 0, np.exp(logs), 0.0)
    m = p.M
    out = []
    for row in vals:
        draw = HawkesParams(row[:m], row[m:m + m * m].reshape(m, m), np.minimum(row[m + m * m:], max_decay))
        if draw.spectral_radius() < 0.99:  # the normal approximation reaches past stationarity: drop those
            out.append(draw)
    if len(out) < n // 2:
        raise RedlineError(f"the fit is too close to non-stationary to carry its uncertainty: {n - len(out)} of {n} "
                           f"draws have a spectral radius >= 0.99 (estimate {p.spectral_radius():.3f})\n"
                           "  expected: a window with a steadier rate, or more events")
    return out


def _fitted_env(params: list[HawkesParams], streams: list[str], target: str) -> dict[str, np.ndarray]:
    """The fitted names an expression of ``target``'s calibrate: block reads, one value per draw: its baseline and
    excitations (when ``target`` is a fitted stream) and every fitted stream's decay and half-life."""
    env: dict[str, np.ndarray] = {}
    i = streams.index(target) if target in streams else None
    if i is not None:
        env["baseline"] = np.array([p.mu[i] for p in params])
    for j, s in enumerate(streams):
        if i is not None:
            env[f"excitation_{s}"] = np.array([p.alpha[i, j] for p in params])
        env[f"decay_{s}"] = np.array([p.beta[j] for p in params])
        env[f"half_life_{s}"] = math.log(2) / env[f"decay_{s}"]
    return env


@dataclass
class Calibration:
    """What ``redline calibrate`` found: the fit, the parameter table and the calibrated scenario."""

    scenario: Scenario
    origin: str  # the scenario argument: a built-in name or a file path
    series: EventSeries
    fit: HawkesFit
    table: pd.DataFrame  # action, parameter, expression, prior, estimate, low, high, dist
    goodness: pd.DataFrame  # stream, events, ks_statistic, ks_pvalue
    level: float
    seed: int
    samples: dict[str, np.ndarray]  # parameter -> joint draws (the same Hawkes draw at each index)
    skipped: list[str] = field(default_factory=list)  # calibrate: entries left out (they read other streams)
    draws: list[HawkesParams] = field(default_factory=list, repr=False)  # the Hawkes draws behind ``samples``
    entries: list[tuple[str, str, str | float]] = field(default_factory=list)  # (action, parameter, expression)
    rows_skipped: list[str] = field(default_factory=list)  # rows of the event file no action fits
    min_half_life: float = 1.0
    qq: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)  # time-rescaling QQ

    def values(self, params: dict[str, np.ndarray], runs: int) -> dict[str, np.ndarray]:
        """Each calibrated parameter for each of ``runs`` runs, from Hawkes draw ``run % draws`` and the run's own
        values of the other parameters (``params``: name -> (runs,)): the data pin down what the expression
        computes (e.g. the attack rate net of the leash), whatever the run's draw of the leash."""
        streams = list(self.series.streams)
        idx = np.arange(runs) % len(self.draws)
        picked = [self.draws[i] for i in idx]
        base = {**{k: v.initial for k, v in self.scenario.state.items()}, **params}
        out = {}
        with np.errstate(all="ignore"):
            for aid, par, text in self.entries:
                env = {**base, **_fitted_env(picked, streams, aid)}
                vals = np.broadcast_to(np.asarray(compile_numpy(parse(text).tree)(env), dtype=float), (runs,))
                out[par] = np.where(np.isfinite(vals), vals, self.samples[par][idx])
        return out

    def fit_table(self) -> pd.DataFrame:
        """The Hawkes estimates with Wald intervals; a decay's interval stops at the one-day cap of the fit."""
        t = self.fit.table(list(self.series.streams), level=self.level)
        cap = math.log(2) / self.min_half_life
        beta = t.parameter.str.startswith("beta")
        t.loc[beta, "high"] = t.loc[beta, "high"].clip(upper=cap)
        return t

    def yaml(self, out: str | Path | None = None) -> str:
        """The calibrated scenario: it extends the original and replaces the calibrated parameters."""
        from ruamel.yaml import YAML
        from ruamel.yaml.comments import CommentedMap

        sc = self.scenario
        parent = self.origin
        if parent.endswith((".yaml", ".yml")):
            base = Path(out).resolve().parent if out else Path.cwd()
            parent = os.path.relpath(Path(parent).resolve(), base)
        sid = "EV" + str(1 + sum(1 for k in sc.sources if k.startswith("EV")))
        n = self.series.n_events()
        counts = ", ".join(f"{v} {k}" for k, v in n.items())
        doc = CommentedMap()
        doc["redline"] = 1
        doc["id"] = f"{sc.id}-calibrated"[:60]
        doc["extends"] = parent
        doc["title"] = f"{sc.title} (calibrated to recorded events)"
        src = CommentedMap(title=f"Hawkes fit to {counts} events, {self.series.start} to {self.series.end}",
                           outlet=f"redline calibrate, event data {self.series.source}",
                           date=dt.date.today().isoformat(),
                           note=f"maximum likelihood; {self.level:.0%} intervals from the asymptotic normal; seed {self.seed}")
        src.fa.set_flow_style()
        doc["sources"] = CommentedMap({sid: src})
        params = CommentedMap()
        for row in self.table.itertuples(index=False):
            old = sc.parameters[row.parameter]
            entry = CommentedMap()
            dist = CommentedMap(row.dist)
            dist.fa.set_flow_style()
            entry["dist"] = dist
            entry["unit"] = old.unit
            if old.description:
                entry["description"] = old.description
            entry["sources"] = [sid]
            entry["why"] = (f"fitted: {row.expression} = {row.estimate:.4g} ({self.level:.0%} interval "
                            f"{row.low:.4g} to {row.high:.4g}); the prior was {row.prior}")
            params[row.parameter] = entry
        doc["parameters"] = params
        buf = io.StringIO()
        y = YAML()
        y.width = 110
        y.dump(doc, buf)
        head = (f"# Calibrated by redline calibrate: {sc.id} fitted to {counts} events from {self.series.source},\n"
                f"# {self.series.start} to {self.series.end}. Only the calibrated parameters are replaced.\n")
        return head + buf.getvalue()

    def to_dict(self) -> dict[str, Any]:
        ft = self.fit_table()
        return {"scenario": self.scenario.id, "source": self.series.source, "from": str(self.series.start),
                "to": str(self.series.end), "events": self.series.n_events(), "seed": self.seed, "level": self.level,
                "spectral_radius": self.fit.params.spectral_radius(), "loglik": self.fit.loglik,
                "fit": [{k: _num(v) if k != "parameter" else v for k, v in r.items()} for r in ft.to_dict("records")],
                "goodness_of_fit": [{k: _num(v) if k != "stream" else v for k, v in r.items()}
                                    for r in self.goodness.to_dict("records")],
                "parameters": [{**{k: (_num(v) if isinstance(v, float) else v) for k, v in r.items()}}
                               for r in self.table.to_dict("records")], "skipped": self.skipped,
                "rows_skipped": self.rows_skipped,
                "qq": {k: {"exp1_quantiles": [round(float(x), 4) for x in th],
                           "rescaled_gaps": [round(float(x), 4) for x in em]} for k, (th, em) in self.qq.items()}}

    def write(self, path: str | Path) -> Path:
        out = Path(path)
        try:
            out.write_text(self.yaml(out), encoding="utf-8")
        except OSError as exc:
            raise RedlineError(f"cannot write the calibrated scenario {out}: {exc}") from None
        return out


def calibrate(scenario: str | Path | LoadedScenario, events: str | Path | pd.DataFrame, *,
              start: dt.date | None = None, end: dt.date | None = None, draws: int = 4000, seed: int = 0,
              level: float = 0.9, min_events: int = 10, place: str | None = None,
              min_half_life: float = 1.0, streams: Sequence[str] | None = None,
              source: str | None = None) -> Calibration:
    """Fit a multivariate Hawkes process to the recorded events of the scenario's calibrated actions and
    map the fit onto the parameters they declare.  ``events``: a store (.duckdb), an ACLED export (.csv) or
    an events table; ``streams``: fit only these actions (default: every action calibrate: entries read);
    ``source`` names the event data in the written scenario (default: the file name).
    Excitations are held to a half-life of at least ``min_half_life`` days: event dates
    are known to the day and the scenario steps a day at a time, so a shorter one is an artefact."""
    loaded = scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario)
    sc = loaded.scenario
    origin = loaded.origin.removeprefix("builtin:")
    fitted = streams_of(sc, streams)
    todo, skipped = entries(sc, fitted)
    table = events if isinstance(events, pd.DataFrame) else load_events(events, sc)
    source = source or ("an events table" if isinstance(events, pd.DataFrame) else Path(events).name)
    series = event_series(table, sc, fitted, start=start, end=end, place=place, source=source)
    counts = series.n_events()
    few = {k: v for k, v in counts.items() if v < min_events}
    if few:
        raise RedlineError(f"too few events to fit a Hawkes process: {', '.join(f'{v} {k}' for k, v in few.items())} "
                           f"between {series.start} and {series.end}\n  expected: at least {min_events} events per "
                           f"stream (found {', '.join(f'{v} {k}' for k, v in counts.items())}); widen the window, "
                           "or fit fewer streams with --streams")
    times, marks = series.times(seed)
    try:
        result = fit(times, marks, float(series.days), len(fitted), min_events=min_events, rng=seed,
                     max_decay=math.log(2) / min_half_life)
    except HawkesError as exc:  # name the streams, not their numbers
        text = re.sub(r"stream (\d+)", lambda m: f"stream {fitted[int(m.group(1))]}", str(exc))
        raise HawkesError(text) from None
    rng = np.random.default_rng(seed)
    sampled = _draws(result, draws, rng, max_decay=math.log(2) / min_half_life)
    centrals: dict[str, Any] = {k: central(p.value if p.value is not None else p.dist)  # type: ignore[arg-type]
                                for k, p in sc.parameters.items()}
    centrals.update({k: v.initial for k, v in sc.state.items()})
    rows = []
    samples: dict[str, np.ndarray] = {}
    q = (1 - level) / 2
    for aid, par, text in todo:
        fn = compile_numpy(parse(text).tree)
        point = float(np.asarray(fn({**centrals, **_fitted_env([result.params], fitted, aid)})).ravel()[0])
        with np.errstate(all="ignore"):
            vals = np.asarray(fn({**centrals, **_fitted_env(sampled, fitted, aid)}), dtype=float)
        vals = np.array(np.broadcast_to(vals, (len(sampled),)))
        if not math.isfinite(point) or not np.isfinite(vals).all():
            raise RedlineError(f"calibrating {par!r} from actions.{aid}.calibrate gives no finite value "
                               f"(estimate {point})\n  expected: an expression defined at the fitted values: "
                               f"{text}")
        samples[par] = vals
        lo, hi = (float(v) for v in np.quantile(vals, [q, 1 - q]))
        par_dist = _distribution(point, vals)
        old = sc.parameters[par]
        rows.append({"action": aid, "parameter": par, "expression": str(text),
                     "prior": describe(old.value if old.value is not None else old.dist),  # type: ignore[arg-type]
                     "estimate": point, "low": lo, "high": hi, "dist": par_dist})
    gof = time_rescaling(result.params, times, marks, float(series.days))
    n = series.n_events()
    goodness = pd.DataFrame({"stream": fitted, "events": [n[s] for s in fitted],
                             "ks_statistic": gof["statistic"], "ks_pvalue": gof["pvalue"]})
    return Calibration(sc, origin, series, result, pd.DataFrame(rows), goodness, level, seed, samples, skipped,
                       sampled, todo, list(table.attrs.get("skipped", [])), min_half_life,
                       dict(zip(fitted, gof["qq"], strict=True)))


def _num(v: Any) -> Any:
    if isinstance(v, (int, np.integer)):
        return int(v)
    f = float(v)
    return f if math.isfinite(f) else None


def _distribution(point: float, vals: np.ndarray) -> dict[str, Any]:
    """A lognormal centred on the estimate with the spread of the draws (a normal if values can be <= 0)."""
    if point > 0 and np.all(vals > 0):
        sigma = float(np.std(np.log(vals)))
        if sigma > 1e-9:
            return {"kind": "lognormal", "median": float(f"{point:.6g}"), "sigma": float(f"{sigma:.4g}")}
        return {"kind": "fixed", "value": float(f"{point:.6g}")}
    sd = float(np.std(vals))
    if sd > 1e-12:
        return {"kind": "normal", "mean": float(f"{point:.6g}"), "sd": float(f"{sd:.4g}")}
    return {"kind": "fixed", "value": float(f"{point:.6g}")}
