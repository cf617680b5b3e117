"""redline's safe expression language: parse, then evaluate with numpy or per run."""

from redline.expr.evaluate import compile_numpy, evaluate_scalar
from redline.expr.parse import FUNCTIONS, MEMORY_FUNCTIONS, RANDOM_FUNCTIONS, Expr, memory_key, parse, to_text

__all__ = [
    "FUNCTIONS",
    "MEMORY_FUNCTIONS",
    "RANDOM_FUNCTIONS",
    "Expr",
    "compile_numpy",
    "evaluate_scalar",
    "memory_key",
    "parse",
    "to_text",
]
