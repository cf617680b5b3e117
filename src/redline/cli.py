"""The ``redline`` command: a thin skin over the library API.

Each command parses options, calls one public function, renders the result.
Only here do exceptions become exit codes and friendly text.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from redline.engine import simulate
from redline.engine.results import Results
from redline.errors import RedlineError
from redline.scenario import builtin_names, load_scenario
from redline.scenario.distributions import describe

app = typer.Typer(
    help="redline: simulate, compare and evidence escalation in proxy conflicts.\n\n"
    "Example: redline run iraq-2020 --runs 10000 --seed 1 --report iraq.html",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


def friendly(fn: F) -> F:
    """Turn redline errors into a message on stderr and a non-zero exit code."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except RedlineError as exc:
            err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False, soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err.print("[bold red]interrupted[/]")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [p.strip() for v in values for p in v.split(",") if p.strip()]


# Options shared by run and compare: one declaration, one help text.
ScenarioArg = Annotated[str, typer.Argument(help="Built-in scenario name or path to a YAML file.")]
HorizonOpt = Annotated[int | None, typer.Option(min=1, max=3650, help="Days to simulate (default: the scenario's).")]
SeedOpt = Annotated[int | None, typer.Option(min=0, help="Random seed (default: fresh; printed so the run can be repeated).")]
WorkersOpt = Annotated[int | None, typer.Option(min=1, help="Worker processes (default: one per core for large runs).")]
FixedOpt = Annotated[bool, typer.Option("--fixed", help="Set every uncertain parameter to its median (chance only).")]


