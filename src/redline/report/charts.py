"""Plotly figures for the HTML report, one function per chart.

Every function takes :class:`~redline.engine.results.Results` (or a frame
derived from it) and returns a ``plotly.graph_objects.Figure``.  Text that
comes from the scenario is HTML-escaped before it reaches plotly, because
plotly.js renders a subset of HTML tags inside labels and hover text.
"""

from __future__ import annotations

import math
from html import escape
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import plotly.graph_objects as go

if TYPE_CHECKING:
    from redline.engine.results import Results

TEMPLATE = "plotly_white"
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 12}
PALETTE = ("#1f5fa8", "#c0392b", "#2a9d5c", "#8e44ad", "#d4820f", "#16808a", "#7f6a4a", "#c2418f", "#5c6b7a")
# Militarized Interstate Dispute hostility levels 1..5, calm to war.
HOSTILITY_COLOURS = {1: "#9aa5b1", 2: "#f2c14e", 3: "#f0883e", 4: "#d64933", 5: "#8b1e1e"}
KIND_COLOURS = {
    "state": "#1f5fa8",
    "government": "#16808a",
    "militia": "#c0392b",
    "armed_group": "#d4820f",
    "political_movement": "#8e44ad",
    "umbrella_organisation": "#c2418f",
    "international_organisation": "#2a9d5c",
    "other": "#7f6a4a",
}
NODE_SIZE = 38  # px; arrows stop this far from a node's centre (half of it, plus a margin)


def _layout(fig: go.Figure, *, height: int, **extra: object) -> go.Figure:
    fig.update_layout(
        template=TEMPLATE,
        font=FONT,
        height=height,
        margin={"l": 60, "r": 20, "t": 30, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        **extra,
    )
    return fig


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[k : k + 2], 16) for k in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


# ----- outcomes ------------------------------------------------------------
def outcome_curves(res: Results) -> go.Figure:
    """Cumulative probability of each first-passage outcome by date."""
    curves = res.outcome_curves()
    sc = res.model.scenario
    fig = go.Figure()
    for i, oid in enumerate(curves.columns):
        desc = escape(sc.outcomes[oid].description)
        fig.add_trace(
            go.Scatter(
                x=curves.index,
                y=curves[oid].to_numpy(),
                name=escape(oid),
                mode="lines",
                line={"color": colour(i), "width": 2.5},
                hovertext=[desc] * len(curves),
                hovertemplate="%{x|%Y-%m-%d}: %{y:.1%}<br>%{hovertext}<extra>%{fullData.name}</extra>",
            )
        )
    return _layout(
        fig,
        height=380,
        yaxis={"title": "probability (cumulative)", "tickformat": ".0%", "rangemode": "tozero"},
        xaxis={"title": "date"},
        hovermode="x unified",
    )


def rungs(res: Results) -> go.Figure:
    """Share of runs by the highest rung of the ladder reached."""
    table = res.rungs()
    sc = res.model.scenario
    labels, hover = [], []
    for name, row in table.iterrows():
        labels.append(f"{escape(str(name))}<br>MID {int(row.hostility)}")
        rung = sc.ladder.get(str(name))
        hover.append(escape(rung.description) if rung is not None and rung.description else "")
    shares = table["share"].to_numpy()
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=shares,
            text=[f"{s:.1%}" for s in shares],
            textposition="outside",
            marker={"color": [HOSTILITY_COLOURS.get(int(h), "#888") for h in table["hostility"]]},
            hovertext=hover,
            hovertemplate="%{x}<br>%{y:.1%} of runs<br>%{hovertext}<extra></extra>",
            cliponaxis=False,
        )
    )
    top = float(shares.max()) if len(shares) else 1.0
    return _layout(
        fig,
        height=360,
        yaxis={"title": "share of runs", "tickformat": ".0%", "range": [0, min(1.0, top * 1.18) or 1.0]},
        xaxis={"title": "highest rung reached (ladder order)", "type": "category"},
        showlegend=False,
    )


