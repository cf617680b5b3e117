"""Regression tests for the bugs found in the first code review (each failed before its fix)."""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import redline
from redline.cli import app
from redline.engine.kernel import poisson_from_uniform
from redline.errors import NumericalError, RedlineError, ScenarioError, UnknownNameError

BARE = """\
id: bare
title: Bare
description: a scenario with {what}
sources: {{}}
time: {{start: 2020-01-01, horizon: 5}}
actors:
  a: {{name: A, kind: state}}
principal: a
state: {state}
parameters: {{}}
ladder:
  low: {{order: 0, hostility: 2}}
actions:
  poke:
    actor: a
    target: a
    rung: low
    hazard: {{probability: 0.5}}
    acled: {{event_type: Battles, sub_event_type: Armed clash}}
    plover: ASSAULT
    assumption: test
outcomes:
{outcomes}
"""
FIRST_PASSAGE = '  poked: {kind: first_passage, description: d, when: "count(poke) > 0"}\n'
QUANTITY = '  pokes: {kind: quantity, description: d, value: "count(poke)"}\n'
ONE_STATE = "\n  x: {initial: 0, bounds: [0, 10], unit: u, assumption: test}"


def _bare(tmp_path: Path, *, state: str = ONE_STATE, outcomes: str = FIRST_PASSAGE + QUANTITY) -> Path:
    path = tmp_path / "bare.yaml"
    path.write_text(BARE.format(what="little", state=state or "{}", outcomes=outcomes), encoding="utf-8")
    return path


# ----- engine numerics ------------------------------------------------------------------------------


def test_poisson_inversion_for_large_rates():
    rng = np.random.default_rng(0)
    k = poisson_from_uniform(np.full(2000, 1000.0), rng.random(2000))
    assert abs(k.mean() - 1000.0) < 5 * np.sqrt(1000.0 / 2000)


def test_engine_rate_hazard_of_1000(toy_variant):
    path = toy_variant(("rate: {value: 0.2,", "rate: {value: 1000,"))
    res = redline.simulate(str(path), runs=200, horizon=1, seed=1)
    raids = res.totals[0].astype(float)
    assert abs(raids.mean() - 1000.0) < 5 * np.sqrt(1000.0 / raids.size)


def test_binomial_with_huge_n_is_not_silently_zero(toy_variant):
    path = toy_variant(('draws: {hurt: "binomial(n, 0.5)"}', 'draws: {hurt: "binomial(1e12 * 1e12, 0.5)"}'))
    try:
        res = redline.simulate(str(path), runs=50, seed=1)
    except RedlineError:
        return  # a clean error is an acceptable answer
    assert res.quantities().loc["hits_total", "mean"] > 0


@pytest.mark.parametrize(
    "draw",
    ["uniform(0, 1e12 ** 30)", "poisson(1e12 * 1e12)"],
    ids=["uniform-overflow", "poisson-too-large"],
)
def test_bad_draw_arguments_raise_redline_errors(toy_variant, draw):
    path = toy_variant(('draws: {hurt: "binomial(n, 0.5)"}', f'draws: {{hurt: "{draw}"}}'))
    with pytest.raises(RedlineError):
        redline.simulate(str(path), runs=50, seed=1)


def test_random_half_life_of_recent_is_rejected(toy_variant):
    path = toy_variant(("effects: {add: {hits: hurt, heat: n}}",
                        'effects: {add: {hits: "recent(raid, uniform(1, 2))", heat: n}}'))
    with pytest.raises(RedlineError):
        redline.simulate(redline.load_scenario(path), runs=10, seed=1)


def test_bad_half_life_error_has_a_location(toy_variant):
    path = toy_variant(("heat_half_life: {value: 7,", "heat_half_life: {value: 0,"))
    with pytest.raises(ScenarioError) as info:
        redline.simulate(str(path), runs=10, seed=1)
    assert info.value.location is not None and info.value.location.file


