"""Every way a scenario file can be wrong gives file, line, column, field path, expected/found.

Each test breaks one thing in a copy of tests/data/toy.yaml and checks where the
error points: the line is computed from the broken text, so it is exact.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

import redline
from redline.errors import ExpressionError, ScenarioError, ScenarioErrors, UnknownNameError

Variant = Callable[..., Path]


def line_of(path: Path, needle: str) -> int:
    """1-based line of the unique occurrence of ``needle`` in the file at ``path``."""
    text = path.read_text(encoding="utf-8")
    assert text.count(needle) == 1, f"{needle!r} occurs {text.count(needle)} times"
    return text[: text.index(needle)].count("\n") + 1


def only_error(path: Path) -> ScenarioError:
    """The single error that loading ``path`` reports."""
    with pytest.raises(ScenarioErrors) as exc:
        redline.load_scenario(path)
    assert len(exc.value.errors) == 1, str(exc.value)
    assert str(exc.value).startswith("1 error(s) in scenario:\n")
    return exc.value.errors[0]


def assert_points_at(err: ScenarioError, path: Path, line: int, field: str | None) -> None:
    """``err`` names the file, the exact line, a column and the field path, in text and as data."""
    loc = err.location
    assert loc is not None
    assert (loc.file, loc.line, loc.path) == (str(path), line, field), str(err)
    assert isinstance(loc.column, int) and loc.column >= 1
    head = f"{path}:{line}:{loc.column}" + (f", field {field}" if field else "") + ": "
    assert str(err).startswith(head), str(err)


# ---------------------------------------------------------------------------
# One broken field, one error pointing at it
# ---------------------------------------------------------------------------

# (id, [(old, new), ...], text on the broken line, field path, message regex, expected, found)
CASES = [
    (
        "missing-required-field",
        [("rate: {value: 0.2, unit: events/day, assumption", "rate: {value: 0.2, assumption")],
        "rate: {value: 0.2, assumption",
        "parameters.rate.unit",
        r"missing field 'unit'",
        "this field to be present",
        None,
    ),
    (
        "wrong-type",
        [("bounds: [0, 1000]", 'bounds: "abc"')],
        'bounds: "abc"',
        "state.heat.bounds",
        r"Input should be a valid tuple",
        None,
        "'abc'",
    ),
    (
        "wrong-type-number",
        [("horizon: 50", "horizon: fifty")],
        "horizon: fifty",
        "time.horizon",
        r"Input should be a valid integer",
        None,
        "'fifty'",
    ),
    (
        "out-of-range",
        [("hostility: 4", "hostility: 9")],
        "hostility: 9",
        "ladder.fight.hostility",
        r"Input should be less than or equal to 5",
        None,
        "9",
    ),
    (
        "bad-distribution-kind",
        [("kind: uniform, low: 0.01, high: 0.03", "kind: triangluar, low: 0.01, mode: 0.02, high: 0.03")],
        "kind: triangluar",
        "parameters.p_strike.dist",
        r"tag 'triangluar' .* does not match any of the expected tags: .*'triangular'",
        None,
        None,
    ),
    (
        "triangular-mode-above-high",
        [("kind: uniform, low: 0.01, high: 0.03", "kind: triangular, low: 0.01, mode: 0.05, high: 0.03")],
        "kind: triangular",
        "parameters.p_strike.dist",
        r"triangular needs low <= mode <= high and low < high",
        None,
        "low=0.01, mode=0.05, high=0.03",
    ),
    (
        "uniform-low-above-high",
        [("kind: uniform, low: 0.01, high: 0.03", "kind: uniform, low: 0.05, high: 0.03")],
        "kind: uniform",
        "parameters.p_strike.dist",
        r"uniform needs low < high",
        "low < high",
        "low=0.05, high=0.03",
    ),
    (
        "parameter-without-provenance",
        [("rate: {value: 0.2, unit: events/day, assumption: test fixture}", "rate: {value: 0.2, unit: events/day}")],
        "rate: {value: 0.2, unit: events/day}",
        "parameters.rate",
        r"needs provenance: give 'sources' .* with 'why', or 'assumption' with its reason",
        None,
        None,
    ),
    (
        "sources-without-why",
        [("sources: [T1], why: test fixture}", "sources: [T1]}")],
        "  p_strike: {dist",
        "parameters.p_strike",
        r"'sources' given without 'why'",
        None,
        None,
    ),
    (
        "unknown-source",
        [("sources: [T1], why", "sources: [T9], why")],
        "sources: [T9]",
        "parameters.p_strike.sources.0",
        r"unknown source 'T9'",
        "one of T1",
        "T9",
    ),
    (
        "unknown-actor",
        [("    actor: b\n", "    actor: zz\n")],
        "actor: zz",
        "actions.raid.actor",
        r"unknown actor 'zz'",
        "one of a, b",
        "zz",
    ),
    (
        "unknown-target",
        [("    target: b\n", "    target: zz\n")],
        "target: zz",
        "actions.strike.target",
        r"unknown actor 'zz'",
        "one of a, b",
        "zz",
    ),
    (
        "unknown-rung",
        [("rung: talk", "rung: brawl")],
        "rung: brawl",
        "actions.raid.rung",
        r"unknown rung 'brawl'",
        "one of fight, talk",
        "brawl",
    ),
    (
        "unknown-principal",
        [("principal: a", "principal: c")],
        "principal: c",
        "principal",
        r"unknown actor 'c'",
        "one of a, b",
        "c",
    ),
    (
        "unknown-patron",
        [("patron: a", "patron: q")],
        "patron: q",
        "actors.b.patron",
        r"unknown actor 'q'",
        "one of a, b",
        "q",
    ),
    (
        "effect-on-unknown-state-variable",
        [("{add: {hits: hurt, heat: n}}", "{add: {hits: hurt, hate: n}}")],
        "hate: n",
        "actions.raid.effects.add.hate",
        r"unknown state variable 'hate'",
        "one of heat, hits",
        "hate",
    ),
    (
        "unknown-action-in-count",
        [('when: "count(strike) > 0"', 'when: "count(strik) > 0"')],
        "count(strik)",
        "outcomes.first_strike.when",
        r"unknown action 'strik'",
        "one of raid, strike",
        "strik",
    ),
    (
        "unknown-action-in-recent",
        [("hazard: {probability: p_strike}", 'hazard: {probability: "p_strike * recent(raidd, 7)"}')],
        "recent(raidd, 7)",
        "actions.strike.hazard.probability",
        r"unknown action 'raidd'",
        "one of raid, strike",
        "raidd",
    ),
    (
        "unknown-action-in-days-since",
        [('value: "count(raid)"', 'value: "days_since(rade)"')],
        "days_since(rade)",
        "outcomes.raids.value",
        r"unknown action 'rade'",
        "one of raid, strike",
        "rade",
    ),
    (
        "state-variable-as-recent-half-life",
        [("hazard: {probability: p_strike}", 'hazard: {probability: "p_strike * recent(raid, heat)"}')],
        "recent(raid, heat)",
        "actions.strike.hazard.probability",
        r"only parameters and numbers may set a half-life: 'heat'",
        "one of heat_half_life, p_strike, rate",
        "p_strike * recent(raid, heat)",
    ),
    (
        "unknown-name-in-relax",
        [("half_life: heat_half_life", "half_life: heat_halflife")],
        "half_life: heat_halflife",
        "state.heat.relax.half_life",
        r"unknown name 'heat_halflife' in expression",
        "one of heat_half_life, p_strike, rate",
        "heat_halflife",
    ),
    (
        "unknown-policy-in-baseline",
        [("baseline: [calm]", "baseline: [calmm]")],
        "baseline: [calmm]",
        "baseline.0",
        r"unknown policy 'calmm'",
        "one of calm, hawk",
        "calmm",
    ),
    (
        "policy-overrides-unknown-parameter",
        [("parameters: {p_strike: 0.1}", "parameters: {p_strik: 0.1}")],
        "p_strik: 0.1",
        "policies.hawk.parameters.p_strik",
        r"unknown parameter 'p_strik'",
        "one of heat_half_life, p_strike, rate",
        "p_strik",
    ),
    (
        "policy-overrides-hazard-of-unknown-action",
        [("parameters: {p_strike: 0.1}", "hazards: {strik: {probability: 0.5}}")],
        "hazards: {strik:",
        "policies.hawk.hazards.strik",
        r"unknown action 'strik'",
        "one of raid, strike",
        "strik",
    ),
    (
        "policy-sets-unknown-initial-state",
        [("parameters: {p_strike: 0.1}", "initial: {hate: 1}")],
        "initial: {hate: 1}",
        "policies.hawk.initial.hate",
        r"unknown state variable 'hate'",
        "one of heat, hits",
        "hate",
    ),
    (
        "policy-initial-outside-bounds",
        [("parameters: {p_strike: 0.1}", "initial: {heat: 5000}")],
        "initial: {heat: 5000}",
        "policies.hawk.initial.heat",
        r"initial value outside the variable's bounds",
        "between 0.0 and 1000.0",
        "5000.0",
    ),
    (
        "policy-without-provenance",
        [("description: nothing changes, assumption: test fixture}", "description: nothing changes}")],
        "calm: {actor: a",
        "policies.calm",
        r"a policy needs 'sources' or an 'assumption' with its reason",
        None,
        None,
    ),
    (
        "action-without-provenance",
        [("    plover: ASSAULT\n    assumption: test fixture\npolicies", "    plover: ASSAULT\npolicies")],
        "    actor: a\n",
        "actions.strike",
        r"needs provenance: give 'sources' .* with 'why', or 'assumption' with its reason",
        None,
        None,
    ),
    (
        "unknown-acled-event-type",
        [("event_type: Explosions/Remote violence, sub_event_type: Air", "event_type: Explosion, sub_event_type: Air")],
        "event_type: Explosion,",
        "actions.strike.acled",
        (r"unknown ACLED event_type 'Explosion'; valid: Battles, Explosions/Remote violence, "
         r"Violence against civilians, Protests, Riots, Strategic developments"),
        None,
        None,
    ),
    (
        "unknown-acled-sub-event-type",
        [("sub_event_type: Air/drone strike", "sub_event_type: Drone")],
        "sub_event_type: Drone",
        "actions.strike.acled",
        r"sub_event_type 'Drone' is not one of 'Explosions/Remote violence''s: .*Air/drone strike",
        None,
        None,
    ),
    (
        "unknown-plover-type",
        [("plover: ASSAULT\n    assumption: test fixture\n  strike", "plover: ASSALT\n    assumption: test fixture\n  strike")],
        "plover: ASSALT",
        "actions.raid.plover",
        r"Input should be 'AGREE', 'CONSULT', .* or 'ASSAULT'",
        None,
        "'ASSALT'",
    ),
    (
        "unknown-actor-kind",
        [("kind: militia", "kind: militya")],
        "kind: militya",
        "actors.b.kind",
        r"Input should be 'state', 'militia', .* or 'other'",
        None,
        "'militya'",
    ),
    (
        "hazard-with-both-kinds",
        [("hazard: {rate: rate}", "hazard: {rate: rate, probability: 0.1}")],
        "hazard: {rate: rate, probability",
        "actions.raid.hazard",
        r"give exactly one of 'probability' \(daily chance\) or 'rate' \(expected events per day\)",
        None,
        None,
    ),
    (
        "expression-of-wrong-type",
        [("fatalities: hurt", "fatalities: [1, 2]")],
        "fatalities: [1, 2]",
        "actions.raid.fatalities",
        r"wrong type",
        "text (an expression) or a number",
        "[1, 2]",
    ),
    (
        "draw-hides-a-name",
        [('draws: {hurt: "binomial(n, 0.5)"}', 'draws: {hurt: "binomial(n, 0.5)", rate: "poisson(1)"}')],
        'rate: "poisson(1)"',
        "actions.raid.draws.rate",
        r"draw name 'rate' hides another name",
        "a new name",
        None,
    ),
    (
        "reserved-name",
        [("  heat_half_life: {value: 7", "  t: {value: 7"), ("half_life: heat_half_life", "half_life: 7")],
        "  t: {value: 7",
        "parameters.t",
        r"'t' is a reserved name",
        "another id",
        None,
    ),
    (
        "duplicate-rung-order",
        [("fight: {order: 1", "fight: {order: 0")],
        "fight: {order: 0",
        "ladder.fight.order",
        r"rung order 0 already used by 'talk'",
        None,
        None,
    ),
    (
        "id-not-an-identifier",
        [("  b: {name: Beta", "  Beta: {name: Beta")],
        "  Beta: {name: Beta",
        "actors.Beta.[key]",
        r"String should match pattern '\^\[a-z\]\[a-z0-9_\]\*\$'",
        None,
        "'Beta'",
    ),
]


@pytest.mark.parametrize(
    ("replacements", "needle", "field", "match", "expected", "found"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_one_broken_field_gives_one_located_error(
    toy_variant: Variant,
    replacements: list[tuple[str, str]],
    needle: str,
    field: str,
    match: str,
    expected: str | None,
    found: str | None,
) -> None:
    path = toy_variant(*replacements)
    err = only_error(path)
    assert_points_at(err, path, line_of(path, needle), field)
    assert re.search(match, err.message), err.message
    assert err.expected == expected
    assert err.found == found
    if expected is not None:
        assert f"\n  expected: {expected}" in str(err)
    if found is not None:
        assert f"\n  found: {found}" in str(err)


def test_unknown_names_are_listed_in_the_combined_message(toy_variant: Variant) -> None:
    path = toy_variant(("rung: talk", "rung: brawl"))
    with pytest.raises(ScenarioErrors, match=r"unknown rung 'brawl'\n  expected: one of fight, talk\n  found: brawl"):
        redline.load_scenario(path)


# ---------------------------------------------------------------------------
# Expressions inside the scenario
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hazard", "match", "found"),
    [
        ('"p_strike *"', r"invalid expression syntax", "p_strike *"),
        ('"p_strike * (1 +"', r"invalid expression syntax at column 12: '\(' was never closed", "p_strike * (1 +"),
        ("\"__import__('os').system('ls')\"", r"only plain function names may be called",
         "__import__('os').system('ls')"),
        ('"p_strike % 2"', r"operator Mod is not allowed", "p_strike % 2"),
        ('"p_strike ** 1000"', r"exponent too large", "1000.0"),
    ],
)
def test_expression_error_points_at_the_hazard_line(toy_variant: Variant, hazard: str, match: str, found: str) -> None:
    path = toy_variant(("hazard: {probability: p_strike}", f"hazard: {{probability: {hazard}}}"))
    err = only_error(path)
    assert isinstance(err, ExpressionError)
    assert_points_at(err, path, line_of(path, "hazard: {probability:"), "actions.strike.hazard.probability")
    assert re.search(match, err.message), err.message
    assert err.found == found


def test_expression_error_in_a_block_scalar_points_at_its_line(toy_variant: Variant) -> None:
    path = toy_variant(
        ("hazard: {probability: p_strike}", "hazard:\n      probability: >-\n        p_strike *\n        (1 +")
    )
    err = only_error(path)
    assert_points_at(err, path, line_of(path, "probability: >-"), "actions.strike.hazard.probability")
    assert err.found == "p_strike * (1 +"


# ---------------------------------------------------------------------------
# Errors found while reading the YAML (a single ScenarioError, no validation)
# ---------------------------------------------------------------------------


def _read_error(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as exc:
        redline.load_scenario(path)
    assert type(exc.value) is ScenarioError, type(exc.value)
    return exc.value


def test_yaml_syntax_error_gives_line_and_column(toy_variant: Variant) -> None:
    path = toy_variant(("title: Toy duel", "title: Toy: duel"))
    err = _read_error(path)
    line = line_of(path, "title: Toy: duel")
    assert err.location is not None
    assert (err.location.line, err.location.column) == (line, len("title: Toy:"))
    assert str(err) == f"{path}:{line}:11: YAML syntax error: mapping values are not allowed here\n  expected: valid YAML"


def test_yaml_tab_indentation_gives_its_line(toy_variant: Variant) -> None:
    path = toy_variant(("  talk: {order", "\ttalk: {order"))
    err = _read_error(path)
    assert str(err).startswith(f"{path}:{line_of(path, chr(9) + 'talk')}:1: YAML syntax error: found character '\\t'")


@pytest.mark.parametrize(
    ("text", "found"),
    [("- a\n- b\n", None), ("just text\n", "a single text value ('just text')"), ("42\n", "a single value (42)"), ("", "an empty file"), ("# only a comment\n", "an empty file")],
)
def test_a_file_that_is_not_a_mapping(tmp_path: Path, text: str, found: str | None) -> None:
    path = tmp_path / "flat.yaml"
    path.write_text(text, encoding="utf-8")
    err = _read_error(path)
    assert str(err).startswith(f"{path}:1:1: a scenario file must be a YAML mapping\n")
    assert err.expected == "keys such as id, title, actors, parameters, actions"
    if found is not None:
        assert err.found == found


def test_a_top_level_list_is_described_in_user_terms(tmp_path: Path) -> None:
    path = tmp_path / "flat.yaml"
    path.write_text("- a\n- b\n", encoding="utf-8")
    err = _read_error(path)
    assert "Commented" not in str(err)
    assert err.found is not None and "list" in err.found


def test_duplicate_top_level_key(toy_variant: Variant) -> None:
    path = toy_variant(("principal: a\n", "principal: a\nprincipal: b\n"))
    err = _read_error(path)
    assert err.location is not None
    assert err.location.line == line_of(path, "principal: b")
    assert re.search(r'YAML syntax error: found duplicate key "principal" with value "b" \(original value: "a"\)', str(err))


def test_duplicate_nested_key(toy_variant: Variant) -> None:
    path = toy_variant(("  heat_half_life: {value: 7", "  rate: {value: 7"), ("half_life: heat_half_life", "half_life: 7"))
    err = _read_error(path)
    assert err.location is not None
    assert err.location.line == line_of(path, "  rate: {value: 7")
    assert 'found duplicate key "rate"' in str(err)


def test_non_text_key(toy_variant: Variant) -> None:
    path = toy_variant(("  talk: {order", "  1: {order"))
    err = _read_error(path)
    assert_points_at(err, path, line_of(path, "  1: {order"), "ladder")
    assert err.message == "mapping keys must be text"
    assert err.found == "1"


# ---------------------------------------------------------------------------
# Unknown fields
# ---------------------------------------------------------------------------


def test_misspelt_field_is_reported_with_its_line(toy_variant: Variant) -> None:
    path = toy_variant(("    hazard: {rate: rate}", "    hazzard: {rate: rate}"))
    with pytest.raises(ScenarioErrors) as exc:
        redline.load_scenario(path)
    by_field = {e.location.path: e for e in exc.value.errors if e.location is not None}
    assert set(by_field) == {"actions.raid.hazzard", "actions.raid.hazard"}
    unknown = by_field["actions.raid.hazzard"]
    assert_points_at(unknown, path, line_of(path, "hazzard:"), "actions.raid.hazzard")
    assert unknown.message == "unknown field 'hazzard'"
    assert by_field["actions.raid.hazard"].message == "missing field 'hazard'"


def test_misspelt_field_lists_the_valid_fields(toy_variant: Variant) -> None:
    path = toy_variant(("    hazard: {rate: rate}", "    hazzard: {rate: rate}"))
    with pytest.raises(ScenarioErrors) as exc:
        redline.load_scenario(path)
    [unknown] = [e for e in exc.value.errors if e.message == "unknown field 'hazzard'"]
    for name in ("actor", "target", "rung", "hazard", "draws", "effects", "fatalities"):
        assert name in str(unknown.expected)


# ---------------------------------------------------------------------------
# Bugs found by these tests (outside the expression language)
# ---------------------------------------------------------------------------


def test_policy_parameter_of_wrong_type_gives_one_clear_error(toy_variant: Variant) -> None:
    path = toy_variant(("parameters: {p_strike: 0.1}", "parameters: {p_strike: abc}"))
    err = only_error(path)
    assert_points_at(err, path, line_of(path, "p_strike: abc"), "policies.hawk.parameters.p_strike")
    assert "distribution" in str(err.expected)
    assert "expression" not in str(err.expected)


def test_unknown_source_of_an_action_is_reported_once(toy_variant: Variant) -> None:
    path = toy_variant(
        ("    plover: ASSAULT\n    assumption: test fixture\npolicies", "    plover: ASSAULT\n    sources: [T9]\n    why: x\npolicies")
    )
    err = only_error(path)
    assert_points_at(err, path, line_of(path, "sources: [T9]"), "actions.strike.sources.0")


def test_action_sources_without_why_are_rejected(toy_variant: Variant) -> None:
    path = toy_variant(
        ("    plover: ASSAULT\n    assumption: test fixture\npolicies", "    plover: ASSAULT\n    sources: [T1]\npolicies")
    )
    err = only_error(path)
    assert "'why'" in err.message
    assert err.location is not None and err.location.path is not None
    assert err.location.path.startswith("actions.strike")


def test_unknown_name_in_recent_half_life_is_reported_once(toy_variant: Variant) -> None:
    path = toy_variant(("hazard: {probability: p_strike}", 'hazard: {probability: "p_strike * recent(raid, halflife)"}'))
    err = only_error(path)
    assert_points_at(err, path, line_of(path, "recent(raid, halflife)"), "actions.strike.hazard.probability")
    assert err.message == "unknown name 'halflife' in the half-life of recent()"
    assert err.expected == "one of heat_half_life, p_strike, rate"


# ---------------------------------------------------------------------------
# extends, built-in names, missing files
# ---------------------------------------------------------------------------


def test_extends_naming_a_missing_file(toy_variant: Variant, toy_text: str, tmp_path: Path) -> None:
    path = tmp_path / "child.yaml"
    path.write_text("extends: missing.yaml\n" + toy_text, encoding="utf-8")
    err = _read_error(path)
    assert_points_at(err, path, 1, "extends")
    assert err.message == "the scenario named by 'extends' does not exist"
    assert err.found == str(tmp_path / "missing.yaml")
    assert "an existing .yaml file" in str(err.expected)


def test_extends_naming_an_unknown_builtin_lists_the_builtins(tmp_path: Path) -> None:
    path = tmp_path / "child.yaml"
    path.write_text("id: child\nextends: nonesuch\n", encoding="utf-8")
    err = _read_error(path)
    assert_points_at(err, path, 2, "extends")
    assert re.search(r"unknown scenario 'nonesuch'; valid scenario names: .*iraq-2020", err.message)


def test_extends_cycle_is_stopped(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text("extends: loop.yaml\nid: loop\n", encoding="utf-8")
    err = _read_error(path)
    assert_points_at(err, path, 1, "extends")
    assert err.message == "'extends' chain too long (a cycle?)"


def test_errors_point_into_the_file_that_holds_them(toy_variant: Variant, tmp_path: Path) -> None:
    base = toy_variant(("rung: talk", "rung: brawl"), name="base.yaml")
    child = tmp_path / "child.yaml"
    child.write_text("extends: base.yaml\nid: child\nbaseline: [nope]\n", encoding="utf-8")
    with pytest.raises(ScenarioErrors) as exc:
        redline.load_scenario(child)
    where = {e.location.path: (e.location.file, e.location.line) for e in exc.value.errors if e.location}
    assert where == {
        "baseline.0": (str(child), 3),
        "actions.raid.rung": (str(base), line_of(base, "rung: brawl")),
    }


def test_unknown_builtin_scenario_lists_the_builtins() -> None:
    with pytest.raises(UnknownNameError, match=r"^unknown scenario 'nope'; valid scenario names: .*iraq-2020") as exc:
        redline.load_scenario("nope")
    assert isinstance(exc.value, KeyError) and isinstance(exc.value, redline.RedlineError)
    assert "iraq-2020" in exc.value.valid
    assert exc.value.valid == redline.builtin_names()


def test_missing_scenario_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"
    with pytest.raises(ScenarioError, match=r"scenario file not found") as exc:
        redline.load_scenario(path)
    assert exc.value.found == str(path)
    assert "iraq-2020" in str(exc.value.expected)


# ---------------------------------------------------------------------------
# Several errors are reported together
# ---------------------------------------------------------------------------


def test_all_cross_reference_errors_are_reported_together(toy_variant: Variant) -> None:
    path = toy_variant(
        ("rung: talk", "rung: brawl"),
        ("baseline: [calm]", "baseline: [calmm]"),
        ('when: "count(strike) > 0"', 'when: "count(strik) > 0"'),
        ("hazard: {probability: p_strike}", 'hazard: {probability: "p_strike +"}'),
        ("sources: [T1], why", "sources: [T9], why"),
    )
    with pytest.raises(ScenarioErrors, match=r"^5 error\(s\) in scenario:\n") as exc:
        redline.load_scenario(path)
    got = {(e.location.path, e.location.line) for e in exc.value.errors if e.location}
    assert got == {
        ("actions.raid.rung", line_of(path, "rung: brawl")),
        ("baseline.0", line_of(path, "baseline: [calmm]")),
        ("outcomes.first_strike.when", line_of(path, "count(strik)")),
        ("actions.strike.hazard.probability", line_of(path, '"p_strike +"')),
        ("parameters.p_strike.sources.0", line_of(path, "sources: [T9]")),
    }
    text = str(exc.value)
    for part in ("unknown rung 'brawl'", "unknown policy 'calmm'", "unknown action 'strik'",
                 "invalid expression syntax", "unknown source 'T9'"):
        assert part in text


def test_all_shape_errors_are_reported_together(toy_variant: Variant) -> None:
    path = toy_variant(
        ("horizon: 50", "horizon: 0"),
        ("kind: militia", "kind: militya"),
        ("bounds: [0, 1000]", 'bounds: "abc"'),
        ("rate: {value: 0.2, unit: events/day, assumption", "rate: {value: 0.2, assumption"),
    )
    with pytest.raises(ScenarioErrors, match=r"^4 error\(s\) in scenario:\n") as exc:
        redline.load_scenario(path)
    got = {(e.location.path, e.location.line) for e in exc.value.errors if e.location}
    assert got == {
        ("time.horizon", line_of(path, "horizon: 0")),
        ("actors.b.kind", line_of(path, "kind: militya")),
        ("state.heat.bounds", line_of(path, 'bounds: "abc"')),
        ("parameters.rate.unit", line_of(path, "rate: {value: 0.2, assumption")),
    }


def test_the_unbroken_toy_scenario_loads(toy_path: Path) -> None:
    loaded = redline.load_scenario(toy_path)
    assert loaded.origin == str(toy_path)
    assert set(loaded.scenario.actions) == {"raid", "strike"}
