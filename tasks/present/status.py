"""What each release publishes, from which documents, when it was built and whether it is stale: the asset view."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table

from tasks.contract.catalogue import load_catalogue
from tasks.ops import changes
from tasks.store.manifests import run_manifests
from tasks.store.warehouse import Warehouse

FORMATS = ("table", "json")


def release_status(published: pd.DataFrame, documents: pd.DataFrame, alerts: pd.DataFrame, state: dict | None,
                   versions: dict[str, str], builds: dict[int, str], runs: list[dict],
                   inputs: dict[str, str] | None = None) -> dict:
    """One entry per release (published, documents, build, freshness, open critical alerts) plus new inputs."""
    plan = changes.plan_changes(state, inputs, versions, builds) if inputs is not None and state else None
    years = ({int(y) for y in published["release_year"]} | {int(y) for y in (state or {}).get("releases", {})}
             | {int(y) for y in documents["release_year"]}) - {0}
    releases = [_release(y, published[published["release_year"] == y], documents[documents["release_year"] == y],
                         alerts[alerts["release_year"] == y], state, versions, builds, runs, plan, inputs or {})
                for y in sorted(years)]
    return {"releases": releases, "inputs_checked": plan is not None,
            "new_inputs": sorted(plan.new) if plan else [], "versions": dict(versions)}


def _release(year: int, published: pd.DataFrame, documents: pd.DataFrame, alerts: pd.DataFrame, state: dict | None,
             versions: dict[str, str], builds: dict[int, str], runs: list[dict], plan, inputs) -> dict:
    feeding = documents[documents["status"] == "ok"]
    critical = alerts[alerts["severity"] == "critical"]
    built, attempt = _builds_of(year, runs)
    stale = staleness(year, state, versions, builds, plan, inputs)
    return {
        "release_year": year,
        "published": bool(len(published)),
        "rows": int(len(published)),
        "indicators": int(published["indicator_id"].nunique()),
        "derived_rows": int((published["status"] == "derived").sum()),
        "statuses": {str(k): int(v) for k, v in sorted(published["status"].value_counts().items())},
        "vintage": "final_bulletin" if changes.has_final_bulletin(published) else
                   ("quick_report" if len(published) else ""),
        "documents": [{"doc_id": r.doc_id, "kind": r.kind, "title": r.title or "", "source": r.source_uri}
                      for r in feeding.sort_values("doc_id").itertuples()],
        "documents_set_aside": int(len(documents) - len(feeding)),
        "built_at": built.get("finished_at", ""), "built_by_run": built.get("run_id", ""),
        "flow_run_id": built.get("flow_run_id", ""),
        "last_attempt": attempt,
        "fresh": not stale, "stale_reasons": stale,
        "critical_alerts": [{"rule": r.rule, "evidence": r.evidence, "run_id": r.run_id}
                            for r in critical.itertuples()],
        "warnings": int((alerts["severity"] == "warning").sum()),
    }


def _builds_of(year: int, runs: list[dict]) -> tuple[dict, dict]:
    """The last run that published this release, and the outcome of the last run that touched it."""
    touched = [r for r in runs if str(year) in (r.get("releases") or {})]
    published = [r for r in touched if r["releases"][str(year)].get("status") == "published"]
    last = touched[-1] if touched else {}
    attempt = {"run_id": last.get("run_id", ""), "finished_at": last.get("finished_at", ""),
               "status": (last.get("releases") or {}).get(str(year), {}).get("status", "")} if last else {}
    return (published[-1] if published else {}), attempt


def staleness(year: int, state: dict | None, versions: dict[str, str], builds: dict[int, str],
              plan: changes.ChangePlan | None, plan_inputs: dict[str, str] | None = None) -> list[str]:
    """Why the next nightly run would rebuild this release (empty: fresh), by the nightly's own change detection."""
    recorded = (state or {}).get("releases", {}).get(str(year))
    if recorded is None:
        return ["no nightly state records this release (built by another warehouse or never finished)"]
    reasons = []
    if recorded.get("versions") != versions:
        was = recorded.get("versions") or {}
        reasons.append("built with an older " + (", ".join(
            f"{k} ({_short(was.get(k, '?'))} -> {_short(v)})" for k, v in versions.items() if was.get(k) != v)
            or "version"))
    if year in changes.incomplete_builds(state, builds):
        reasons.append("release files differ from the recorded build (a run stopped mid-release)")
    if plan is not None:
        plan_inputs = plan_inputs or {}
        known = state.get("inputs", {})
        changed = [u for u in plan.changed if int(known[u]["release_year"]) == year]
        by_bytes = changes.year_of_bytes(state)
        moved = [u for u in plan.moved if by_bytes.get(plan_inputs.get(u, "")) == year]
        reasons += [f"input changed: {u}" for u in changed] + [f"input moved: {u}" for u in moved]
    return reasons


