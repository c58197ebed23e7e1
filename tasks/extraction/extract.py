"""Clean text + catalogue → facts with spans: each number is tied to the scheme and metric that govern it."""
from __future__ import annotations

import re
from dataclasses import replace

from tasks.contract.catalogue import Catalogue
from tasks.cleaning.clean import CleanText
from tasks.extraction.numbers import NumberMention, find_numbers
from tasks.extraction.resolve import Resolved, apply_enumerations, measure_of, qualifier_of, unit_ok
from tasks.cleaning.segment import PREVIOUS_YEAR_EN, Sentence, sentences, year_after, year_mentions
from tasks.extraction.parts import compose_parts, narrow_after_figure
from tasks.extraction.restated import restated_in_brackets
from tasks.extraction.signatures import signature_target
from tasks.extraction.unattributed import Unattributed, leave_out, pieces, why_not
from tasks.extraction.vocabulary import Token, Vocabulary, load_vocabulary
from tasks.extraction.tiers import assign_tier
from tasks.extraction.wording import load_wording
from tasks.extraction.clauses import blocked, change_of_previous, choose_scheme, figure_first_zh, strip_words

BULLET = re.compile(r"^\s*(?:[-•·*]|\d{1,2}[.、])\s")
CLAUSE_CUT = re.compile(r"(?<!\d),|,(?!\d{3})|[，;；]|\bwhile\b")   # not the comma inside 18,786.34
PAREN = re.compile(r"\([^()]{0,60}\)|（[^（）]{0,60}）")
PREV_YEAR_PAREN = re.compile(r"(?:上年|上年同期|去年|上年底)\s*$")
NOT_A_LABEL_BEFORE = re.compile(r"\b(?:group|section|table|figure|no\.|article|chapter|part|page|phase|round)\s*$", re.I)
NOT_A_FIGURE_AFTER = re.compile(r"^\s*(?:年|月|日|批|天|倍|岁|周年|号|届|次会|版|-\d|/\d|(?i:(?:consecutive )?(?:years?(?![- ]on[- ]year)|months?|days?"
                                r"|weeks?|-fold|fold|rounds|batches)\b))")   # durations and counts of times
YEAR_SPAN = re.compile(r"((?:19|20)\d{2})\s*(?:~|-|–|—|to|至|到)\s*(?:19|20)\d{2}")
COUNTED_PEOPLE = re.compile(r"[^\d，,。；;、]{0,6}?(?:人员|群众|居民|职工|者)(?!次)")
YEAR_IN = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
INHERIT_LEFT = re.compile(r"^[\s,，、和及与或;:()（）]*$|^[\s,，]*(?:and|or|another|while|with)?[\s,]*$", re.I)


def extract_facts(clean: CleanText, release_year: int, catalogue: Catalogue, english: bool,
                  vocab: Vocabulary | None = None, left_out: list[Unattributed] | None = None) -> list[dict]:
    """Every catalogued figure the text states, as fact dicts with clean-text spans; figures that look like
    indicator figures but were not attributed go to `left_out` with the reason."""
    vocab = vocab or load_vocabulary()
    text = clean.text
    facts: list[dict] = []
    carried_scheme: str | None = None
    carried_year: int | None = None
    last_paragraph = -1
    for sent in pieces(sentences(text), text):
        if sent.paragraph != last_paragraph:
            carried_year, last_paragraph = None, sent.paragraph
        body = vocab.asides.sub(lambda a: " " * len(a.group(0)), text[sent.start:sent.end])   # same length
        tokens = _tokens(body, vocab)
        if sent.heading or BULLET.match(body) or text[max(0, sent.start - 3):sent.start].rstrip().endswith(("-", "•")):
            carried_scheme = None  # a new heading or bullet starts a new statement
        years = year_mentions(text, sent.start, sent.end, vocab.comparison_year)
        if vocab.partial_year.search(body):
            carried_scheme = _last_scheme(tokens, carried_scheme)
            carried_year = years[-1][1] if years else carried_year
            leave_out(left_out, _numbers(body), sent.start, "partial year", catalogue, english)
            continue
        resolved = _resolve_sentence(body, sent, tokens, carried_scheme, catalogue, vocab, english)
        for res in resolved:
            fact = _fact(res, body, sent, years, carried_year, release_year, catalogue, vocab, english)
            if fact:
                facts.append(fact)
            else:
                leave_out(left_out, [res.mention], sent.start, why_not(res), catalogue, english)
        carried_scheme = _last_scheme(tokens, carried_scheme)
        if not english:
            carried_year = years[-1][1] if years else carried_year
    return facts


