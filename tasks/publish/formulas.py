"""Load tasks/publish/derivations.yaml and evaluate its formulas safely, so derivations stay data, not code."""
from __future__ import annotations

import ast
import hashlib
import math
import operator
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

import yaml

from tasks.contract.catalogue import Catalogue, load_catalogue
from tasks.contract.schema import MEASURES, UNITS

DERIVATIONS_PATH = Path(__file__).with_name("derivations.yaml")
CHANGE_VARIABLES = frozenset({"level", "previous", "change"})
PUBLISH_FOR = ("none", "percent", "non_percent")
_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
_NAME = re.compile(r"[A-Za-z_][\w.]*")


class DerivationsError(ValueError):
    """tasks/publish/derivations.yaml is malformed."""


@dataclass(frozen=True)
class Formula:
    """An arithmetic expression over dotted names (+ - * / and parentheses only)."""

    text: str
    names: tuple[str, ...]
    tree: ast.Expression

    def __call__(self, values: Mapping[str, float]) -> float:
        """The value, or NaN when it is undefined (division by zero)."""
        try:
            return float(_evaluate(self.tree.body, values))
        except ZeroDivisionError:
            return math.nan

    def substitute(self, values: Mapping[str, float]) -> str:
        """The formula with each name replaced by its value, for people reading a derived row."""
        return _NAME.sub(lambda m: f"{values[m.group()]:.15g}" if m.group() in values else m.group(), self.text)


def parse_formula(text: str) -> Formula:
    """Parse a formula, refusing anything but arithmetic on names and numbers."""
    try:
        tree = ast.parse(str(text), mode="eval")
    except SyntaxError as exc:
        raise DerivationsError(f"formula {text!r}: {exc.msg}") from exc
    names: list[str] = []
    _collect(tree.body, names, text)
    return Formula(text=str(text), names=tuple(dict.fromkeys(names)), tree=tree)


def _collect(node: ast.AST, names: list[str], text: str) -> None:
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        _collect(node.left, names, text)
        _collect(node.right, names, text)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        _collect(node.operand, names, text)
    elif isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        pass
    elif isinstance(node, (ast.Name, ast.Attribute)):
        names.append(_dotted(node, text))
    else:
        raise DerivationsError(f"formula {text!r}: {type(node).__name__} is not allowed")


def _dotted(node: ast.AST, text: str) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value, text)}.{node.attr}"
    raise DerivationsError(f"formula {text!r}: {type(node).__name__} is not a name")


def _evaluate(node: ast.AST, values: Mapping[str, float]) -> float:
    if isinstance(node, ast.BinOp):
        return _OPS[type(node.op)](_evaluate(node.left, values), _evaluate(node.right, values))
    if isinstance(node, ast.UnaryOp):
        operand = _evaluate(node.operand, values)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.Constant):
        return float(node.value)
    return float(values[_dotted(node, "")])


def propagated_tolerance(function: Callable[[Mapping[str, float]], float], values: Mapping[str, float],
                         units: Mapping[str, float]) -> float:
    """First-order effect on `function` of moving each input by its rounding unit."""
    base = function(values)
    return sum(abs(function({**values, name: values[name] + units[name]}) - base) for name in values)


@dataclass(frozen=True)
class Derivation:
    """One derived indicator: a formula over catalogue levels, with its own id, unit and range."""

    id: str
    unit: str
    en: str
    zh: str
    formula: Formula
    range: tuple[float, float]


@dataclass(frozen=True)
class Identity:
    """Two formulas that must agree (equation), or a value that must lie among others (bracket)."""

    id: str
    en: str
    kind: str
    lhs: Formula | None = None
    rhs: Formula | None = None
    value: str = ""
    within: tuple[str, ...] = ()

    @property
    def inputs(self) -> tuple[str, ...]:
        if self.kind == "bracket":
            return (self.value, *self.within)
        return tuple(dict.fromkeys((*self.lhs.names, *self.rhs.names)))

    @property
    def text(self) -> str:
        if self.kind == "bracket":
            return f"min({', '.join(self.within)}) <= {self.value} <= max(...)"
        return f"{self.lhs.text} = {self.rhs.text}"


@dataclass(frozen=True)
class ChangeRule:
    """How a stated change measure links a level to the previous year's level."""

    measure: str
    previous_level: Formula
    implied_change: Formula
    publish_for: str


