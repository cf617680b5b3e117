"""Turn a validated scenario plus chosen policies into a runnable model.

The :class:`Model` is static configuration: orders of names, parsed
expressions, distributions with policy overrides applied.  It holds no run
data; the kernel (``kernel.py``) and the reference (``reference.py``) both
execute it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from redline.errors import ScenarioError, UnknownNameError
from redline.expr import Expr, compile_numpy, memory_key, parse
from redline.expr.evaluate import Compiled
from redline.expr.parse import BoolOp, Call, Compare, Unary, to_text
from redline.scenario.distributions import central
from redline.scenario.load import LoadedScenario, load_scenario
from redline.scenario.model import Distribution, Hazard, Scenario

MAX_RATE = 1e6  # events per day; a larger rate hazard is reported as numerical trouble
MAX_HORIZON = 3650  # days; the same limit as the scenario format's time.horizon
NEVER = 1_000_000.0  # days_since() of an action that has not happened yet


@dataclass
class Formula:
    """An expression with both evaluators ready."""

    expr: Expr
    fn: Compiled

    @classmethod
    def of(cls, text: str | float) -> Formula:
        e = parse(text)
        return cls(e, compile_numpy(e.tree))

    @property
    def text(self) -> str:
        return self.expr.text

    @cached_property
    def is_condition(self) -> bool:
        """True when the value is a comparison or logic (always 0 or 1, never NaN)."""
        tree = self.expr.tree
        return isinstance(tree, Compare | BoolOp) or (isinstance(tree, Unary) and tree.op == "not")


@dataclass
class ActionSpec:
    id: str
    index: int
    actor: str
    target: str
    rung: str
    rung_rank: int
    hostility: int
    kind: str  # "probability" or "rate"
    hazard: Formula
    draws: list[tuple[str, Formula]]
    add: list[tuple[int, Formula]]  # (state index, formula)
    set: list[tuple[int, Formula]]
    fatalities: Formula | None
    acled_event_type: str
    acled_sub_event_type: str
    plover: str
    uses: frozenset[str]  # names the draws/effects read (for gathering subsets)

    @property
    def has_effects(self) -> bool:
        return bool(self.draws or self.add or self.set or self.fatalities)


@dataclass
class MemorySpec:
    key: str
    action: int
    half_life: Formula


@dataclass
class Model:
    scenario: Scenario
    origin: str
    policies: tuple[str, ...]
    horizon: int
    state_names: list[str]
    initial: np.ndarray  # (V,)
    lower: np.ndarray  # (V,)
    upper: np.ndarray  # (V,)
    relax_to: np.ndarray  # (V,)
    relax_half_life: list[Formula | None]
    param_names: list[str]
    param_dists: list[Distribution | float]
    actions: list[ActionSpec]
    memories: list[MemorySpec]
    days_since: list[int]  # action indices whose days_since() is used
    counted: list[int]  # action indices whose count() is used
    rung_names: list[str]  # in ladder order
    first_passage: list[tuple[str, Formula]]
    quantities: list[tuple[str, Formula]]
    hazard_overrides: dict[str, str] = field(default_factory=dict)
    fixed: bool = False
    replicates: int = 1

    @cached_property
    def hazard_upper(self) -> np.ndarray:
        return np.array([1.0 if a.kind == "probability" else MAX_RATE for a in self.actions])

    @cached_property
    def rung_ranks(self) -> np.ndarray:
        return np.array([a.rung_rank for a in self.actions], dtype=np.int16)

    @property
    def uncertain(self) -> list[int]:
        """Indices of parameters given as distributions."""
        return [i for i, d in enumerate(self.param_dists) if not isinstance(d, int | float) and d.kind != "fixed"]

    def central_params(self) -> dict[str, float]:
        return {n: central(d) for n, d in zip(self.param_names, self.param_dists, strict=True)}


def build_model(
    scenario: str | LoadedScenario,
    policies: Sequence[str] | None = None,
    horizon: int | None = None,
    *,
    fixed: bool = False,
    replicates: int = 1,
) -> Model:
    """Compile ``scenario`` with ``policies`` applied (default: the scenario's baseline).

    ``fixed=True`` replaces every parameter distribution by its median, so the
    only spread left between runs is chance.  ``replicates=k`` (a power of two
    up to 1024) makes runs k*j .. k*j+k-1 share one parameter draw, so the
    spread of outcomes can be split into parameter uncertainty and chance.
    """
    if not (isinstance(replicates, int) and 1 <= replicates <= 1024 and replicates & (replicates - 1) == 0):
        raise ScenarioError("replicates must be a power of two from 1 to 1024", expected="1, 2, 4, ..., 1024",
                            found=repr(replicates))
    loaded = scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario)
    sc = loaded.scenario
    chosen = tuple(dict.fromkeys(sc.baseline if policies is None else policies))  # drop repeats, keep order
    for name in chosen:
        if name not in sc.policies:
            raise UnknownNameError("policy", name, sc.policies)
    if horizon is None:
        horizon = sc.time.horizon
    if not isinstance(horizon, int) or isinstance(horizon, bool) or not 0 < horizon <= MAX_HORIZON:
        raise ScenarioError("horizon must be a positive number of days", expected=f"an integer from 1 to {MAX_HORIZON}",
                            found=str(horizon))

    param_over: dict[str, tuple[str, Distribution | float]] = {}
    hazard_over: dict[str, tuple[str, Hazard]] = {}
    init_over: dict[str, tuple[str, float]] = {}
    for pol_id in chosen:
        pol = sc.policies[pol_id]
        for table, items in ((param_over, pol.parameters), (hazard_over, pol.hazards), (init_over, pol.initial)):
            for key, value in items.items():
                if key in table and table[key][0] != pol_id:
                    section = {id(param_over): "parameters", id(hazard_over): "hazards", id(init_over): "initial"}[id(table)]
                    raise ScenarioError(
                        f"policies {table[key][0]!r} and {pol_id!r} both override {key!r}",
                        loaded.positions.locate(("policies", pol_id, section, key)),
                        expected="policies that change different things",
                        found=f"{table[key][0]}, {pol_id}",
                    )
                table[key] = (pol_id, value)  # type: ignore[assignment]

    state_names = list(sc.state)
    params = list(sc.parameters)
    param_dists: list[Distribution | float] = []
    for name in params:
        p = sc.parameters[name]
        if name in param_over:
            param_dists.append(param_over[name][1])
        else:
            param_dists.append(p.value if p.value is not None else p.dist)  # type: ignore[arg-type]
    if fixed:
        param_dists = [central(d) for d in param_dists]

    ladder = sorted(sc.ladder, key=lambda r: sc.ladder[r].order)
    memories: dict[str, MemorySpec] = {}
    days_since: set[int] = set()
    counted: set[int] = set()
    action_index = {a: i for i, a in enumerate(sc.actions)}
    state_index = {s: i for i, s in enumerate(state_names)}

    def formula(text: str | float) -> Formula:
        f = Formula.of(text)
        for call in f.expr.memory:
            _register_memory(call, action_index, memories, days_since, counted)
        return f

    actions = []
    for i, (aid, act) in enumerate(sc.actions.items()):
        hz = hazard_over[aid][1] if aid in hazard_over else act.hazard
        draws = [(d, formula(t)) for d, t in act.draws.items()]
        add = [(state_index[v], formula(t)) for v, t in act.effects.add.items()]
        sets = [(state_index[v], formula(t)) for v, t in act.effects.set.items()]
        fat = formula(act.fatalities) if act.fatalities is not None else None
        uses: set[str] = set()
        for f in [*(f for _, f in draws), *(f for _, f in add), *(f for _, f in sets), *([fat] if fat else [])]:
            uses |= f.expr.names
            uses |= {memory_key(c) for c in f.expr.memory}
        uses -= {"n", *act.draws}
        actions.append(
            ActionSpec(
                id=aid,
                index=i,
                actor=act.actor,
                target=act.target,
                rung=act.rung,
                rung_rank=ladder.index(act.rung),
                hostility=sc.ladder[act.rung].hostility,
                kind=hz.kind,
                hazard=formula(hz.text),
                draws=draws,
                add=add,
                set=sets,
                fatalities=fat,
                acled_event_type=act.acled.event_type,
                acled_sub_event_type=act.acled.sub_event_type,
                plover=act.plover,
                uses=frozenset(uses),
            )
        )
    initial = np.array(
        [init_over[s][1] if s in init_over else sc.state[s].initial for s in state_names], dtype=float
    )
    relax_hl = [formula(v.relax.half_life) if v.relax else None for v in sc.state.values()]
    # Build every formula before reading the memory registries below.
    first_passage = [(o, formula(out.when)) for o, out in sc.outcomes.items() if out.kind == "first_passage"]  # type: ignore[arg-type]
    tracked = [(o, formula(out.value)) for o, out in sc.outcomes.items() if out.kind == "quantity"]  # type: ignore[arg-type]
    return Model(
        scenario=sc,
        origin=loaded.origin,
        policies=chosen,
        horizon=horizon,
        state_names=state_names,
        initial=initial,
        lower=np.array([v.bounds[0] for v in sc.state.values()], dtype=float),
        upper=np.array([v.bounds[1] for v in sc.state.values()], dtype=float),
        relax_to=np.array([v.relax.to if v.relax else 0.0 for v in sc.state.values()], dtype=float),
        relax_half_life=relax_hl,
        param_names=params,
        param_dists=param_dists,
        actions=actions,
        memories=list(memories.values()),
        days_since=sorted(days_since),
        counted=sorted(counted),
        rung_names=ladder,
        first_passage=first_passage,
        quantities=tracked,
        hazard_overrides={a: str(h.text) for a, (_, h) in hazard_over.items()},
        fixed=fixed,
        replicates=replicates,
    )


def _register_memory(
    call: Call,
    action_index: dict[str, int],
    memories: dict[str, MemorySpec],
    days_since: set[int],
    counted: set[int],
) -> None:
    aid = call.args[0].id  # type: ignore[attr-defined]
    idx = action_index[aid]
    if call.func == "recent":
        key = memory_key(call)
        if key not in memories:
            memories[key] = MemorySpec(key, idx, Formula.of(to_text(call.args[1])))
    elif call.func == "days_since":
        days_since.add(idx)
    elif call.func == "count":
        counted.add(idx)


def decay_factor(half_life: np.ndarray | float, what: str) -> np.ndarray | float:
    """Daily multiplier 0.5 ** (1 / half_life), with a clear error for bad half-lives."""
    hl = np.asarray(half_life, dtype=float)
    if not np.all(np.isfinite(hl)) or np.any(hl <= 0):
        bad = hl[~(np.isfinite(hl) & (hl > 0))].ravel()[0]
        raise ScenarioError(
            f"half-life of {what} must be a positive number of days",
            expected="> 0",
            found=str(bad),
        )
    out = np.power(0.5, 1.0 / hl)
    return float(out) if out.ndim == 0 else out


__all__ = ["NEVER", "ActionSpec", "Formula", "MemorySpec", "Model", "build_model", "decay_factor"]
