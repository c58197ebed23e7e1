"""Which region a figure belongs to: a document's own region, and the spans of text each region governs.

The rule (words and codes are data in regions.yaml, compiled by tasks/extraction/region_names.py):

* A document's region comes from what owns it: the region named right before 统计公报 / Statistical Bulletin
  (or after "Statistical Bulletin on … in"), else right before 医疗保障局 / Healthcare Security Administration,
  in the title first, then the text head; a national agency or 全国 owns a national document. A title that opens
  with a region is weaker evidence; with no evidence the document is national (CN).
* A mention counts only as an owner: datelines and reporter locations (北京7月10日电, Beijing, July 10 (Xinhua)),
  venues (在北京召开), news outlets and institutions (北京日报, Beijing News, 北京时间), source lines (来源: …) and
  reference points (占全国的, 高于广东省, above the national average) change nothing. Counts and cross-province
  words (31个省份, 跨省, inter-provincial) name no region and so never match.
* A mention that opens a sentence (after only times and connectives: "2031年,广东省…", "In Guangdong province, …",
  "Shanghai's fund …") governs the whole sentence and the rest of its paragraph, until another opening mention,
  a national marker or a paragraph break (a blank line, a numbered heading or a new line of text).
* Any other mention ("其中,广东省基金收入…", "as in Chengdu, …") governs from the mention to the end of its sentence,
  then the paragraph's region resumes; in a national document a national marker also ends the paragraph's region.
* 全省/本市/我省/the province point to the region in scope (a city's province for 全省); where that is the nation,
  they mean an unknown local unit ("local:unknown") — never CN. An unknown county or city before an agency word
  ("某某县医保局") is "local:某某县"; a list of regions sharing a statement is "multi:<code>+<code>".

One scan of the text with a compiled alternation finds every mention; context checks read bounded windows, so the
cost is linear in text length. Offsets are those of the text given (clean text in extraction).
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from tasks.extraction.region_names import PROVINCIAL, RegionTable, load_regions
from tasks.cleaning.segment import sentences

WINDOW = 60        # characters of context read on each side of a mention
OPENING_GAP = 40   # an opening mention stands within this many characters of its sentence start


@dataclass(frozen=True)
class RegionScope:
    """A document's region: code (CN, GB/T 2260, local:…), standard name, the words that decided, confidence."""

    code: str
    name: str
    evidence: str
    confidence: float


@dataclass(frozen=True)
class Mention:
    """A place or national word in the text that may own the figures after it."""

    start: int
    end: int
    kind: str          # national, region, local, multi, self_province, self_city, self_any, dateline
    code: str
    name: str
    agency: bool = False


def document_region(title: str, text_head: str) -> RegionScope:
    """The region a whole document reports on, from its title and the first characters of its text."""
    table = load_regions()
    for text, confidence in ((title, 0.95), (text_head[:table.head_limit], 0.85)):
        owner = _owner(text, mentions(text), table)
        if owner:
            mention, evidence = owner
            return RegionScope(mention.code, mention.name, evidence, confidence)
    found = [m for m in mentions(title) if m.kind in ("region", "local", "multi")]
    if found and _opening_gap(title[:found[0].start], table):
        return RegionScope(found[0].code, found[0].name, title[found[0].start:found[0].end], 0.7)
    return RegionScope(table.national_code, table.national_name, "", 0.5)


def scope_spans(text: str, default: str) -> list[tuple[int, int, str]]:
    """A partition of `text` into (start, end, region code) spans; `default` is the document's region."""
    table = load_regions()
    found = mentions(text, table)
    changes: list[tuple[int, str]] = [(0, default)]
    para, last_paragraph, last_end, k = default, -1, 0, 0
    for sent in sentences(text):
        if sent.paragraph != last_paragraph or "\n" in text[last_end:sent.start]:
            para, last_paragraph = default, sent.paragraph
            _change(changes, sent.start, para)
        last_end = sent.end
        while k < len(found) and found[k].start < sent.start:
            k += 1
        current, opening, prev_end, inside = para, True, sent.start, False
        while k < len(found) and found[k].start < sent.end:
            m = found[k]
            opening = opening and _opening_gap(text[prev_end:m.start], table)
            if m.kind == "dateline":  # owns nothing; the sentence may still open after it
                prev_end, k = (m.end if opening else prev_end), k + 1
                continue
            code = _resolve(m, current, table)
            current, floor, prev_end, k = code, prev_end, m.end, k + 1
            if opening:
                para = code
                _change(changes, sent.start, code)
                continue
            inside = True
            _change(changes, _clause_start(text, floor, m, table), code)
            if m.kind == "national" and default == table.national_code:
                para = code  # a national marker ends a region's paragraph in a national document
        if inside:
            _change(changes, sent.end, para)
    return _spans(changes, len(text))


