"""Derived indicators and identity residuals of a release: what the stated figures imply, and whether they add up."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator

import pandas as pd

from tasks.contract.catalogue import Catalogue, Indicator
from tasks.publish.formulas import ChangeRule, Derivation, Derivations, load_derivations, propagated_tolerance
from tasks.extraction.numbers import resolution_of
from tasks.contract.schema import KEY, STATUS_STRENGTH, columns

IDENTITY_COLUMNS = ["identity", "indicator_id", "region", "period_year", "formula", "lhs", "rhs", "residual",
                    "tolerance", "within_tolerance", "inputs", "release_year"]
BOUND_QUALIFIERS = frozenset({"lower_bound", "upper_bound"})
PERCENT_MEASURES = frozenset({"yoy_pct", "yoy_pp"})     # changes stated in percent whatever the indicator's unit
Table = dict[tuple[str, int, str], dict]     # (indicator_id, period_year, measure) -> published row


@dataclass(frozen=True)
class Candidate:
    """One value computed from stated rows, before it is published or checked."""

    indicator_id: str
    period_year: int
    measure: str
    value: float
    tolerance: float
    inputs: tuple[dict, ...]
    note: str
    source_text: str


def derive_indicators(published: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Rows (published columns, status 'derived') for keys that no source states, computed from the stated rows."""
    rules = load_derivations(catalogue)
    rows: list[dict] = []
    for (release, region), table in _tables(published):
        for cand, derivation in _formula_candidates(table, rules):
            if derivation.range[0] <= cand.value <= derivation.range[1]:
                rows.append(_published_row(cand, derivation.unit, region, release))
        for cand in _change_candidates(table, rules, catalogue):
            unit = "percent" if cand.measure in PERCENT_MEASURES else catalogue[cand.indicator_id].unit
            rows.append(_published_row(cand, unit, region, release))
    frame = pd.DataFrame(rows, columns=columns("published"))
    taken = set(_keys(published))
    frame = frame[pd.Series([key not in taken for key in _keys(frame)], index=frame.index, dtype=bool)]
    frame = frame.drop_duplicates(subset=[*KEY, "release_year"], keep="first")
    return frame.astype({"period_year": "int64", "n_sources": "int64", "release_year": "int64"}) \
        .sort_values([*KEY, "release_year"]).reset_index(drop=True)


