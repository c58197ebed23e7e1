"""Build one release from its facts and documents: publish, derive, check, and decide whether it may be written."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd

from tasks.contract import schema

from tasks.publish import reconcile

from tasks.quality import alerts
from tasks.contract.catalogue import Catalogue
from tasks.publish.derive import derive_indicators, identity_checks
from tasks.ops.runlog import check_summary
from tasks.present.validation_page import render_validation_page
from tasks.quality.validate import ValidationResult, validate_frame

VALIDATION_PAGE = "validation.html"


@dataclass
class ReleaseBuild:
    """A release ready to write, or blocked: its table, checks, findings and the files for people."""

    release_year: int
    published: pd.DataFrame                      # stated rows plus derived ones, published columns
    identities: pd.DataFrame | None = None       # identity residuals of the stated rows
    checks: list[ValidationResult] = field(default_factory=list)
    blocked: bool = False                        # the published suite failed: nothing of this release is written
    alerts: list[dict] = field(default_factory=list)
    unattributed: pd.DataFrame | None = None     # figures the batch left out (tasks/contract/schema.py UNATTRIBUTED)
    run: dict = field(default_factory=dict)      # the run that validated it: run_id, kind, flow_run_id, flow_run_name

    @property
    def status_counts(self) -> dict[str, int]:
        return {str(k): int(v) for k, v in self.published["status"].value_counts().sort_index().items()}


def build_release(release_year: int, facts: pd.DataFrame, documents: pd.DataFrame, catalogue: Catalogue,
                  previous: pd.DataFrame | None = None, unattributed: pd.DataFrame | None = None) -> ReleaseBuild:
    """Reconcile a release's facts (earlier releases' published rows back repairs), add derived rows, validate;
    a failed published suite blocks the release. Figures left out are reported per document."""
    stated = reconcile.publish_release(release_year, facts, documents, catalogue, previous)
    derived = derive_indicators(stated, catalogue)
    published = pd.concat([stated, derived], ignore_index=True) if len(derived) else stated.reset_index(drop=True)
    published = published[schema.columns("published")]
    build = ReleaseBuild(release_year, published, alerts=alerts.published_alerts(stated), unattributed=unattributed)
    check = validate_frame("published", published, catalogue)
    build.checks.append(check)
    if not check.success:
        build.blocked = True
        build.alerts += alerts.suite_alerts(release_year, "published", check.failures, "critical")
    build.identities = identity_checks(stated, catalogue)
    if len(build.identities):
        build.checks.append(validate_frame("identities", build.identities, catalogue))
    build.alerts += identity_alerts(build.identities)
    build.alerts += left_out_alerts(release_year, unattributed)
    return build


def left_out_alerts(release_year: int, unattributed: pd.DataFrame | None) -> list[dict]:
    """One info alert per document whose figures were left out: how many, for which reasons."""
    if unattributed is None or unattributed.empty:
        return []
    rows = unattributed[unattributed["release_year"].astype(int) == int(release_year)]
    out = []
    for doc_id, group in sorted(rows.groupby("doc_id"), key=lambda item: item[0]):
        counts = group["reason"].fillna("").value_counts()
        reasons = ", ".join(f"{reason or 'unsaid'} x{n}" for reason, n in sorted(counts.items()))
        out.append(alerts.make_alert(release_year, "info", "figures_left_out",
                                     f"{len(group)} figure(s) not attributed to an indicator: {reasons}",
                                     doc_id=str(doc_id)))
    return out


def identity_alerts(identities: pd.DataFrame) -> list[dict]:
    """Identities whose residual is beyond rounding: published, flagged as a warning."""
    bad = identities[~identities["within_tolerance"].astype(bool)]
    return [alerts.make_alert(r.release_year, "warning", f"identity:{r.identity}",
                              f"{r.formula}: lhs {r.lhs:g} vs rhs {r.rhs:g}, residual {r.residual:g} "
                              f"beyond tolerance {r.tolerance:g}",
                              indicator_id=r.indicator_id, period_year=r.period_year)
            for r in bad.itertuples()]


def checks_files(build: ReleaseBuild, batch_checks: list[dict]) -> dict[str, bytes]:
    """validation.json (every suite verdict behind the release) and validation.html, the page people read offline
    (GX's own Data Docs index needs web assets from the internet, so it is not built)."""
    checks = batch_checks + [check_summary(c) for c in build.checks]
    record = {"release_year": build.release_year, "checks": checks, "data_docs": [VALIDATION_PAGE]}
    text = json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"
    page = render_validation_page(build.release_year, json.loads(text)["checks"], build.run)
    return {"validation.json": text.encode("utf-8"), VALIDATION_PAGE: page.encode("utf-8")}