def region_at(spans: list[tuple[int, int, str]], offset: int, default: str = "CN") -> str:
    """The region governing `offset` (a clean-text offset); `default` where no span covers it."""
    i = bisect_right(spans, offset, key=lambda span: span[0]) - 1
    return spans[i][2] if i >= 0 else default


def mentions(text: str, table: RegionTable | None = None) -> list[Mention]:
    """Every owning mention in `text`, in order: one scan, blocked contexts dropped, adjacent names merged."""
    table = table or load_regions()
    out: list[Mention] = []
    for match in table.scanner.finditer(text):
        mention = _mention(text, match, table)
        if not mention:
            continue
        dateline = _dateline(text, mention, table)
        if dateline:
            out.append(dateline)
        elif not _blocked(text, mention, table):
            _merge(text, out, mention, table)
    return out


def _mention(text: str, match, table: RegionTable) -> Mention | None:
    kind, start, end = match.lastgroup, match.start(), match.end()
    if kind in ("owner", "national"):
        return Mention(start, end, "national", table.national_code, table.national_name, kind == "owner")
    if kind == "region":
        guard = table.guards.get(match.group())
        if guard and guard.search(text, max(0, start - 1), start):
            return None  # '变成都', '幸福建设': a short name inside an ordinary word
        region = table.lookup(match.group())
        return Mention(start, end, "region", region.code, region.name) if region else None
    if kind == "local_en":
        return Mention(start, end, "local", table.local_prefix + match.group(), match.group())
    if kind == "local":
        return _local(match.group(), start, table)
    return Mention(start, end, kind, "", match.group())


def _local(candidate: str, start: int, table: RegionTable) -> Mention | None:
    """'据某某县' before 医保局: a table name ending here, a self-reference, or an unnamed local unit."""
    end = start + len(candidate)
    for k in range(len(candidate) - 1):
        region = table.lookup(candidate[k:])
        if region:
            return Mention(start + k, end, "region", region.code, region.name)
    own = table.self_scan.search(candidate)
    if own and own.end() == len(candidate):
        return Mention(start + own.start(), end, own.lastgroup, "", own.group())
    cut = max(candidate.rfind(c) for c in table.local_stop)
    name = candidate[cut + 1:]
    if len(name) < 2 or table.not_local_name.search(name):
        return None
    return Mention(end - len(name), end, "local", table.local_prefix + name, name)


def _dateline(text: str, m: Mention, table: RegionTable) -> Mention | None:
    """'新华社北京7月10日电', 'BEIJING, July 10 (Xinhua) --': the whole dateline, which owns nothing."""
    ctx = table.context
    before, after = text[max(0, m.start - WINDOW):m.start], text[m.end:m.end + WINDOW]
    hit_before, hit_after = ctx["dateline_before"].search(before), ctx["dateline_after"].search(after)
    if not hit_after and text[m.start:m.end].isupper():
        hit_after = ctx["caps_dateline_after"].search(after)
    if not (hit_before or hit_after):
        return None
    start = m.start - (len(before) - hit_before.start()) if hit_before else m.start
    return Mention(start, m.end + (hit_after.end() if hit_after else 0), "dateline", "", text[m.start:m.end])


def _blocked(text: str, m: Mention, table: RegionTable) -> bool:
    """A venue, outlet, source line or reference point: a place that owns no figure."""
    ctx = table.context
    before, after = text[max(0, m.start - WINDOW):m.start], text[m.end:m.end + WINDOW]
    if ctx["institution_after"].search(after) or ctx["source_before"].search(before):
        return True
    if ctx["comparison_before"].search(before) or ctx["venue_en_before"].search(before):
        return True
    return bool(ctx["venue_before"].search(before) and ctx["venue_after"].search(after)
                and not ctx["agency_after"].search(after))


