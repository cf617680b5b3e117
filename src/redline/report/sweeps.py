"""Self-contained HTML pages for the sweeps: ``redline sensitivity`` and ``redline discover``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from redline.report.charts import colour
from redline.report.html import Figures, Raw, fmt_num, page, table, text

if TYPE_CHECKING:
    from redline.analysis.discover import Discovery
    from redline.analysis.sensitivity import Sensitivity

TOP = 20  # parameters drawn in the ranked chart


def _facts(res: Sensitivity | Discovery, extra: str) -> str:
    t, ev = res.target, res.evaluation
    return (f"<p class='muted'>Scenario <code>{text(t.loaded.scenario.id)}</code>, course of action "
            f"<code>{text(t.policy)}</code> (policies applied: {text(', '.join(t.model.policies) or 'none')}); "
            f"{len(ev.y):,} parameter points x {res.runs_per_point} runs x {t.model.horizon} days, seed {res.seed}; "
            f"{extra} Points share their random numbers run by run, so they differ only through their "
            f"parameters. Computed in {ev.seconds:.1f} s.</p>")


def _ranked_chart(res: Sensitivity) -> go.Figure:
    df = res.indices().head(TOP).iloc[::-1]  # plotly draws the first bar at the bottom
    fig = go.Figure()
    if res.method == "sobol":
        for i, (col, name) in enumerate((("S1", "first-order S1"), ("ST", "total ST"))):
            fig.add_bar(name=name, y=df.index, x=df[col], orientation="h", marker_color=colour(i),
                        error_x={"type": "data", "array": df[f"{col}_conf"]})
        title = "Sobol index (share of the outcome's variance), 95% bootstrap interval"
    else:
        fig.add_bar(name="mu*", y=df.index, x=df.mu_star, orientation="h", marker_color=colour(0),
                    error_x={"type": "data", "array": df.mu_star_conf})
        fig.add_bar(name="sigma", y=df.index, x=df.sigma, orientation="h", marker_color=colour(1))
        title = "Morris elementary effects over each parameter's quantile range"
    fig.update_layout(barmode="group", height=120 + 34 * len(df), xaxis_title=title,
                      margin={"l": 170, "r": 20, "t": 30, "b": 50}, legend={"orientation": "h", "y": 1.05})
    return fig


def render_sensitivity(res: Sensitivity) -> str:
    figs = Figures()
    df = res.indices()
    t = res.target
    if res.method == "sobol":
        heads = ["parameter", "first-order S1", "95% interval", "total ST", "95% interval", "what it is"]
        rows = [[name, fmt_num(r.S1), Raw(f"{fmt_num(r.S1_low)} – {fmt_num(r.S1_high)}"), fmt_num(r.ST),
                 Raw(f"{fmt_num(r.ST_low)} – {fmt_num(r.ST_high)}"), r.description] for name, r in df.iterrows()]
        numeric: tuple[int, ...] = (1, 2, 3, 4)
        how = (f"Saltelli design with N = {res.samples} (no second-order terms). ")
    else:
        heads = ["parameter", "mu*", "±95%", "sigma", "mu", "what it is"]
        rows = [[name, fmt_num(r.mu_star), fmt_num(r.mu_star_conf), fmt_num(r.sigma), fmt_num(r.mu), r.description]
                for name, r in df.iterrows()]
        numeric = (1, 2, 3, 4)
        how = f"Morris design with {res.samples} trajectories over 4 levels of each parameter's quantile. "
    body = (
        f"<h1>What drives {text(t.label)}?</h1>"
        + _facts(res, how)
        + f"<p><strong>{text(res.summary())}</strong></p>"
        + "<h2 id='ranked'>Ranked parameters</h2>"
        + figs.div(_ranked_chart(res), "ranked")
        + table(heads, rows, numeric=numeric)
    )
    return page(f"{t.loaded.scenario.id} sensitivity of {t.outcome} — redline", body)


def write_sensitivity(res: Sensitivity, path: str | Path) -> str:
    out = Path(path)
    out.write_text(render_sensitivity(res), encoding="utf-8")
    return str(out)


def _tradeoff_chart(res: Discovery) -> go.Figure:
    traj = res.trajectory
    fig = go.Figure()
    fig.add_scatter(x=traj.coverage, y=traj.density, mode="markers+lines", name="peeling trajectory",
                    marker={"color": traj.res_dim, "colorscale": "Viridis", "size": 7,
                            "colorbar": {"title": "restricted<br>parameters"}},
                    line={"color": "#bbb"}, hovertemplate="coverage %{x:.0%}<br>density %{y:.0%}<extra></extra>")
    fig.add_scatter(x=[res.coverage], y=[res.density], mode="markers", name="box reported (unsupported limits dropped)",
                    marker={"symbol": "star", "size": 16, "color": "#d62728"})
    fig.update_layout(height=420, xaxis_title="coverage", yaxis_title="density", xaxis_tickformat=".0%",
                      yaxis_tickformat=".0%", margin={"l": 60, "r": 20, "t": 30, "b": 50},
                      legend={"orientation": "h", "y": 1.1})
    return fig


def _box_chart(res: Discovery) -> go.Figure | None:
    if len(res.limits) < 1:
        return None
    names = list(res.limits.index[:2])
    x = res.evaluation.values[:, res.target.names.index(names[0])]
    if len(names) > 1:
        y = res.evaluation.values[:, res.target.names.index(names[1])]
    else:
        y = res.evaluation.y
    hit = res.evaluation.y >= res.threshold
    fig = go.Figure()
    for mask, name, col in ((~hit, "other points", "#9aa5b1"), (hit, "points of interest", "#d62728")):
        fig.add_scatter(x=x[mask], y=y[mask], mode="markers", name=name,
                        marker={"color": col, "size": 4, "opacity": 0.6})
    lim = res.limits.loc[names[0]]
    x0, x1 = (max(lim.low, float(np.min(x))), min(lim.high, float(np.max(x))))
    if len(names) > 1:
        lim2 = res.limits.loc[names[1]]
        y0, y1 = (max(lim2.low, float(np.min(y))), min(lim2.high, float(np.max(y))))
    else:
        y0, y1 = float(np.min(y)), float(np.max(y))
    fig.add_shape(type="rect", x0=x0, x1=x1, y0=y0, y1=y1, line={"color": "#1d232b", "width": 2})
    fig.update_layout(height=460, xaxis_title=names[0], yaxis_title=names[1] if len(names) > 1 else res.target.label,
                      margin={"l": 60, "r": 20, "t": 30, "b": 50}, legend={"orientation": "h", "y": 1.1})
    return fig


def render_discovery(res: Discovery) -> str:
    figs = Figures()
    t = res.target
    parts = [f"<h1>Where does {text(t.label)} reach {res.threshold:.3g}?</h1>",
             _facts(res, f"Latin hypercube of {res.samples:,} points, PRIM (EMA Workbench). "),
             f"<p><strong>{text(res.summary())}</strong></p>"]
    if res.found:
        rows = [[name, fmt_num(r.low), fmt_num(r.high), Raw(f"{fmt_num(r.sampled_min)} – {fmt_num(r.sampled_max)}"),
                 fmt_num(r.qp), r.reads]
                for name, r in res.limits.iterrows()]
        parts += ["<h2 id='box'>The box</h2>",
                  table(["parameter", "low", "high", "sampled range", "quasi-p", "reads"], rows, numeric=(1, 2, 4)),
                  ("<p class='muted'>quasi-p: PRIM's one-sided binomial test of a limit (Bryant and Lempert 2010); "
                   "limits above 0.05 were dropped.</p>")]
        chart = _box_chart(res)
        if chart is not None:
            parts += ["<h2 id='points'>Points and box</h2>", figs.div(chart, "points")]
        parts += ["<h2 id='tradeoff'>Coverage and density along the peeling trajectory</h2>",
                  figs.div(_tradeoff_chart(res), "tradeoff")]
    return page(f"{t.loaded.scenario.id} discovery for {t.outcome} — redline", "".join(parts))


def write_discovery(res: Discovery, path: str | Path) -> str:
    out = Path(path)
    out.write_text(render_discovery(res), encoding="utf-8")
    return str(out)