# ----- state ---------------------------------------------------------------
def fan_chart(frame: pd.DataFrame, name: str, unit: str, i: int = 0) -> go.Figure:
    """Quantile bands, median and mean of one state variable over time.

    ``frame`` holds that variable's rows of ``Results.state_quantiles()``.
    """
    base = colour(i)
    x = frame["date"]
    fig = go.Figure()

    def band(upper: str, lower: str, alpha: float, label: str) -> None:
        fig.add_trace(
            go.Scatter(x=x, y=frame[upper], mode="lines", line={"width": 0}, showlegend=False,
                       hoverinfo="skip", legendgroup=label)
        )
        fig.add_trace(
            go.Scatter(x=x, y=frame[lower], mode="lines", line={"width": 0}, fill="tonexty",
                       fillcolor=rgba(base, alpha), name=label, legendgroup=label, hoverinfo="skip")
        )

    band("p95", "p05", 0.18, "5–95%")
    band("p75", "p25", 0.35, "25–75%")
    fig.add_trace(go.Scatter(x=x, y=frame["p50"], mode="lines", name="median", line={"color": base, "width": 2.2},
                             hovertemplate="median %{y:.3g}<extra></extra>"))
    fig.add_trace(go.Scatter(x=x, y=frame["mean"], mode="lines", name="mean",
                             line={"color": "#333", "width": 1.5, "dash": "dash"},
                             hovertemplate="mean %{y:.3g}<extra></extra>"))
    fig = _layout(fig, height=300, yaxis={"title": escape(unit)}, hovermode="x unified")
    fig.update_layout(margin={"l": 60, "r": 10, "t": 10, "b": 40}, legend={"font": {"size": 10}})
    return fig


def state_charts(res: Results) -> list[tuple[str, go.Figure]]:
    """One fan chart per state variable, in scenario order."""
    quant = res.state_quantiles()
    sc = res.model.scenario
    charts = []
    for i, name in enumerate(res.model.state_names):
        frame = quant[quant["variable"] == name]
        charts.append((name, fan_chart(frame, name, sc.state[name].unit, i)))
    return charts


# ----- events --------------------------------------------------------------
def daily_events(res: Results) -> go.Figure:
    """Mean events per run per day, stacked by action."""
    frame = res.daily_events()
    actors = res.model.scenario.actors
    fig = go.Figure()
    for i, act in enumerate(res.model.actions):
        who = f"{escape(actors[act.actor].name)} → {escape(actors[act.target].name)}"
        fig.add_trace(
            go.Scatter(
                x=frame.index,
                y=frame[act.id].to_numpy(),
                name=escape(act.id),
                mode="lines",
                stackgroup="events",
                line={"width": 0.8, "color": colour(i)},
                hovertext=[who] * len(frame),
                hovertemplate="%{y:.3g} (%{hovertext})<extra>%{fullData.name}</extra>",
            )
        )
    return _layout(
        fig,
        height=380,
        yaxis={"title": "mean events per run per day", "rangemode": "tozero"},
        xaxis={"title": "date"},
        hovermode="x unified",
    )


# ----- actor graph ---------------------------------------------------------
def circle_positions(n: int) -> np.ndarray:
    """``n`` points on the unit circle, the first at the top, going clockwise."""
    if n == 1:
        return np.zeros((1, 2))
    angle = math.pi / 2 - 2 * math.pi * np.arange(n) / n
    return np.column_stack([np.cos(angle), np.sin(angle)])


def action_edges(res: Results) -> dict[tuple[str, str], list[tuple[str, float]]]:
    """(actor, target) -> [(action id, mean events per run), ...] in action order."""
    edges: dict[tuple[str, str], list[tuple[str, float]]] = {}
    for act in res.model.actions:
        edges.setdefault((act.actor, act.target), []).append((act.id, float(res.totals[act.index].mean())))
    return edges


