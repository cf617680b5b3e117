"""Read scenario YAML with line numbers, resolve ``extends``, validate.

ruamel.yaml keeps the line and column of every key and value; we convert its
tree to plain Python data plus a map from field path to position, so that any
later error (pydantic's or our own cross-reference checks) can point at the
right place in the right file.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import MarkedYAMLError

from redline.errors import Location, ScenarioError, ScenarioErrors, UnknownNameError
from redline.scenario.model import Scenario

# Sections whose entries are keyed by id; `extends` replaces entries key by key.
KEYED_SECTIONS = ("sources", "actors", "state", "parameters", "ladder", "actions", "policies", "outcomes")
MAX_EXTENDS_DEPTH = 5

Path_ = tuple[str | int, ...]


@dataclass
class Positions:
    """Field path -> (file, line, column), 1-based."""

    where: dict[Path_, tuple[str, int, int]]

    def locate(self, path: Path_) -> Location:
        dotted = ".".join(str(p) for p in path)
        probe = tuple(path)
        while probe:
            if probe in self.where:
                file, line, col = self.where[probe]
                return Location(file, line, col, dotted or None)
            probe = probe[:-1]
        if () in self.where:
            file, line, col = self.where[()]
            return Location(file, line, col, dotted or None)
        return Location(None, None, None, dotted or None)


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario with the positions of its fields."""

    scenario: Scenario
    positions: Positions
    origin: str  # file path or "builtin:NAME"


def builtin_names() -> list[str]:
    """Names of the scenarios shipped with redline."""
    folder = resources.files("redline.scenario") / "builtin"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def _builtin_text(name: str) -> tuple[str, str]:
    names = builtin_names()
    if name not in names:
        raise UnknownNameError("scenario", name, names)
    path = resources.files("redline.scenario") / "builtin" / f"{name}.yaml"
    return path.read_text(encoding="utf-8"), f"builtin:{name}"


def _read_yaml(text: str, file: str) -> tuple[Any, dict[Path_, tuple[str, int, int]]]:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        root = yaml.load(io.StringIO(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file)
        problem = exc.problem or exc.context or "cannot parse YAML"
        raise ScenarioError(f"YAML syntax error: {problem}", loc, expected="valid YAML") from None
    except Exception as exc:  # noqa: BLE001 - ruamel raises unmarked errors of several types (bad encodings, ...)
        raise ScenarioError(f"YAML cannot be read: {exc}", Location(file), expected="valid YAML") from None
    if not isinstance(root, CommentedMap):
        raise ScenarioError(
            "a scenario file must be a YAML mapping",
            Location(file, 1, 1),
            expected="keys such as id, title, actors, parameters, actions",
            found=_kind_of(root),
        )
    positions: dict[Path_, tuple[str, int, int]] = {(): (file, 1, 1)}
    return _plain(root, (), positions, file), positions


def _kind_of(value: Any) -> str:
    if value is None:
        return "an empty file"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"a single text value ({value[:40]!r})"
    return f"a single value ({value!r})"


MAX_NODES = 200_000  # values in one scenario after YAML aliases are expanded


def _position(lc: Any, getter: str, key: Any, fallback: tuple[str, int, int], file: str) -> tuple[str, int, int]:
    """Line and column of a key or item; merged keys (<<: *anchor) and tagged nodes fall back to the parent."""
    try:
        found = getattr(lc, getter)(key)
    except (KeyError, IndexError, TypeError, AttributeError):
        found = None
    if not found or found[0] is None:
        return fallback
    return (file, found[0] + 1, found[1] + 1)


def _plain(node: Any, path: Path_, pos: dict[Path_, tuple[str, int, int]], file: str,
           budget: list[int] | None = None) -> Any:
    """Plain Python data from ruamel's tree, recording positions; refuses alias bombs."""
    budget = budget if budget is not None else [MAX_NODES]
    budget[0] -= 1
    if budget[0] < 0:
        raise ScenarioError(
            "the file expands to too many values (YAML aliases repeated inside each other?)",
            Location(file, *pos.get(path, (file, 1, 1))[1:]),
            expected=f"at most {MAX_NODES:,} values",
        )
    here = pos.get(path, (file, 1, 1))
    if isinstance(node, dict):
        out = {}
        lc = getattr(node, "lc", None)
        for key in node:
            if not isinstance(key, str):
                where = _position(lc, "key", key, here, file)
                raise ScenarioError(
                    "mapping keys must be text",
                    Location(file, where[1], where[2], ".".join(map(str, path)) or None),
                    found=repr(key),
                )
            pos[(*path, key)] = _position(lc, "value", key, here, file)
            out[key] = _plain(node[key], (*path, key), pos, file, budget)
        return out
    if isinstance(node, list | tuple):
        items = []
        lc = getattr(node, "lc", None)
        for i, item in enumerate(node):
            pos[(*path, i)] = _position(lc, "item", i, here, file)
            items.append(_plain(item, (*path, i), pos, file, budget))
        return items
    if hasattr(node, "tag") and type(node).__name__ == "TaggedScalar":
        return str(node)
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, int):
        return int(node)
    return node


