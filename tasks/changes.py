"""What changed since the last run: new or changed inputs and newer catalogue/extractor versions -> releases to rebuild."""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field

import pandas as pd

from tasks.catalogue import Catalogue

STATE_FILE = "state/nightly.json"


def extractor_version() -> str:
    """tasks.process.EXTRACTOR_VERSION when the extractor declares one."""
    try:
        process = importlib.import_module("tasks.process")
    except ImportError:
        return "unversioned"
    return str(getattr(process, "EXTRACTOR_VERSION", "unversioned"))


def current_versions(catalogue: Catalogue) -> dict[str, str]:
    """Versions of everything besides the inputs that shapes a release."""
    return {"catalogue": catalogue.version, "extractor": extractor_version()}


@dataclass
class ChangePlan:
    """Inputs that are new or changed since the state was written, and releases built with older versions."""

    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    stale_releases: set[int] = field(default_factory=set)

    @property
    def nothing_to_do(self) -> bool:
        return not (self.new or self.changed or self.stale_releases)

    def describe(self) -> str:
        if self.nothing_to_do:
            return "no new or changed documents and no newer catalogue/extractor: nothing to do"
        stale = ", ".join(str(y) for y in sorted(self.stale_releases)) or "none"
        return f"{len(self.new)} new, {len(self.changed)} changed inputs; releases with older versions: {stale}"


def plan_changes(state: dict | None, inputs: dict[str, str], versions: dict[str, str]) -> ChangePlan:
    """Compare current inputs (source uri -> sha256) and versions with the stored state."""
    state = state or {}
    known = state.get("inputs", {})
    plan = ChangePlan()
    for uri, sha in sorted(inputs.items()):
        if uri not in known:
            plan.new.append(uri)
        elif known[uri]["sha256"] != sha:
            plan.changed.append(uri)
    built = state.get("releases", {})
    plan.stale_releases = {int(y) for y, v in built.items() if v.get("versions") != versions}
    return plan


def releases_to_rebuild(plan: ChangePlan, state: dict | None, detected: dict[str, int]) -> set[int]:
    """Releases whose inputs changed: where new/changed inputs now belong, where changed ones used to, stale ones."""
    known = (state or {}).get("inputs", {})
    years = {int(detected[u]) for u in plan.new + plan.changed if u in detected}
    years |= {int(known[u]["release_year"]) for u in plan.changed}
    return years | plan.stale_releases


def inputs_of(state: dict | None, years: set[int], plan: ChangePlan) -> set[str]:
    """Source uris a rebuild of these releases needs: the known inputs of the releases plus new/changed ones."""
    known = (state or {}).get("inputs", {})
    return {u for u, v in known.items() if int(v["release_year"]) in years} | set(plan.new) | set(plan.changed)


def next_state(state: dict | None, versions: dict[str, str], built: dict[str, tuple[str, int]],
               outcomes: dict[int, str]) -> dict:
    """State after rebuilding releases (year -> published/blocked) from `built` (uri -> (sha256, year))."""
    state = state or {}
    years = set(outcomes)
    rebuilt = {u: {"sha256": sha, "release_year": int(year)} for u, (sha, year) in built.items() if int(year) in years}
    inputs = {u: v for u, v in state.get("inputs", {}).items()
              if int(v["release_year"]) not in years and u not in rebuilt}
    inputs.update(rebuilt)
    releases = {y: v for y, v in state.get("releases", {}).items() if int(y) not in years}
    releases.update({str(y): {"versions": dict(versions), "status": status} for y, status in outcomes.items()})
    return {"inputs": dict(sorted(inputs.items())),
            "releases": dict(sorted(releases.items(), key=lambda kv: int(kv[0])))}


def finished_releases(state: dict | None, versions: dict[str, str], published_years: list[int]) -> set[int]:
    """Releases published from the current catalogue/extractor versions (a resumed backfill skips them)."""
    built = (state or {}).get("releases", {})
    return {int(y) for y, v in built.items()
            if v.get("status") == "published" and v.get("versions") == versions and int(y) in published_years}


def has_final_bulletin(published: pd.DataFrame) -> bool:
    """A release counts as published once its table holds figures of the final bulletin (not only a quick report)."""
    return bool(len(published)) and bool((published["vintage"] == "final_bulletin").any())
