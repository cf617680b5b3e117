"""Two evaluators of the same syntax tree.

* :func:`compile_numpy` turns a tree into nested closures over numpy arrays
  (one value per run); this is what the engine uses.
* :func:`evaluate_scalar` walks the tree for one run with scalar floats; the
  reference implementation uses it, and tests check that the two agree.

Both read names from an environment mapping.  Memory calls (``recent``,
``count``, ``days_since``) are looked up under :func:`memory_key`.  Random
draws read the generator from ``env["__rng__"]`` and, for arrays, the number
of runs from ``env["__size__"]``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from redline.expr.parse import (
    Bin,
    BoolOp,
    Call,
    Compare,
    IfElse,
    Name,
    Node,
    Num,
    Unary,
    memory_key,
)

Env = Mapping[str, Any]
Compiled = Callable[[Env], Any]


def _as_float(value: Any) -> Any:
    """Truth values as 0.0/1.0, like the scalar evaluator (numpy refuses ``-`` on
    booleans and computes exp/sqrt/log of booleans in float16)."""
    out = np.asarray(value, dtype=np.float64)
    return out if out.ndim else out[()]


def _logistic(x: Any) -> Any:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


_MATH: dict[str, Callable[..., Any]] = {
    "abs": np.abs,
    "exp": np.exp,
    "log": np.log,
    "log1p": np.log1p,
    "sqrt": np.sqrt,
    "floor": np.floor,
    "ceil": np.ceil,
    "clip": lambda x, lo, hi: np.minimum(np.maximum(x, lo), hi),
    "logistic": _logistic,
    "where": lambda c, a, b: np.where(c, a, b),
}

_CMP: dict[str, Callable[[Any, Any], Any]] = {
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
    "==": np.equal,
    "!=": np.not_equal,
}

_BIN: dict[str, Callable[[Any, Any], Any]] = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": np.divide,
    "**": np.power,
}


def _draw(func: str, rng: np.random.Generator, args: list[Any], size: Any) -> Any:
    """One random draw per run (size=None draws a scalar).

    Arguments numpy cannot draw from (infinite bounds, rates or counts beyond
    its range) give NaN, which the engine reports with the action, run and day.
    """
    try:
        with np.errstate(all="ignore"):
            return _draw_unchecked(func, rng, args, size)
    except (ValueError, OverflowError):
        return np.float64("nan") if size is None else np.full(size, np.nan)


_MAX_COUNT = 2.0**53  # larger counts cannot be held exactly and overflow numpy's samplers


def _draw_unchecked(func: str, rng: np.random.Generator, args: list[Any], size: Any) -> Any:
    if func == "poisson":
        lam = np.maximum(args[0], 0.0)  # NaN stays NaN and is reported by the caller
        lam = np.where(lam > _MAX_COUNT, np.nan, lam)
        if size is None:
            return np.float64("nan") if np.isnan(lam) else np.asarray(rng.poisson(lam), dtype=float)
        lam = np.broadcast_to(lam, (size,))
        out = np.where(np.isnan(lam), np.nan, 0.0)
        live = lam > 0  # draw only where a count can be non-zero: most runs, most days
        if live.any():
            out[live] = rng.poisson(lam[live])
        return out
    if func == "binomial":
        bad = np.isnan(args[0]) | np.isnan(args[1]) | (np.abs(args[0]) > _MAX_COUNT)  # NaN out: the caller reports it
        n = np.maximum(np.rint(np.nan_to_num(args[0])), 0).astype(np.int64)
        p = np.clip(np.nan_to_num(args[1]), 0.0, 1.0)
        if size is None:
            return np.float64("nan") if bad else np.asarray(rng.binomial(n, p), dtype=float)
        n, p = np.broadcast_to(n, (size,)), np.broadcast_to(p, (size,))
        if n.max(initial=0) <= 1:  # Binomial(1, p) is a Bernoulli(p) draw: one uniform, no rejection
            return np.where(bad, np.nan, ((rng.random(size) < p) & (n == 1)).astype(float))
        out = np.where(bad, np.nan, 0.0)
        live = (n > 0) & (p > 0) & ~bad
        if live.any():
            out[live] = rng.binomial(n[live], p[live])
        return out
    if func == "bernoulli":
        u = rng.random(size=size)
        return np.asarray(u < np.clip(args[0], 0.0, 1.0), dtype=float)
    if func == "normal":
        return rng.normal(args[0], np.maximum(args[1], 0.0), size=size)
    if func == "uniform":
        return rng.uniform(args[0], args[1], size=size)
    raise KeyError(func)  # pragma: no cover - parse() rejects unknown functions


def compile_numpy(node: Node) -> Compiled:
    """Compile a tree into a function ``env -> array`` using numpy ufuncs."""
    if isinstance(node, Num):
        value = node.value
        return lambda env: value
    if isinstance(node, Name):
        key = node.id
        return lambda env: env[key]
    if isinstance(node, Unary):
        inner = compile_numpy(node.operand)
        if node.op == "-":
            return lambda env: np.negative(inner(env))
        if node.op == "not":
            return lambda env: _as_float(np.logical_not(inner(env)))
        return inner
    if isinstance(node, Bin):
        left, right, fn = compile_numpy(node.left), compile_numpy(node.right), _BIN[node.op]
        return lambda env: fn(left(env), right(env))
    if isinstance(node, Compare):
        parts = [compile_numpy(o) for o in node.operands]
        fns = [_CMP[o] for o in node.ops]
        if len(fns) == 1:
            a, b, f = parts[0], parts[1], fns[0]
            return lambda env: _as_float(f(a(env), b(env)))

        def chained(env: Env) -> Any:
            values = [p(env) for p in parts]
            out = fns[0](values[0], values[1])
            for i, f in enumerate(fns[1:], start=1):
                out = np.logical_and(out, f(values[i], values[i + 1]))
            return _as_float(out)

        return chained
    if isinstance(node, BoolOp):
        parts = [compile_numpy(v) for v in node.values]
        combine = np.logical_and if node.op == "and" else np.logical_or

        def boolop(env: Env) -> Any:
            out = parts[0](env)
            for p in parts[1:]:
                out = combine(out, p(env))
            return _as_float(out)

        return boolop
    if isinstance(node, IfElse):
        test, body, orelse = compile_numpy(node.test), compile_numpy(node.body), compile_numpy(node.orelse)
        return lambda env: np.where(test(env), body(env), orelse(env))
    if isinstance(node, Call):
        return _compile_call(node)
    raise TypeError(f"cannot compile {node!r}")  # pragma: no cover


def _compile_call(node: Call) -> Compiled:
    func = node.func
    if func in ("recent", "count", "days_since"):
        key = memory_key(node)
        return lambda env: env[key]
    args = [compile_numpy(a) for a in node.args]
    if func in ("min", "max"):
        reduce = np.minimum if func == "min" else np.maximum

        def minmax(env: Env) -> Any:
            out = args[0](env)
            for a in args[1:]:
                out = reduce(out, a(env))
            return out

        return minmax
    if func in _MATH:
        fn = _MATH[func]
        if len(args) == 1:
            a0 = args[0]
            return lambda env: fn(a0(env))
        return lambda env: fn(*[a(env) for a in args])

    def draw(env: Env) -> Any:
        values = [a(env) for a in args]
        size = env["__size__"]
        return _draw(func, env["__rng__"], values, size)

    return draw


def evaluate_scalar(node: Node, env: Env) -> float:
    """Evaluate a tree for one run by walking it (reference semantics).

    Arithmetic uses numpy float64 scalars so that overflow gives inf and 0/0
    gives nan exactly as the vectorised engine does, instead of raising.
    """
    if isinstance(node, Num):
        return np.float64(node.value)  # type: ignore[return-value]
    if isinstance(node, Name):
        return np.float64(env[node.id])  # type: ignore[return-value]
    if isinstance(node, Unary):
        v = evaluate_scalar(node.operand, env)
        if node.op == "-":
            return -v
        if node.op == "not":
            return np.float64(0.0 if v else 1.0)  # type: ignore[return-value]
        return v
    if isinstance(node, Bin):
        a, b = evaluate_scalar(node.left, env), evaluate_scalar(node.right, env)
        with np.errstate(all="ignore"):
            if node.op == "+":
                return a + b
            if node.op == "-":
                return a - b
            if node.op == "*":
                return a * b
            if node.op == "/":
                return np.float64(a) / np.float64(b)  # type: ignore[return-value]
            return np.float64(a) ** np.float64(b)  # type: ignore[return-value]
    if isinstance(node, Compare):
        values = [evaluate_scalar(o, env) for o in node.operands]
        ok = all(
            _CMP[op](values[i], values[i + 1]) for i, op in enumerate(node.ops)
        )
        return np.float64(1.0 if ok else 0.0)  # type: ignore[return-value]
    if isinstance(node, BoolOp):
        truth = [bool(evaluate_scalar(v, env)) for v in node.values]
        ok = all(truth) if node.op == "and" else any(truth)
        return np.float64(1.0 if ok else 0.0)  # type: ignore[return-value]
    if isinstance(node, IfElse):
        if evaluate_scalar(node.test, env):
            return evaluate_scalar(node.body, env)
        return evaluate_scalar(node.orelse, env)
    if isinstance(node, Call):
        func = node.func
        if func in ("recent", "count", "days_since"):
            return np.float64(env[memory_key(node)])  # type: ignore[return-value]
        values = [evaluate_scalar(a, env) for a in node.args]
        with np.errstate(all="ignore"):
            if func in ("min", "max"):
                reduce = np.minimum if func == "min" else np.maximum
                out = values[0]
                for v in values[1:]:
                    out = reduce(out, v)
                return out
            if func == "clip":
                return np.minimum(np.maximum(values[0], values[1]), values[2])
            if func == "where":
                return values[1] if values[0] else values[2]
            if func in _MATH:
                return np.float64(_MATH[func](*values))  # type: ignore[return-value]
            return np.float64(_draw(func, env["__rng__"], values, None))  # type: ignore[return-value]
    raise TypeError(f"cannot evaluate {node!r}")  # pragma: no cover
