"""The CLI is a thin skin: check options, outputs, exit codes and the docs' example commands."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from redline.cli import app

ROOT = Path(__file__).parent.parent
runner = CliRunner()


def invoke(*args: str, cwd: Path | None = None):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_run_defaults_to_iraq_2020_with_report(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("run", "--runs", "3000", "--seed", "1")
    assert result.exit_code == 0, result.output
    assert "iraq-2020" in result.output and "seed 1" in result.output
    assert "direct_us_iran" in result.output and "95% interval" in result.output
    report = tmp_path / "iraq-2020-report.html"
    assert report.exists() and report.stat().st_size > 100_000


def test_run_json_and_events(tmp_path):
    js, ev = tmp_path / "o.json", tmp_path / "e.csv"
    result = invoke("run", "iraq-2022", "--policy", "restraint,leash", "--runs", "1500", "--seed", "3",
                    "--horizon", "60", "--json", str(js), "--events", str(ev), "--sample-runs", "10", "--no-report")
    assert result.exit_code == 0, result.output
    doc = json.loads(js.read_text())
    assert doc["scenario"] == "iraq-2022" and doc["policy"] == ["restraint", "leash"]
    assert doc["runs"] == 1500 and doc["horizon_days"] == 60 and doc["seed"] == 3
    assert set(doc["outcomes"]["withdrawal_demand"]) == {"probability", "ci95", "median_days"}
    assert set(doc["quantities"]["us_killed"]) == {"mean", "p05", "p50", "p95"}
    events = pd.read_csv(ev)
    assert list(events.columns[:7]) == ["event_date", "actor1", "actor2", "event_type", "sub_event_type", "fatalities", "run"]
    assert events.run.max() < 10


def test_same_seed_same_json(tmp_path):
    outs = []
    for workers in ("1", "2"):
        path = tmp_path / f"w{workers}.json"
        assert invoke("run", "--runs", "17000", "--seed", "9", "--horizon", "30", "--workers", workers,
                      "--json", str(path), "--no-report").exit_code == 0
        outs.append(path.read_text())
    assert outs[0] == outs[1]


def test_unknown_policy_lists_valid_names():
    result = invoke("run", "--policy", "nuke", "--runs", "10", "--no-report")
    assert result.exit_code == 2
    assert "unknown policy 'nuke'" in result.output and "restraint" in result.output and "strike_iran" in result.output


def test_unknown_scenario_lists_builtins():
    result = invoke("show", "iraq-1990")
    assert result.exit_code == 2 and "iraq-2020" in result.output and "iraq-2024" in result.output


def test_validate_reports_bad_file_and_checks_the_rest(tmp_path):
    good = ROOT / "tests" / "data" / "toy.yaml"
    bad = tmp_path / "bad.yaml"
    text = good.read_text().replace("rung: fight", "rung: brawl")
    bad.write_text(text)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "rung: brawl" in t)
    result = invoke("validate", str(bad), str(good), "iraq-2024")
    assert result.exit_code == 2
    assert f"bad.yaml:{line}:" in result.output and "unknown rung 'brawl'" in result.output
    assert "fight, talk" in result.output
    assert "ok: " in result.output and "iraq-2024" in result.output


def test_scenarios_and_show():
    result = invoke("scenarios")
    assert result.exit_code == 0
    for name in ("iraq-2020", "iraq-2022", "iraq-2024"):
        assert name in result.output
    shown = invoke("show", "iraq-2024")
    assert shown.exit_code == 0
    for part in ("Actors", "Parameters", "Actions", "Policies", "Outcomes", "israel_strike_gain", "press_baghdad", "S3"):
        assert part in shown.output


def test_bad_numbers_are_rejected_by_the_cli():
    assert invoke("run", "--runs", "0").exit_code != 0
    assert invoke("run", "--seed", "-4").exit_code != 0


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)```", readme, re.DOTALL)
    assert blocks[1].strip() in (ROOT / ".ci" / "run").read_text()
    assert "redline run" in blocks[0]


def test_every_readme_example_command_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    readme = (ROOT / "README.md").read_text()
    commands = [line.split("#")[0].strip() for block in re.findall(r"```bash\n(.*?)```", readme, re.DOTALL)[2:]
                for line in block.splitlines() if line.startswith("redline ")]
    assert len(commands) >= 5
    for command in commands:
        words = shlex.split(command)[1:]
        args = [str(tmp_path / a) if a.endswith((".json", ".csv", ".html")) or (i and words[i - 1] == "--out") else a
                for i, a in enumerate(words)]
        result = invoke(*args)
        assert result.exit_code == 0, f"{command}\n{result.output}"
    documented = {m.group(1) for m in re.finditer(r"redline (\w+)", readme)}
    assert {"run", "validate", "scenarios", "show"} <= documented