def _tokens(body: str, vocab: Vocabulary) -> list[Token]:
    """Tokens of a sentence read with parentheticals removed ('基金(含生育保险)收入' → '基金收入')."""
    keep = [True] * len(body)
    for match in PAREN.finditer(body):
        if not PREV_YEAR_PAREN.search(body[:match.start()]):
            for i in range(match.start(), match.end()):
                keep[i] = False
    index = [i for i, k in enumerate(keep) if k]
    view = "".join(body[i] for i in index)
    scanned = vocab.scan(view)
    composed = compose_parts(scanned, view, vocab)
    spare = [t for t in scanned if t.kind == "part" and not any(c.start <= t.start < c.end for c in composed)]
    return sorted((Token(index[t.start], index[t.end - 1] + 1, t.kind, t.key) for t in composed + spare),
                  key=lambda t: (t.start, t.end))   # parts no metric word took stay, for metrics read after a figure


def _last_scheme(tokens: list[Token], default: str | None) -> str | None:
    schemes = [t.key for t in tokens if t.kind == "scheme"]
    return schemes[-1] if schemes else default


def _numbers(body: str) -> list[NumberMention]:
    out = []
    asides = [p.span() for p in PAREN.finditer(body) if not PREV_YEAR_PAREN.search(body[:p.start()])]
    found = find_numbers(body)
    restated = restated_in_brackets(body, found, asides)
    for m in found:
        if m in restated:
            m = restated[m]   # "$470b (CNY3.4t)": the yuan figure the writer converted from is the figure
        elif any(a <= m.start < b for a, b in asides):
            continue  # "(around 3.45 billion U.S. dollars)": an aside, never the figure itself
        if m.unit_kind == "bare" and not m.scaled and not re.search(r"[.,]", m.text) and 1949 <= m.value <= 2100:
            continue  # a year
        if NOT_A_FIGURE_AFTER.match(body[m.end:]) or body[max(0, m.start - 1):m.start] == "第":
            continue
        if m.text.lower().endswith("times") and not m.scaled and m.value < 20:
            continue  # 'three times', '2.5 times': a multiplier, not person-times
        if m.unit_kind == "bare" and m.scaled and COUNTED_PEOPLE.match(body, m.end):
            m = replace(m, unit_kind="persons")   # '268万失能人员': the people counted stand after the number
        if NOT_A_LABEL_BEFORE.search(body[max(0, m.start - 12):m.start]):
            continue  # "Group 1:", "Table 2"
        out.append(m)
    return out


def _resolve_sentence(body: str, sent: Sentence, tokens: list[Token], carried: str | None,
                      catalogue: Catalogue, vocab: Vocabulary, english: bool) -> list[Resolved]:
    numbers = _numbers(body)
    out: list[Resolved] = []
    concepts = vocab.concept_hits(body) if numbers else []
    prev_end = 0
    for i, mention in enumerate(numbers):
        res = Resolved(mention)
        nxt = numbers[i + 1].start if i + 1 < len(numbers) else len(body)
        left_tokens = [t for t in tokens if prev_end <= t.start and t.end <= mention.start]
        if out and out[-1].from_right:  # words the figure before already used ("329 million were covered")
            prev = out[-1]
            own_clause = CLAUSE_CUT.search(body, prev.mention.end, mention.start)   # its clause describes it
            used = max(prev.used_end, own_clause.start() if own_clause else 0)
            left_tokens = [t for t in left_tokens if t.kind == "scheme" or t.start >= used]
        cut = CLAUSE_CUT.search(body, mention.end, nxt)
        right_tokens = [t for t in tokens if mention.end <= t.start and t.end <= (cut.start() if cut else nxt)]
        before = [t for t in tokens if t.end <= mention.start]
        far = [t for t in tokens if mention.end <= t.start and t.end <= nxt
               and not (nxt < len(body) and len(body[t.end:nxt].strip(" 为达是约共:：はがで")) <= 2)]  # the next one's word
        _choose_target(res, body, prev_end, left_tokens, right_tokens, out, vocab, english, far)
        if res.target and res.target[0] == "metric":   # the unit says which metric: persons 'covered' are participants
            res.target = ("metric", vocab.metric_for_unit(res.target[1], mention.unit_kind))
        _topic(res, out)
        narrow_after_figure(res, body, tokens, vocab, CLAUSE_CUT)
        scheme_right = far if res.from_right and not english else right_tokens   # '2.2万亿元，这是职工医保…'
        choose_scheme(res, left_tokens, scheme_right, before, carried, english)
        clause = CLAUSE_CUT.search(body, mention.end)
        schemes = {t.key for t in tokens if t.kind == "scheme" and t.start < (clause.start() if clause else len(body))}
        schemes |= {carried, res.scheme}
        _by_signature(res, body, prev_end, nxt, concepts, out, schemes, catalogue, vocab, english)
        cut_after = CLAUSE_CUT.search(body, mention.end, nxt)
        assign_tier(res, body, prev_end, cut_after.start() if cut_after else nxt, english)
        if blocked(body, prev_end, mention, res, vocab, left_tokens):
            res.skip = True
        out.append(res)
        prev_end = mention.end
    apply_enumerations(body, numbers, out, tokens)
    for res in out:
        res.indicator_id = None if res.skip else _indicator(res, catalogue, vocab)
    return out