def _merge(base: dict, child: dict, base_pos: dict, child_pos: dict) -> tuple[dict, dict]:
    """Child replaces base top-level fields; keyed sections merge entry by entry."""
    data = dict(base)
    pos = {k: v for k, v in base_pos.items() if k and k[0] != "extends"}
    for key, value in child.items():
        if key == "extends":
            continue
        if key in KEYED_SECTIONS and isinstance(value, dict) and isinstance(base.get(key), dict):
            merged = dict(base[key])
            merged.update(value)
            data[key] = merged
            for entry in value:
                pos = {k: v for k, v in pos.items() if k[:2] != (key, entry)}
        elif key == "time" and isinstance(value, dict) and isinstance(base.get(key), dict):
            data[key] = {**base[key], **value}
        else:
            data[key] = value
            pos = {k: v for k, v in pos.items() if k[:1] != (key,)}
    pos.update({k: v for k, v in child_pos.items() if k})
    pos[()] = child_pos[()]
    return data, pos


def _resolve(text: str, file: str, base_dir: Path | None, depth: int) -> tuple[dict, dict]:
    data, pos = _read_yaml(text, file)
    return _resolve_data(data, pos, base_dir, depth)


def _resolve_data(data: dict, pos: dict, base_dir: Path | None, depth: int) -> tuple[dict, dict]:
    """Follow ``extends`` (if any) and merge this data over its parent's."""
    pos.setdefault(("extends",), pos[()])
    parent = data.get("extends")
    if parent is None:
        return data, pos
    if depth >= MAX_EXTENDS_DEPTH:
        raise ScenarioError(
            "'extends' chain too long (a cycle?)",
            Location(*pos[("extends",)], path="extends"),
            expected=f"at most {MAX_EXTENDS_DEPTH} levels",
        )
    if not isinstance(parent, str):
        raise ScenarioError(
            "'extends' must name a built-in scenario or a file",
            Location(*pos[("extends",)], path="extends"),
            found=repr(parent),
        )
    if parent.endswith((".yaml", ".yml")):
        ppath = (base_dir or Path.cwd()) / parent
        if not ppath.is_file():
            raise ScenarioError(
                "the scenario named by 'extends' does not exist",
                Location(*pos[("extends",)], path="extends"),
                expected="an existing .yaml file (relative to this file) or a built-in name",
                found=str(ppath),
            )
        try:
            ptext = ppath.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ScenarioError(
                f"cannot read the scenario named by 'extends': {exc}",
                Location(*pos[("extends",)], path="extends"),
                expected="a readable UTF-8 YAML file",
                found=str(ppath),
            ) from None
        pfile, pdir = str(ppath), ppath.parent
    else:
        try:
            ptext, pfile = _builtin_text(parent)
        except UnknownNameError as exc:
            raise ScenarioError(
                str(exc), Location(*pos[("extends",)], path="extends")
            ) from None
        pdir = None
    bdata, bpos = _resolve(ptext, pfile, pdir, depth + 1)
    return _merge(bdata, data, bpos, pos)


def load_scenario(source: str | Path | Mapping[str, Any]) -> LoadedScenario:
    """Load and validate a scenario: a built-in name, a YAML file path, or a mapping.

    Raises :class:`ScenarioErrors` listing every problem found, each with its
    file, line, column and field path.
    """
    if isinstance(source, Mapping):
        data, pos, origin = dict(source), {(): ("<mapping>", 1, 1)}, "<mapping>"
        data, pos = _resolve_data(data, pos, None, 0)
    else:
        text_source = str(source)
        path = Path(text_source)
        if text_source in builtin_names():
            return _load_builtin(text_source)
        elif path.suffix in (".yaml", ".yml") or path.exists():
            if not path.is_file():
                raise ScenarioError(
                    "scenario file not found",
                    Location(str(path)),
                    expected="a path to a .yaml file or a built-in name: " + ", ".join(builtin_names()),
                    found=str(path),
                )
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ScenarioError(f"cannot read scenario file: {exc}", Location(str(path))) from None
            origin = str(path)
            data, pos = _resolve(text, origin, path.parent, 0)
        else:
            raise UnknownNameError("scenario", text_source, builtin_names())
    return _validated(data, Positions(pos), origin)


