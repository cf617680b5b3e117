"""``redline calibrate``, ``forecast`` and ``backtest``: the event-data commands (a thin skin over
:mod:`redline.calibrate`).  Registered on the main app by :mod:`redline.cli`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from redline.cli import (
    ScenarioArg,
    SeedOpt,
    _check_writable,
    _outputs,
    _progress,
    _split,
    _sweep_progress,
    app,
    friendly,
    out,
)
from redline.engine.runner import resolve_seed
from redline.errors import RedlineError

EventsOpt = Annotated[Path, typer.Option("--events", help="Recorded events: a redline store (.duckdb), an ACLED "
                                                          "export (.csv), or a built-in series name such as "
                                                          "iraq-2019-2021.")]
PlaceOpt = Annotated[str | None, typer.Option(help="Only events at this location, province or country.")]
JsonOpt = Annotated[Path | None, typer.Option("--json", help="Write the result as JSON to this file.")]
ReportOpt = Annotated[Path | None, typer.Option(help="Write a self-contained HTML page.")]
HistoryOpt = Annotated[str | None, typer.Option("--history-from", help="First day of the record fitted before "
                                                                     "each forecast (default: the first event).")]
StreamsOpt = Annotated[list[str] | None, typer.Option("--streams", help="Fit only these actions (comma-separated or "
                                                                       "repeated); calibrate: entries that read other "
                                                                       "actions are left out and listed.")]


def _date(option: str, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RedlineError(f"{option}: {value!r} is not a date\n  expected: YYYY-MM-DD") from None


def _skipped(result) -> None:  # type: ignore[no-untyped-def]
    rows = result.rows_skipped
    if rows:
        out.print(f"[yellow]{len(rows)} row(s) of the event file left out[/] (no scenario action fits): "
                  + "; ".join(escape(r) for r in rows[:3]) + (f"; ... and {len(rows) - 3} more" if len(rows) > 3 else ""))


def _fit_table(cal) -> Table:  # type: ignore[no-untyped-def]
    tab = Table(title=f"Hawkes fit ({cal.level:.0%} intervals); spectral radius "
                      f"{cal.fit.params.spectral_radius():.2f}", title_justify="left")
    for col in ("parameter", "estimate", "stderr", "low", "high"):
        tab.add_column(col, justify="left" if col == "parameter" else "right", no_wrap=True)
    for r in cal.fit_table().itertuples():
        tab.add_row(escape(r.parameter), f"{r.estimate:.4g}", f"{r.stderr:.2g}", f"{r.low:.4g}", f"{r.high:.4g}")
    return tab


@app.command()
@friendly
def calibrate(
    scenario: ScenarioArg = "iraq-2020",
    events: EventsOpt = Path("redline-events.duckdb"),
    date_from: Annotated[str | None, typer.Option("--from", help="First day of the record to fit (YYYY-MM-DD; "
                                                                "default: the first event).")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last day of the record to fit (default: the last "
                                                            "event).")] = None,
    out_path: Annotated[Path, typer.Option("--out", help="Write the calibrated scenario (YAML) here.")] = Path(
        "calibrated.yaml"),
    place: PlaceOpt = None,
    streams: StreamsOpt = None,
    seed: SeedOpt = None,
    json_path: JsonOpt = None,
) -> None:
    """Fit scenario parameters to recorded events (multivariate Hawkes) and write a calibrated scenario.

    The written scenario extends the original; each calibrated parameter carries the estimation uncertainty
    as a distribution and cites the event data.

    Example: redline calibrate iraq-2020 --events events.csv --from 2019-10-01 --to 2020-03-31 --out cal.yaml
    """
    from redline.calibrate import calibrate as run

    _check_writable("--out", out_path)
    _check_writable("--json", json_path)
    s = resolve_seed(seed)
    cal = run(scenario, events, start=_date("--from", date_from), end=_date("--to", date_to), seed=s, place=place,
              streams=_split(streams))
    n = cal.series.n_events()
    out.print(f"[bold]{cal.scenario.id}[/]: {', '.join(f'{v} {k}' for k, v in n.items())} events from "
              f"{events.name}, {cal.series.start} to {cal.series.end} ({cal.series.days} days); seed {s}")
    _skipped(cal)
    out.print(_fit_table(cal))
    gof = cal.goodness
    for r in gof.itertuples():
        verdict = "consistent with the fit" if r.ks_pvalue >= 0.05 else "[bold yellow]the fit is poor[/]"
        out.print(f"time-rescaling KS test, {r.stream}: D = {r.ks_statistic:.3f}, p = {r.ks_pvalue:.3g} ({verdict})")
    tab = Table(title=f"Calibrated parameters ({cal.level:.0%} intervals)", title_justify="left")
    for col in ("parameter", "prior", "estimate", "interval", "written as"):
        tab.add_column(col, justify="right" if col in ("estimate", "interval") else "left")
    for r in cal.table.itertuples():
        d = r.dist
        tab.add_row(r.parameter, r.prior, f"{r.estimate:.4g}", f"{r.low:.4g} – {r.high:.4g}",
                    ", ".join(f"{k}={v}" for k, v in d.items()))
    out.print(tab)
    for note in cal.skipped:
        out.print(f"[yellow]left out:[/] {note}")
    cal.write(out_path)
    out.print(f"calibrated scenario: {out_path} (check it with: redline validate {out_path})")
    _outputs(cal, json_path, None)


@app.command()
@friendly
def forecast(
    date_from: Annotated[str, typer.Option("--from", help="Forecast origin: the first forecast day (YYYY-MM-DD); "
                                                         "the record before it is the history.")],
    scenario: ScenarioArg = "iraq-2020",
    events: EventsOpt = Path("redline-events.duckdb"),
    horizon: Annotated[int, typer.Option(min=7, max=365, help="Days to forecast.")] = 28,
    runs: Annotated[int, typer.Option(min=100, help="Simulated continuations.")] = 10000,
    history_from: HistoryOpt = None,
    no_calibrate: Annotated[bool, typer.Option("--no-calibrate", help="Run the scenario as given (e.g. a calibrated "
                                                                      "file you reviewed): only its excitation state "
                                                                      "comes from the record.")] = False,
    place: PlaceOpt = None,
    streams: StreamsOpt = None,
    seed: SeedOpt = None,
    json_path: JsonOpt = None,
    report: ReportOpt = None,
) -> None:
    """Forecast weekly event counts and outcome probabilities from a date, conditioned on the record before it.

    The scenario is calibrated to the history and started from the excitation state it leaves; where the record
    goes on past the origin, the forecast is shown against what happened.

    Example: redline forecast iraq-2020 --events events.csv --from 2020-03-01 --horizon 28 --report fc.html
    """
    from redline.calibrate import forecast as run

    origin = _date("--from", date_from)
    for option, path in (("--json", json_path), ("--report", report)):
        _check_writable(option, path)
    s = resolve_seed(seed)
    f = run(scenario, events, origin=origin, horizon=horizon, runs=runs, seed=s,
            history_from=_date("--history-from", history_from), place=place, streams=_split(streams),
            calibrate_first=not no_calibrate)
    out.print(f"[bold]{f.scenario_id}[/] from {f.origin}: {f.runs:,} runs x {f.horizon} days, seed {s}")
    _skipped(f)
    tab = Table(title="Events per week (predictive)", title_justify="left")
    for col in ("stream", "week starting", "mean", "90% interval", "P(any)", "observed"):
        tab.add_column(col, justify="left" if col in ("stream", "week starting") else "right")
    for r in f.quantiles().itertuples():
        obs = "" if r.observed is None or r.observed != r.observed else f"{r.observed:.2f}"
        tab.add_row(r.stream, str(r.week_start), f"{r.mean:.2f}", f"{r.p05:g} – {r.p95:g}", f"{r.p_any:.0%}", obs)
    out.print(tab)
    tab = Table(title=f"Outcomes within {f.horizon} days", title_justify="left")
    for col in ("outcome", "probability", "95% interval"):
        tab.add_column(col, justify="left" if col == "outcome" else "right")
    for r in f.outcomes.itertuples():
        tab.add_row(r.outcome, f"{r.probability:.1%}", f"{r.low:.1%} – {r.high:.1%}")
    out.print(tab)
    _outputs(f, json_path, report)


@app.command()
@friendly
def backtest(
    train_until: Annotated[str, typer.Option("--train-until", help="Last day of the first training window "
                                                                  "(YYYY-MM-DD).")],
    scenario: ScenarioArg = "iraq-2020",
    events: EventsOpt = Path("redline-events.duckdb"),
    step: Annotated[int, typer.Option(min=1, help="Days between forecast origins.")] = 7,
    horizon: Annotated[int, typer.Option(min=7, max=365, help="Days forecast from each origin (whole weeks).")] = 28,
    runs: Annotated[int, typer.Option(min=100, help="Simulated continuations per origin.")] = 2000,
    history_from: HistoryOpt = None,
    until: Annotated[str | None, typer.Option(help="Last day of the record to score (default: the last event).")] = None,
    place: PlaceOpt = None,
    streams: StreamsOpt = None,
    seed: SeedOpt = None,
    json_path: JsonOpt = None,
    report: ReportOpt = None,
) -> None:
    """Rolling-origin backtest of the calibrated scenario against naive baselines.

    At each origin: recalibrate on the record up to it, forecast the next weeks, score with CRPS, the 90% interval
    score and coverage, and the Brier score; the same for no-change, Poisson at the recent rate, the historical mean,
    the bare Hawkes fit and the uncalibrated scenario.

    Example: redline backtest iraq-2020 --events events.csv --train-until 2020-06-30 --step 7 --horizon 28
    """
    from redline.calibrate import backtest as run

    start = _date("--train-until", train_until)
    for option, path in (("--json", json_path), ("--report", report)):
        _check_writable(option, path)
    s = resolve_seed(seed)
    with _progress() as bar:
        b = run(scenario, events, train_until=start, step=step, horizon=horizon, runs=runs, seed=s,
                history_from=_date("--history-from", history_from), until=_date("--until", until), place=place,
                streams=_split(streams), progress=_sweep_progress(bar, "forecast origins"))
    _skipped(b)
    n = b.scores.origin.nunique()
    out.print(f"[bold]{b.scenario_id}[/]: {n} origins every {b.step} days after {b.train_until}, {b.horizon}-day "
              f"forecasts of {', '.join(b.streams)}, {b.runs:,} runs each, seed {s}")
    tab = Table(title="Mean scores over origins, streams and weeks (lower is better, coverage near 90%)",
                title_justify="left")
    for col in ("model", "CRPS", "interval score", "coverage90", "Brier"):
        tab.add_column(col, justify="left" if col == "model" else "right")
    for name, r in b.summary().iterrows():
        tab.add_row(str(name), f"{r.crps:.3f}", f"{r.interval_score:.2f}", f"{r.coverage90:.0%}", f"{r.brier:.3f}")
    out.print(tab)
    for f in b.failed:
        out.print(f"[yellow]origin {f['origin']} not scored:[/] {f['reason']}")
    out.print(b.verdict(), soft_wrap=True)
    _outputs(b, json_path, report)
