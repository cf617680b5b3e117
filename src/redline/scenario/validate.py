"""Cross-reference checks run after pydantic has checked the shape.

Every problem becomes a :class:`ScenarioError` with file, line, column and
field path; unknown names list the valid ones.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable

from redline.errors import ExpressionError, ScenarioError
from redline.expr import FUNCTIONS, RANDOM_FUNCTIONS, Expr, evaluate_scalar, parse, to_text
from redline.expr.parse import Call, Name, Node
from redline.scenario.distributions import bounds
from redline.scenario.load import Positions
from redline.scenario.model import Distribution, Scenario

BUILTIN_NAMES = {"t": "day index, 0 on the start date", "horizon": "number of simulated days"}
ACTION_BUILTINS = {"n": "number of times the action happened today"}


class _Checker:
    def __init__(self, sc: Scenario, positions: Positions) -> None:
        self.sc = sc
        self.pos = positions
        self.errors: list[ScenarioError] = []

    def err(self, path: tuple, message: str, *, expected: str | None = None, found: str | None = None) -> None:
        self.errors.append(ScenarioError(message, self.pos.locate(path), expected=expected, found=found))

    def ref(self, path: tuple, kind: str, name: str, valid: Iterable[str]) -> bool:
        valid = sorted(valid)
        if name in valid:
            return True
        self.err(path, f"unknown {kind} {name!r}", expected="one of " + (", ".join(valid) or "(none defined)"), found=name)
        return False

    def expr(
        self,
        path: tuple,
        text: str | float,
        names: Iterable[str],
        *,
        allow_random: bool = False,
        allow_memory: bool = True,
    ) -> Expr | None:
        try:
            e = parse(text, self.pos.locate(path))
        except ExpressionError as exc:
            self.errors.append(exc)
            return None
        valid = set(names)
        for name in sorted(_names_outside_half_lives(e.tree) - valid):
            hint = ""
            if hasattr(builtins, name):
                hint = " (Python built-ins are not available in expressions)"
            self.err(
                path,
                f"unknown name {name!r} in expression{hint}",
                expected="one of " + ", ".join(sorted(valid)),
                found=str(text),
            )
        if e.uses_random and not allow_random:
            used = ", ".join(sorted(e.functions & RANDOM_FUNCTIONS))
            self.err(
                path,
                f"random draws ({used}) are only allowed in an action's draws, effects and fatalities",
                expected="a deterministic expression",
                found=str(text),
            )
        for call in e.memory:
            if not allow_memory:
                self.err(path, f"{call.func}() is not allowed here", expected="numbers and parameter names")
                continue
            self.ref(path, "action", call.args[0].id, self.sc.actions)  # type: ignore[attr-defined]
            if call.func == "recent":
                self.positive(path, to_text(call.args[1]), f"the half-life in {to_text(call)}")
                for name in sorted(parse(to_text(call.args[1])).names - set(self.sc.parameters)):
                    kind = "unknown name" if name not in valid else "only parameters and numbers may set a half-life:"
                    self.err(path, f"{kind} {name!r} in the half-life of recent()",
                             expected="one of " + ", ".join(sorted(self.sc.parameters)), found=str(text))
                half_life = parse(to_text(call.args[1]))
                if half_life.memory or half_life.uses_random:
                    self.err(path, "memory functions and random draws are not allowed in a half-life",
                             expected="numbers and parameter names", found=to_text(call.args[1]))
        return e

    def positive(self, path: tuple, text: str | float, what: str) -> None:
        """A half-life must be > 0 for every value its parameters can take."""
        try:
            e = parse(text)
        except ExpressionError:
            return  # reported where the expression itself is checked
        if e.memory or e.uses_random or e.names - set(self.sc.parameters):
            return  # reported elsewhere
        env = {}
        for name in e.names:
            par = self.sc.parameters[name]
            env[name] = par.value if par.value is not None else bounds(par.dist)[0]  # type: ignore[arg-type]
        try:
            low = float(evaluate_scalar(e.tree, env))
        except (ValueError, ZeroDivisionError, OverflowError):
            return
        if not low > 0:
            self.err(path, f"{what} must be a positive number of days; it is not with its parameters at the low "
                     "end of their ranges", expected="> 0 (check the parameter's value or the lower end of its distribution)",
                     found=f"{text} = {low:g}")

    def dist(self, path: tuple, d: Distribution | float) -> None:
        if isinstance(d, float | int):
            return
        pairs = {"uniform": ("low", "high"), "loguniform": ("low", "high"), "beta": ("low", "high"), "normal": ("low", "high")}
        if d.kind in pairs:
            lo, hi = (getattr(d, k) for k in pairs[d.kind])
            if not lo < hi:
                self.err(path, f"{d.kind} needs low < high", expected="low < high", found=f"low={lo}, high={hi}")
        if d.kind == "triangular" and not (d.low <= d.mode <= d.high and d.low < d.high):
            self.err(
                path,
                "triangular needs low <= mode <= high and low < high",
                found=f"low={d.low}, mode={d.mode}, high={d.high}",
            )

    def run(self) -> list[ScenarioError]:
        sc = self.sc
        self.check_names()
        self.ref(("principal",), "actor", sc.principal, sc.actors)
        for i, pol in enumerate(sc.baseline):
            self.ref(("baseline", i), "policy", pol, sc.policies)
        for aid, actor in sc.actors.items():
            if actor.patron is not None:
                self.ref(("actors", aid, "patron"), "actor", actor.patron, sc.actors)
        orders: dict[int, str] = {}
        for rid, rung in sc.ladder.items():
            if rung.order in orders:
                self.err(("ladder", rid, "order"), f"rung order {rung.order} already used by {orders[rung.order]!r}")
            orders[rung.order] = rid
        for section in ("state", "parameters", "policies"):  # actions: checked in action()
            for key, item in getattr(sc, section).items():
                for i, src in enumerate(item.sources):
                    self.ref((section, key, "sources", i), "source", src, sc.sources)
        base_names = [*sc.state, *sc.parameters, *BUILTIN_NAMES]
        for sid, var in sc.state.items():
            if var.relax is not None:
                hl_path = ("state", sid, "relax", "half_life")
                if self.expr(hl_path, var.relax.half_life, sc.parameters, allow_memory=False) is not None:
                    self.positive(hl_path, var.relax.half_life, f"the relax half-life of {sid!r}")
        for pid, par in sc.parameters.items():
            if par.dist is not None:
                self.dist(("parameters", pid, "dist"), par.dist)
        for aid, act in sc.actions.items():
            self.action(aid, act, base_names)
        for pid, pol in sc.policies.items():
            p = ("policies", pid)
            self.ref((*p, "actor"), "actor", pol.actor, sc.actors)
            if not pol.sources and not pol.assumption:
                self.err(p, "a policy needs 'sources' or an 'assumption' with its reason")
            for name, value in pol.parameters.items():
                if self.ref((*p, "parameters", name), "parameter", name, sc.parameters):
                    self.dist((*p, "parameters", name), value)
            for name, hz in pol.hazards.items():
                if self.ref((*p, "hazards", name), "action", name, sc.actions):
                    self.expr((*p, "hazards", name, hz.kind), hz.text, base_names)
            for name, value in pol.initial.items():
                if self.ref((*p, "initial", name), "state variable", name, sc.state):
                    lo, hi = sc.state[name].bounds
                    if not lo <= value <= hi:
                        self.err((*p, "initial", name), "initial value outside the variable's bounds",
                                 expected=f"between {lo} and {hi}", found=str(value))
        for oid, out in sc.outcomes.items():
            field = "when" if out.kind == "first_passage" else "value"
            self.expr(("outcomes", oid, field), getattr(out, field), base_names)
        return self.errors

    def check_names(self) -> None:
        seen: dict[str, str] = {}
        reserved = {**BUILTIN_NAMES, **ACTION_BUILTINS}
        for section in ("state", "parameters", "actions"):
            for key in getattr(self.sc, section):
                if key in reserved or key in FUNCTIONS:
                    self.err((section, key), f"{key!r} is a reserved name", expected="another id")
                elif key in seen:
                    self.err((section, key), f"{key!r} is already used in {seen[key]}", expected="ids unique across state, parameters and actions")
                seen[key] = section

    def action(self, aid: str, act, base_names: list[str]) -> None:  # type: ignore[no-untyped-def]
        sc = self.sc
        p = ("actions", aid)
        self.ref((*p, "actor"), "actor", act.actor, sc.actors)
        self.ref((*p, "target"), "actor", act.target, sc.actors)
        self.ref((*p, "rung"), "rung", act.rung, sc.ladder)
        for i, src in enumerate(act.sources):
            self.ref((*p, "sources", i), "source", src, sc.sources)
        self.expr((*p, "hazard", act.hazard.kind), act.hazard.text, base_names)
        scope = [*base_names, *ACTION_BUILTINS]
        for did, text in act.draws.items():
            if did in scope:
                self.err((*p, "draws", did), f"draw name {did!r} hides another name", expected="a new name")
            self.expr((*p, "draws", did), text, scope, allow_random=True)
            scope.append(did)
        for op in ("add", "set"):
            for var, text in getattr(act.effects, op).items():
                if self.ref((*p, "effects", op, var), "state variable", var, sc.state):
                    self.expr((*p, "effects", op, var), text, scope, allow_random=True)
        if act.fatalities is not None:
            self.expr((*p, "fatalities"), act.fatalities, scope, allow_random=True)
        fitted = calibration_names(sc.actions)
        for par, text in act.calibrate.items():
            if self.ref((*p, "calibrate", par), "parameter", par, sc.parameters):
                self.expr((*p, "calibrate", par), text, [*sc.state, *sc.parameters, *fitted], allow_memory=False)


def calibration_names(actions: Iterable[str]) -> dict[str, str]:
    """Names an action's ``calibrate:`` expressions may read: what a Hawkes fit to the recorded events
    estimates for this action's stream (``baseline``) and for its excitation by each action's stream."""
    names = {"baseline": "events per day of this action not triggered by recorded events (Hawkes baseline)"}
    for a in actions:
        names[f"excitation_{a}"] = f"events of this action directly triggered by one {a} event (branching ratio)"
        names[f"decay_{a}"] = f"decay rate per day of the excitation a {a} event produces"
        names[f"half_life_{a}"] = f"half-life in days of the excitation a {a} event produces (log(2) / decay)"
    return names


def _names_outside_half_lives(node: Node) -> set[str]:
    """Names an expression reads, leaving out the half-life argument of recent()."""
    if isinstance(node, Name):
        return {node.id}
    if isinstance(node, Call):
        if node.func in ("recent", "count", "days_since"):
            return set()  # action ids are checked as actions; half-lives separately
        return set().union(*(_names_outside_half_lives(a) for a in node.args))
    out: set[str] = set()
    for child in vars(node).values():
        for item in child if isinstance(child, tuple) else (child,):
            if isinstance(item, Node):
                out |= _names_outside_half_lives(item)
    return out


def cross_check(scenario: Scenario, positions: Positions) -> list[ScenarioError]:
    """All cross-reference problems of a shape-valid scenario."""
    return _Checker(scenario, positions).run()
