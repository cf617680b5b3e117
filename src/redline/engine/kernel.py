"""The vectorised kernel: array state over runs and a pure daily step.

Every array has runs along its last axis.  Python branches only on the static
model; run data is handled with masks and index arrays.  One day ``t``:

1. (t > 0) relaxing state variables move toward their targets;
2. every action's hazard is evaluated on the start-of-day state;
3. occurrences are sampled: Bernoulli for ``probability`` hazards, Poisson
   for ``rate`` hazards, both by inversion of one uniform per action and run
   (drawn only for actions whose hazard is above zero in some run that day);
4. actions apply their draws and effects in declaration order, only on the
   runs where they happened, clipping written variables to their bounds;
5. memories, counts and last-occurrence days are updated;
6. first-passage outcomes and the highest rung reached are recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from redline.engine.model import NEVER, Model, decay_factor
from redline.errors import NumericalError
from redline.sampling import indexed_uniforms, poisson_from_uniform, stream_seed
from redline.scenario.distributions import ppf


@dataclass(frozen=True)
class Context:
    """Per-block constants: parameter values and derived decay factors."""

    params: dict[str, Any]  # name -> float (fixed) or (R,) array
    param_matrix: np.ndarray  # (P, R)
    memory_decay: list[Any]  # per memory: float or (R,) array
    memory_decay_matrix: np.ndarray  # (M, R)
    relax_rows: np.ndarray  # indices of relaxing state variables
    relax_decay: np.ndarray  # (len(relax_rows), R) or (len, 1)
    relax_to: np.ndarray  # (len(relax_rows), 1)
    runs: int
    run_offset: int  # global index of this block's first run


@dataclass(frozen=True)
class Day:
    """What happened on one day, for aggregation and event logs."""

    occurred: np.ndarray  # (A, R) occurrences per action and run
    acts: np.ndarray  # action index of each (action, run) pair that happened
    runs: np.ndarray  # run index (within the block) of each pair
    fatalities: dict[int, tuple[np.ndarray, np.ndarray]]  # action -> (run indices, values)


@dataclass(frozen=True)
class State:
    x: np.ndarray  # (V, R) state variables, end of the last simulated day
    traces: np.ndarray  # (M, R) decaying memories, recent()
    counts: np.ndarray  # (C, R) cumulative occurrences of the actions read by count()
    last: np.ndarray  # (D, R) day of last occurrence, days_since()
    first_passage: np.ndarray  # (O, R) first day an outcome held, -1 if never
    max_rung: np.ndarray  # (R,) highest ladder rank reached, -1 if none
    day: int  # days simulated so far


def sample_params(model: Model, u: np.ndarray) -> np.ndarray:
    """Parameter values (P, R) at uniform quantiles ``u`` (P, R)."""
    return np.stack([ppf(d, u[i]) for i, d in enumerate(model.param_dists)]) if model.param_dists else u


def make_context(model: Model, param_matrix: np.ndarray, run_offset: int = 0) -> Context:
    runs = param_matrix.shape[1]
    params: dict[str, Any] = {}
    for i, name in enumerate(model.param_names):
        row = param_matrix[i]
        params[name] = float(row[0]) if runs and np.all(row == row[0]) else row
    memory_decay = []
    for mem in model.memories:
        hl = mem.half_life.fn(params)
        memory_decay.append(decay_factor(hl, f"recent() memory {mem.key}"))
    rows = [i for i, f in enumerate(model.relax_half_life) if f is not None]
    decays = []
    for i in rows:
        hl = model.relax_half_life[i].fn(params)  # type: ignore[union-attr]
        d = decay_factor(hl, f"state variable {model.state_names[i]!r} relax")
        decays.append(np.broadcast_to(d, (runs,)))
    return Context(
        params=params,
        param_matrix=param_matrix,
        memory_decay=memory_decay,
        memory_decay_matrix=np.array([np.broadcast_to(d, (runs,)) for d in memory_decay]).reshape(len(memory_decay), runs),
        relax_rows=np.array(rows, dtype=np.intp),
        relax_decay=np.array(decays).reshape(len(rows), runs),
        relax_to=model.relax_to[rows].reshape(-1, 1),
        runs=runs,
        run_offset=run_offset,
    )


def initial_state(model: Model, ctx: Context) -> State:
    r = ctx.runs
    return State(
        x=np.repeat(model.initial.reshape(-1, 1), r, axis=1),
        traces=np.zeros((len(model.memories), r)),
        counts=np.zeros((len(model.counted), r)),
        last=np.full((len(model.days_since), r), -NEVER),
        first_passage=np.full((len(model.first_passage), r), -1, dtype=np.int32),
        max_rung=np.full(r, -1, dtype=np.int16),
        day=0,
    )


def environment(model: Model, ctx: Context, state: State, x: np.ndarray, t: int) -> dict[str, Any]:
    """Names visible to expressions on day ``t`` (state rows are views of ``x``)."""
    env: dict[str, Any] = dict(ctx.params)
    env.update(zip(model.state_names, x, strict=True))
    env["t"] = float(t)
    env["horizon"] = float(model.horizon)
    for mem, row in zip(model.memories, state.traces, strict=True):
        env[mem.key] = row
    for a, row in zip(model.counted, state.counts, strict=True):
        env[f"count({model.actions[a].id})"] = row
    for j, a in enumerate(model.days_since):
        env[f"days_since({model.actions[a].id})"] = t - state.last[j]
    return env


def _as_runs(values: Any, runs: int) -> np.ndarray:
    if isinstance(values, np.ndarray) and values.shape == (runs,) and values.dtype == np.float64:
        return values
    return np.broadcast_to(np.asarray(values, dtype=float), (runs,))


def _check(values: Any, runs: int, *, what: str, action: str, text: str, upper: float, ctx: Context, t: int) -> np.ndarray:
    h = _as_runs(values, runs)
    if runs and not (h.min() >= 0.0 and h.max() <= upper):
        bad = ~((h >= 0.0) & (h <= upper))
        i = int(np.argmax(bad))
        raise NumericalError(what, action, text, ctx.run_offset + i, t, float(h[i]))
    return h


def _check_hazards(model: Model, hazards: np.ndarray, ctx: Context, t: int) -> np.ndarray:
    """Each action's largest hazard; raise NumericalError for the first NaN, negative, infinite
    or >1-probability hazard."""
    low, high = hazards.min(axis=1), hazards.max(axis=1)
    if (low >= 0.0).all() and (high <= model.hazard_upper).all():
        return high
    for a in model.actions:
        _check(hazards[a.index], ctx.runs, what=f"{a.kind} hazard", action=a.id, text=a.hazard.text,
               upper=float(model.hazard_upper[a.index]), ctx=ctx, t=t)
    raise AssertionError("unreachable: some hazard failed the check above")  # pragma: no cover


class Streams:
    """The random numbers of one block of runs, split so that policies can share them.

    Parameter draws come from one stream; each action has its own stream of
    daily uniforms (a day on which the action cannot happen skips exactly the
    numbers it would have used), and the random draws of its effects read
    uniforms addressed by (action, day, draw, run) from a counter-based
    sequence (SplitMix64), so only the runs that draw pay for a number.  Two simulations with the same seed and block therefore give run i the
    same parameter quantiles and the same uniforms for every action and day,
    whatever the policies change: common random numbers for paired comparisons.
    """

    def __init__(self, seed: int, block: int, n_actions: int) -> None:
        self.seed, self.block = seed, block
        self.params = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(block, 0))))
        self._bits = [np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(block, 1, a))) for a in range(n_actions)]
        self._uniform = [np.random.Generator(b) for b in self._bits]
        self._effect_keys = [int(np.random.SeedSequence(seed, spawn_key=(block, 2, a)).generate_state(1, np.uint64)[0])
                             for a in range(n_actions)]

    def uniforms(self, action: int, runs: int) -> np.ndarray:
        return self._uniform[action].random(runs)

    def skip(self, action: int, runs: int) -> None:
        self._bits[action].advance(runs)  # one 64-bit output per double, as random() uses

    def effect_uniforms(self, action: int, day: int, call: int, idx: np.ndarray) -> np.ndarray:
        """Uniforms of runs ``idx`` for the ``call``-th random draw of an action's effects on ``day``:
        a pure function of (seed, block, action, day, call, run), read directly for the runs that draw."""
        return indexed_uniforms(stream_seed(self._effect_keys[action], call, day), idx)


class RunUniforms:
    """Uniforms for the runs ``idx`` of a block: each call draws one number for every run of the
    block and hands out those of ``idx``, so run i's draw does not depend on which other runs draw."""

    def __init__(self, streams: Streams, action: int, day: int, runs: int, idx: np.ndarray) -> None:
        self.streams, self.action, self.day, self.idx = streams, action, day, idx
        self.calls = 0

    def uniform(self) -> np.ndarray:
        self.calls += 1
        return self.streams.effect_uniforms(self.action, self.day, self.calls, self.idx)


