"""The self-contained HTML report: one file, no network, tables readable without JavaScript.

The page is assembled from small functions, one per section, each returning
an HTML fragment.  All text that comes from the scenario passes through
:func:`html.escape`; fragments built here are wrapped in :class:`Raw` so the
table helper knows not to escape them twice.  plotly.js is embedded inline
exactly once, with the first chart on the page.
"""

from __future__ import annotations

import datetime as dt
import math
import shlex
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import plotly.graph_objects as go

from redline.report import charts

if TYPE_CHECKING:
    from redline.engine.results import Results

# (anchor, heading) of each section, in page order.
SECTIONS = (
    ("outcomes", "Outcomes"),
    ("by-day", "Outcome probability by day"),
    ("state", "State over time"),
    ("rungs", "Highest rung reached"),
    ("actors", "Actor graph"),
    ("events", "Events per day by action"),
    ("assumptions", "Assumptions"),
    ("sources", "Sources"),
)
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "showSendToCloud": False}

CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d232b;margin:0;background:#f6f7f9}
main,header,nav,footer{max-width:1200px;margin:0 auto;padding:0 24px}
header{padding-top:20px}
h1{margin:.2em 0 0;font-size:1.8em}h2{margin-top:1.8em;border-bottom:2px solid #d8dde3;padding-bottom:.2em}
h3{margin:.3em 0 .1em;font-size:1.05em}
.muted{color:#5b6673}.sub{margin:.1em 0 .8em}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1.2em;margin:.6em 0}
dl.facts dt{font-weight:600}dl.facts dd{margin:0}
code,pre{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre.cmd{background:#1d232b;color:#e8edf2;padding:.6em .9em;border-radius:6px;overflow-x:auto}
nav ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.3em 1.2em}
table{border-collapse:collapse;background:#fff;margin:.6em 0 1.2em;font-size:14px}
th,td{border:1px solid #d8dde3;padding:4px 9px;text-align:left;vertical-align:top}
th{background:#eef1f4}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.assume td{background:#fff6e0}
.tag{display:inline-block;font-size:11px;font-weight:600;padding:0 5px;border-radius:3px;margin-left:4px}
.tag.assume{background:#f0b429;color:#3a2a00}.tag.policy{background:#1f5fa8;color:#fff}
.card{background:#fff;border:1px solid #d8dde3;border-radius:6px;padding:8px 10px;margin:.6em 0}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:12px}
.grid .card{margin:0}
footer{padding:2em 24px;font-size:13px}
"""


class Raw(str):
    """HTML built by this module: trusted, not escaped again."""


def text(value: object) -> str:
    """Escape anything for HTML text or attribute values."""
    return escape("" if value is None else str(value), quote=True)


# ----- formatting ----------------------------------------------------------
def fmt_pct(p: float) -> str:
    """A probability as a percentage with one decimal; tiny but non-zero values are not shown as 0."""
    if p is None or math.isnan(p):
        return "–"
    if 0 < p < 0.0005:
        return "<0.1%"
    if 0.9995 < p < 1:
        return ">99.9%"
    return f"{100 * p:.1f}%"


def fmt_num(x: float) -> str:
    """About three significant figures, thousands separated, no scientific notation above 1e-4."""
    if x is None or math.isnan(x):
        return "–"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    ax = abs(x)
    if ax == 0:
        return "0"
    if ax >= 100:
        return f"{x:,.0f}"
    if ax >= 10:
        return f"{x:,.1f}"
    if ax >= 1:
        return f"{x:.2f}"
    if ax >= 1e-4:
        return f"{x:.3g}"
    return f"{x:.2e}"


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], *, numeric: Sequence[int] = (),
          row_classes: Sequence[str] | None = None) -> str:
    """An HTML table; cells that are not :class:`Raw` are escaped. ``numeric`` columns align right."""
    head = "".join(f"<th>{text(h)}</th>" for h in headers)
    body = []
    for r, row in enumerate(rows):
        cls = row_classes[r] if row_classes else ""
        cells = "".join(
            ("<td class='num'>" if c in numeric else "<td>") + (v if isinstance(v, Raw) else text(v)) + "</td>"
            for c, v in enumerate(row)
        )
        body.append((f"<tr class='{cls}'>" if cls else "<tr>") + cells + "</tr>")
    return Raw(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


class Figures:
    """Renders plotly figures to HTML divs; the first one carries the inline plotly.js bundle."""

    def __init__(self) -> None:
        self.bundled = False

    def div(self, fig: go.Figure, name: str) -> Raw:
        out = fig.to_html(
            full_html=False,
            include_plotlyjs=not self.bundled,
            config=PLOTLY_CONFIG,
            div_id=f"chart-{name}",
        )
        self.bundled = True
        return Raw(out)


# ----- sections ------------------------------------------------------------
def reproduce_command(res: Results) -> str:
    """The ``redline run`` command line that reproduces these results."""
    origin = res.model.origin  # a file path, or "builtin:NAME"
    parts = ["redline", "run", origin.removeprefix("builtin:")]
    parts += ["--runs", str(res.runs), "--seed", str(res.seed), "--horizon", str(res.horizon)]
    for pol in res.policies:
        parts += ["--policy", pol]
    if res.model.fixed:
        parts.append("--fixed")
    if res.model.replicates > 1:
        parts += ["--replicates", str(res.model.replicates)]
    return shlex.join(parts)


def header(res: Results) -> str:
    sc = res.model.scenario
    start = sc.time.start
    end = start + dt.timedelta(days=res.horizon - 1)
    if res.policies:
        pols = "<br>".join(f"<code>{text(p)}</code> — {text(sc.policies[p].description)}" for p in res.policies)
    else:
        pols = "none"
    from redline import __version__  # here, not at the top: redline/__init__ may come to import this module

    facts = [
        ("Scenario id", f"<code>{text(sc.id)}</code> <span class='muted'>({text(res.model.origin)})</span>"),
        ("Policies applied", pols),
        ("Runs", f"{res.runs:,}"),
        ("Horizon", f"{res.horizon} days ({start.isoformat()} to {end.isoformat()})"),
        ("Start date", start.isoformat()),
        ("Seed", str(res.seed)),
    ]
    dl = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)
    toc = "".join(f"<li><a href='#{a}'>{h}</a></li>" for a, h in SECTIONS)
    return (
        f"<header><p class='muted sub'>redline {text(__version__)} report</p>"
        f"<h1>{text(sc.title)}</h1><p class='sub'>{text(sc.description)}</p>"
        f"<dl class='facts'>{dl}</dl>"
        f"<p><b>How to reproduce</b></p><pre class='cmd'>{text(reproduce_command(res))}</pre></header>"
        f"<nav><ul>{toc}</ul></nav>"
        "<noscript><nav><p class='muted'>Charts need JavaScript; all tables below are readable without it."
        "</p></nav></noscript>"
    )


def section(anchor: str, body: str) -> str:
    heading = dict(SECTIONS)[anchor]
    return f"<section id='{anchor}'><h2>{heading}</h2>{body}</section>"


def outcomes_section(res: Results) -> str:
    start = res.model.scenario.time.start
    outs = res.outcomes() if res.model.first_passage else None
    parts = []
    if outs is not None:
        rows = []
        for oid, r in outs.iterrows():
            if math.isnan(r.median_days):
                median = "never"
            else:
                day = start + dt.timedelta(days=int(r.median_days) - 1)
                median = f"day {r.median_days:g} ({day.isoformat()})"
            ci = f"{fmt_pct(r.ci95_low)} – {fmt_pct(r.ci95_high)}"
            rows.append([Raw(f"<code>{text(oid)}</code>"), r.description, fmt_pct(r.probability), ci, median])
        parts.append("<h3>Events: probability within the horizon</h3>")
        parts.append(table(["outcome", "description", "probability", "95% interval", "median day (if it happens)"],
                           rows, numeric=(2, 3, 4)))
    if res.model.quantities:
        rows = [
            [Raw(f"<code>{text(qid)}</code>"), r.description, r.unit,
             *(fmt_num(r[c]) for c in ("mean", "p05", "p50", "p95"))]
            for qid, r in res.quantities().iterrows()
        ]
        parts.append("<h3>Quantities over the horizon</h3>")
        parts.append(table(["quantity", "description", "unit", "mean", "5%", "median", "95%"], rows,
                           numeric=(3, 4, 5, 6)))
    if not parts:
        parts.append("<p class='muted'>This scenario defines no outcomes.</p>")
    parts.append(f"<p class='muted'>Intervals are Wilson 95% intervals over {res.runs:,} runs.</p>")
    return section("outcomes", "".join(parts))


def curves_section(res: Results, figs: Figures) -> str:
    if not res.model.first_passage:
        return section("by-day", "<p class='muted'>No first-passage outcomes to chart.</p>")
    return section(
        "by-day",
        "<p class='muted'>Share of runs in which each outcome has happened by the end of each day.</p>"
        f"<div class='card'>{figs.div(charts.outcome_curves(res), 'outcome-curves')}</div>",
    )


def state_section(res: Results, figs: Figures) -> str:
    sc = res.model.scenario
    cards = []
    for i, (name, fig) in enumerate(charts.state_charts(res)):
        var = sc.state[name]
        desc = f"<p class='muted sub'>{text(var.description)}</p>" if var.description else ""
        cards.append(
            f"<div class='card'><h3><code>{text(name)}</code> <span class='muted'>({text(var.unit)})</span></h3>"
            f"{desc}{figs.div(fig, f'state-{i}')}</div>"
        )
    intro = ("<p class='muted'>Per day: 5–95% and 25–75% bands over runs, the median (solid) and the mean "
             "(dashed). Quantiles are read from histograms, so their resolution is 1/64 of each variable's range.</p>")
    return section("state", intro + f"<div class='grid'>{''.join(cards)}</div>")


def rungs_section(res: Results, figs: Figures) -> str:
    rows = [[name, int(r.order) if r.order >= 0 else "–", int(r.hostility), fmt_pct(r.share)]
            for name, r in res.rungs().iterrows()]
    return section(
        "rungs",
        "<p class='muted'>Highest rung of the escalation ladder reached in each run; "
        "MID = Militarized Interstate Dispute hostility level (1 none … 5 war).</p>"
        f"<div class='card'>{figs.div(charts.rungs(res), 'rungs')}</div>"
        + table(["rung", "order", "MID hostility", "share of runs"], rows, numeric=(1, 2, 3)),
    )


def actors_section(res: Results, figs: Figures) -> str:
    sc = res.model.scenario
    actors = sc.actors
    rows = [
        [Raw(f"<code>{text(a.id)}</code>"), actors[a.actor].name, actors[a.target].name, a.rung, a.hostility,
         fmt_num(float(res.totals[a.index].mean())), fmt_pct(float((res.totals[a.index] > 0).mean()))]
        for a in res.model.actions
    ]
    patrons = [[a.name, actors[a.patron].name] for a in actors.values() if a.patron and a.patron in actors]
    body = (
        "<p class='muted'>Arrows run from actor to target; their width and number give the mean events per run "
        "of all actions from that actor to that target (hover a number for the actions, or see the table below). "
        "Dotted curves join an actor to its patron.</p>"
        f"<div class='card'>{figs.div(charts.actor_graph(res), 'actors')}</div>"
        "<h3>Actions</h3>"
        + table(["action", "actor", "target", "rung", "MID", "mean events per run", "runs with at least one"],
                rows, numeric=(4, 5, 6))
    )
    if patrons:
        body += "<h3>Patrons</h3>" + table(["actor", "patron"], patrons)
    return section("actors", body)


def events_section(res: Results, figs: Figures) -> str:
    if not res.model.actions:
        return section("events", "<p class='muted'>This scenario defines no actions.</p>")
    return section(
        "events",
        "<p class='muted'>Mean number of events per run on each day, stacked by action.</p>"
        f"<div class='card'>{figs.div(charts.daily_events(res), 'daily-events')}</div>",
    )


def source_anchors(res: Results) -> dict[str, str]:
    return {sid: f"source-{i}" for i, sid in enumerate(res.model.scenario.sources)}


def source_links(ids: Iterable[str], anchors: dict[str, str]) -> Raw:
    return Raw(", ".join(
        f"<a href='#{anchors[s]}'>{text(s)}</a>" if s in anchors else text(s) for s in ids
    ))


def assumptions_section(res: Results) -> str:
    sc = res.model.scenario
    anchors = source_anchors(res)
    table_ = res.assumptions()
    rows, classes = [], []
    for name, r in table_.iterrows():
        srcs = sc.parameters[str(name)].sources
        tags = "" if srcs else "<span class='tag assume'>assumption</span>"
        if r.set_by_policy:
            tags += "<span class='tag policy'>policy</span>"
        rows.append([Raw(f"<code>{text(name)}</code>{tags}"), r.value, r.unit, source_links(srcs, anchors),
                     r.why, r.assumption, r.set_by_policy])
        classes.append("" if srcs else "assume")
    unsourced = classes.count("assume")
    intro = (
        f"<p>Every parameter as used in these runs, after policies. <b>{unsourced} of {len(rows)}</b> "
        "rest on assumptions rather than sources; they are highlighted "
        "<span class='tag assume'>assumption</span>.</p>"
    )
    return section("assumptions", intro + table(
        ["parameter", "value / distribution", "unit", "sources", "why", "assumption", "set by policy"],
        rows, row_classes=classes,
    ))


def sources_section(res: Results) -> str:
    anchors = source_anchors(res)
    rows = []
    for sid, src in res.model.scenario.sources.items():
        url = src.url or ""
        link = Raw(f"<a href='{text(url)}' rel='noopener noreferrer'>{text(url)}</a>") if _is_web(url) else url
        rows.append([Raw(f"<code id='{anchors[sid]}'>{text(sid)}</code>"), src.title, src.outlet, src.date, link,
                     src.note or ""])
    if not rows:
        return section("sources", "<p class='muted'>This scenario lists no sources.</p>")
    return section("sources", table(["id", "title", "outlet", "date", "url", "note"], rows))


def _is_web(url: str) -> bool:
    """Only http(s) addresses become links (no ``javascript:`` or ``data:`` URLs)."""
    return url.lower().startswith(("http://", "https://"))


# ----- page ----------------------------------------------------------------
def render_report(res: Results) -> str:
    """The whole report as one HTML string."""
    figs = Figures()
    body = "".join([
        outcomes_section(res),
        curves_section(res, figs),
        state_section(res, figs),
        rungs_section(res, figs),
        actors_section(res, figs),
        events_section(res, figs),
        assumptions_section(res),
        sources_section(res),
    ])
    return page(f"{res.model.scenario.title} — redline", body, header=header(res))


def page(title: str, body: str, *, header: str = "") -> str:
    """A whole self-contained HTML page: ``body`` goes in <main>, after ``header``."""
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{text(title)}</title><style>{CSS}</style></head><body>"
        f"{header}<main>{body}</main>"
        "<footer class='muted'>Generated by redline. Self-contained: no network access is needed to view it."
        "</footer></body></html>\n"
    )


def write_report(res: Results, path: str | Path) -> str:
    """Write the self-contained HTML report of ``res`` to ``path``; returns the path."""
    out = Path(path)
    out.write_text(render_report(res), encoding="utf-8")
    return str(out)
