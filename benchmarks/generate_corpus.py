"""Write a seeded corpus of bulletin-like texts and the labels of every figure written, to benchmark at scale.

    python benchmarks/generate_corpus.py --out DIR [--docs 4000] [--seed 11]

32 regions (CN + 31 provinces, names from tasks/extraction/regions.yaml) x 30 release years, each bulletin
followed by reprints with noise (traditional characters, spam inside words, an English translation that may
quote 亿元 as billion). DIR/docs/*.txt, DIR/labels.csv (format of ../shared/corpus/dev/labels.csv) and
DIR/documents.csv (doc_id, region, release_year, variant). Same seed and --docs: same bytes.
"""
from __future__ import annotations

import argparse
import csv
import math
import random
from pathlib import Path

import opencc
import yaml

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = Path(__file__).with_name("corpus_templates.yaml")
VARIANTS = ("bulletin", "traditional", "spam", "english")
LABEL_COLUMNS = ["doc_id", "indicator_id", "period_year", "measure", "value", "unit", "text_as_written",
                 "wrong_in_text"]


def load_inputs() -> tuple[dict, dict, list[dict]]:
    """Templates, catalogue indicators by id, and the 32 regions (CN first)."""
    tpl = yaml.safe_load(TEMPLATES.read_text(encoding="utf-8"))
    cat = yaml.safe_load((ROOT / "tasks/contract/catalogue.yaml").read_text(encoding="utf-8"))
    indicators = {i["id"]: i for i in cat["indicators"]}
    table = yaml.safe_load((ROOT / "tasks/extraction/regions.yaml").read_text(encoding="utf-8"))
    regions = [{"code": "CN", "level": "national", "zh": "全国", "en": "China"}]
    regions += [{"code": r["code"], "level": r["level"], "zh": r["zh"][0], "en": r["en"][0]}
                for r in table["regions"] if r["code"] in tpl["shares"]]
    return tpl, indicators, regions


def figures(rng: random.Random, tpl: dict, indicators: dict, region: dict) -> dict[str, dict]:
    """Level (canonical unit) and yoy of each templated indicator for one region-year."""
    share = 1.0 if region["code"] == "CN" else tpl["shares"][region["code"]]
    out = {}
    for item in tpl["indicators"]:
        low, high = map(float, indicators[item["id"]]["range"])
        level = rng.uniform(low, high) * share
        if item.get("of"):
            base, lo, hi = item["of"]
            level = out[base]["level"] * rng.uniform(lo, hi)
        if item.get("rest"):
            level = out[item["rest"][0]]["level"] - sum(out[i]["level"] for i in item["rest"][1:])
        out[item["id"]] = {"level": level, "yoy": round(rng.uniform(*tpl["yoy_pct"]), 1)}
        if item.get("rate"):
            rlow, rhigh = map(float, indicators[item["rate"]]["range"])
            out[item["rate"]] = {"level": round(rng.uniform(rlow, rhigh - 0.5), 1)}
    return out


def written(kind: str, level: float, english: bool, slip: bool = False) -> tuple[str, float]:
    """A figure as the text writes it, and the canonical value that text means."""
    if kind == "persons":
        if english:
            millions = round(level / 1e6, 2)
            return (f"{millions / 1000:g} billion" if millions >= 1000 else f"{millions:g} million"), millions * 1e6
        wan = round(level / 1e4)
        return f"{wan}万人", wan * 1e4
    yi = round(level / 1e8, 1)
    if not english:
        return f"{yi:g}亿元", yi * 1e8
    if slip:                                  # 亿元 copied as billion: the text says 10x the real figure
        return f"{yi:g} billion yuan", yi * 1e8
    billions = round(level / 1e9, 2)
    return f"{billions:g} billion yuan", billions * 1e9


