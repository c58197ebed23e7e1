"""Load and check the indicator catalogue once, so every stage reads one source of truth."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import yaml

from tasks.contract.schema import UNITS

CATALOGUE_PATH = Path(__file__).with_name("catalogue.yaml")

# Bounds of a change, by measure, unless an indicator sets its own.
DEFAULT_CHANGE_RANGES = {"yoy_pct": (-60.0, 200.0), "yoy_pp": (-20.0, 20.0)}


@dataclass(frozen=True)
class Indicator:
    """One catalogued indicator: identity, names, unit and plausible level range."""

    id: str
    unit: str
    zh: str
    en: str
    range: tuple[float, float]
    scheme: str = ""
    metric: str = ""
    note: str = ""
    change_ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    accepts: tuple[str, ...] = ()      # narrower metrics of the same scheme this indicator also stands for

    def bounds(self, measure: str) -> tuple[float, float] | None:
        """Plausible bounds of a value of this indicator for a measure (None: unbounded)."""
        if measure == "level":
            return self.range
        if measure == "yoy_abs":
            span = self.range[1] - self.range[0]
            return (-span, span)
        return self.change_ranges.get(measure, DEFAULT_CHANGE_RANGES.get(measure))


@dataclass(frozen=True)
class Catalogue:
    """All indicators by id, plus a version hash that changes whenever the file does."""

    indicators: dict[str, Indicator]
    version: str

    @property
    def ids(self) -> list[str]:
        return sorted(self.indicators)

    def __getitem__(self, indicator_id: str) -> Indicator:
        return self.indicators[indicator_id]

    def __contains__(self, indicator_id: object) -> bool:
        return indicator_id in self.indicators

    @cached_property
    def level_ranges(self) -> tuple[tuple[float, float, str], ...]:
        """(low, high, unit) of every indicator's level range, rates that may be zero or negative left out."""
        return tuple((i.range[0], i.range[1], i.unit) for i in self.indicators.values()
                     if not (i.unit == "percent" and i.range[0] <= 0))

    @cached_property
    def by_scheme_metric(self) -> dict[tuple[str, str], str]:
        """Map (scheme, metric) to indicator id, for compositional extraction (built once per catalogue)."""
        index = {(i.scheme, m): i.id for i in self.indicators.values() if i.metric for m in i.accepts}
        index.update({(i.scheme, i.metric): i.id for i in self.indicators.values() if i.metric})
        return index


class CatalogueError(ValueError):
    """The catalogue file is malformed."""


def parse_catalogue(text: str) -> Catalogue:
    """Parse and check catalogue YAML text."""
    data = yaml.safe_load(text) or {}
    items = data.get("indicators")
    if not isinstance(items, list) or not items:
        raise CatalogueError("catalogue: 'indicators' must be a non-empty list")
    indicators: dict[str, Indicator] = {}
    for item in items:
        ind = _indicator(item)
        if ind.id in indicators:
            raise CatalogueError(f"catalogue: duplicate id {ind.id}")
        indicators[ind.id] = ind
    version = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return Catalogue(indicators=indicators, version=version)


def _indicator(item: dict) -> Indicator:
    missing = {"id", "unit", "zh", "en", "range"} - set(item)
    if missing:
        raise CatalogueError(f"catalogue: {item.get('id', '?')} lacks {sorted(missing)}")
    if item["unit"] not in UNITS:
        raise CatalogueError(f"catalogue: {item['id']} has unknown unit {item['unit']!r}")
    low, high = (float(v) for v in item["range"])
    if not low < high:
        raise CatalogueError(f"catalogue: {item['id']} range must be [low, high] with low < high")
    changes = {k: tuple(float(v) for v in item[k]) for k in ("yoy_pct", "yoy_pp") if k in item}
    return Indicator(id=item["id"], unit=item["unit"], zh=item["zh"], en=item["en"], range=(low, high),
                     scheme=item.get("scheme", ""), metric=item.get("metric", ""),
                     note=item.get("note", ""), change_ranges=changes, accepts=tuple(item.get("accepts", ())))


@lru_cache(maxsize=4)
def load_catalogue(path: str | None = None) -> Catalogue:
    """Read the catalogue (the packaged one by default)."""
    return parse_catalogue(Path(path or CATALOGUE_PATH).read_text(encoding="utf-8"))
