"""Pages for ``redline forecast`` (a fan chart per stream against the record) and ``redline backtest``
(the scores of the model and each baseline, per origin and overall).  Self-contained, like every report."""

from __future__ import annotations

from typing import TYPE_CHECKING

import plotly.graph_objects as go

from redline.report.charts import colour, rgba
from redline.report.html import Figures, fmt_pct, page, table, text

if TYPE_CHECKING:
    from redline.calibrate.backtest import Backtest
    from redline.calibrate.forecast import Forecast


def _fan(f: Forecast, j: int) -> go.Figure:
    s = f.streams[j]
    q = f.quantiles()
    q = q[q.stream == s]
    c = colour(j)
    fig = go.Figure()
    hist = f.history.get(s, None)
    if hist is not None and len(hist):
        h = hist.iloc[-26:]
        fig.add_scatter(x=list(h.index), y=list(h.to_numpy()), mode="lines+markers", name="record before the origin",
                        line={"color": "#555"}, marker={"size": 4})
    x = list(q.week_start)
    fig.add_scatter(x=x + x[::-1], y=list(q.p95) + list(q.p05)[::-1], fill="toself", fillcolor=rgba(c, 0.15),
                    mode="lines", line={"width": 0}, name="90% interval", hoverinfo="skip")
    fig.add_scatter(x=x + x[::-1], y=list(q.p75) + list(q.p25)[::-1], fill="toself", fillcolor=rgba(c, 0.3),
                    mode="lines", line={"width": 0}, name="50% interval", hoverinfo="skip")
    fig.add_scatter(x=x, y=list(q.p50), mode="lines", name="median", line={"color": c})
    if q.observed.notna().any():
        fig.add_scatter(x=x, y=list(q.observed), mode="markers", name="what happened",
                        marker={"color": "#000", "size": 9, "symbol": "x"})
    fig.update_layout(height=340, margin={"l": 50, "r": 20, "t": 30, "b": 40}, yaxis_title="events per week",
                      xaxis_title="week starting", legend={"orientation": "h", "y": 1.18})
    return fig


def forecast_page(f: Forecast) -> str:
    figs = Figures()
    parts = [f"<h1>Forecast: {text(f.scenario_id)} from {f.origin}</h1>",
             (f"<p class='muted'>{f.runs:,} simulated continuations of {f.horizon} days, seed {f.seed}. The scenario "
             "was calibrated to the record before the origin and started from the excitation state that record "
             "leaves. Bands are the 50% and 90% predictive intervals of weekly counts.</p>")]
    for j, s in enumerate(f.streams):
        parts.append(f"<h2>{text(s)}</h2>" + figs.div(_fan(f, j), f"fan-{s}"))
    q = f.quantiles()
    rows = [[r.stream, str(r.week_start), f"{r.mean:.2f}", f"{r.p05:g} – {r.p95:g}", fmt_pct(r.p_any),
             "" if r.observed is None or r.observed != r.observed else f"{r.observed:.2f}"] for r in q.itertuples()]
    parts.append("<h2>Weekly counts</h2>" + table(["stream", "week starting", "mean", "90% interval",
                                                   "P(at least one)", "observed"], rows, numeric=(2, 4, 5)))
    rows = [[r.outcome, fmt_pct(r.probability), f"{fmt_pct(r.low)} – {fmt_pct(r.high)}"]
            for r in f.outcomes.itertuples()]
    parts.append(f"<h2>Outcomes within {f.horizon} days</h2>" + table(["outcome", "probability", "95% interval"],
                                                                        rows, numeric=(1,)))
    if f.calibration is not None:
        c = f.calibration
        rows = [[r.parameter, r.prior, f"{r.estimate:.4g}", f"{r.low:.4g} – {r.high:.4g}", r.expression]
                for r in c.table.itertuples()]
        parts.append(f"<h2>Calibration</h2><p class='muted'>Hawkes fit to {text(c.series.source)}, {c.series.start} "
                     f"to {c.series.end}: {', '.join(f'{v} {k}' for k, v in c.series.n_events().items())} events; "
                     f"spectral radius {c.fit.params.spectral_radius():.2f}.</p>"
                     + table(["parameter", "prior", "estimate", f"{c.level:.0%} interval", "from"], rows,
                             numeric=(2,)))
    return page(f"Forecast {f.scenario_id} {f.origin} — redline", "".join(parts))


def backtest_page(b: Backtest) -> str:
    figs = Figures()
    s = b.summary()
    rows = [[name, f"{r.crps:.3f}", f"{r.interval_score:.2f}", fmt_pct(r.coverage90), f"{r.brier:.3f}"]
            for name, r in s.iterrows()]
    per = b.by_origin()
    fig = go.Figure()
    for i, (name, g) in enumerate(per.groupby("model", sort=False)):
        fig.add_scatter(x=list(g.origin), y=list(g.crps), mode="lines+markers", name=str(name),
                        line={"color": "#000" if name == "model" else colour(i), "width": 3 if name == "model" else 1.2},
                        marker={"size": 5 if name == "model" else 3})
    fig.update_layout(height=360, margin={"l": 50, "r": 20, "t": 30, "b": 40}, yaxis_title="mean CRPS (lower is better)",
                      xaxis_title="forecast origin", legend={"orientation": "h", "y": 1.15})
    body = (f"<h1>Backtest: {text(b.scenario_id)}</h1><p class='muted'>Origins every {b.step} days after "
            f"{b.train_until}, each forecasting {b.horizon} days ({b.runs:,} runs) after recalibrating on the record "
            f"before it; streams {', '.join(map(text, b.streams))}; seed {b.seed}.</p>"
            f"<p><strong>{text(b.verdict())}</strong></p>"
            + table(["model", "CRPS", "90% interval score", "90% coverage", "Brier (any event)"], rows,
                    numeric=(1, 2, 3, 4))
            + "<h2>CRPS by origin</h2>" + figs.div(fig, "crps-by-origin"))
    if b.failed:
        body += "<h2>Origins not scored</h2>" + table(["origin", "reason"], [[f["origin"], f["reason"]]
                                                                          for f in b.failed])
    return page(f"Backtest {b.scenario_id} — redline", body)