def _progress() -> Progress:
    """A progress bar on stderr, shown only when stderr is a terminal."""
    return Progress(TextColumn("[bold]{task.description}[/]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    TimeRemainingColumn(), console=err, transient=True, disable=not err.is_terminal)


@app.command()
@friendly
def run(
    scenario: ScenarioArg = "iraq-2020",
    policy: Annotated[list[str] | None, typer.Option("--policy", "-p", help="Policy to apply (repeat or comma-separate). Default: the scenario's baseline.")] = None,
    runs: Annotated[int, typer.Option(min=1, help="Number of Monte Carlo runs.")] = 10_000,
    horizon: HorizonOpt = None,
    seed: SeedOpt = None,
    workers: WorkersOpt = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the summary as JSON to this file.")] = None,
    report: Annotated[Path | None, typer.Option(help="HTML report path (default: <scenario>-report.html).")] = None,
    no_report: Annotated[bool, typer.Option("--no-report", help="Do not write the HTML report.")] = False,
    events: Annotated[Path | None, typer.Option(help="Write the simulated events of sample runs to this CSV file.")] = None,
    sample_runs: Annotated[int, typer.Option(min=0, help="How many runs keep full event logs.")] = 100,
    fixed: FixedOpt = False,
    replicates: Annotated[int, typer.Option(help="Runs per parameter draw (a power of two); above 1 also prints how much "
                                                 "of each outcome's spread is parameter uncertainty and how much chance.")] = 1,
) -> None:
    """Simulate a scenario and summarise outcome probabilities.

    Example: redline run iraq-2020 --policy restraint --runs 20000 --seed 7 --json out.json
    """
    loaded = load_scenario(scenario)
    report_path = None if no_report else (report or Path(f"{loaded.scenario.id}-report.html"))
    for option, path in (("--json", json_path), ("--events", events), ("--report", report_path)):
        _check_writable(option, path)
    with _progress() as bar:
        task = bar.add_task("simulating", total=runs)
        res = simulate(
            loaded,
            _split(policy),
            runs=runs,
            horizon=horizon,
            seed=seed,
            workers=workers,
            keep_events=sample_runs,
            progress=lambda done, total: bar.update(task, completed=done),
            fixed=fixed,
            replicates=replicates,
        )
    print_summary(res)
    if replicates > 1:
        from redline.analysis import spread_sources

        sp = Table(title=f"Where the spread comes from ({res.runs // replicates:,} parameter draws x {replicates} runs)",
                   title_justify="left")
        for col in ("outcome", "variance", "parameter uncertainty", "chance"):
            sp.add_column(col, justify="left" if col == "outcome" else "right", no_wrap=col == "outcome")
        for name, row in spread_sources(res).iterrows():
            if row.variance > 0:
                sp.add_row(str(name), f"{row.variance:.3g}", f"{row.parameters_share:.0%}", f"{row.chance_share:.0%}")
        out.print(sp)
    if json_path is not None:
        _write("--json", json_path, lambda p: p.write_text(json.dumps(res.to_dict(), indent=2, allow_nan=False) + "\n",
                                                            encoding="utf-8"))
        out.print(f"JSON summary: {json_path}")
    if events is not None:
        _write("--events", events, lambda p: res.events().to_csv(p, index=False))
        out.print(f"events of {min(sample_runs, runs)} sample runs: {events}")
    if report_path is not None:
        _write("--report", report_path, lambda p: res.write_report(str(p)))
        out.print(f"report: {report_path}")


def _check_writable(option: str, path: Path | None) -> None:
    """Fail before a long simulation, not after it, when an output cannot be written."""
    if path is None:
        return
    if path.is_dir():
        raise RedlineError(f"{option}: {path} is a directory\n  expected: a file path")
    if not path.parent.is_dir():
        raise RedlineError(f"{option}: folder {path.parent} does not exist\n  expected: a path in an existing folder")


def _write(option: str, path: Path, write: Callable[[Path], Any]) -> None:
    try:
        write(path)
    except OSError as exc:
        raise RedlineError(f"{option}: cannot write {path}: {exc.strerror or exc}") from None


def print_summary(res: Results) -> None:
    pols = ", ".join(res.policies) or "(none)"
    out.print(
        f"[bold]{res.model.scenario.title}[/] ({res.scenario_id})  policies: {pols}\n"
        f"{res.runs:,} runs x {res.horizon} days from {res.model.scenario.time.start}  seed {res.seed}"
        + ("  (parameters fixed at their medians)" if res.model.fixed else "")
    )
    t = Table(title="Outcomes (probability within the horizon)", title_justify="left")
    for col in ("outcome", "probability", "95% interval", "median days*"):
        t.add_column(col, justify="left" if col == "outcome" else "right")
    for oid, row in res.outcomes().iterrows():
        md = "-" if math.isnan(row.median_days) else f"{row.median_days:.0f}"
        t.add_row(str(oid), f"{row.probability:.1%}", f"{row.ci95_low:.1%} - {row.ci95_high:.1%}", md)
    out.print(t)
    out.print("* among runs where the outcome happens")
    q = Table(title="Tracked quantities (over runs)", title_justify="left")
    for col in ("quantity", "mean", "p05", "p50", "p95", "unit"):
        q.add_column(col, justify="left" if col in ("quantity", "unit") else "right")
    for qid, row in res.quantities().iterrows():
        q.add_row(str(qid), *(f"{row[c]:.3g}" for c in ("mean", "p05", "p50", "p95")), str(row.unit))
    out.print(q)


@app.command()
@friendly
def compare(
    scenario: ScenarioArg = "iraq-2020",
    policies: Annotated[list[str] | None, typer.Option("--policies", "-p", help="Courses of action to compare (comma-separated or repeated). Default: every policy of the principal actor.")] = None,
    baseline: Annotated[str | None, typer.Option(help="Policy the others are compared with (default: the scenario's baseline).")] = None,
    runs: Annotated[int, typer.Option(min=1, help="Monte Carlo runs per policy.")] = 10_000,
    horizon: HorizonOpt = None,
    seed: SeedOpt = None,
    workers: WorkersOpt = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the comparison as JSON to this file.")] = None,
    report: Annotated[Path | None, typer.Option(help="Write a self-contained HTML page with side-by-side charts.")] = None,
    fixed: FixedOpt = False,
) -> None:
    """Compare courses of action with common random numbers: probabilities and paired differences.

    Example: redline compare iraq-2020 --policies proportional,restraint,strike_iran --runs 20000 --seed 1
    """
    from redline.analysis import compare as run_compare

    for option, path in (("--json", json_path), ("--report", report)):
        _check_writable(option, path)
    loaded = load_scenario(scenario)
    with _progress() as bar:
        task = bar.add_task("simulating", total=None)
        cmp = run_compare(loaded, _split(policies), baseline=baseline, runs=runs, seed=seed, horizon=horizon,
                          workers=workers, fixed=fixed,
                          progress=lambda pol, done, total: bar.update(task, description=pol, completed=done,
                                                                         total=total))
    out.print(f"[bold]{loaded.scenario.title}[/] ({cmp.scenario_id}): {len(cmp.policies)} courses of action, "
              f"{cmp.runs:,} runs each, {cmp.horizon} days, seed {cmp.seed}, baseline {cmp.baseline}")
    probs, diffs = cmp.probabilities(), cmp.differences()
    t = Table(title="Outcome probability by policy (95% interval)", title_justify="left")
    t.add_column("outcome", no_wrap=True)
    for pol in cmp.policies:
        t.add_column(pol, justify="right")
    for oid in dict.fromkeys(probs.index.get_level_values(0)):
        t.add_row(oid, *(f"{probs.loc[(oid, p)].probability:.1%} ({probs.loc[(oid, p)].ci95_low:.1%}-"
                         f"{probs.loc[(oid, p)].ci95_high:.1%})" for p in cmp.policies))
    out.print(t)
    d = Table(title=f"Difference from {cmp.baseline}, percentage points: paired 95% interval | unpaired",
              title_justify="left")
    for col in ("outcome", "policy", "difference", "paired 95%", "unpaired 95%"):
        d.add_column(col, justify="left" if col in ("outcome", "policy") else "right", no_wrap=col == "outcome")
    for (oid, pol), r in diffs.iterrows():
        d.add_row(oid, pol, f"{100 * r.difference:+.1f}", f"{100 * r.paired_low:+.1f} to {100 * r.paired_high:+.1f}",
                  f"{100 * r.unpaired_low:+.1f} to {100 * r.unpaired_high:+.1f}")
    out.print(d)
    med = Table(title="Median days to each outcome, among runs where it happens", title_justify="left")
    med.add_column("outcome", no_wrap=True)
    for pol in cmp.policies:
        med.add_column(pol, justify="right")
    for oid in dict.fromkeys(probs.index.get_level_values(0)):
        vals = [probs.loc[(oid, p)].median_days for p in cmp.policies]
        med.add_row(oid, *("-" if math.isnan(v) else f"{v:.0f}" for v in vals))
    out.print(med)
    _outputs(cmp, json_path, report)


# Options shared by the sweeps (sensitivity, discover).
OutcomeOpt = Annotated[str, typer.Option("--outcome", "-o", help="Outcome id: a first-passage outcome (its probability) "
                                                                 "or a tracked quantity (its mean).")]
PolicyOpt = Annotated[str | None, typer.Option("--policy", "-p", help="Course of action (default: the scenario's baseline).")]
PointRunsOpt = Annotated[int, typer.Option("--runs-per-point", min=1, max=16384, help="Monte Carlo runs at each parameter point.")]
ExecutorOpt = Annotated[str, typer.Option(help="Where the points run: 'local' (process pool) or 'dask'.")]
SchedulerOpt = Annotated[str | None, typer.Option(help="Dask scheduler address, e.g. tcp://host:8786 (default: a LocalCluster).")]


def _sweep_progress(bar: Progress, label: str) -> Callable[[int, int], None]:
    task = bar.add_task(label, total=None)
    return lambda done, total: bar.update(task, completed=done, total=total)


def _outputs(result: Any, json_path: Path | None, report: Path | None) -> None:
    if json_path is not None:
        _write("--json", json_path, lambda p: p.write_text(json.dumps(result.to_dict(), indent=2, allow_nan=False)
                                                            + "\n", encoding="utf-8"))
        out.print(f"JSON: {json_path}")
    if report is not None:
        _write("--report", report, lambda p: result.write_report(str(p)))
        out.print(f"report: {report}")


@app.command()
@friendly
def sensitivity(
    scenario: ScenarioArg = "iraq-2020",
    outcome: OutcomeOpt = "direct_us_iran",
    policy: PolicyOpt = None,
    method: Annotated[str, typer.Option(help="'sobol' (first-order and total indices) or 'morris' (mu*, sigma).")] = "sobol",
    samples: Annotated[int, typer.Option(help="Base sample size N (a power of two for Sobol: N x (parameters + 2) points), "
                                              "or Morris trajectories (N x (parameters + 1) points).")] = 256,
    runs_per_point: PointRunsOpt = 100,
    horizon: HorizonOpt = None,
    seed: SeedOpt = None,
    executor: ExecutorOpt = "local",
    scheduler: SchedulerOpt = None,
    workers: WorkersOpt = None,
    top: Annotated[int, typer.Option(min=1, help="Parameters to list in the table.")] = 15,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the indices as JSON to this file.")] = None,
    report: Annotated[Path | None, typer.Option(help="Write a self-contained HTML page with the ranked chart.")] = None,
) -> None:
    """Global sensitivity (SALib): which uncertain parameters drive an outcome.

    Example: redline sensitivity iraq-2020 --outcome direct_us_iran --samples 512 --seed 1 --report sobol.html
    """
    from redline.analysis.sensitivity import sensitivity as run_sensitivity

    for option, path in (("--json", json_path), ("--report", report)):
        _check_writable(option, path)
    with _progress() as bar:
        res = run_sensitivity(scenario, outcome, policy=policy, method=method, samples=samples,
                              runs_per_point=runs_per_point, horizon=horizon, seed=seed, executor=executor,
                              scheduler=scheduler, workers=workers, progress=_sweep_progress(bar, "parameter points"))
    ev, t = res.evaluation, res.target
    out.print(f"[bold]{t.loaded.scenario.id}[/]: {method} sensitivity of {t.label} under {t.policy}; "
              f"{len(ev.y):,} points x {res.runs_per_point} runs x {t.model.horizon} days, seed {res.seed}, "
              f"{ev.seconds:.1f} s ({ev.rate / 1e6:.2f} M run-days/s, {executor})")
    df = res.indices()
    cols = (["S1", "S1_conf", "ST", "ST_conf"] if method == "sobol" else ["mu_star", "mu_star_conf", "sigma", "mu"])
    heads = (["first-order S1", "±95%", "total ST", "±95%"] if method == "sobol" else ["mu*", "±95%", "sigma", "mu"])
    tab = Table(title=f"Most influential of {len(df)} uncertain parameters", title_justify="left")
    tab.add_column("parameter", no_wrap=True)
    for h in heads:
        tab.add_column(h, justify="right", no_wrap=True, min_width=6)
    tab.add_column("what it is", overflow="ellipsis", no_wrap=True, max_width=60)
    for name, r in df.head(top).iterrows():
        tab.add_row(str(name), *(f"{r[c]:.3f}" for c in cols), str(r.description))
    out.print(tab)
    out.print(res.summary(), soft_wrap=True)
    _outputs(res, json_path, report)


@app.command()
@friendly
def discover(
    scenario: ScenarioArg = "iraq-2020",
    outcome: OutcomeOpt = "direct_us_iran",
    policy: PolicyOpt = None,
    threshold: Annotated[float | None, typer.Option(help="A point is of interest when the outcome's probability (or the "
                                                          "quantity's mean) reaches this. Default: 0.5 for outcomes, the "
                                                          "top tenth of points for quantities.")] = None,
    samples: Annotated[int, typer.Option(help="Parameter points (Latin hypercube).")] = 2000,
    runs_per_point: PointRunsOpt = 100,
    min_density: Annotated[float, typer.Option(help="Share of points of interest a box should reach.")] = 0.8,
    horizon: HorizonOpt = None,
    seed: SeedOpt = None,
    executor: ExecutorOpt = "local",
    scheduler: SchedulerOpt = None,
    workers: WorkersOpt = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the box as JSON to this file.")] = None,
    report: Annotated[Path | None, typer.Option(help="Write a self-contained HTML page with the box and the trade-off.")] = None,
) -> None:
    """Scenario discovery (PRIM): the parameter ranges where an outcome becomes likely.

    Example: redline discover iraq-2020 --outcome direct_us_iran --threshold 0.2 --seed 1
    """
    from redline.analysis.discover import discover as run_discover

    for option, path in (("--json", json_path), ("--report", report)):
        _check_writable(option, path)
    with _progress() as bar:
        res = run_discover(scenario, outcome, policy=policy, threshold=threshold, samples=samples,
                           runs_per_point=runs_per_point, min_density=min_density, horizon=horizon, seed=seed,
                           executor=executor, scheduler=scheduler, workers=workers,
                           progress=_sweep_progress(bar, "parameter points"))
    ev, t = res.evaluation, res.target
    out.print(f"[bold]{t.loaded.scenario.id}[/]: where {t.label} under {t.policy} reaches {res.threshold:.3g}; "
              f"{len(ev.y):,} points x {res.runs_per_point} runs x {t.model.horizon} days, seed {res.seed}, "
              f"{ev.seconds:.1f} s; {res.cases:,} point{'' if res.cases == 1 else 's'} of interest")
    if res.found and not res.limits.empty:
        tab = Table(title=f"PRIM box: coverage {res.coverage:.0%}, density {res.density:.0%}, mass {res.mass:.0%}",
                    title_justify="left")
        for col in ("parameter", "low", "high", "sampled range", "quasi-p"):
            tab.add_column(col, justify="left" if col in ("parameter", "sampled range") else "right", no_wrap=True)
        for name, r in res.limits.iterrows():
            tab.add_row(str(name), f"{r.low:.3g}", f"{r.high:.3g}", f"{r.sampled_min:.3g} - {r.sampled_max:.3g}",
                        f"{r.qp:.1g}")
        out.print(tab)
    out.print(res.summary(), soft_wrap=True)
    _outputs(res, json_path, report)


DbOpt = Annotated[Path, typer.Option("--db", help="Event store (a DuckDB file; created if missing).")]
events_app = typer.Typer(help="Inspect and export the event store.\n\nExample: redline events list --db events.duckdb",
                         no_args_is_help=True)
app.add_typer(events_app, name="events")


@app.command()
@friendly
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files (.txt with optional front matter, .html, .jsonl) or folders.")],
    db: DbOpt = Path("redline-events.duckdb"),
    scenario: Annotated[str, typer.Option(help="Scenario whose actors and actions code the events.")] = "iraq-2024",
    published: Annotated[str | None, typer.Option(help="Publication date (YYYY-MM-DD) for articles that carry none.")] = None,
) -> None:
    """Read news articles into the event store: actors, events, dates, figures, places, duplicates merged.

    Example: redline ingest articles/ --db events.duckdb
    """
    import datetime as dt

    from redline.evidence import ingest_paths

    try:
        day = dt.date.fromisoformat(published) if published else None
    except ValueError:
        raise RedlineError(f"--published: {published!r} is not a date\n  expected: YYYY-MM-DD") from None
    loaded = load_scenario(scenario)
    with _progress() as bar:
        task = bar.add_task("ingesting", total=None)
        report = ingest_paths(paths, db=db, scenario=loaded, published=day,
                              progress=lambda done, total, _f: bar.update(task, completed=done, total=total))
    out.print(f"{report.added:,} articles added, {report.already:,} already in the store, "
              f"{len(report.skipped):,} skipped; {report.mentions:,} event mentions; {report.events:,} events in {db}")
    for s in report.skipped:
        err.print(f"[yellow]skipped:[/] {s.source}: {s.reason}", highlight=False, soft_wrap=True)


def _killed(low: Any, high: Any) -> str:
    import pandas as pd

    if pd.isna(low):
        return ""
    return f"{int(low)}" if low == high else f"{int(low)}-{int(high)}"


def _store(db: Path):  # type: ignore[no-untyped-def]
    from redline.evidence import open_store

    if not db.exists():
        raise RedlineError(f"no event store at {db}\n  expected: a file written by `redline ingest --db {db}`")
    return open_store(db)


@events_app.command("list")
@friendly
def events_list(db: DbOpt = Path("redline-events.duckdb"),
                action: Annotated[str | None, typer.Option(help="Only this action.")] = None,
                limit: Annotated[int, typer.Option(min=1, help="Rows to show.")] = 50) -> None:
    """List deduplicated events, oldest first.

    Example: redline events list --db events.duckdb --action us_strike_militia
    """
    with _store(db) as store:
        ev = store.events()
    if action:
        ev = ev[ev.action == action]
    t = Table(title=f"{len(ev):,} events in {db}", title_justify="left")
    for col in ("id", "date", "prec", "action", "location", "killed", "sources", "conf"):
        t.add_column(col, justify="right" if col in ("id", "prec", "sources", "conf") else "left", no_wrap=True,
                     min_width=22 if col == "action" else None)
    for e in ev.head(limit).itertuples():
        killed = _killed(e.fatalities_low, e.fatalities_high)
        t.add_row(str(e.event_id), str(e.event_date)[:10], str(e.time_precision), e.action, e.location or "", killed,
                  str(e.n_sources), f"{e.confidence:.2f}")
    out.print(t)


@events_app.command("show")
@friendly
def events_show(event_id: Annotated[int, typer.Argument(help="Event id, as `events list` shows it.")],
                db: DbOpt = Path("redline-events.duckdb")) -> None:
    """Show one event with every supporting article, sentence and character offsets.

    Example: redline events show 3 --db events.duckdb
    """
    with _store(db) as store:
        ev = store.events()
        row = ev[ev.event_id == event_id]
        if row.empty:
            raise RedlineError(f"no event {event_id} in {db}\n  expected: one of the ids `redline events list` shows")
        m = store.con.execute("SELECT m.*, a.title, a.outlet, a.url, a.published FROM mentions m JOIN articles a "
                              "USING (article_id) WHERE event_id = ? ORDER BY a.published", [event_id]).df()
    e = row.iloc[0]
    out.print(f"[bold]event {event_id}[/]: {e.action} ({e.actor1} -> {e.actor2}) on {str(e.event_date)[:10]} "
              f"(precision {e.time_precision}) at {e.location or 'unknown place'}; fatalities "
              f"{_killed(e.fatalities_low, e.fatalities_high) or 'not reported'}; "
              f"{e.n_sources} source(s), confidence {e.confidence:.2f}", highlight=False)
    for r in m.itertuples():
        out.print(f"- {r.outlet or r.url or r.article_id} ({str(r.published)[:10]}), chars {r.start_char}-{r.end_char}"
                  f"{' [background]' if r.background else ''}: [italic]{r.sentence}[/]", highlight=False, markup=True)


@events_app.command("import")
@friendly
def events_import(path: Annotated[Path, typer.Argument(help="An ACLED export (CSV).")],
                  db: DbOpt = Path("redline-events.duckdb"),
                  scenario: Annotated[str, typer.Option(help="Scenario whose actions the rows are mapped to.")] = "iraq-2024",
                  ) -> None:
    """Read an ACLED export into the store; rows merge with news reports of the same events.

    Example: redline events import acled-iraq-2024.csv --db events.duckdb
    """
    from redline.evidence import open_store
    from redline.evidence.acled import import_acled

    if not path.is_file():
        raise RedlineError(f"no file {path}\n  expected: an ACLED export in CSV")
    with open_store(db) as store:
        report = import_acled(path, store, load_scenario(scenario).scenario)
    out.print(f"{report.added:,} ACLED rows added, {report.already:,} already in the store, {len(report.skipped):,} "
              f"skipped; {report.events:,} events in {db}")
    for s in report.skipped:
        err.print(f"[yellow]skipped:[/] {s.source}: {s.reason}", highlight=False, soft_wrap=True)


@events_app.command("export")
@friendly
def events_export(path: Annotated[Path, typer.Argument(help="Output file.")],
                  db: DbOpt = Path("redline-events.duckdb"),
                  format: Annotated[str, typer.Option("--format", help="acled (CSV), plover (JSON), csv or parquet.")] = "acled",
                  scenario: Annotated[str, typer.Option(help="Scenario that coded the events.")] = "iraq-2024") -> None:
    """Export events: ACLED's 31 columns then redline's, PLOVER JSON, CSV or parquet.

    Example: redline events export events.csv --format acled --db events.duckdb
    """
    from redline.evidence import export

    _check_writable("PATH", path)
    with _store(db) as store:
        ev = store.events()
    n = export(ev, load_scenario(scenario).scenario, format, path)
    out.print(f"{n:,} events written to {path} ({format})")


@app.command()
@friendly
def timeline(
    path: Annotated[Path, typer.Argument(help="HTML page to write.")] = Path("timeline.html"),
    db: DbOpt = Path("redline-events.duckdb"),
) -> None:
    """Draw the store's events by actor pair over time (a self-contained HTML page).

    Example: redline timeline timeline.html --db events.duckdb
    """
    from redline.report.timeline import write_timeline

    _check_writable("PATH", path)
    with _store(db) as store:
        ev = store.events()
    if ev.empty:
        raise RedlineError(f"the event store {db} has no events yet\n  expected: run `redline ingest FILES --db {db}` first")
    _write("PATH", path, lambda p: write_timeline(ev, p))
    out.print(f"{len(ev):,} events drawn: {path}")


@app.command()
@friendly
def validate(files: Annotated[list[str], typer.Argument(help="Scenario files (or built-in names) to check.")]) -> None:
    """Check scenario files without running them; reports every problem with file, line and field.

    Example: redline validate my-scenario.yaml
    """
    bad = 0
    for f in files:
        try:
            loaded = load_scenario(f)
        except RedlineError as exc:
            bad += 1
            err.print(f"[bold red]invalid:[/] {f}\n{exc}", highlight=False, soft_wrap=True)
            continue
        sc = loaded.scenario
        out.print(
            f"[green]ok:[/] {f} ({sc.id}: {len(sc.actors)} actors, {len(sc.parameters)} parameters, "
            f"{len(sc.actions)} actions, {len(sc.policies)} policies, {len(sc.outcomes)} outcomes)"
        )
    if bad:
        raise typer.Exit(2)


@app.command()
@friendly
def scenarios() -> None:
    """List the built-in scenarios.

    Example: redline scenarios
    """
    t = Table()
    for col in ("name", "title", "start", "horizon (days)", "baseline policies"):
        t.add_column(col)
    for name in builtin_names():
        sc = load_scenario(name).scenario
        t.add_row(name, sc.title, str(sc.time.start), str(sc.time.horizon), ", ".join(sc.baseline))
    out.print(t)


@app.command()
@friendly
def show(scenario: ScenarioArg = "iraq-2020") -> None:
    """Print a scenario's actors, parameters with sources, actions, policies and outcomes.

    Example: redline show iraq-2024
    """
    sc = load_scenario(scenario).scenario
    out.print(f"[bold]{sc.title}[/] ({sc.id})\n{sc.description.strip()}\n")
    out.print(f"start {sc.time.start}, horizon {sc.time.horizon} days; principal actor: {sc.principal}; "
              f"baseline policies: {', '.join(sc.baseline) or '(none)'}")

    def table(title: str, cols: list[str], rows: list[list[str]]) -> None:
        t = Table(title=title, title_justify="left", show_lines=False)
        for i, c in enumerate(cols):
            t.add_column(c, overflow="fold", no_wrap=i == 0)
        for r in rows:
            t.add_row(*r)
        out.print(t)

    table("Sources", ["id", "outlet", "date", "title"], [[k, s.outlet, s.date, s.title] for k, s in sc.sources.items()])
    table("Actors", ["id", "name", "kind", "patron", "aliases"],
          [[k, a.name, a.kind, a.patron or "", ", ".join(a.aliases[:6]) + (" ..." if len(a.aliases) > 6 else "")]
           for k, a in sc.actors.items()])
    table("State", ["id", "initial", "bounds", "unit", "provenance"],
          [[k, f"{v.initial:g}", f"[{v.bounds[0]:g}, {v.bounds[1]:g}]", v.unit, _prov(v)] for k, v in sc.state.items()])
    table("Parameters", ["id", "value", "unit", "provenance"],
          [[k, describe(p.value if p.value is not None else p.dist), p.unit, _prov(p)]  # type: ignore[arg-type]
           for k, p in sc.parameters.items()])
    ladder = sorted(sc.ladder.items(), key=lambda kv: kv[1].order)
    table("Escalation ladder", ["order", "rung", "MID hostility", "description"],
          [[str(r.order), k, str(r.hostility), r.description or ""] for k, r in ladder])
    table("Actions", ["id", "actor -> target", "rung", "hazard", "ACLED / PLOVER"],
          [[k, f"{a.actor} -> {a.target}", a.rung, f"{a.hazard.kind}: {a.hazard.text}",
            f"{a.acled.event_type} / {a.acled.sub_event_type} / {a.plover}"] for k, a in sc.actions.items()])
    table("Policies", ["id", "actor", "description", "changes"],
          [[k, p.actor, p.description,
            "; ".join([*(f"{n}={describe(v)}" for n, v in p.parameters.items()),
                       *(f"hazard {n}" for n in p.hazards), *(f"initial {n}={v:g}" for n, v in p.initial.items())])]
           for k, p in sc.policies.items()])
    table("Outcomes", ["id", "kind", "definition", "description"],
          [[k, o.kind, str(o.when if o.kind == "first_passage" else o.value), o.description] for k, o in sc.outcomes.items()])


def _prov(item: Any) -> str:
    parts = []
    if item.sources:
        parts.append(f"{', '.join(item.sources)}: {item.why or ''}".strip())
    if item.assumption:
        parts.append(f"assumption: {item.assumption}")
    return " | ".join(parts)


import redline.cli_calibrate  # noqa: F401  (registers calibrate, forecast and backtest on the app)


def main() -> None:  # pragma: no cover - console entry point
    app()
    sys.exit(0)