def _short(version: object) -> str:
    """Versions that are digests are shown by their first 12 digits."""
    text = str(version)
    return text[:12] if len(text) > 16 else text


def local_inputs(sources: str) -> dict[str, str]:
    """source uri -> sha256 of the files of a sources directory or file (URLs are not fetched for a status)."""
    from tasks.ingest.sources import read_directory, resolve_sources

    config = resolve_sources(sources)
    return {r.source_uri: r.sha256 for d in config.directories for r in read_directory(d, config.limits)[0]}


def gather(root: str | Path, inputs: dict[str, str] | None = None) -> dict:
    """The status of a warehouse, read through the warehouse's own readers (whatever its build layout)."""
    wh = Warehouse(root)
    versions = changes.current_versions(load_catalogue())
    found = release_status(wh.read("published"), wh.read("documents"), wh.read("alerts"),
                           wh.read_json(changes.STATE_FILE), versions, wh.build_fingerprints(), run_manifests(root),
                           inputs)
    return {"warehouse": str(Path(root).resolve()), **found}


def format_status(status: dict, fmt: str = "table", width: int = 160) -> str:
    """Status as a terminal table or as one JSON document."""
    if fmt == "json":
        return json.dumps(status, indent=2, ensure_ascii=False, default=str) + "\n"
    if fmt != "table":
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    table = Table(show_lines=True)
    for column in ("release", "published", "documents", "built", "freshness", "critical alerts"):
        table.add_column(column, overflow="fold")
    for r in status["releases"]:
        shown = (f"{r['rows']} rows, {r['indicators']} indicators ({r['derived_rows']} derived); {r['vintage']}"
                 if r["published"] else "nothing published")
        kinds = pd.Series([d["kind"] for d in r["documents"]], dtype=object).value_counts()
        docs = f"{len(r['documents'])}: " + ", ".join(f"{n} {k}" for k, n in kinds.items())
        docs += f"; {r['documents_set_aside']} set aside" if r["documents_set_aside"] else ""
        built = f"{r['built_at'] or 'never'}\nrun {r['built_by_run'] or '–'}"
        if r["last_attempt"] and r["last_attempt"]["status"] != "published":
            built += f"\nlast run {r['last_attempt']['status']} ({r['last_attempt']['run_id']})"
        fresh = "fresh" if r["fresh"] else "stale: " + "; ".join(r["stale_reasons"])
        crit = "\n".join(f"{a['rule']}: {a['evidence']}" for a in r["critical_alerts"]) or "none"
        table.add_row(str(r["release_year"]), shown, docs, built, fresh, crit + f"\n({r['warnings']} warnings)")
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=False, color_system=None)
    console.print(table if status["releases"] else
                  f"no release in {status.get('warehouse', 'this warehouse')} yet (build one with bulletin-etl run)")
    if not status["inputs_checked"]:
        console.print("inputs not compared (give --sources to compare the source files with the last build)")
    elif status["new_inputs"]:
        console.print(f"{len(status['new_inputs'])} new inputs not built into any release yet: "
                      + ", ".join(status["new_inputs"]))
    return buffer.getvalue()
