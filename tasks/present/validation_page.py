"""Validation results as one self-contained page (inline CSS, no web assets), so they read offline and name rows."""
from __future__ import annotations

import json
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).with_name("templates")
SUITES = ("documents", "facts", "published", "identities")
# The data each suite validated: the run's batch (documents, facts) or this release's own tables.
ASSETS = {"documents": "documents of the run's batch (warehouse documents/, every release)",
          "facts": "facts of the run's batch (warehouse facts/, every release)",
          "published": "published rows of release {year} (warehouse published/release_year={year}/)",
          "identities": "identity checks of release {year} (releases/{year}/identities.csv)"}


def render_validation_page(release_year: int, checks: list[dict], run: dict | None = None) -> str:
    """HTML of every suite verdict behind a release: each expectation, passed or failed, what was observed and the
    failing rows by name; the run that validated it."""
    run = run or {}
    by_suite = {c.get("suite"): c for c in checks}
    suites = [suite_view(name, by_suite.get(name), release_year) for name in SUITES]
    suites += [suite_view(name, c, release_year) for name, c in sorted(by_suite.items(), key=lambda i: str(i[0]))
               if name not in SUITES]
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    return environment.get_template("validation.html.j2").render(
        year=int(release_year), suites=suites,
        run_name=str(run.get("run_id") or "not recorded"), run_kind=str(run.get("kind") or ""),
        flow_run_id=str(run.get("flow_run_id") or ""), flow_run_name=str(run.get("flow_run_name") or ""))


def suite_view(name: str, check: dict | None, release_year: int) -> dict:
    """One suite for the page: its data asset, verdict and every expectation (failures first)."""
    asset = ASSETS.get(name, "{name}").format(year=int(release_year), name=name)
    if check is None:
        return {"name": name, "asset": asset, "recorded": False, "success": None, "n_rows": None,
                "expectations": []}
    entries = check.get("expectations")
    if entries is None:             # a verdict recorded before every expectation was kept: its failures only
        entries = [{**f, "success": False} for f in check.get("failures", [])]
    rows = [expectation_view(e) for e in entries]
    rows.sort(key=lambda e: e["success"])
    return {"name": name, "asset": asset, "recorded": True, "success": bool(check.get("success")),
            "n_rows": check.get("n_rows"), "expectations": rows,
            "failed": sum(1 for e in rows if not e["success"])}


def expectation_view(entry: dict) -> dict:
    """An expectation as people read it: its arguments, what was observed, which rows broke it."""
    kwargs = {k: v for k, v in (entry.get("kwargs") or {}).items() if k not in ("column", "column_list")}
    observed = []
    if "observed" in entry:
        observed.append(f"observed {text(entry['observed'])}")
    if entry.get("unexpected_count") is not None:
        share = entry.get("unexpected_percent")
        observed.append(f"{entry['unexpected_count']} unexpected" + (f" ({share:g} %)" if share else ""))
    failing = list(entry.get("failing_rows") or [])
    count = entry.get("unexpected_count") or 0
    return {"expectation": str(entry.get("expectation", "?")), "columns": ", ".join(map(str, entry.get("columns", []))),
            "kwargs": ", ".join(f"{k}={text(v)}" for k, v in sorted(kwargs.items())), "success": bool(entry.get("success")),
            "observed": "; ".join(observed), "sample": text(entry["sample"]) if entry.get("sample") else "",
            "failing_rows": failing, "more_rows": max(0, int(count) - len(failing)) if failing else 0,
            "exception": str(entry.get("exception") or "")}


def text(value) -> str:
    """A JSON-able value as compact text (strings as they are)."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
