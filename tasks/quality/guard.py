"""Release shrink guard: a new build may not silently lose published rows, indicators, periods or documents."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from tasks.quality import alerts
from tasks.contract.schema import KEY

Documents = dict[str, list[str]]      # doc_id -> the paths/URLs it came from

RULE = "release_shrink"
SHOWN = 8            # names listed per kind in the alert; the count says how many more


@dataclass
class Shrink:
    """What the new build of a release would remove from the current one (empty: nothing is lost)."""

    release_year: int
    current_rows: int = 0
    lost_rows: list[tuple] = field(default_factory=list)
    lost_indicators: list[str] = field(default_factory=list)
    lost_periods: list[int] = field(default_factory=list)
    lost_documents: list[str] = field(default_factory=list)

    @property
    def shrinks(self) -> bool:
        return bool(self.lost_rows or self.lost_indicators or self.lost_periods or self.lost_documents)

    def describe(self) -> str:
        """One line naming what would vanish, e.g. 'would remove 81 of 135 rows; indicators lost: …'."""
        parts = [f"would remove {len(self.lost_rows)} of {self.current_rows} rows"]
        for name, items in (("indicators", self.lost_indicators), ("periods", self.lost_periods),
                            ("documents", self.lost_documents)):
            if items:
                more = f" (+{len(items) - SHOWN} more)" if len(items) > SHOWN else ""
                parts.append(f"{name} lost: {', '.join(str(i) for i in items[:SHOWN])}{more}")
        return "; ".join(parts)

    def as_record(self) -> dict:
        """JSON-able summary for the run manifest."""
        return {"current_rows": self.current_rows, "lost_rows": len(self.lost_rows),
                "lost_indicators": self.lost_indicators, "lost_periods": self.lost_periods,
                "lost_documents": self.lost_documents, "message": self.describe()}


def compare_builds(release_year: int, current: pd.DataFrame, new: pd.DataFrame,
                   current_documents: Documents, new_documents: Documents) -> Shrink:
    """What `new` loses against `current` (published rows; feeding documents as doc_id -> origins); a first build
    loses nothing. A document is lost when neither its bytes nor any of its addresses feed the new build (so a
    moved source or a document edited in place is not lost; what its edit removed shows up as rows)."""
    out = Shrink(release_year, current_rows=len(current))
    if not len(current):
        return out
    before, after = _keys(current), _keys(new)
    out.lost_rows = sorted(before - after, key=str)
    out.lost_indicators = sorted(set(current["indicator_id"]) - set(new["indicator_id"]))
    out.lost_periods = sorted({int(p) for p in current["period_year"]} - {int(p) for p in new["period_year"]})
    addresses = {uri for uris in new_documents.values() for uri in uris}
    out.lost_documents = sorted(d for d, uris in current_documents.items()
                                if d not in new_documents and not addresses & set(uris))
    return out


def shrink_alert(shrink: Shrink) -> dict:
    """The critical alert of a blocked shrinking release, telling the operator how to accept it."""
    return alerts.make_alert(shrink.release_year, "critical", RULE,
                             f"release {shrink.release_year} NOT published: the new build {shrink.describe()}; "
                             "the current release stays. If the loss is intended (a source was removed on "
                             "purpose), rerun with --accept-shrink (flow parameter accept_shrink)")


def accepted_alert(shrink: Shrink) -> dict:
    """A warning that a shrink was published because the run was told to accept it."""
    return alerts.make_alert(shrink.release_year, "warning", f"{RULE}_accepted",
                             f"release {shrink.release_year} published although the new build {shrink.describe()} "
                             "(accepted with --accept-shrink)")


def feeding_documents(documents: pd.DataFrame) -> Documents:
    """doc_id -> origins of a release's documents that feed it (status ok); origins default to source_uri."""
    ok = documents[documents["status"] == "ok"]
    return {str(d): sorted(str(o or u).split(";")) for d, o, u in zip(ok["doc_id"], ok["origins"], ok["source_uri"])}


def _keys(frame: pd.DataFrame) -> set[tuple]:
    return set(frame[KEY].itertuples(index=False, name=None))