def _merge(text: str, out: list[Mention], m: Mention, table: RegionTable) -> None:
    """'广东省深圳市' → the city; 'the province of Sichuan' → Sichuan; '广东省、江苏省' → one multi-region mention."""
    prev = out[-1] if out else None
    gap = text[prev.end:m.start] if prev else ""
    places = ("region", "local", "multi")
    if prev and m.kind in places and table.context["narrow_glue"].match(gap):
        parent = table.by_code.get(m.code)
        if prev.kind in ("national",) or prev.kind.startswith("self") or (
                prev.kind == "region" and parent is not None and parent.parent == prev.code):
            out[-1] = Mention(prev.start, m.end, m.kind, m.code, m.name)
            return
        if prev.kind == "region" and m.kind == "local":
            name = prev.name + m.name
            out[-1] = Mention(prev.start, m.end, "local", table.local_prefix + name, name)
            return
    if prev and prev.kind in places and m.kind in places and table.context["list_glue"].match(gap):
        codes = prev.code.removeprefix(table.multi_prefix).split("+") + [m.code]
        out[-1] = Mention(prev.start, m.end, "multi", table.multi_prefix + "+".join(codes), f"{prev.name}、{m.name}")
        return
    out.append(m)


def _clause_start(text: str, floor: int, m: Mention, table: RegionTable) -> int:
    """Where a clause-level mention starts governing: at the mention, or at its clause start for an English
    place standing after its figure ('110 million were insured in Guangdong')."""
    word = text[m.start:m.end]
    if not word.isascii() or not table.context["owner_after_figure_en"].search(text[max(floor, m.start - WINDOW):m.start]):
        return m.start
    cuts = [c.end() for c in table.context["clause_cut"].finditer(text, floor, m.start)]
    return max([floor] + cuts)


def _opening_gap(gap: str, table: RegionTable) -> bool:
    """Only times, connectives and punctuation stand between the sentence start and the mention."""
    return len(gap) <= OPENING_GAP and any(p.fullmatch(gap) for p in table.lead_in)


def _resolve(m: Mention, current: str, table: RegionTable) -> str:
    """A mention's code; a self-reference takes the region in scope at its level (never the nation)."""
    if not m.kind.startswith("self"):
        return m.code
    region = table.by_code.get(current)
    if m.kind == "self_province" and region:
        return region.code if region.level in PROVINCIAL else region.parent or table.unknown_local
    if m.kind == "self_city":
        if region and region.level in ("municipality", "city"):
            return region.code
        local_city = current.startswith(table.local_prefix) and current.endswith("市")
        return current if local_city and current != table.unknown_local else table.unknown_local
    if m.kind == "self_any" and current != table.national_code:
        return current
    return table.unknown_local


def _owner(text: str, found: list[Mention], table: RegionTable) -> tuple[Mention, str] | None:
    """The mention owning a bulletin (统计公报 after it), else an agency (医疗保障局 after it, 国家医保局)."""
    ctx, agency = table.context, None
    for m in found:
        if m.kind.startswith("self") or m.kind == "dateline":
            continue
        after = text[m.end:m.end + WINDOW]
        hit = ctx["bulletin_after"].search(after)
        if hit or ctx["bulletin_before"].search(text[max(0, m.start - 2 * WINDOW):m.start]):
            return m, text[m.start:m.end + (hit.end() if hit else 0)]
        hit = ctx["agency_after"].search(after)
        if hit and ctx["banner_after"].search(after[hit.end():]):
            continue  # "广东省医疗保障局 > 政务公开": the site hosting a reprint
        if agency is None and (hit or m.agency):
            agency = (m, text[m.start:m.end + (hit.end() if hit else 0)])
    return agency


def _change(changes: list[tuple[int, str]], offset: int, code: str) -> None:
    if changes and changes[-1][0] == offset:
        changes[-1] = (offset, code)
    elif changes[-1][1] != code:
        changes.append((offset, code))


def _spans(changes: list[tuple[int, str]], length: int) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    for i, (start, code) in enumerate(changes):
        end = changes[i + 1][0] if i + 1 < len(changes) else length
        if spans and spans[-1][2] == code:
            spans[-1] = (spans[-1][0], end, code)
        elif end > start or not spans:
            spans.append((start, end, code))
    return spans