def _choose_target(res: Resolved, body: str, prev_end: int, left: list[Token], right: list[Token],
                   done: list[Resolved], vocab: Vocabulary, english: bool, far: list[Token] = ()) -> None:
    m = res.mention
    after = vocab.token_after(body[m.end:m.end + 60])
    if after:
        res.target, res.from_right = after[:2], True
        res.used_end = m.end + after[2]
        return
    res.gap_start = prev_end
    if change_of_previous(res, body, prev_end, done, vocab):
        return
    targets = [t for t in left if t.kind in ("metric", "direct", "ignore")]
    if english:
        comma = max(body.rfind(",", prev_end, m.start), body.rfind(";", prev_end, m.start))
        targets = [t for t in targets if t.start > comma] or targets
    if targets:
        last = targets[0] if english else targets[-1]  # English heads come first: "expenses for … participants"
        if english and last.key == "participants" and any(t.key != "participants" for t in targets[1:]):
            last = next(t for t in targets[1:] if t.key != "participants")   # 'people insured by X were treated …'

        if not english and last.kind == "metric" and len(targets) > 1 and targets[-2].kind == "direct" \
                and last.start - targets[-2].end <= 1:
            last = targets[-2]   # '在职职工参保人数': the group the count is of names the indicator
        res.gap_start = last.end
        res.target = None if last.kind == "ignore" else (last.kind, last.key)
        res.skip = last.kind == "ignore"
        return
    gap = body[prev_end:m.start]
    if english and done and done[-1].target and (vocab.after_change.match(body[m.end:m.end + 20])
                                                 or load_wording().change_after(body[m.end:m.end + 60])):
        res.target, res.tier = done[-1].target, done[-1].tier  # "…, a 3.5% increase"
        return
    inherit = done and done[-1].target and (
        INHERIT_LEFT.match(strip_words(gap, vocab)) or vocab.up.search(gap) or vocab.down.search(gap)
        or any(t.kind == "scheme" for t in left))
    if inherit:
        res.target, res.tier, res.skip = done[-1].target, done[-1].tier, done[-1].skip
        res.inherited = True
        return
    ahead = [t for t in right if t.kind in ("metric", "direct", "ignore")]
    if not english:
        ahead = figure_first_zh(body, m, ahead, [t for t in far if t.kind in ("metric", "direct", "ignore")],
                                not left and not done, vocab)
    if ahead and ahead[0].kind != "ignore":
        res.target, res.from_right = (ahead[0].kind, ahead[0].key), True
        res.used_end = ahead[0].end