_UNION_TAGS = {"str", "float", "int", "bool", "list[str]", "dict[str,union[str,float]]"}


@functools.lru_cache(maxsize=16)
def _load_builtin(name: str) -> LoadedScenario:
    """Built-in scenarios are package data that cannot change while running: load each once."""
    text, origin = _builtin_text(name)
    data, pos = _resolve(text, origin, None, 0)
    return _validated(data, Positions(pos), origin)


def _validated(data: dict, positions: Positions, origin: str) -> LoadedScenario:
    from redline.scenario.validate import cross_check  # local: avoids an import cycle

    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioErrors(_from_pydantic_all(exc.errors(), positions)) from None
    problems = cross_check(scenario, positions)
    if problems:
        raise ScenarioErrors(problems)
    return LoadedScenario(scenario, positions, origin)


def _from_pydantic_all(errors: list[Any], positions: Positions) -> list[ScenarioError]:
    """Map pydantic errors to ours, folding the per-member errors of a union into one."""
    out: list[ScenarioError] = []
    unions: dict[tuple, list[str]] = {}
    for err in errors:
        loc = tuple(err["loc"])
        tag_at = next((i for i, p in enumerate(loc) if isinstance(p, str) and p.startswith("tagged-union[")), None)
        if tag_at is not None or (loc and isinstance(loc[-1], str) and loc[-1] in _UNION_TAGS):
            base = loc[:tag_at] if tag_at is not None else loc[:-1]
            unions.setdefault(base, []).append(str(loc[-1]))
            if len(unions[base]) > 1:
                continue
            is_dist = tag_at is not None or any(p == "parameters" for p in base[:1]) or "policies" in base[:1]
            err = {**err, "loc": base, "type": "union_dist" if is_dist else "union", "msg": "wrong type"}
        out.append(_from_pydantic(err, positions))
    return out


def _from_pydantic(err: Mapping[str, Any], positions: Positions) -> ScenarioError:
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    # Drop discriminator tags such as 'triangular' that pydantic inserts into the path.
    clean: list[str | int] = []
    for part in loc:
        if clean and clean[-1] == "dist" and isinstance(part, str) and part in _DIST_KINDS:
            continue
        clean.append(part)
    where = positions.locate(tuple(clean))
    kind = err.get("type", "")
    found = err.get("input")
    message = err["msg"].removeprefix("Value error, ")
    if kind == "missing":
        return ScenarioError(f"missing field {clean[-1]!r}", where, expected="this field to be present")
    if kind == "extra_forbidden":
        fields = _fields_at(tuple(clean[:-1]))
        expected = ("one of " + ", ".join(fields)) if fields else "only the documented fields"
        return ScenarioError(f"unknown field {clean[-1]!r}", where, expected=expected + " (see docs/scenario-format.md)")
    found_text = None if isinstance(found, dict) else _short(found)
    if kind == "union_dist":
        return ScenarioError(
            "wrong type", where, expected="a number or a distribution such as {kind: uniform, low: 0, high: 1}",
            found=found_text,
        )
    if kind == "union":
        return ScenarioError("wrong type", where, expected="text (an expression) or a number", found=found_text)
    return ScenarioError(message, where, found=found_text)


def _fields_at(path: tuple) -> list[str]:
    """Field names of the pydantic model found at ``path`` of a scenario (empty if unknown)."""
    import typing

    from pydantic import BaseModel

    current: Any = Scenario
    for part in path:
        if isinstance(current, type) and issubclass(current, BaseModel):
            if part not in current.model_fields:
                return []
            current = current.model_fields[part].annotation
        elif typing.get_origin(current) is dict:
            current = typing.get_args(current)[1]
        else:
            return []
        while typing.get_origin(current) in (typing.Union, typing.Annotated) or type(current).__name__ == "UnionType":
            members = [a for a in typing.get_args(current) if a is not type(None)]
            models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
            current = models[0] if len(models) == 1 else (members[0] if len(members) == 1 else None)
            if current is None:
                return []
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


_DIST_KINDS = {"fixed", "uniform", "loguniform", "triangular", "normal", "lognormal", "beta", "gamma"}


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