def step(model: Model, ctx: Context, state: State, streams: Streams) -> tuple[State, Day]:
    """Simulate one day; returns the new state and what happened that day."""
    t = state.day
    runs = ctx.runs
    x = state.x.copy()
    if t > 0 and ctx.relax_rows.size:
        rows = ctx.relax_rows
        x[rows] = ctx.relax_to + (x[rows] - ctx.relax_to) * ctx.relax_decay
    env = environment(model, ctx, state, x, t)

    n_actions = len(model.actions)
    hazards = np.empty((n_actions, runs))
    for a in model.actions:
        hazards[a.index] = a.hazard.fn(env)
    high = _check_hazards(model, hazards, ctx, t) if runs and n_actions else np.zeros(n_actions)
    # Each action draws its uniforms from its own stream; a zero hazard skips them (no draw needed).
    occurred = np.zeros((n_actions, runs), dtype=np.int32)
    for a in range(n_actions):
        if high[a] <= 0:
            streams.skip(a, runs)
            continue
        u = streams.uniforms(a, runs)
        if model.actions[a].kind == "rate":
            occurred[a] = poisson_from_uniform(hazards[a], u)
        else:
            np.less(u, hazards[a], out=occurred[a], casting="unsafe")
    # One scan finds every (action, run) that happened today; rows come out sorted by action.
    flat = np.flatnonzero(occurred != 0)
    acts, where = np.divmod(flat, runs) if runs else (flat, flat)
    split = np.searchsorted(acts, np.arange(n_actions + 1))

    fatalities: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for a in model.actions:
        lo, hi = split[a.index], split[a.index + 1]
        if not a.has_effects or lo == hi:
            continue
        idx = where[lo:hi]
        sub: dict[str, Any] = {"__rng__": RunUniforms(streams, a.index, t, runs, idx), "__size__": idx.size,
                               "n": occurred[a.index, idx].astype(float)}
        for name in a.uses:
            v = env[name]
            sub[name] = v[idx] if isinstance(v, np.ndarray) and v.ndim == 1 else v
        for name, f in a.draws:
            sub[name] = _as_runs(f.fn(sub), idx.size)
        sets = [(row, f, f.fn(sub)) for row, f in a.set]
        adds = [(row, f, f.fn(sub)) for row, f in a.add]
        if a.fatalities is not None:
            fv = _as_runs(a.fatalities.fn(sub), idx.size)
            if not (fv.min() >= 0.0 and fv.max() < np.inf):
                i = int(np.argmax(~((fv >= 0.0) & (fv < np.inf))))
                raise NumericalError("fatalities", a.id, a.fatalities.text, ctx.run_offset + int(idx[i]), t, float(fv[i]))
            fatalities[a.index] = (idx, fv)
        for row, f, value in sets:
            _write(x, row, idx, value, model, a.id, f.text, ctx, t)
        for row, f, value in adds:
            delta = _as_runs(value, idx.size)
            moved = np.flatnonzero(delta != 0)  # most deltas are zero (no death today...); NaN != 0 is kept
            if moved.size:
                where_moved = idx[moved]
                _write(x, row, where_moved, x[row, where_moved] + delta[moved], model, a.id, f.text, ctx, t)

    counts = state.counts.copy()
    for j, a in enumerate(model.counted):
        lo, hi = split[a], split[a + 1]
        if hi > lo:
            counts[j, where[lo:hi]] += occurred[a, where[lo:hi]]
    max_rung = state.max_rung.copy()
    if acts.size:
        np.maximum.at(max_rung, where, model.rung_ranks[acts])
    traces = state.traces * ctx.memory_decay_matrix
    for j, mem in enumerate(model.memories):
        traces[j] += occurred[mem.action]
    last = state.last.copy()
    for j, a in enumerate(model.days_since):
        last[j] = np.where(occurred[a] > 0, float(t), last[j])
    new = State(x, traces, counts, last, state.first_passage, max_rung, t + 1)

    end_env = environment(model, ctx, new, x, t)
    fp = state.first_passage.copy()
    for o, (oid, f) in enumerate(model.first_passage):
        value = np.broadcast_to(np.asarray(f.fn(end_env), dtype=float), (runs,))
        if runs and not f.is_condition and np.isnan(value).any():  # comparisons never give NaN
            i = int(np.argmax(np.isnan(value)))
            raise NumericalError("condition", oid, f.text, ctx.run_offset + i, t, float("nan"), owner="outcome")
        hit = value != 0
        fp[o] = np.where((fp[o] < 0) & hit, t, fp[o])
    return replace(new, first_passage=fp), Day(occurred, acts, where, fatalities)


