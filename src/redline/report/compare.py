"""The self-contained HTML page of ``redline compare``: policies side by side."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import plotly.graph_objects as go

from redline.report.charts import colour
from redline.report.html import Figures, Raw, fmt_num, fmt_pct, page, table, text

if TYPE_CHECKING:
    from redline.analysis.compare import Comparison


def _probability_chart(cmp: Comparison) -> go.Figure:
    probs = cmp.probabilities().reset_index()
    fig = go.Figure()
    for i, pol in enumerate(cmp.policies):
        sub = probs[probs.policy == pol]
        fig.add_bar(
            name=pol, x=sub.outcome, y=sub.probability, marker_color=colour(i),
            error_y={"type": "data", "symmetric": False, "array": sub.ci95_high - sub.probability,
                     "arrayminus": sub.probability - sub.ci95_low},
        )
    fig.update_layout(barmode="group", height=420, yaxis_tickformat=".0%", yaxis_title="probability within horizon",
                      margin={"l": 60, "r": 20, "t": 30, "b": 80}, legend={"orientation": "h", "y": 1.1})
    return fig


def _difference_chart(cmp: Comparison) -> go.Figure:
    diffs = cmp.differences().reset_index()
    fig = go.Figure()
    for i, pol in enumerate(p for p in cmp.policies if p != cmp.baseline):
        sub = diffs[diffs.policy == pol]
        fig.add_scatter(
            name=pol, x=sub.difference, y=sub.outcome, mode="markers", marker={"color": colour(i + 1), "size": 9},
            error_x={"type": "data", "symmetric": False, "array": sub.paired_high - sub.difference,
                     "arrayminus": sub.difference - sub.paired_low},
        )
    fig.add_vline(x=0, line_color="#888")
    fig.update_layout(height=80 + 40 * max(1, diffs.outcome.nunique()), xaxis_tickformat="+.0%",
                      xaxis_title=f"difference from {cmp.baseline} (paired 95% interval)",
                      margin={"l": 140, "r": 20, "t": 30, "b": 50}, legend={"orientation": "h", "y": 1.1})
    return fig


def render_comparison(cmp: Comparison) -> str:
    figs = Figures()
    probs, diffs, quants = cmp.probabilities(), cmp.differences(), cmp.quantities()
    prob_rows = [
        [oid, pol, Raw(fmt_pct(r.probability)), Raw(f"{fmt_pct(r.ci95_low)} – {fmt_pct(r.ci95_high)}"),
         fmt_num(r.median_days)]
        for (oid, pol), r in probs.iterrows()
    ]
    diff_rows = [
        [oid, pol, Raw(f"{100 * r.difference:+.1f} pp"),
         Raw(f"{100 * r.paired_low:+.1f} to {100 * r.paired_high:+.1f}"),
         Raw(f"{100 * r.unpaired_low:+.1f} to {100 * r.unpaired_high:+.1f}")]
        for (oid, pol), r in diffs.iterrows()
    ]
    quant_rows = [[qid, pol, fmt_num(r["mean"]), fmt_num(r.difference),
                   Raw(f"{fmt_num(r.paired_low)} to {fmt_num(r.paired_high)}")] for (qid, pol), r in quants.iterrows()]
    sets = "".join(f"<li><code>{text(p)}</code>: {text(', '.join(s))}</li>" for p, s in cmp.policy_sets.items())
    body = (
        f"<h1>{text(cmp.scenario_id)}: courses of action compared</h1>"
        f"<p class='muted'>{cmp.runs:,} runs per policy, {cmp.horizon} days, seed {cmp.seed}; "
        f"baseline <code>{text(cmp.baseline)}</code>. Every policy uses the same random numbers run by run "
        "(common random numbers), so differences are estimated from paired runs.</p>"
        f"<p>Policies applied:</p><ul>{sets}</ul>"
        "<h2 id='probabilities'>Outcome probabilities</h2>"
        + figs.div(_probability_chart(cmp), "probabilities")
        + table(["outcome", "policy", "probability", "95% interval", "median days (if it happens)"], prob_rows,
                numeric=(2, 3, 4))
        + "<h2 id='differences'>Differences from the baseline</h2>"
        + figs.div(_difference_chart(cmp), "differences")
        + table(["outcome", "policy", "difference", "paired 95% interval (pp)", "unpaired 95% interval (pp)"],
                diff_rows, numeric=(2, 3, 4))
        + "<p class='muted'>pp = percentage points. The unpaired interval is what two independent samples of the "
          "same size would give; the paired one uses the per-run differences.</p>"
        + "<h2 id='quantities'>Tracked quantities</h2>"
        + table(["quantity", "policy", "mean", "difference from baseline", "paired 95% interval"], quant_rows,
                numeric=(2, 3, 4))
    )
    return page(f"{cmp.scenario_id} comparison — redline", body)


def write_comparison(cmp: Comparison, path: str | Path) -> str:
    out = Path(path)
    out.write_text(render_comparison(cmp), encoding="utf-8")
    return str(out)
