"""`redline timeline`: events of the store by actor pair over time, as a self-contained page.

Every string that comes from an article or its metadata (places, outlets) is escaped before it reaches the
page, in the hover text as in the table: plotly renders hover text as HTML.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from redline.report.charts import colour
from redline.report.html import Figures, page, table, text


def render_timeline(events: pd.DataFrame, title: str = "Events by actor pair") -> str:
    figs = Figures()
    ev = events.copy()
    ev["pair"] = ev.actor1 + " → " + ev.actor2
    fig = go.Figure()
    for i, (action, g) in enumerate(ev.groupby("action", sort=True)):
        killed = g.fatalities.fillna(0).astype(float)
        hover = [f"{escape(str(a))}<br>{str(d)[:10]} (precision {p})<br>{escape(str(loc or 'place unknown'))}"
                 f"<br>killed: {int(k)}<br>sources: {n} ({escape(str(o or ''))})"
                 for a, d, p, loc, k, n, o in zip(g.action, g.event_date, g.time_precision, g.location, killed,
                                                  g.n_sources, g.outlets, strict=True)]
        fig.add_scatter(x=g.event_date, y=g.pair, mode="markers", name=str(action), hovertext=hover, hoverinfo="text",
                        marker={"size": 7 + 3 * killed.clip(upper=50) ** 0.5, "color": colour(i), "opacity": 0.75,
                                "line": {"width": 1, "color": "#333"}})
    fig.update_layout(height=200 + 40 * max(1, ev.pair.nunique()), margin={"l": 140, "r": 20, "t": 30, "b": 50},
                      xaxis_title="event date", legend={"orientation": "h", "y": 1.15})
    rows = [[str(r.event_id), str(r.event_date)[:10], r.pair, r.action, r.location or "", str(r.fatalities),
             str(r.n_sources), r.outlets or ""] for r in ev.itertuples()]
    body = (f"<h1>{text(title)}</h1><p class='muted'>{len(ev):,} events; marker size grows with the most "
            "conservative death toll reported.</p>" + figs.div(fig, "timeline")
            + table(["id", "date", "actors", "action", "place", "killed", "sources", "outlets"], rows, numeric=(0, 5, 6)))
    return page(f"{title} — redline", body)


def write_timeline(events: pd.DataFrame, path: str | Path, title: str = "Events by actor pair") -> str:
    out = Path(path)
    out.write_text(render_timeline(events, title), encoding="utf-8")
    return str(out)
