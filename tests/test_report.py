"""The HTML report: self-contained, complete, escaped."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from plotly.offline import get_plotlyjs

import redline
from conftest import assert_offline
from redline.report import charts, render_report, write_report
from redline.report.html import fmt_num, fmt_pct, reproduce_command

TOY = Path(__file__).parent / "data" / "toy.yaml"
RUNS = 2000
SEED = 3
HEADINGS = (
    "Outcomes",
    "Outcome probability by day",
    "State over time",
    "Highest rung reached",
    "Actor graph",
    "Events per day by action",
    "Assumptions",
    "Sources",
)


@pytest.fixture(scope="module")
def res() -> redline.Results:
    return redline.simulate(str(TOY), runs=RUNS, seed=SEED)


@pytest.fixture(scope="module")
def page(res: redline.Results, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("report") / "toy.html"
    assert write_report(res, path) == str(path)
    return path.read_text(encoding="utf-8")


def tables(page: str) -> str:
    return "\n".join(re.findall(r"<table>.*?</table>", page, flags=re.DOTALL))


def test_file_is_written_as_one_html_page(res: redline.Results, tmp_path: Path) -> None:
    path = tmp_path / "sub.html"
    assert res.write_report(str(path)) == str(path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert text.rstrip().endswith("</html>")
    assert path.stat().st_size > 1_000_000  # the plotly.js bundle is inside


def test_plotly_bundle_is_inline_exactly_once(page: str) -> None:
    assert page.count(get_plotlyjs()) == 1
    assert page.count("* plotly.js v") == 1


def test_nothing_is_loaded_from_the_network(page: str) -> None:
    assert_offline(page)


def test_every_chart_is_on_the_page(page: str, res: redline.Results) -> None:
    ids = ["outcome-curves", "rungs", "actors", "daily-events"]
    ids += [f"state-{i}" for i in range(len(res.model.state_names))]
    for chart_id in ids:
        assert page.count(f'id="chart-{chart_id}"') == 1, chart_id
        assert re.search(rf'Plotly\.newPlot\(\s*"chart-{chart_id}"', page), chart_id


def test_every_section_heading_is_present(page: str) -> None:
    for heading in HEADINGS:
        assert re.search(rf"<h2>{re.escape(heading)}</h2>", page), heading
    positions = [page.index(f"<h2>{h}</h2>") for h in HEADINGS]
    assert positions == sorted(positions)


def test_header_has_run_facts_and_reproduce_line(page: str) -> None:
    header = page[page.index("<header>") : page.index("</header>")]
    assert "<h1>Toy duel</h1>" in header
    assert "<code>toy</code>" in header
    assert "<code>calm</code> — nothing changes" in header
    assert "2,000" in header and "2020-01-01" in header and "50 days" in header
    assert f"redline run {TOY} --runs {RUNS} --seed {SEED} --horizon 50 --policy calm" in header


def test_reproduce_command_for_policies_and_builtin_names(res: redline.Results) -> None:
    hawk = redline.simulate(str(TOY), ["calm", "hawk"], runs=10, seed=7, horizon=20)
    assert reproduce_command(hawk) == f"redline run {TOY} --runs 10 --seed 7 --horizon 20 --policy calm --policy hawk"
    builtin = dataclasses.replace(res, model=dataclasses.replace(res.model, origin="builtin:iraq-2020", policies=()))
    assert reproduce_command(builtin) == f"redline run iraq-2020 --runs {RUNS} --seed {SEED} --horizon 50"
    odd = dataclasses.replace(res, model=dataclasses.replace(res.model, origin="my dir/a b.yaml"))
    assert reproduce_command(odd).startswith("redline run 'my dir/a b.yaml' --runs")


def test_tables_hold_outcomes_quantities_and_parameters(page: str, res: redline.Results) -> None:
    body = tables(page)
    for name in ["first_strike", "raids", "hits_total", "rate", "p_strike", "heat_half_life", "raid", "strike"]:
        assert f"<code>{name}</code>" in body, name
    p = float(res.outcomes().loc["first_strike", "probability"])
    assert f"{100 * p:.1f}%" in body
    median = float(res.outcomes().loc["first_strike", "median_days"])
    day = dt.date(2020, 1, 1) + dt.timedelta(days=int(median) - 1)
    assert f"day {median:g} ({day.isoformat()})" in body
    mean_raids = float(res.quantities().loc["raids", "mean"])
    assert fmt_num(mean_raids) in body
    assert "uniform(low=0.01, high=0.03)" in body


def test_assumptions_are_marked_and_sources_linked(page: str) -> None:
    rows = re.findall(r"<tr[^>]*>.*?</tr>", page[page.index("<h2>Assumptions</h2>") :], flags=re.DOTALL)
    by_param = {m.group(1): row for row in rows if (m := re.search(r"<td><code>(\w+)</code>", row))}
    assert by_param["rate"].startswith("<tr class='assume'>") and "tag assume" in by_param["rate"]
    assert by_param["heat_half_life"].startswith("<tr class='assume'>")
    assert by_param["p_strike"].startswith("<tr>") and "tag assume" not in by_param["p_strike"]
    anchor = re.search(r"<a href='#([\w-]+)'>T1</a>", by_param["p_strike"])
    assert anchor and f"id='{anchor.group(1)}'>T1</code>" in page


def test_policy_overrides_are_shown(tmp_path: Path) -> None:
    hawk = redline.simulate(str(TOY), ["hawk"], runs=200, seed=1)
    page = render_report(hawk)
    row = re.search(r"<tr[^>]*><td><code>p_strike</code>.*?</tr>", page, flags=re.DOTALL)
    assert row and "tag policy" in row.group(0) and "<td>hawk</td>" in row.group(0)
    assert "<td>0.1</td>" in row.group(0)


def test_scenario_text_is_escaped(toy_variant: Callable[..., Path]) -> None:
    path = toy_variant(
        ("title: Toy duel", 'title: "<script>alert(1)</script>"'),
        ("name: Alpha,", 'name: "Al<b>pha</b>",'),
        ("description: first strike,", 'description: "first <img src=x onerror=alert(2)>",'),
        ("date: 2026-01-01}", 'date: 2026-01-01, url: "javascript:alert(3)"}'),
        ("unit: index", 'unit: "i<u>dx</u>"'),
    )
    page = render_report(redline.simulate(str(path), runs=100, seed=1))

    for raw in ["<script>alert(1)</script>", "<b>pha</b>", "<img src=x", "<u>dx</u>"]:
        assert raw not in page, raw
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>" in page
    assert "<td>first &lt;img src=x onerror=alert(2)&gt;</td>" in page
    assert "Al&lt;b&gt;pha&lt;/b&gt;" in page
    # Text given to plotly is escaped too (plotly's JSON writes a raw "<" as \u003c).
    assert "Al\\u003cb\\u003epha" not in page
    assert "i\\u003cu\\u003edx" not in page
    assert not re.search(r"href=['\"]?\s*javascript:", page, flags=re.IGNORECASE)
    assert "<td>javascript:alert(3)</td>" in page


def test_actor_graph_widths_follow_event_counts(res: redline.Results) -> None:
    fig = charts.actor_graph(res)
    arrows = [a for a in fig.layout.annotations if a.showarrow]
    assert len(arrows) == 2  # raid (b -> a) and strike (a -> b)
    means = {a.id: float(res.totals[a.index].mean()) for a in res.model.actions}
    assert means["raid"] > means["strike"]
    by_head = {(round(a.x), round(a.y)): a for a in arrows}
    # Alpha is the first actor, at the top of the circle; raid points at it.
    raid, strike = by_head[(0, 1)], by_head[(0, -1)]
    assert raid.arrowwidth > strike.arrowwidth
    labels = {a.text for a in fig.layout.annotations if not a.showarrow}
    assert labels == {f"{means['raid']:.3g}", f"{means['strike']:.3g}"}
    patron = [t for t in fig.data if t.legendgroup == "patron"]
    assert len(patron) == 1 and patron[0].line.dash == "dot"
    assert {t.name for t in fig.data if t.mode == "markers+text"} == {"state", "militia"}


def test_charts_carry_the_results(res: redline.Results) -> None:
    curve = charts.outcome_curves(res).data[0]
    assert curve.y[-1] == pytest.approx(res.outcomes().loc["first_strike", "probability"])
    bars = charts.rungs(res).data[0]
    assert list(bars.x) == ["(none)<br>MID 1", "talk<br>MID 2", "fight<br>MID 4"]
    assert sum(bars.y) == pytest.approx(1.0)
    stacked = charts.daily_events(res)
    assert [t.name for t in stacked.data] == ["raid", "strike"]
    assert all(t.stackgroup == "events" for t in stacked.data)
    total_raids = sum(stacked.data[0].y)
    assert total_raids == pytest.approx(res.totals[0].mean())
    names = [name for name, _ in charts.state_charts(res)]
    assert names == ["hits", "heat"]
    fan = charts.state_charts(res)[1][1]
    assert fan.layout.yaxis.title.text == "index"
    assert [t.name for t in fan.data if t.showlegend is not False] == ["5–95%", "25–75%", "median", "mean"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.62456, "62.5%"), (0.0, "0.0%"), (1.0, "100.0%"), (0.0001, "<0.1%"), (0.99991, ">99.9%"), (math.nan, "–")],
)
def test_fmt_pct(value: float, expected: str) -> None:
    assert fmt_pct(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(12345.6, "12,346"), (42.26, "42.3"), (4.987, "4.99"), (0.012345, "0.0123"), (0.0, "0"), (math.nan, "–"),
     (-3.5, "-3.50"), (2e-6, "2.00e-06")],
)
def test_fmt_num(value: float, expected: str) -> None:
    assert fmt_num(value) == expected


def test_reproduce_command_carries_the_sampling_design() -> None:
    """--fixed and --replicates change the parameter draws, so the command must repeat them; and it does reproduce."""
    res = redline.simulate(TOY, runs=64, seed=3, horizon=20, fixed=True, replicates=4)
    cmd = reproduce_command(res)
    assert cmd.endswith("--policy calm --fixed --replicates 4")
    again = redline.simulate(TOY, runs=64, seed=3, horizon=20, fixed=True, replicates=4)
    np.testing.assert_array_equal(res.quantity_values, again.quantity_values)
