"""What changed since the last run: new or changed inputs and newer catalogue/extractor/release fingerprints -> releases to rebuild."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from tasks.contract.catalogue import Catalogue
from tasks.ops import fingerprint

STATE_FILE = "state/nightly.json"


def extractor_version() -> str:
    """The computed extractor fingerprint: a hash of the code and data files per-document extraction reads."""
    return fingerprint.extractor_fingerprint()


def current_versions(catalogue: Catalogue) -> dict[str, str]:
    """Versions of everything besides the inputs that shapes a release: the catalogue, the extractor (what the
    stored observations were read with) and the release build (extractor plus gate, suites and publish code)."""
    return {"catalogue": catalogue.version, "extractor": extractor_version(),
            "release": fingerprint.release_fingerprint()}


@dataclass
class ChangePlan:
    """Inputs that are new or changed since the state was written, and releases built with older versions."""

    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    stale_releases: set[int] = field(default_factory=set)
    moved: list[str] = field(default_factory=list)        # new addresses of bytes the state already knows
    incomplete: set[int] = field(default_factory=set)     # releases a killed run left half written

    @property
    def nothing_to_do(self) -> bool:
        return not (self.new or self.changed or self.stale_releases or self.moved or self.incomplete)

    def describe(self) -> str:
        if self.nothing_to_do:
            return "no new or changed documents and no newer catalogue/extractor: nothing to do"
        stale = ", ".join(str(y) for y in sorted(self.stale_releases)) or "none"
        text = f"{len(self.new)} new, {len(self.changed)} changed inputs; releases with older versions: {stale}"
        if self.moved:
            text += f"; {len(self.moved)} known documents under a new path or URL"
        if self.incomplete:
            text += f"; incomplete builds healed: {', '.join(str(y) for y in sorted(self.incomplete))}"
        return text


def plan_changes(state: dict | None, inputs: dict[str, str], versions: dict[str, str],
                 builds: dict[int, str] | None = None) -> ChangePlan:
    """Compare current inputs (source uri -> sha256), versions and the written builds with the stored state."""
    state = state or {}
    known = state.get("inputs", {})
    known_bytes = {v["sha256"] for v in known.values()}
    plan = ChangePlan()
    for uri, sha in sorted(inputs.items()):
        if uri not in known:
            (plan.moved if sha in known_bytes else plan.new).append(uri)
        elif known[uri]["sha256"] != sha:
            plan.changed.append(uri)
    built = state.get("releases", {})
    plan.stale_releases = {int(y) for y, v in built.items() if v.get("versions") != versions}
    if builds is not None:
        plan.incomplete = incomplete_builds(state, builds)
    return plan


def incomplete_builds(state: dict, builds: dict[int, str]) -> set[int]:
    """Published releases whose written files are not the build the state recorded (a run died mid-release)."""
    recorded = state.get("builds", {})
    done = {int(y) for y, v in state.get("releases", {}).items() if v.get("status") == "published"}
    return {y for y in done | {int(y) for y in builds} if recorded.get(str(y)) != builds.get(y)}


def year_of_bytes(state: dict | None) -> dict[str, int]:
    """sha256 -> release year of every input the state knows."""
    return {v["sha256"]: int(v["release_year"]) for v in (state or {}).get("inputs", {}).values()}


def releases_to_rebuild(plan: ChangePlan, state: dict | None, detected: dict[str, int],
                        inputs: dict[str, str] | None = None) -> set[int]:
    """Releases whose inputs changed: where new/changed inputs now belong, where changed/moved ones used to, stale."""
    known = (state or {}).get("inputs", {})
    years = {int(detected[u]) for u in plan.new + plan.changed if u in detected}
    years |= {int(known[u]["release_year"]) for u in plan.changed}
    by_bytes = year_of_bytes(state)
    years |= {by_bytes[inputs[u]] for u in plan.moved if inputs and inputs.get(u) in by_bytes}
    return years | plan.stale_releases | plan.incomplete


def with_builds(state: dict, builds: dict[int, str], documents: dict[int, dict[str, list[str]]] | None = None) -> dict:
    """The state with the fingerprints of the release files just written (nightly compares them next time) and
    the documents each newly published build was made from (the shrink guard's 'before')."""
    kept = {**state.get("documents", {}), **{str(y): dict(sorted(d.items())) for y, d in (documents or {}).items()}}
    return {**state, "builds": {str(y): builds[y] for y in sorted(builds)},
            "documents": dict(sorted(kept.items(), key=lambda kv: int(kv[0])))}


def built_documents(state: dict | None, release_year: int) -> dict[str, list[str]] | None:
    """doc_id -> origins the published build of a release was made from, when the state recorded them."""
    found = (state or {}).get("documents", {}).get(str(release_year))
    return None if not isinstance(found, dict) else {d: list(o) for d, o in found.items()}


def inputs_of(state: dict | None, years: set[int], plan: ChangePlan) -> set[str]:
    """Source uris a rebuild of these releases needs: the known inputs of the releases plus new/changed ones."""
    known = (state or {}).get("inputs", {})
    return ({u for u, v in known.items() if int(v["release_year"]) in years} | set(plan.new) | set(plan.changed)
            | set(plan.moved))


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
    out = {"inputs": dict(sorted(inputs.items())),
           "releases": dict(sorted(releases.items(), key=lambda kv: int(kv[0])))}
    return {**out, **{k: state[k] for k in ("builds", "documents") if k in state}}


def finished_releases(state: dict | None, versions: dict[str, str], published_years: list[int]) -> set[int]:
    """Releases published from the current catalogue/extractor versions (a resumed backfill skips them)."""
    built = (state or {}).get("releases", {})
    return {int(y) for y, v in built.items()
            if v.get("status") == "published" and v.get("versions") == versions and int(y) in published_years}


def has_final_bulletin(published: pd.DataFrame) -> bool:
    """A release counts as published once its table holds figures of the final bulletin (not only a quick report)."""
    return bool(len(published)) and bool((published["vintage"] == "final_bulletin").any())