def _by_signature(res: Resolved, body: str, prev_end: int, nxt: int, concepts: list[tuple[int, int, str]],
                  done: list[Resolved], schemes: set, catalogue: Catalogue, vocab: Vocabulary,
                  english: bool) -> None:
    """A figure whose own words say what it is (concepts, any order) is that indicator."""
    m = res.mention
    used = [r.segment for r in done]
    taken = [span for r in done for span in r.masked]
    cuts_before = [c.end() for c in CLAUSE_CUT.finditer(body, prev_end, m.start)]
    cut_after = CLAUSE_CUT.search(body, m.end, nxt)
    start, end = max([prev_end, *cuts_before]), cut_after.start() if cut_after else nxt
    res.segment = (start, end)
    mine = [(a, b, c) for a, b, c in concepts if start <= a < end and not m.start <= a < m.end
            and not any(x <= a < y for x, y in taken)]   # a word that named the figure before is used up
    own = {c for _, _, c in mine}
    before = {c for a, _, c in concepts if a < start}
    topic = {c for a, _, c in concepts if a < start and not any(s <= a < e for s, e in used)}
    if YEAR_IN.search(body, start, end):     # '91 new drugs in 2024' is that year's, whatever span the topic has
        topic, before = topic - vocab.temporal_concepts, before - vocab.temporal_concepts
    found = signature_target(own, before, topic, m, schemes, catalogue, vocab, english) if own else None
    if found:
        res.target, res.skip, res.inherited, res.tier = ("direct", found), False, False, None
        res.gap_start, res.masked = start, [(a, b) for a, b, _ in mine]   # change words: its own words only


def _topic(res: Resolved, done: list[Resolved]) -> None:
    """'… visits reached 397 million, with total expenses amounting to …': expenses of those visits."""
    if res.target == ("metric", "medical_expenses") and done and done[-1].target == ("metric", "cross_region.visits"):
        res.target = ("metric", "cross_region.expenses")


def _indicator(res: Resolved, catalogue: Catalogue, vocab: Vocabulary) -> str | None:
    if res.target is None:
        return None
    kind, key = res.target
    if kind == "direct":
        return key if key in catalogue else None
    key = vocab.metric_for_unit(key, res.mention.unit_kind)   # metrics a '分别' list assigned after the first pass
    if res.tier:
        key = f"{key}.{res.tier}"
    return catalogue.by_scheme_metric.get((res.scheme or "bmi", key))


def _fact(res: Resolved, body: str, sent: Sentence, years: list[tuple[int, int]], carried_year: int | None,
          release_year: int, catalogue: Catalogue, vocab: Vocabulary, english: bool) -> dict | None:
    if res.skip or not res.indicator_id:
        return None
    ind = catalogue[res.indicator_id]
    m = res.mention
    left, right = body[:m.start], body[m.end:]
    in_paren = left.rstrip().endswith(("(", "（"))
    if in_paren and not PREV_YEAR_PAREN.search(left.rstrip()[:-1]):
        return None
    gap = "".join(" " if any(a <= i < b for a, b in res.masked) else body[i]
                  for i in range(res.gap_start, m.start))[-40:]
    measured = ("level", 1) if in_paren else measure_of(gap, right[:60], m, ind.unit, vocab)
    if measured is None or not unit_ok(m, ind.unit, measured[0], english):
        return None
    measure, sign = measured
    year = _period_year(m, left, right, sent.start, years, carried_year, release_year)
    if measure == "level_from":   # the start of 'from 2007 to 2022', or no year it can be given
        span = YEAR_SPAN.search(body)
        if not span:
            return None
        measure, year = "level", int(span.group(1))
    if in_paren:
        year -= 1
    if not release_year - 30 <= year <= release_year:
        return None
    return {"indicator_id": ind.id, "period_year": year, "release_year": release_year, "measure": measure,
            "value": sign * m.value,
            "unit": "percent" if measure in ("yoy_pct", "yoy_pp") else ind.unit,
            "clean_start": sent.start + m.start, "clean_end": sent.start + m.end,
            "qualifier": qualifier_of(left, right, vocab, sent.heading), "flags": list(m.flags),
            "resolution": m.resolution}


def _period_year(m: NumberMention, left: str, right: str, offset: int, years: list[tuple[int, int]],
                 carried: int | None, release_year: int) -> int:
    stated = year_after(right)
    if stated:
        return stated
    earlier = [y for pos, y in years if pos < offset + m.start]
    year = earlier[-1] if earlier else (carried or release_year)
    if PREVIOUS_YEAR_EN.search(left[-30:]):
        year -= 1
    return year