def _write(x: np.ndarray, row: int, idx: np.ndarray, value: Any, model: Model, action: str, text: str,
           ctx: Context, t: int) -> None:
    v = np.broadcast_to(np.asarray(value, dtype=float), idx.shape)
    if v.size and not np.isfinite(v).all():
        i = int(np.argmax(~np.isfinite(v)))
        raise NumericalError(f"effect on {model.state_names[row]!r}", action, text,
                             ctx.run_offset + int(idx[i]), t, float(v[i]))
    x[row, idx] = np.minimum(np.maximum(v, model.lower[row]), model.upper[row])


def quantities(model: Model, ctx: Context, state: State) -> np.ndarray:
    """Tracked quantities (Q, R) at the end of the simulated horizon."""
    env = environment(model, ctx, state, state.x, state.day - 1)
    out = np.zeros((len(model.quantities), ctx.runs))
    for q, (qid, f) in enumerate(model.quantities):
        out[q] = np.broadcast_to(np.asarray(f.fn(env), dtype=float), (ctx.runs,))
        if ctx.runs and not np.isfinite(out[q]).all():
            i = int(np.argmax(~np.isfinite(out[q])))
            raise NumericalError("value", qid, f.text, ctx.run_offset + i, state.day - 1, float(out[q, i]), owner="outcome")
    return out
