"""Documents of one release whose exact figures form two groups that differ slightly are two vintages, not one
conflict: the group holding the strongest bulletin evidence is the final bulletin, the other the quick report."""
from __future__ import annotations

from itertools import combinations

import pandas as pd

from tasks.ingest.kinds import load_kind_rules
from tasks.extraction.numbers import resolution_of
from tasks.contract.schema import SORT_KEYS

GROUPED = ("final_bulletin", "quick_report")      # kinds the figure groups may tell apart
Figures = dict[tuple, list[tuple[float, float]]]   # key → [(value, resolution)] of one document


def assign_vintages(documents: pd.DataFrame, facts: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply the figure-group evidence per release year; frames come back sorted, whatever the input order."""
    docs = documents.sort_values(SORT_KEYS["documents"], kind="stable").reset_index(drop=True).copy()
    out_facts = facts.sort_values(SORT_KEYS["facts"], kind="stable").reset_index(drop=True).copy()
    if docs.empty or out_facts.empty:
        return docs, out_facts
    figures = _precise_figures(out_facts)
    changed: dict[str, str] = {}
    for release in sorted(int(y) for y in docs["release_year"].unique() if int(y)):
        members = docs[(docs["release_year"] == release) & docs["kind"].isin(GROUPED) & (docs["status"] == "ok")]
        ids = sorted(d for d in members["doc_id"] if figures.get(d))
        if len(ids) >= 2:
            changed.update(_assign_release(docs, ids, figures))
    changed.update(_weak_by_figures(docs, out_facts))
    if changed:
        rows = out_facts["doc_id"].isin(changed)
        out_facts.loc[rows, "kind"] = out_facts.loc[rows, "doc_id"].map(changed)
    return docs, out_facts


def _weak_by_figures(docs: pd.DataFrame, facts: pd.DataFrame) -> dict[str, str]:
    """A document whose own kind is a guess (an undated, rounded news page) takes the vintage its figures
    match: '3.07 trillion' fits the quick report's 30697.72亿 and not the bulletin's 30922.17亿."""
    rules = load_kind_rules().groups
    figures = _all_figures(facts)
    changed: dict[str, str] = {}
    for release in sorted(int(y) for y in docs["release_year"].unique() if int(y)):
        members = docs[(docs["release_year"] == release) & docs["kind"].isin(GROUPED) & (docs["status"] == "ok")]
        conf = dict(zip(members["doc_id"], members["kind_confidence"].astype(float)))
        for i, doc in members.iterrows():
            d = doc["doc_id"]
            if conf[d] >= rules["protect_from"] or not figures.get(d):
                continue
            # a guess gives way to one agreeing figure; a claim it makes of itself (no date) to two
            need = 1 if conf[d] < rules["weak_below"] else 2
            sure = {o: k for o, k in zip(members["doc_id"], members["kind"]) if o != d and conf[o] >= rules["protect_from"]}
            votes = {kind: _matches(figures[d], [figures.get(o, {}) for o, k in sure.items() if k == kind])
                     for kind in GROUPED}
            present = {k for k in sure.values()}
            # with both vintages in the release, the other one must also be contradicted, not merely silent
            fits = [k for k in GROUPED if votes[k][0] >= need and not votes[k][1]
                    and (len(present) < 2 or any(votes[o][1] for o in GROUPED if o != k))]
            if len(fits) != 1:
                continue
            kind = fits[0]
            why = f"its figures match the {kind} documents of release {release} ({votes[kind][0]} agree, none differ)"
            if _set(docs, i, kind, rules["inherit_confidence"], why, rules["protect_from"]):
                changed[d] = kind
    return changed


def _matches(mine: Figures, theirs: list[Figures]) -> tuple[int, int]:
    """(keys where a figure of mine agrees within rounding with theirs, keys where it agrees with none of theirs)."""
    agree = differ = 0
    for key, values in mine.items():
        others = [v for fig in theirs for v in fig.get(key, [])]
        if not others:
            continue
        if any(abs(x - y) <= max(rx, ry) * 1.0001 for x, rx in values for y, ry in others):
            agree += 1
        else:
            differ += 1
    return agree, differ


def _all_figures(facts: pd.DataFrame) -> dict[str, Figures]:
    """Every intact level figure with its rounding, rounded ones included."""
    out: dict[str, Figures] = {}
    for row in facts.itertuples(index=False):
        if row.measure != "level" or "digits_maybe_lost" in (row.flags or "") or not row.value:
            continue
        res = resolution_of(row.text, row.value)
        if row.qualifier != "exact":
            res = max(res, abs(row.value) * 0.05)
        key = (row.indicator_id, row.region, int(row.period_year), row.measure)
        out.setdefault(row.doc_id, {}).setdefault(key, []).append((float(row.value), res))
    return out


def _precise_figures(facts: pd.DataFrame) -> dict[str, Figures]:
    """Exact, intact figures written precisely enough that a slight difference means a revision."""
    limit = load_kind_rules().groups["max_relative_resolution"]
    out: dict[str, Figures] = {}
    for row in facts.itertuples(index=False):
        if row.qualifier != "exact" or "digits_maybe_lost" in (row.flags or "") or not row.value:
            continue
        res = resolution_of(row.text, row.value)
        if res / abs(row.value) <= limit:
            key = (row.indicator_id, row.region, int(row.period_year), row.measure)
            out.setdefault(row.doc_id, {}).setdefault(key, []).append((float(row.value), res))
    return out


def _relation(a: Figures, b: Figures) -> tuple[int, list[str]]:
    """(keys agreeing within rounding, keys differing slightly) between two documents' figures."""
    max_revision = load_kind_rules().groups["max_revision"]
    agree, differ = 0, []
    for key in sorted(set(a) & set(b)):
        pairs = [(x, y) for x in a[key] for y in b[key]]
        if any(abs(x[0] - y[0]) <= max(x[1], y[1]) * 1.0001 for x, y in pairs):
            agree += 1
        elif any(abs(x[0] - y[0]) <= max_revision * max(abs(x[0]), abs(y[0])) for x, y in pairs):
            x, y = min(pairs, key=lambda p: abs(p[0][0] - p[1][0]))
            differ.append(f"{key[0]} {x[0]:g} vs {y[0]:g}")
    return agree, differ


def _assign_release(docs: pd.DataFrame, ids: list[str], figures: dict[str, Figures]) -> dict[str, str]:
    """Two-colour the documents linked by slight differences; agreeing documents join a colour; orient by evidence."""
    rules = load_kind_rules().groups
    same: dict[str, set[str]] = {d: set() for d in ids}
    other: dict[str, set[str]] = {d: set() for d in ids}
    examples: dict[frozenset, str] = {}
    for a, b in _sharing_pairs(ids, figures):
        agree, differ = _relation(figures[a], figures[b])
        if differ and len(differ) >= agree:
            other[a].add(b), other[b].add(a)
            examples[frozenset((a, b))] = differ[0]
        elif agree:
            same[a].add(b), same[b].add(a)
    row = {d: i for i, d in zip(docs.index, docs["doc_id"]) if d in same}
    strength = {d: _signed(docs.loc[row[d]]) for d in ids}
    changed: dict[str, str] = {}
    done: set[str] = set()
    for start in ids:
        if start in done or not other[start]:
            continue
        colours = _two_colour(start, other)
        done |= _component(start, other)
        if colours is None:
            continue
        core = [{d for d, c in colours.items() if c == k} for k in (0, 1)]
        reach = [_reach(core[k], same, set(colours)) for k in (0, 1)]
        ext = [reach[0] - reach[1], reach[1] - reach[0]]
        done |= ext[0] | ext[1]
        sums = [sum(strength[d] for d in core[k] | ext[k]) for k in (0, 1)]
        final = 0 if sums[0] > sums[1] or (sums[0] == sums[1] and min(core[0]) < min(core[1])) else 1
        for k in (0, 1):
            kind = "final_bulletin" if k == final else "quick_report"
            for d in sorted(core[k] | ext[k]):
                diff = next((examples[frozenset((d, r))] for r in sorted(core[1 - k])
                             if frozenset((d, r)) in examples), "")
                how = (f"differ slightly from {', '.join(sorted(other[d]))} ({diff})" if diff else
                       f"agree with {', '.join(sorted(same[d] & (core[k] | ext[k])))}")
                why = (f"two vintages in release {int(docs.at[row[d], 'release_year'])}: its exact figures {how}, "
                       f"and its group holds the {'stronger' if k == final else 'weaker'} bulletin evidence")
                floor = rules["protect_from"] if d in core[k] else rules["weak_below"]
                if _set(docs, row[d], kind, rules["split_confidence"], why, floor):
                    changed[d] = kind
    for d in ids:
        if d in done or not same[d] or docs.at[row[d], "kind_confidence"] >= rules["weak_below"]:
            continue
        strong = [n for n in sorted(same[d]) if abs(strength[n]) >= rules["weak_below"]]
        if strong:
            best = min(strong, key=lambda n: (-abs(strength[n]), n))
            kind = docs.at[row[best], "kind"]
            why = f"its exact figures agree with {best} ({kind} at {abs(strength[best]):.2f})"
            if _set(docs, row[d], kind, rules["inherit_confidence"], why, rules["weak_below"]):
                changed[d] = kind
    return changed


def _sharing_pairs(ids: list[str], figures: dict[str, Figures]) -> list[tuple[str, str]]:
    """The pairs of `combinations(ids, 2)`, in that order, that share a figure key: only they can agree or differ
    (documents of different regions share none, so a release of many provinces is not compared all against all)."""
    holders: dict[tuple, list[int]] = {}
    for i, d in enumerate(ids):
        for key in figures[d]:
            holders.setdefault(key, []).append(i)
    pairs = {(i, j) for members in holders.values() for i, j in combinations(members, 2)}
    return [(ids[i], ids[j]) for i, j in sorted(pairs)]


def _component(start: str, links: dict[str, set[str]]) -> set[str]:
    """Every document linked to start."""
    seen, queue = {start}, [start]
    while queue:
        for n in sorted(links[queue.pop(0)] - seen):
            seen.add(n)
            queue.append(n)
    return seen


def _two_colour(start: str, other: dict[str, set[str]]) -> dict[str, int] | None:
    """Colour the component of slight differences in two; None when it has an odd cycle (no two vintages)."""
    colours = {start: 0}
    queue = [start]
    while queue:
        d = queue.pop(0)
        for n in sorted(other[d]):
            if n not in colours:
                colours[n] = 1 - colours[d]
                queue.append(n)
            elif colours[n] == colours[d]:
                return None
    return colours


def _reach(core: set[str], same: dict[str, set[str]], excluded: set[str]) -> set[str]:
    """Documents reached from a group through agreeing figures, outside the coloured component."""
    seen: set[str] = set()
    queue = sorted(core)
    while queue:
        for n in sorted(same[queue.pop(0)] - seen - excluded):
            seen.add(n)
            queue.append(n)
    return seen


def _signed(doc: pd.Series) -> float:
    """Bulletin evidence of one document: its confidence, negative for a quick report."""
    conf = float(doc["kind_confidence"] or 0.0)
    return conf if doc["kind"] == "final_bulletin" else -conf if doc["kind"] == "quick_report" else 0.0


def _set(docs: pd.DataFrame, i, kind: str, group_conf: float, why: str, protect: float) -> bool:
    """Record the group evidence; change the kind unless the document's own contrary evidence is strong."""
    own, conf = docs.at[i, "kind"], float(docs.at[i, "kind_confidence"] or 0.0)
    evidence = [e for e in str(docs.at[i, "kind_evidence"] or "").split("; ") if e]
    why = why.replace("; ", ", ")
    if own == kind:
        docs.at[i, "kind_confidence"] = round(1 - (1 - conf) * (1 - group_conf), 2)
        docs.at[i, "kind_evidence"] = "; ".join([*evidence, f"{why} (confirms)"])
        return False
    if conf >= protect:
        docs.at[i, "kind_evidence"] = "; ".join([*evidence, f"{why} (own evidence kept: {own} at {conf:.2f})"])
        return False
    docs.at[i, "kind"] = kind
    docs.at[i, "kind_reason"] = why
    docs.at[i, "kind_confidence"] = round(group_conf * (1 - conf / 2), 2)
    docs.at[i, "kind_evidence"] = "; ".join([*evidence, f"{why} (was {own} at {conf:.2f})"])
    return True