# ----- workers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "exc",
    [NumericalError("rate hazard", "raid", "rate", 3, 4, -1.0), UnknownNameError("policy", "x", ["a"])],
    ids=["numerical", "unknown-name"],
)
def test_errors_survive_pickling(exc):
    again = pickle.loads(pickle.dumps(exc))
    assert type(again) is type(exc) and str(again) == str(exc)


def test_numerical_error_with_workers(toy_variant):
    path = toy_variant(("hazard: {rate: rate}", 'hazard: {rate: "rate * (1 - t / 10)"}'))
    with pytest.raises(NumericalError, match="raid"):
        redline.simulate(str(path), runs=100, seed=1, workers=2)


# ----- results ----------------------------------------------------------------------------------------


def test_scenario_without_quantities(tmp_path):
    res = redline.simulate(str(_bare(tmp_path, outcomes=FIRST_PASSAGE)), runs=20, seed=1)
    doc = res.to_dict()
    assert doc["quantities"] == {} and set(doc["outcomes"]) == {"poked"}


def test_scenario_without_first_passage_outcomes(tmp_path):
    res = redline.simulate(str(_bare(tmp_path, outcomes=QUANTITY)), runs=20, seed=1)
    doc = res.to_dict()
    assert doc["outcomes"] == {} and set(doc["quantities"]) == {"pokes"}


def test_scenario_without_state_variables(tmp_path):
    res = redline.simulate(str(_bare(tmp_path, state="")), runs=20, seed=1)
    assert len(res.state_quantiles()) == 0
    res.write_report(str(tmp_path / "r.html"))


def test_scenario_without_parameters(tmp_path):
    res = redline.simulate(str(_bare(tmp_path)), runs=20, seed=1)  # has a state variable, no parameters
    assert len(res.assumptions()) == 0
    res.write_report(str(tmp_path / "r.html"))


def test_json_summary_is_strict_json(toy_variant):
    path = toy_variant(("value: hits}", 'value: "0 * log(hits - hits)"}'))
    try:
        res = redline.simulate(str(path), runs=20, seed=1)
    except RedlineError:
        return  # rejecting a NaN quantity is also acceptable
    json.dumps(res.to_dict(), allow_nan=False)


# ----- scenario files -----------------------------------------------------------------------------------


def _load_cleanly(path: Path) -> None:
    """Loading may succeed or raise a RedlineError, nothing else."""
    try:
        redline.load_scenario(path)
    except RedlineError:
        pass


def test_yaml_merge_keys(tmp_path, toy_text):
    text = toy_text.replace("actors:\n", "common: &common {kind: state}\nactors:\n", 1)
    path = tmp_path / "merge.yaml"
    path.write_text(text + "x:\n  <<: *common\n", encoding="utf-8")
    _load_cleanly(path)


def test_tagged_sequence(tmp_path):
    path = tmp_path / "tagged.yaml"
    path.write_text("x: !foo [1]\n", encoding="utf-8")
    _load_cleanly(path)


def test_extends_binary_file(tmp_path):
    (tmp_path / "blob.yaml").write_bytes(b"\xd0\xcf\x11\xe0\xff\xfe binary")
    path = tmp_path / "child.yaml"
    path.write_text("extends: blob.yaml\n", encoding="utf-8")
    _load_cleanly(path)


def test_alias_bomb_is_rejected(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 6)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        redline.load_scenario(path)
    message = str(info.value).replace(str(path), "<file>")  # the test's tmp path contains 'alias'
    assert re.search(r"(?i)alias|anchor|expan|too (large|many|big)", message), message[:300]


# ----- CLI ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("option", ["--json", "--events"])
def test_cli_unwritable_output_path(tmp_path, toy_path, option):
    target = str(tmp_path / "missing-dir" / "out")
    result = CliRunner().invoke(app, ["run", str(toy_path), "--runs", "20", "--seed", "1", "--no-report",
                                      option, target])
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), repr(result.exception)
