"""The safe expression language: hostile input, validation of names, and two evaluators that agree."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import redline
from redline.errors import ExpressionError, Location, ScenarioError, ScenarioErrors
from redline.expr import compile_numpy, evaluate_scalar, memory_key, parse, to_text
from redline.expr.parse import Bin, Call, Name, Num, Unary

# ---------------------------------------------------------------------------
# Hostile and malformed input: always an ExpressionError that says what is wrong
# ---------------------------------------------------------------------------

HOSTILE: list[tuple[str, str]] = [
    # code execution through attributes and calls
    ("__import__('os').system('ls')", r"only plain function names may be called"),
    ("().__class__.__bases__[0].__subclasses__()", r"only plain function names may be called"),
    ("a.b", r"attribute access \(a\.b\) not allowed"),
    ("a[0]", r"indexing \(a\[b\]\) not allowed"),
    ("x[1:2]", r"indexing \(a\[b\]\) not allowed"),
    ("lambda x: x", r"lambda functions not allowed"),
    ("[x for x in y]", r"comprehensions not allowed"),
    ("{x for x in y}", r"comprehensions not allowed"),
    ("{x: 1 for x in y}", r"comprehensions not allowed"),
    ("(x for x in y)", r"comprehensions not allowed"),
    ("[1, 2]", r"lists not allowed"),
    ("(1, 2)", r"tuples not allowed"),
    ("{1: 2}", r"dicts not allowed"),
    ("{1}", r"sets not allowed"),
    ("'abc'", r"strings not allowed"),
    ("b'abc'", r"strings not allowed"),
    ("f'{x}'", r"strings not allowed"),
    ("1j", r"complex literals not allowed"),
    ("None", r"NoneType literals not allowed"),
    ("...", r"ellipsis literals not allowed"),
    ("(x := 1)", r"assignment \(:=\) not allowed"),
    ("(yield x)", r"yield not allowed"),
    ("min(a=1, b=2)", r"keyword arguments are not allowed in min\(\)"),
    ("max(x, **y)", r"keyword arguments are not allowed in max\(\)"),
    ("min(*x, 1)", r"star arguments not allowed"),
    ("open('f')", r"unknown function 'open'"),
    ("eval('1')", r"unknown function 'eval'"),
    ("exec('1')", r"unknown function 'exec'"),
    ("getattr(x, 'y')", r"unknown function 'getattr'"),
    ("compile('1', 'f', 'eval')", r"unknown function 'compile'"),
    # names that reach into Python internals
    ("__builtins__", r"name '__builtins__' is not allowed: names may not start with '_'"),
    ("_x", r"name '_x' is not allowed: names may not start with '_'"),
    ("x + __class__", r"name '__class__' is not allowed"),
    ("recent(__import__, 7)", r"name '__import__' is not allowed: names may not start with '_'"),
    ("count(__builtins__)", r"name '__builtins__' is not allowed"),
    ("min", r"function 'min' used without calling it"),
    # resource exhaustion
    ("2 ** 100000", r"exponent too large"),
    ("x ** 1e9", r"exponent too large"),
    ("x ** -1e9", r"exponent too large"),
    ("x ** --1000", r"exponent too large"),
    ("x ** (-(+1000))", r"exponent too large"),
    ("2 ** 2 ** 10", r"chained powers \(a \*\* b \*\* c\) are not allowed"),
    ("1e300", r"number too large"),
    ("10000000000000", r"number too large"),
    ("5" * 5000, r"expression too long"),
    ("(" * 200 + "1" + ")" * 200, r"expression nested too deeply"),
    ("-" * 5000 + "1", r"expression too long"),
    ("-" * 1000 + "1", r"expression nested too deeply"),
    ("not " * 100 + "x", r"expression nested too deeply"),
    ("abs(" * 40 + "x" + ")" * 40, r"expression nested too deeply"),
    ("+".join(["x"] * 1500), r"expression too long"),
    # plain syntax errors and operators outside the language
    ("", r"empty expression"),
    ("   \n ", r"empty expression"),
    ("1 +", r"invalid expression syntax"),
    ("not", r"invalid expression syntax"),
    ("min(1, 2", r"invalid expression syntax.*'\(' was never closed"),
    ("x = 1", r"invalid expression syntax"),
    ("x % 2", r"operator Mod is not allowed"),
    ("x // 2", r"operator FloorDiv is not allowed"),
    ("x @ y", r"operator MatMult is not allowed"),
    ("x & y", r"operator BitAnd is not allowed"),
    ("x | y", r"operator BitOr is not allowed"),
    ("x ^ y", r"operator BitXor is not allowed"),
    ("x << 1", r"operator LShift is not allowed"),
    ("~x", r"not allowed in expressions"),
    ("x in y", r"comparison In is not allowed"),
    ("x not in y", r"comparison NotIn is not allowed"),
    ("x is y", r"comparison Is is not allowed"),
    ("x is not y", r"comparison IsNot is not allowed"),
    # arity
    ("min(1)", r"min\(\) takes at least 2 argument"),
    ("clip(x, 1)", r"clip\(\) takes 3 argument"),
    ("exp(1, 2)", r"exp\(\) takes 1 argument"),
    ("recent(a)", r"recent\(\) takes 2 argument"),
]


@pytest.mark.parametrize(("text", "match"), HOSTILE, ids=[t[:40] or "<empty>" for t, _ in HOSTILE])
def test_hostile_and_malformed_text_is_rejected(text: str, match: str) -> None:
    with pytest.raises(ExpressionError, match=match) as exc:
        parse(text)
    assert isinstance(exc.value, ScenarioError)
    assert isinstance(exc.value, redline.RedlineError)
    assert exc.value.__cause__ is None  # no Python traceback chained in


def test_rejection_says_what_was_found_and_where() -> None:
    with pytest.raises(ExpressionError, match=r"attribute access \(a\.b\) not allowed in expressions \(at column 5\)") as exc:
        parse("1 + a.b")
    assert exc.value.found == "1 + a.b"
    assert "expected: numbers, names, + - * / **" in str(exc.value)


def test_unknown_function_lists_the_functions_that_exist() -> None:
    with pytest.raises(ExpressionError, match=r"unknown function 'open'") as exc:
        parse("open('f')")
    assert exc.value.found == "open"
    for name in ("abs", "clip", "logistic", "min", "recent", "where"):
        assert name in str(exc.value.expected)


def test_size_limits_say_the_limit_and_the_size() -> None:
    with pytest.raises(ExpressionError, match="expression too long") as exc:
        parse("x" * 3000)
    assert exc.value.expected == "at most 2000 characters"
    assert exc.value.found == "3000 characters"
    with pytest.raises(ExpressionError, match="number too large") as exc:
        parse("1e300")
    assert exc.value.found == "1e+300"
    with pytest.raises(ExpressionError, match="exponent too large") as exc:
        parse("2 ** 100000")
    assert exc.value.expected == "|exponent| <= 64"


def test_error_carries_the_location_it_was_given() -> None:
    where = Location("s.yaml", 12, 7, "actions.raid.hazard.rate")
    with pytest.raises(ExpressionError) as exc:
        parse("x % 2", where)
    assert exc.value.location == where
    assert str(exc.value).startswith("s.yaml:12:7, field actions.raid.hazard.rate: operator Mod is not allowed")


def test_limits_are_limits_not_bans() -> None:
    assert parse("x ** 64").tree == Bin("**", Name("x"), Num(64.0))
    assert parse("x ** -64").tree == Bin("**", Name("x"), Unary("-", Num(64.0)))
    assert parse("1000000000000").tree == Num(1e12)
    assert parse("(" * 30 + "x" + ")" * 30).tree == Name("x")
    assert parse("  x + 1\n").text == "x + 1"


@pytest.mark.parametrize(
    ("value", "tree"), [(True, Num(1.0)), (False, Num(0.0)), (3, Num(3.0)), (0.25, Num(0.25)), (1e-9, Num(1e-9))]
)
def test_yaml_numbers_parse_as_numbers(value: float, tree: Num) -> None:
    assert parse(value).tree == tree


@pytest.mark.parametrize(
    ("value", "match"),
    [(float("nan"), "numbers must be finite"), (float("inf"), "numbers must be finite"),
     (None, "must be text or a number"), ([1], "must be text or a number"), (1e13, "number too large")],
)
def test_non_text_values_are_rejected(value: object, match: str) -> None:
    with pytest.raises(ExpressionError, match=match):
        parse(value)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Names that parse but do not exist: caught by scenario validation
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["open + 1", "print", "eval * 2", "globals", "min(input, 1)"])
def test_validator_rejects_python_builtin_names(toy_variant: Callable[..., Path], text: str) -> None:
    path = toy_variant(("hazard: {probability: p_strike}", f"hazard: {{probability: {text!r}}}"))
    with pytest.raises(ScenarioErrors) as exc:
        redline.load_scenario(path)
    [err] = exc.value.errors
    name = next(n for n in ("open", "print", "eval", "globals", "input") if n in text)
    assert err.message == f"unknown name {name!r} in expression (Python built-ins are not available in expressions)"
    assert err.expected == "one of heat, heat_half_life, hits, horizon, p_strike, rate, t"
    assert err.location is not None and err.location.path == "actions.strike.hazard.probability"
    assert f"unknown name {name!r}" in str(exc.value)


def test_validator_rejects_unknown_plain_names_without_builtin_hint(toy_variant: Callable[..., Path]) -> None:
    path = toy_variant(("hazard: {rate: rate}", "hazard: {rate: rat}"))
    with pytest.raises(ScenarioErrors, match=r"unknown name 'rat' in expression\n  expected: one of heat,") as exc:
        redline.load_scenario(path)
    assert "built-ins" not in str(exc.value)


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ("hazard: {probability: p_strike}", 'hazard: {probability: "poisson(1) / 10"}', "actions.strike.hazard.probability"),
        ('when: "count(strike) > 0"', 'when: "bernoulli(0.5) > 0"', "outcomes.first_strike.when"),
        ("parameters: {p_strike: 0.1}", 'hazards: {strike: {probability: "uniform(0, 1)"}}',
         "policies.hawk.hazards.strike.probability"),
    ],
)
def test_random_draws_are_rejected_outside_draws_effects_fatalities(
    toy_variant: Callable[..., Path], old: str, new: str, path: str
) -> None:
    with pytest.raises(ScenarioErrors, match=r"random draws \(\w+\) are only allowed in an action's draws") as exc:
        redline.load_scenario(toy_variant((old, new)))
    [err] = exc.value.errors
    assert err.location is not None and err.location.path == path
    assert err.expected == "a deterministic expression"


def test_random_draws_are_allowed_in_draws_effects_and_fatalities(toy_variant: Callable[..., Path]) -> None:
    path = toy_variant(
        ("{add: {hits: hurt, heat: n}}", '{add: {hits: "hurt + poisson(1)", heat: "normal(n, 1)"}}'),
        ("fatalities: hurt", 'fatalities: "hurt + binomial(n, 0.1)"'),
    )
    loaded = redline.load_scenario(path)
    assert loaded.scenario.actions["raid"].effects.add["hits"] == "hurt + poisson(1)"
    assert parse(loaded.scenario.actions["raid"].fatalities).uses_random


# ---------------------------------------------------------------------------
# Two evaluators that must agree, and a canonical text that round-trips
# ---------------------------------------------------------------------------

_NAMES = ("x", "y", "z")
_CMP = ("<", "<=", ">", ">=", "==", "!=")
_UNARY_FUNCS = ("exp", "log", "sqrt", "abs", "logistic")

_numbers = st.one_of(
    st.integers(0, 1000).map(str),
    st.floats(0, 1000, allow_nan=False, allow_infinity=False, allow_subnormal=False).map(repr),
    st.sampled_from(["0.5", "1e-3", "2.5e2", "True", "False"]),
)
_leaves = st.one_of(st.sampled_from(_NAMES), _numbers)


def _compare(operands: list[str], ops: list[str]) -> str:
    return "(" + operands[0] + "".join(f" {op} {o}" for op, o in zip(ops, operands[1:], strict=True)) + ")"


def _grow(sub: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    def args(n: int) -> st.SearchStrategy[str]:
        return st.lists(sub, min_size=n, max_size=n).map(", ".join)

    return st.one_of(
        st.tuples(sub, st.sampled_from("+-*/"), sub).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.lists(sub, min_size=2, max_size=3).flatmap(
            lambda xs: st.lists(st.sampled_from(_CMP), min_size=len(xs) - 1, max_size=len(xs) - 1).map(
                lambda ops: _compare(xs, ops)
            )
        ),
        st.tuples(st.sampled_from(["-", "+", "not "]), sub).map(lambda t: f"({t[0]}{t[1]})"),
        st.tuples(st.sampled_from(["and", "or"]), st.lists(sub, min_size=2, max_size=3)).map(
            lambda t: "(" + f" {t[0]} ".join(t[1]) + ")"
        ),
        st.tuples(sub, sub, sub).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
        st.tuples(st.sampled_from(_UNARY_FUNCS), sub).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(st.sampled_from(["min", "max"]), st.integers(2, 3).flatmap(args)).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(st.sampled_from(["clip", "where"]), args(3)).map(lambda t: f"{t[0]}({t[1]})"),
    )


expressions = st.recursive(_leaves, _grow, max_leaves=16)

_values = st.one_of(
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 1e3, -1e3]),
    st.floats(-1e3, 1e3, allow_nan=False, allow_subnormal=False),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=expressions, n=st.integers(1, 6), data=st.data())
def test_compiled_numpy_agrees_with_scalar_reference(text: str, n: int, data: st.DataObject) -> None:
    env = {name: np.array(data.draw(st.lists(_values, min_size=n, max_size=n)), dtype=float) for name in _NAMES}
    tree = parse(text).tree
    with np.errstate(all="ignore"):
        got = np.asarray(compile_numpy(tree)(env))
        want = [evaluate_scalar(tree, {k: float(v[i]) for k, v in env.items()}) for i in range(n)]
    # Same number type as the reference: comparisons give 0.0/1.0, not booleans
    # (numpy refuses `-` on booleans and computes exp/sqrt of booleans in float16).
    assert got.dtype == np.float64, f"{text} -> {got.dtype}"
    np.testing.assert_allclose(np.broadcast_to(got, (n,)), np.array(want, dtype=float), rtol=1e-12, atol=0,
                               equal_nan=True, err_msg=text)


@settings(max_examples=400, deadline=None)
@given(expressions)
def test_canonical_text_round_trips(text: str) -> None:
    tree = parse(text).tree
    canonical = to_text(tree)
    assert parse(canonical).tree == tree, canonical
    assert to_text(parse(canonical).tree) == canonical


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("a + (b + c)", "a + (b + c)"),
        ("(a + b) + c", "a + b + c"),
        ("a * (b / c)", "a * (b / c)"),
        ("a + (b - c)", "a + (b - c)"),
        ("a - (b - c)", "a - (b - c)"),
        ("(a ** b) ** c", "(a ** b) ** c"),
        ("-x ** 2", "-x ** 2"),
        ("(-x) ** 2", "(-x) ** 2"),
        ("x ** -2", "x ** (-2)"),
        ("not (x and y)", "not (x and y)"),
        ("x or y and z", "x or y and z"),
        ("(x or y) and z", "(x or y) and z"),
        ("(x < y) < z", "(x < y) < z"),
        ("x < y < z", "x < y < z"),
        ("(x if y else z) + 1", "(x if y else z) + 1"),
        ("x if y else z if y else x", "x if y else z if y else x"),
        ("min(x if y else z, 1.50)", "min(x if y else z, 1.5)"),
        ("recent(a,7.0)", "recent(a, 7)"),
    ],
)
def test_canonical_text_keeps_meaning(text: str, canonical: str) -> None:
    tree = parse(text).tree
    assert to_text(tree) == canonical
    assert parse(canonical).tree == tree


# ---------------------------------------------------------------------------
# Analytic values of the functions
# ---------------------------------------------------------------------------


def _both(text: str, **names: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """(numpy result, scalar results) of ``text`` over the given name arrays."""
    tree = parse(text).tree
    env = {k: np.array(v, dtype=float) for k, v in names.items()}
    n = len(next(iter(names.values()))) if names else 1
    with np.errstate(all="ignore"):
        vec = np.broadcast_to(np.asarray(compile_numpy(tree)(env), dtype=float), (n,))
        ref = np.array([evaluate_scalar(tree, {k: v[i] for k, v in names.items()}) for i in range(n)], dtype=float)
    return vec, ref


@pytest.mark.parametrize(
    ("text", "x", "expected"),
    [
        ("logistic(x)", [0.0, 1000.0, -1000.0], [0.5, 1.0, 0.0]),
        ("logistic(x) + logistic(-x)", [0.3, 2.0, -7.0], [1.0, 1.0, 1.0]),
        ("logistic(x)", [np.log(3.0)], [0.75]),
        ("clip(x, 0, 1)", [-1.0, 0.25, 2.0, 0.0, 1.0], [0.0, 0.25, 1.0, 0.0, 1.0]),
        ("where(x > 0, 1, 2)", [-1.0, 0.0, 3.0], [2.0, 2.0, 1.0]),
        ("where(x, 10, 20)", [0.0, 0.1, -2.0], [20.0, 10.0, 10.0]),
        ("0 < x < 1", [-0.5, 0.0, 0.5, 1.0, 1.5], [0.0, 0.0, 1.0, 0.0, 0.0]),
        ("0 <= x <= 1 != x", [0.0, 0.5, 1.0, 2.0], [1.0, 1.0, 0.0, 0.0]),
        ("min(x, 2, -x)", [1.0, -3.0, 5.0], [-1.0, -3.0, -5.0]),
        ("max(x, 2, -x)", [1.0, -3.0, 5.0], [2.0, 3.0, 5.0]),
        ("1 if x > 0 else 2", [-1.0, 1.0], [2.0, 1.0]),
        ("not x", [0.0, 3.0], [1.0, 0.0]),
        ("x > 0 and x < 2 or x == 5", [1.0, 3.0, 5.0, -1.0], [1.0, 0.0, 1.0, 0.0]),
        ("(x > 0) - (x < 0)", [-2.0, 0.0, 3.0], [-1.0, 0.0, 1.0]),
        ("-(x > 0)", [-1.0, 1.0], [0.0, -1.0]),
        ("exp(x > 0)", [-1.0, 1.0], [1.0, np.e]),
        ("sqrt(x) + abs(x) + log(exp(x)) + floor(x) + ceil(x) + log1p(x)", [4.0], [2 + 4 + 4 + 4 + 4 + np.log(5.0)]),
        ("x / 0", [1.0, -1.0, 0.0], [np.inf, -np.inf, np.nan]),
    ],
)
def test_functions_have_their_analytic_values(text: str, x: list[float], expected: list[float]) -> None:
    vec, ref = _both(text, x=x)
    np.testing.assert_allclose(vec, expected, rtol=1e-12, atol=1e-15, equal_nan=True)
    np.testing.assert_allclose(ref, expected, rtol=1e-12, atol=1e-15, equal_nan=True)


def test_random_draws_read_the_generator_from_the_environment() -> None:
    tree = parse("poisson(lam)").tree
    lam = np.full(20_000, 3.0)
    out = compile_numpy(tree)({"lam": lam, "__rng__": np.random.default_rng(1), "__size__": lam.size})
    assert out.shape == (20_000,) and out.dtype == np.float64
    assert abs(out.mean() - 3.0) < 5 * np.sqrt(3.0 / 20_000)
    again = compile_numpy(tree)({"lam": lam, "__rng__": np.random.default_rng(1), "__size__": lam.size})
    np.testing.assert_array_equal(out, again)
    one = evaluate_scalar(tree, {"lam": 3.0, "__rng__": np.random.default_rng(1)})
    assert float(one).is_integer() and one >= 0


# ---------------------------------------------------------------------------
# Memory functions: recent(), count(), days_since()
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "call", "key"),
    [
        ("recent(a, 7)", Call("recent", (Name("a"), Num(7.0))), "recent(a, 7)"),
        ("recent(a,7.0)", Call("recent", (Name("a"), Num(7.0))), "recent(a, 7)"),
        ("recent(strike, half_life * 2)", Call("recent", (Name("strike"), Bin("*", Name("half_life"), Num(2.0)))),
         "recent(strike, half_life * 2)"),
        ("count(a)", Call("count", (Name("a"),)), "count(a)"),
        ("days_since(raid)", Call("days_since", (Name("raid"),)), "days_since(raid)"),
    ],
)
def test_memory_calls_are_recorded(text: str, call: Call, key: str) -> None:
    e = parse(text)
    assert e.memory == (call,)
    assert memory_key(e.memory[0]) == key
    assert e.functions == {call.func}
    # the action id is not a variable; a half-life may use parameters
    assert e.names == ({"half_life"} if "half_life" in text else set())
    assert not e.uses_random


def test_memory_values_come_from_the_environment_under_their_key() -> None:
    e = parse("recent(a, 7) + 10 * count(b) - days_since(a)")
    assert sorted(memory_key(c) for c in e.memory) == ["count(b)", "days_since(a)", "recent(a, 7)"]
    env = {"recent(a, 7)": np.array([0.5, 2.0]), "count(b)": np.array([3.0, 0.0]), "days_since(a)": np.array([1.0, 4.0])}
    np.testing.assert_allclose(compile_numpy(e.tree)(env), [29.5, -2.0])
    assert evaluate_scalar(e.tree, {k: v[0] for k, v in env.items()}) == 29.5


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("recent(1, 2)", r"the first argument of recent\(\) must be an action id"),
        ("count(a + b)", r"the first argument of count\(\) must be an action id"),
        ("days_since(count(a))", r"the first argument of days_since\(\) must be an action id"),
        ("count('a')", r"the first argument of count\(\) must be an action id"),
        ("count(a, 2)", r"count\(\) takes 1 argument"),
        ("recent(a, x.y)", r"attribute access"),
    ],
)
def test_memory_calls_need_an_action_id(text: str, match: str) -> None:
    with pytest.raises(ExpressionError, match=match):
        parse(text)