def actor_graph(res: Results) -> go.Figure:
    """Actors on a circle; arrows for actions (width ~ mean events per run); dotted lines to patrons."""
    actors = res.model.scenario.actors
    ids = list(actors)
    xy = dict(zip(ids, circle_positions(len(ids)), strict=True))
    edges = action_edges(res)
    biggest = max((sum(m for _, m in acts) for acts in edges.values()), default=0.0) or 1.0
    fig = go.Figure()
    annotations = []
    self_loops: dict[str, list[str]] = {}

    for client, info in actors.items():
        if info.patron and info.patron in xy and info.patron != client:
            curve = _bow(xy[client], xy[info.patron], bend=0.3)
            text = f"{escape(actors[info.patron].name)} is patron of {escape(info.name)}"
            fig.add_trace(
                go.Scatter(x=curve[:, 0], y=curve[:, 1], mode="lines", name="patron relation", legendgroup="patron",
                           line={"color": "#777", "width": 2, "dash": "dot"},
                           showlegend=not any(t.legendgroup == "patron" for t in fig.data),
                           hovertext=text, hoverinfo="text")
            )

    for (src, dst), acts in edges.items():
        total = sum(m for _, m in acts)
        listing = "<br>".join(f"{escape(a)}: {m:.3g} per run" for a, m in acts)
        if src == dst:
            self_loops.setdefault(src, []).append(listing)
            continue
        (x0, y0), (x1, y1) = xy[src], xy[dst]
        # Pairs acting on each other both ways get two parallel arrows.
        dx, dy = x1 - x0, y1 - y0
        length = math.hypot(dx, dy) or 1.0
        shift = 0.05 if (dst, src) in edges else 0.0
        ox, oy = -dy / length * shift, dx / length * shift
        width = 1.0 + 6.0 * total / biggest
        annotations.append(
            {
                "x": x1 + ox, "y": y1 + oy, "ax": x0 + ox, "ay": y0 + oy,
                "xref": "x", "yref": "y", "axref": "x", "ayref": "y",
                "showarrow": True, "arrowhead": 2, "arrowsize": 1.0 if width < 4 else 0.7,
                "arrowwidth": width, "arrowcolor": "rgba(60,60,60,0.55)",
                "standoff": NODE_SIZE / 2 + 3, "startstandoff": NODE_SIZE / 2 + 3, "text": "",
            }
        )
        # The label (mean events per run, all actions of the pair) sits 40% of the way from the
        # source, beside its own arrow, so the two directions of a pair do not collide.
        mx, my = x0 + 0.4 * dx + 2 * ox, y0 + 0.4 * dy + 2 * oy
        about = f"{escape(actors[src].name)} → {escape(actors[dst].name)}<br>{listing}"
        annotations.append(_label(mx, my, f"{total:.3g}", about, "#222"))

    for kind in dict.fromkeys(str(a.kind) for a in actors.values()):
        members = [k for k in ids if actors[k].kind == kind]
        pts = np.array([xy[k] for k in members])
        hover = []
        for k in members:
            lines = [f"<b>{escape(actors[k].name)}</b> ({escape(kind)})"]
            note = actors[k].description
            if note:
                lines.append(escape(note))
            lines += [f"on itself: {s}" for s in self_loops.get(k, [])]
            hover.append("<br>".join(lines))
        fig.add_trace(
            go.Scatter(
                x=pts[:, 0], y=pts[:, 1], mode="markers+text", name=escape(kind.replace("_", " ")),
                marker={"size": NODE_SIZE, "color": KIND_COLOURS.get(kind, "#888"),
                        "line": {"color": "white", "width": 2}},
                text=[f"<b>{escape(actors[k].name)}</b>" for k in members],
                textposition=[_text_side(x, y) for x, y in pts],
                textfont={"size": 13},
                hovertext=hover, hoverinfo="text",
            )
        )
    hidden = {"visible": False, "range": [-1.6, 1.6]}
    return _layout(
        fig,
        height=560 if len(ids) <= 3 else 760,
        xaxis=hidden,
        yaxis={**hidden, "range": [-1.25, 1.25], "scaleanchor": "x"},
        annotations=annotations,
        hovermode="closest",
    )


def _text_side(x: float, y: float) -> str:
    """Where a node's name goes: away from the centre of the circle."""
    if abs(x) > 0.3:
        return "middle right" if x > 0 else "middle left"
    return "top center" if y >= 0 else "bottom center"


def _bow(a: np.ndarray, b: np.ndarray, bend: float, points: int = 41) -> np.ndarray:
    """Points on a quadratic curve from ``a`` to ``b`` bowing by ``bend`` times their distance.

    The curve bows towards the centre of the circle, where it is less likely to cross other nodes.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    d, mid = b - a, (a + b) / 2
    side = np.array([-d[1], d[0]])
    if side @ mid > 0:
        side = -side
    control = mid + bend * side
    t = np.linspace(0, 1, points)[:, None]
    return (1 - t) ** 2 * a + 2 * t * (1 - t) * control + t**2 * b


def _label(x: float, y: float, text: str, hover: str, col: str) -> dict[str, object]:
    return {
        "x": x, "y": y, "xref": "x", "yref": "y", "text": text, "showarrow": False, "hovertext": hover,
        "font": {"size": 10, "color": col}, "bgcolor": "rgba(255,255,255,0.85)", "borderpad": 1,
    }
