"""One exception hierarchy for everything redline raises on purpose.

The library raises; only the CLI turns these into exit codes and friendly text.
Every message says what was expected, what was found, and where.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where something sits in a scenario file (1-based line and column)."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: str | None = None  # field path, e.g. "actions.militia_attack_us.hazard"

    def __str__(self) -> str:
        parts = []
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            parts.append(where)
        if self.path:
            parts.append(f"field {self.path}")
        return ", ".join(parts) if parts else "<unknown location>"


class RedlineError(Exception):
    """Base class of every error redline raises deliberately."""

    exit_code = 1


class ScenarioError(RedlineError):
    """A scenario file is malformed: wrong type, missing field, unknown name."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        location: Location | None = None,
        *,
        expected: str | None = None,
        found: str | None = None,
    ) -> None:
        self.message = message
        self.location = location
        self.expected = expected
        self.found = found
        text = f"{location}: {message}" if location else message
        if expected is not None:
            text += f"\n  expected: {expected}"
        if found is not None:
            text += f"\n  found: {found}"
        super().__init__(text)


    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (_rebuild, (type(self), (self.message, self.location), {"expected": self.expected, "found": self.found}))


def _rebuild(cls: type, args: tuple, kwargs: dict) -> Exception:
    """Unpickle an error raised in a worker process."""
    return cls(*args, **kwargs)


class ScenarioErrors(ScenarioError):
    """Several scenario errors reported together (validation collects them all)."""

    def __init__(self, errors: list[ScenarioError]) -> None:
        self.errors = errors
        first = errors[0] if errors else None
        self.message = first.message if first else "no errors"
        self.location = first.location if first else None
        self.expected = first.expected if first else None
        self.found = first.found if first else None
        body = "\n".join(str(e) for e in errors)
        RedlineError.__init__(self, f"{len(errors)} error(s) in scenario:\n{body}")

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (_rebuild, (type(self), (self.errors,), {}))


class ExpressionError(ScenarioError):
    """An expression is not valid redline expression syntax, or is unsafe."""


class UnknownNameError(RedlineError, KeyError):
    """A lookup by name failed; the message lists the valid names."""

    exit_code = 2

    def __init__(self, kind: str, name: str, valid: Iterable[str]) -> None:
        self.kind = kind
        self.name = name
        self.valid = sorted(valid)
        self._args = (kind, name, self.valid)
        listing = ", ".join(self.valid) if self.valid else "(none)"
        super().__init__(f"unknown {kind} {name!r}; valid {kind} names: {listing}")

    def __str__(self) -> str:  # KeyError would otherwise repr() the message
        return str(self.args[0])

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (_rebuild, (type(self), self._args, {}))


class NumericalError(RedlineError):
    """A hazard or effect produced NaN, a negative rate, infinity, or p > 1."""

    def __init__(
        self, what: str, action: str, expression: str, run: int, day: int, value: float, *, owner: str = "action",
        context: str = "",
    ) -> None:
        self._args = (what, action, expression, run, day, value)
        self.owner = owner
        self.context = context  # where in a larger job, e.g. a sweep's parameter point
        self.action = action
        self.expression = expression
        self.run = run
        self.day = day
        self.value = value
        super().__init__(
            f"{what} of {owner} {action!r} is {value:.6g} in run {run} on day {day}\n"
            f"  expression: {expression}\n"
            f"  expected: a finite number"
            + (" between 0 and 1" if "probability" in what else " between 0 and 1e6 events a day" if "rate" in what
               else " >= 0" if owner == "action" else "")
            + (f"\n  at: {context}" if context else "")
        )

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (_rebuild, (type(self), self._args, {"owner": self.owner, "context": self.context}))


class SimulationInterrupted(RedlineError):
    """The user stopped a simulation (Ctrl-C); partial work is discarded."""

    exit_code = 130


class ExecutorError(RedlineError):
    """An executor could not start or reach its workers (e.g. an unreachable Dask scheduler)."""

    exit_code = 3
