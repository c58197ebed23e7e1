"""Name a figure by what it is about (concepts around it), whatever the word order: '追回医保基金275亿元',
'275亿元医保基金被追回', 'The NHSA recovered CNY27.5bn in funds' are one indicator."""
from __future__ import annotations

from tasks.contract.catalogue import Catalogue
from tasks.extraction.numbers import NumberMention
from tasks.extraction.resolve import unit_ok
from tasks.extraction.vocabulary import Signature, Vocabulary


def signature_target(own: set[str], before: set[str], topic: set[str], mention: NumberMention, schemes: set[str],
                     catalogue: Catalogue, vocab: Vocabulary, english: bool) -> str | None:
    """The indicator whose signature the figure fits best: `own` concepts stand in the figure's own words,
    `before` earlier in its sentence, `topic` earlier and not used by another figure; None when no signature
    fits or two fit equally well."""
    scored: list[tuple[int, int, str]] = []
    for sig in vocab.signatures:
        if sig.indicator_id not in catalogue or not _fits(sig, own, before, topic, schemes):
            continue
        if not _unit_fits(mention, catalogue[sig.indicator_id].unit, english):
            continue
        scored.append((len(sig.all), sum(c in own for c in sig.all), sig.indicator_id))
    if not scored:
        return None
    scored.sort(reverse=True)
    best = scored[0]
    rivals = {s[2] for s in scored if s[:2] == best[:2]}
    return best[2] if len(rivals) == 1 else None


def signature_concepts(indicator_id: str, vocab: Vocabulary) -> set[str]:
    """Every concept some signature of the indicator is made of: its words name the figure, they do not block it."""
    return {c for sig in vocab.signatures if sig.indicator_id == indicator_id for c in sig.all}


def _fits(sig: Signature, own: set[str], before: set[str], topic: set[str], schemes: set[str]) -> bool:
    if sig.scheme and sig.scheme not in schemes:
        return False
    if any(c in own or c in topic for c in sig.none):
        return False
    return any(c in own for c in sig.all) and all(c in own or c in before for c in sig.all)


def _unit_fits(mention: NumberMention, unit: str, english: bool) -> bool:
    """A level in the indicator's unit, or a change of it (a percent figure; percentage points of a share)."""
    return (unit_ok(mention, unit, "level", english) or (unit != "percent" and mention.unit_kind == "percent")
            or (unit == "percent" and mention.unit_kind == "pp"))