@dataclass(frozen=True)
class Derivations:
    """Everything tasks/publish/derivations.yaml says, checked against the catalogue."""

    derived: tuple[Derivation, ...]
    identities: tuple[Identity, ...]
    changes: tuple[ChangeRule, ...]
    relative_floor: float
    version: str


def parse_derivations(text: str, catalogue: Catalogue) -> Derivations:
    """Parse derivations YAML and check every id, unit and formula name against the catalogue."""
    data = yaml.safe_load(text) or {}
    known = set(catalogue.ids)
    derived = tuple(_derivation(item, known) for item in data.get("derived") or [])
    ids = [d.id for d in derived]
    if len(set(ids)) != len(ids):
        raise DerivationsError("derivations: duplicate derived id")
    identities = tuple(_identity(item, known) for item in data.get("identities") or [])
    if len({i.id for i in identities}) != len(identities):
        raise DerivationsError("derivations: duplicate identity id")
    changes = tuple(_change(item) for item in data.get("changes") or [])
    floor = float((data.get("tolerance") or {}).get("relative_floor", 1e-9))
    version = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return Derivations(derived, identities, changes, floor, version)


def _derivation(item: dict, known: set[str]) -> Derivation:
    missing = {"id", "unit", "en", "zh", "formula", "range"} - set(item)
    if missing:
        raise DerivationsError(f"derivations: {item.get('id', '?')} lacks {sorted(missing)}")
    did = str(item["id"])
    if not did.startswith("derived.") or did in known:
        raise DerivationsError(f"derivations: {did} must start with 'derived.' and not be a catalogue id")
    if item["unit"] not in UNITS:
        raise DerivationsError(f"derivations: {did} has unknown unit {item['unit']!r}")
    formula = parse_formula(item["formula"])
    _known_names(did, formula.names, known)
    low, high = (float(v) for v in item["range"])
    if not low < high:
        raise DerivationsError(f"derivations: {did} range must be [low, high] with low < high")
    return Derivation(did, item["unit"], item["en"], item["zh"], formula, (low, high))


def _identity(item: dict, known: set[str]) -> Identity:
    iid, kind = str(item.get("id", "?")), item.get("kind", "equation")
    if kind == "bracket":
        identity = Identity(iid, item.get("en", ""), kind, value=str(item.get("value", "")),
                            within=tuple(str(w) for w in item.get("within") or []))
        if len(identity.within) < 2:
            raise DerivationsError(f"derivations: identity {iid} needs at least two 'within' ids")
    elif kind == "equation":
        if "lhs" not in item or "rhs" not in item:
            raise DerivationsError(f"derivations: identity {iid} needs lhs and rhs")
        identity = Identity(iid, item.get("en", ""), kind, parse_formula(item["lhs"]), parse_formula(item["rhs"]))
    else:
        raise DerivationsError(f"derivations: identity {iid} has unknown kind {kind!r}")
    _known_names(iid, identity.inputs, known)
    return identity


def _change(item: dict) -> ChangeRule:
    measure = item.get("measure")
    if measure not in MEASURES or measure == "level":
        raise DerivationsError(f"derivations: change rule has bad measure {measure!r}")
    rule = ChangeRule(measure, parse_formula(item["previous_level"]), parse_formula(item["implied_change"]),
                      item.get("publish_for", "none"))
    if set(rule.previous_level.names) - CHANGE_VARIABLES or set(rule.implied_change.names) - CHANGE_VARIABLES:
        raise DerivationsError(f"derivations: change rule {measure} may only use {sorted(CHANGE_VARIABLES)}")
    if rule.publish_for not in PUBLISH_FOR:
        raise DerivationsError(f"derivations: change rule {measure} publish_for must be one of {PUBLISH_FOR}")
    return rule


def _known_names(owner: str, names: tuple[str, ...], known: set[str]) -> None:
    unknown = sorted(set(names) - known)
    if unknown:
        raise DerivationsError(f"derivations: {owner} uses ids not in the catalogue: {unknown}")


_CACHE: dict[tuple[str, str], Derivations] = {}


def load_derivations(catalogue: Catalogue | None = None, path: str | Path | None = None) -> Derivations:
    """Read the derivations file (the packaged one by default), checked against a catalogue, once per version."""
    catalogue = catalogue or load_catalogue()
    file = Path(path or DERIVATIONS_PATH)
    key = (str(file), catalogue.version)
    if key not in _CACHE:
        _CACHE[key] = parse_derivations(file.read_text(encoding="utf-8"), catalogue)
    return _CACHE[key]
