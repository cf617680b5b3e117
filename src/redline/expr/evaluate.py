"""Two evaluators of the same syntax tree.

* :func:`compile_numpy` turns a tree into nested closures over numpy arrays
  (one value per run); this is what the engine uses.
* :func:`evaluate_scalar` walks the tree for one run with scalar floats; the
  reference implementation uses it, and tests check that the two agree.

Both read names from an environment mapping.  Memory calls (``recent``,
``count``, ``days_since``) are looked up under :func:`memory_key`.  Random
draws read their uniforms from ``env["__rng__"]`` (an object with ``uniform()``,
or a numpy Generator) and, for arrays, the number
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
from redline.sampling import binomial_from_uniform, normal_from_uniform, poisson_from_uniform

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
    "sin": np.sin,
    "cos": np.cos,
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


def _draw(func: str, source: Any, args: list[Any], size: Any) -> Any:
    """One random draw per run (size=None: one scalar), by inversion of one uniform per run.

    ``source.uniform()`` gives the uniforms (the engine hands out one per run of
    the block, so runs stay paired across policies).  Arguments that cannot be
    drawn from (NaN, infinite bounds, counts beyond 2**53) give NaN, which the
    engine reports with the action, run and day.
    """
    u = source.uniform() if hasattr(source, "uniform") else source.random(size)  # a plain Generator also works
    shape = () if size is None else (size,)
    try:
        with np.errstate(all="ignore"):
            out = _from_uniform(func, [np.broadcast_to(np.asarray(a, dtype=float), shape) for a in args],
                                np.broadcast_to(u, shape))
    except (ValueError, OverflowError):
        out = np.full(shape, np.nan)
    return np.float64(out) if size is None else out


_MAX_COUNT = 2.0**53  # larger counts cannot be held exactly


def _from_uniform(func: str, args: list[np.ndarray], u: np.ndarray) -> np.ndarray:
    if func == "poisson":
        lam = np.maximum(args[0], 0.0)
        bad = np.isnan(lam) | (lam > _MAX_COUNT)
        out = poisson_from_uniform(np.where(bad, 0.0, lam).ravel(), u.ravel()).astype(float).reshape(u.shape)
        return np.where(bad, np.nan, out)
    if func == "binomial":
        bad = np.isnan(args[0]) | np.isnan(args[1]) | (np.abs(args[0]) > _MAX_COUNT)
        n = np.maximum(np.rint(np.where(bad, 0.0, args[0])), 0.0)
        p = np.clip(np.where(bad, 0.0, args[1]), 0.0, 1.0)
        out = binomial_from_uniform(n.ravel(), p.ravel(), u.ravel()).reshape(u.shape)
        return np.where(bad, np.nan, out)
    if func == "bernoulli":
        p = args[0]
        return np.where(np.isnan(p), np.nan, (u < np.clip(p, 0.0, 1.0)).astype(float))
    if func == "normal":
        return normal_from_uniform(args[0], np.maximum(args[1], 0.0), u)
    if func == "uniform":
        return args[0] + (args[1] - args[0]) * u
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
        return _draw(func, env["__rng__"], values, env["__size__"])

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