def identity_checks(published: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """One row per identity instance found in the stated rows, with its residual and rounding tolerance."""
    rules = load_derivations(catalogue)
    rows: list[dict] = []
    for (release, region), table in _tables(published):
        found: list[dict] = []
        for period in sorted({p for _, p, _ in table}):
            levels = {i: row for (i, p, m), row in table.items() if p == period and m == "level"}
            for identity in rules.identities:
                if all(name in levels for name in identity.inputs):
                    found.append(_identity_row(identity, levels, rules.relative_floor, period))
        for cand, derivation in _formula_candidates(table, rules):
            low, high = derivation.range
            found.append(_check(f"range.{derivation.id}", derivation.id, cand.period_year,
                               f"{low:g} <= {derivation.formula.text} <= {high:g}", cand.value,
                               min(max(cand.value, low), high), cand.tolerance, cand.inputs))
        found.extend(_change_checks(table, rules, catalogue))
        rows.extend({**row, "region": region, "release_year": release} for row in found)
    frame = pd.DataFrame(rows, columns=IDENTITY_COLUMNS)
    return frame.astype({"period_year": "int64", "release_year": "int64", "within_tolerance": "bool"}) \
        .sort_values(["release_year", "region", "period_year", "identity", "indicator_id"]).reset_index(drop=True)


def derived_indicators(catalogue: Catalogue) -> dict[str, Indicator]:
    """Catalogue-style entries for the derived ids, so validation and reports can treat them like catalogue ids."""
    return {d.id: Indicator(id=d.id, unit=d.unit, zh=d.zh, en=d.en, range=d.range, note=d.formula.text)
            for d in load_derivations(catalogue).derived}


def catalogue_with_derived(catalogue: Catalogue) -> Catalogue:
    """The catalogue plus the derived ids, for validating published rows that include derived ones."""
    return Catalogue(indicators={**catalogue.indicators, **derived_indicators(catalogue)},
                     version=f"{catalogue.version}+{load_derivations(catalogue).version}")


def _tables(published: pd.DataFrame) -> Iterator[tuple[tuple[int, str], Table]]:
    stated = published[(published["status"] != "derived") & published["value"].notna()
                       & ~published["qualifier"].isin(BOUND_QUALIFIERS)].copy()
    stated["region"] = stated["region"].fillna("CN")
    for (release, region), group in stated.groupby(["release_year", "region"], sort=True):
        table = {(r["indicator_id"], int(r["period_year"]), r["measure"]): r for r in group.to_dict("records")}
        yield (int(release), str(region)), table


def _keys(frame: pd.DataFrame) -> list[tuple]:
    return list(zip(frame["indicator_id"], frame["region"].fillna("CN"), frame["period_year"].astype(int),
                    frame["measure"], frame["release_year"].astype(int)))


def _input_key(row: dict) -> str:
    return f"{row['indicator_id']}@{int(row['period_year'])}:{row['measure']}"


def _formula_candidates(table: Table, rules: Derivations) -> Iterator[tuple[Candidate, Derivation]]:
    for period in sorted({p for _, p, _ in table}):
        for derivation in rules.derived:
            inputs = [table.get((name, period, "level")) for name in derivation.formula.names]
            if any(row is None for row in inputs):
                continue
            values = {row["indicator_id"]: float(row["value"]) for row in inputs}
            value = derivation.formula(values)
            if not math.isfinite(value):
                continue
            tol = propagated_tolerance(derivation.formula, values, {row["indicator_id"]: row_resolution(row)
                                                                     for row in inputs})
            yield Candidate(derivation.id, period, "level", value, tol + rules.relative_floor * abs(value),
                            tuple(inputs), derivation.formula.text, derivation.formula.substitute(values)), derivation


def _change_candidates(table: Table, rules: Derivations, catalogue: Catalogue) -> Iterator[Candidate]:
    for (iid, period, measure), level in sorted(table.items(), key=lambda item: item[0]):
        if measure != "level" or iid not in catalogue:
            continue
        indicator, previous = catalogue[iid], table.get((iid, period - 1, "level"))
        if previous is None:
            for cand in _previous_levels(table, rules, level):
                if _inside(cand.value, indicator.bounds("level")):
                    yield cand
                    break
            continue
        for rule in rules.changes:
            if (iid, period, rule.measure) in table or not _publishes(rule, indicator.unit):
                continue
            cand = _implied_change(rule, level, previous, rules.relative_floor)
            if math.isfinite(cand.value) and _inside(cand.value, indicator.bounds(rule.measure)):
                yield cand


def _previous_levels(table: Table, rules: Derivations, level: dict) -> list[Candidate]:
    """The previous-year level implied by each stated change of this level, in rule order."""
    iid, period = level["indicator_id"], int(level["period_year"])
    found = []
    for rule in rules.changes:
        change = table.get((iid, period, rule.measure))
        if change is None:
            continue
        values = {"level": float(level["value"]), "change": float(change["value"])}
        value = rule.previous_level(values)
        if not math.isfinite(value):
            continue
        tol = propagated_tolerance(rule.previous_level, values,
                                   {"level": row_resolution(level), "change": row_resolution(change)})
        note = f"{rule.previous_level.text} with level={_input_key(level)}, change={_input_key(change)}"
        found.append(Candidate(iid, period - 1, "level", value, tol + rules.relative_floor * abs(value),
                               (level, change), note, rule.previous_level.substitute(values)))
    return found


def _implied_change(rule: ChangeRule, level: dict, previous: dict, floor: float) -> Candidate:
    values = {"level": float(level["value"]), "previous": float(previous["value"])}
    value = rule.implied_change(values)
    units = {"level": row_resolution(level), "previous": row_resolution(previous)}
    tol = propagated_tolerance(rule.implied_change, values, units) \
        if math.isfinite(value) else math.inf
    note = f"{rule.implied_change.text} with level={_input_key(level)}, previous={_input_key(previous)}"
    return Candidate(level["indicator_id"], int(level["period_year"]), rule.measure, value,
                     tol + floor * abs(value) if math.isfinite(value) else tol, (level, previous), note,
                     rule.implied_change.substitute(values))


def _change_checks(table: Table, rules: Derivations, catalogue: Catalogue) -> list[dict]:
    """Stated changes against the change implied by two levels, and previous levels implied by two changes."""
    rows = []
    for (iid, period, measure), level in sorted(table.items(), key=lambda item: item[0]):
        if measure != "level" or iid not in catalogue:
            continue
        previous = table.get((iid, period - 1, "level"))
        for rule in rules.changes:
            stated = table.get((iid, period, rule.measure))
            if previous is None or stated is None:
                continue
            cand = _implied_change(rule, level, previous, rules.relative_floor)
            if math.isfinite(cand.value):
                rows.append(_check(f"change.{rule.measure}", iid, period, f"{rule.measure} = {cand.note}",
                                   float(stated["value"]), cand.value,
                                   cand.tolerance + row_resolution(stated), (*cand.inputs, stated)))
        implied = _previous_levels(table, rules, level)
        first = implied[0] if implied else None
        for other in implied[1:]:
            rows.append(_check(f"previous_level.{first.inputs[1]['measure']}_vs_{other.inputs[1]['measure']}",
                               iid, period - 1, f"{first.note} = {other.note}", first.value, other.value,
                               first.tolerance + other.tolerance, (*first.inputs, other.inputs[1])))
    return rows


def _identity_row(identity, levels: dict[str, dict], floor: float, period: int) -> dict:
    values = {name: float(levels[name]["value"]) for name in identity.inputs}
    units = {name: row_resolution(levels[name]) for name in identity.inputs}
    inputs = tuple(levels[name] for name in identity.inputs)
    if identity.kind == "bracket":
        value, bounds = values[identity.value], [values[w] for w in identity.within]
        tol = units[identity.value] + max(units[w] for w in identity.within) + floor * abs(value)
        return _check(identity.id, identity.value, period, identity.text, value,
                      min(max(value, min(bounds)), max(bounds)), tol, inputs)
    lhs, rhs = identity.lhs(values), identity.rhs(values)
    tol = propagated_tolerance(lambda v: identity.lhs(v) - identity.rhs(v), values, units)
    subject = identity.rhs.names[0] if len(identity.rhs.names) == 1 else identity.lhs.names[0]
    return _check(identity.id, subject, period, identity.text, lhs, rhs,
                  tol + floor * max(abs(lhs), abs(rhs)), inputs)


def _check(identity: str, indicator_id: str, period: int, formula: str, lhs: float, rhs: float,
           tolerance: float, inputs: tuple[dict, ...]) -> dict:
    residual = lhs - rhs
    return {"identity": identity, "indicator_id": indicator_id, "period_year": int(period), "formula": formula,
            "lhs": lhs, "rhs": rhs, "residual": residual, "tolerance": tolerance,
            "within_tolerance": bool(abs(residual) <= tolerance), "inputs": ";".join(map(_input_key, inputs))}


def _published_row(cand: Candidate, unit: str, region: str, release: int) -> dict:
    value, rounded = _round_to_tolerance(cand.value, cand.tolerance)
    approx = rounded or any(row.get("qualifier") == "approx" for row in cand.inputs)
    weakest = input_status(cand.inputs)
    evidence = "derived from " + ", ".join(f"{_input_key(r)} ({_status_of(r)})" for r in cand.inputs)
    return {"indicator_id": cand.indicator_id, "region": region, "period_year": cand.period_year,
            "measure": cand.measure, "value": value, "unit": unit, "status": "derived",
            "n_sources": len(cand.inputs), "sources": ";".join(map(_input_key, cand.inputs)),
            "qualifier": "approx" if approx else "exact", "vintage": "derived",
            "note": f"{cand.note}; ±{cand.tolerance:.3g} from input rounding",
            "source_text": cand.source_text, "resolution": cand.tolerance, "input_status": weakest,
            "evidence": evidence, "release_year": release}


def row_resolution(row: dict) -> float:
    """A stated row's precision: its `resolution` column, else the one definition applied to its quote."""
    res = row.get("resolution")
    if res is not None and not pd.isna(res) and math.isfinite(float(res)):
        return float(res)
    return resolution_of(str(row.get("source_text") or ""), float(row["value"]))


def _status_of(row: dict) -> str:
    status = row.get("input_status")
    return status if isinstance(status, str) and status else str(row.get("status"))


def input_status(inputs: tuple[dict, ...]) -> str:
    """The weakest status among a derived value's inputs (a derived row is no surer than what it is made of)."""
    statuses = [_status_of(r) for r in inputs]
    return min(statuses, key=lambda s: STATUS_STRENGTH.index(s) if s in STATUS_STRENGTH else -1)


def _round_to_tolerance(value: float, tolerance: float) -> tuple[float, bool]:
    """Drop digits the inputs' rounding cannot support; True when that changed the value."""
    if not tolerance > 0 or not math.isfinite(tolerance):
        return value, False
    rounded = round(value, -math.floor(math.log10(tolerance)))
    return float(rounded), not math.isclose(rounded, value, rel_tol=1e-12, abs_tol=0.0)


def _inside(value: float, bounds: tuple[float, float] | None) -> bool:
    return bounds is None or bounds[0] <= value <= bounds[1]


def _publishes(rule: ChangeRule, unit: str) -> bool:
    return rule.publish_for == ("percent" if unit == "percent" else "non_percent")