def render(tpl: dict, indicators: dict, region: dict, year: int, figs: dict, variant: str, rng: random.Random,
           doc_id: str) -> tuple[str, list[dict]]:
    """One document's text and its labels."""
    english = variant == "english"
    slip_id = None
    money = [i["id"] for i in tpl["indicators"] if i["kind"] == "money"]
    if english and rng.random() < tpl["unit_slip_share"]:
        slip_id = rng.choice(money)
    national = region["code"] == "CN"
    place = region["en" if english else "zh"]
    agency = tpl["national_agency_en" if english else "national_agency_zh"] if national else \
        tpl["agency_en" if english else "agency_zh"].format(place=place)
    date = f"{year + 1}-{tpl['publish_month_day']}"
    scope = tpl["self_words"][region["level"]] if not national else "全国"
    scope_en = tpl["self_words_en"][region["level"]]
    labels, sentences = [], []
    for item in tpl["indicators"]:
        fig = figs[item["id"]]
        text, value = written(item["kind"], fig["level"], english, item["id"] == slip_id)
        unit = indicators[item["id"]]["unit"]
        labels.append([doc_id, item["id"], year, "level", _num(value), unit, text,
                       "yes" if item["id"] == slip_id else "no"])
        parts = {"value": text, "year": year, "scope": scope, "scope_en": scope_en}
        if "{yoy}" in item["en" if english else "zh"]:
            yoy = f"{fig['yoy']:g} percent" if english else f"{fig['yoy']:g}%"
            parts["yoy"] = yoy
            labels.append([doc_id, item["id"], year, "yoy_pct", _num(fig["yoy"]), "percent", yoy, "no"])
        if item.get("rate"):
            rate = figs[item["rate"]]["level"]
            parts["rate"] = f"{rate:g} percent" if english else f"{rate:g}%"
            labels.append([doc_id, item["rate"], year, "level", _num(rate), "percent", parts["rate"], "no"])
        sentences.append(item["en" if english else "zh"].format(**parts))
    lang = "en" if english else "zh"
    head = tpl[f"headline_{lang}"].format(place=place, year=year)
    site = rng.choice(tpl["reprint_sites_en" if english else "reprint_sites_zh"])
    meta = f"Published: {date} | Source: {site}" if english else f"发布时间:{date} | 发布者: {site}"
    intro = tpl[f"intro_{lang}"].format(year=year, scope=scope, agency=agency, date=date)
    body = (" " if english else "").join(sentences)
    text = "\n".join([f"{agency} {head}" if not english else head, meta, intro, body, tpl[f"closing_{lang}"]]) + "\n"
    if variant == "spam":
        text = _inject_spam(text, tpl, rng)
    return text, labels


def _inject_spam(text: str, tpl: dict, rng: random.Random) -> str:
    """Paste spam brands between two Chinese characters (inside words), never inside or beside a number."""
    spots = [i for i in range(1, len(text)) if _han(text[i - 1]) and _han(text[i])]
    for at in sorted(rng.sample(spots, min(tpl["spam_per_doc"], len(spots))), reverse=True):
        text = text[:at] + rng.choice(tpl["spam_brands"]) + text[at:]
    return text


def _han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _num(value: float) -> str:
    return f"{value:.10g}" if not float(value).is_integer() else str(int(value))


def generate(out: Path, docs: int, seed: int) -> int:
    """Write `docs` documents (bulletins in year, region order, each with its reprints) under out/."""
    tpl, indicators, regions = load_inputs()
    to_trad = opencc.OpenCC("s2t")
    groups = [(y, r) for y in range(tpl["first_year"], tpl["first_year"] + tpl["years"]) for r in regions]
    per = max(len(VARIANTS), math.ceil(docs / len(groups)))
    (out / "docs").mkdir(parents=True, exist_ok=True)
    count = 0
    with open(out / "labels.csv", "w", newline="", encoding="utf-8") as lf, \
            open(out / "documents.csv", "w", newline="", encoding="utf-8") as df:
        labels_w, docs_w = csv.writer(lf), csv.writer(df)
        labels_w.writerow(LABEL_COLUMNS)
        docs_w.writerow(["doc_id", "region", "release_year", "variant"])
        for year, region in groups:
            rng = random.Random(f"{seed}:{year}:{region['code']}")
            figs = figures(rng, tpl, indicators, region)
            for k in range(per):
                if count >= docs:
                    return count
                variant = VARIANTS[k % len(VARIANTS)] if k < len(VARIANTS) else VARIANTS[1 + k % 3]
                doc_id = f"g{year}_{region['code']}_{k:02d}_{variant}"
                text, labels = render(tpl, indicators, region, year, figs, variant, rng, doc_id)
                if variant == "traditional":
                    text = to_trad.convert(text)
                    labels = [row[:6] + [to_trad.convert(row[6])] + row[7:] for row in labels]
                (out / "docs" / f"{doc_id}.txt").write_text(text, encoding="utf-8")
                labels_w.writerows(labels)
                docs_w.writerow([doc_id, region["code"], year, variant])
                count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path, help="directory to write docs/, labels.csv into")
    parser.add_argument("--docs", type=int, default=3840, help="number of documents (default: 32 x 30 x 4)")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    if not 1 <= args.docs <= 20000:
        parser.error("--docs must be between 1 and 20000")
    print(f"{generate(args.out, args.docs, args.seed)} documents in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
