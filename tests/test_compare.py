"""Courses of action compared with common random numbers (issue 3, first part)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import redline
from redline.analysis import compare
from redline.cli import app

TOY = str(Path(__file__).parent / "data" / "toy.yaml")


@pytest.fixture(scope="module")
def cmp():
    return compare("iraq-2020", ["proportional", "press_baghdad", "restraint"], runs=6000, seed=4, horizon=90)


def test_each_policy_matches_a_plain_simulation_with_the_same_seed(cmp):
    alone = redline.simulate("iraq-2020", ["restraint"], runs=6000, seed=4, horizon=90)
    np.testing.assert_array_equal(cmp.results["restraint"].first_passage, alone.first_passage)
    assert cmp.baseline == "proportional" and cmp.policy_sets["restraint"] == ("restraint",)


def test_paired_differences_are_exact_differences_with_narrower_intervals(cmp):
    diffs = cmp.differences()
    probs = cmp.probabilities()
    for (oid, pol), row in diffs.iterrows():
        expected = probs.loc[(oid, pol)].probability - probs.loc[(oid, "proportional")].probability
        assert row.difference == pytest.approx(expected, abs=1e-12)
        assert row.paired_low <= row.difference <= row.paired_high
        assert row.paired_high - row.paired_low <= row.unpaired_high - row.unpaired_low + 1e-12
    # common random numbers pay off where a policy changes little: at least 3x narrower
    row = diffs.loc[("us_death", "press_baghdad")]
    assert (row.paired_high - row.paired_low) * 3 < row.unpaired_high - row.unpaired_low


def test_a_policy_identical_to_the_baseline_differs_by_exactly_zero():
    same = compare(TOY, ["calm", "hawk"], baseline="calm", runs=3000, seed=2)
    again = compare(TOY, ["calm"], runs=3000, seed=2)
    np.testing.assert_array_equal(same.results["calm"].quantity_values, again.results["calm"].quantity_values)
    hawk = same.differences().loc[("first_strike", "hawk")]
    assert hawk.difference > 0.2  # p 0.1/day vs U(0.01, 0.03)/day over 50 days


def test_default_policies_are_the_principal_actors(cmp):
    full = compare("iraq-2020", runs=500, seed=1, horizon=20)
    assert full.policies == ["proportional", "decapitate", "strike_iran", "withdraw", "restraint", "press_baghdad"]


def test_unknown_policy_and_baseline_list_valid_names():
    with pytest.raises(redline.UnknownNameError, match="valid policy names: .*restraint"):
        compare("iraq-2020", ["proportional", "nuke"], runs=10)
    with pytest.raises(redline.UnknownNameError, match="unknown policy 'dove'"):
        compare(TOY, ["calm"], baseline="dove", runs=10)


def test_cli_compare_prints_tables_and_writes_json_and_report(tmp_path):
    js, html = tmp_path / "c.json", tmp_path / "c.html"
    result = CliRunner().invoke(app, ["compare", "iraq-2020", "--policies", "proportional,withdraw", "--runs", "2000",
                                      "--seed", "3", "--horizon", "60", "--json", str(js), "--report", str(html)],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "paired 95%" in result.output and "unpaired 95%" in result.output and "withdraw" in result.output
    doc = json.loads(js.read_text())
    entry = doc["outcomes"]["us_death"]["withdraw"]
    assert set(entry) >= {"probability", "ci95", "median_days", "difference", "difference_ci95_paired",
                          "difference_ci95_unpaired"}
    page = html.read_text()
    assert page.count("plotly.js v") <= 2 and "<script src=\"http" not in page and "Differences from the baseline" in page
    bad = CliRunner().invoke(app, ["compare", "--policies", "nuke", "--runs", "10"])
    assert bad.exit_code == 2 and "restraint" in bad.output
