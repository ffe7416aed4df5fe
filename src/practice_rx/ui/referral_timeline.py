"""A referral's timeline: its status changes, chases and deliveries, in the order they happened.

A change dated earlier than it was recorded shows when it happened, and says
when it was recorded, so a back-dated entry is never mistaken for a live one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from practice_rx.services.delivery import DeliveryRow
from practice_rx.storage.models import Referral
from practice_rx.ui.formatting import moment, status_label

CHASE_METHODS = {"letter": "chaser letter", "phone": "phone", "email": "email"}


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime
    who: str
    change: str
    note: str
    #: when a back-dated change was recorded (None: recorded as it happened)
    recorded: datetime | None = None
    #: the SNOMED CT code where one was recorded
    detail: str = ""

    @property
    def when_text(self) -> str:
        if self.recorded is None:
            return moment(self.when)
        return f"{moment(self.when)}\n(recorded {moment(self.recorded)})"


def timeline_entries(referral: Referral,
                     deliveries: Iterable[DeliveryRow] = ()) -> list[TimelineEntry]:
    """Status changes, chases and deliveries, oldest first (ties in that order)."""
    entries: list[tuple[datetime, int, int, TimelineEntry]] = []
    for event in referral.events:
        change = (f"{status_label(event.from_status)} → {status_label(event.to_status)}"
                  if event.from_status else status_label(event.to_status))
        recorded = event.at if event.occurred_at != event.at else None
        detail = f"Recorded with SNOMED CT {event.snomed_code}" if event.snomed_code else ""
        entries.append((event.occurred_at, 0, event.id, TimelineEntry(
            event.occurred_at, event.user.display_name, change, event.note, recorded, detail)))
    for chase in referral.chases:
        how = CHASE_METHODS.get(chase.method, chase.method)
        letter = f" (letter {chase.letter_id})" if chase.letter_id else ""
        entries.append((chase.at, 1, chase.id, TimelineEntry(
            chase.at, chase.user.display_name, f"Chased the service: {how}{letter}", "")))
    for row in deliveries:
        entries.extend((entry.when, 2, row.id, entry) for entry in delivery_entries(row))
    return [entry for *_, entry in sorted(entries, key=lambda e: e[:3])]


def delivery_entries(row: DeliveryRow) -> list[TimelineEntry]:
    """What a delivery shows: delivered, then acknowledged; or failed; or not yet delivered,
    with the error and the local id the receiving system's staff can look up."""
    where = f"over {row.channel_label} to {row.to_address}"
    files = f"{len(row.files)} file{'s' if len(row.files) != 1 else ''}"
    tries = f"; {row.attempts} tries" if row.attempts > 1 else ""
    if row.state == "pending":
        return [TimelineEntry(row.created_at, row.created_by, f"Not delivered yet {where}",
                              row.error or "Sending…", detail=f"{row.local_id}{tries}")]
    entries = []
    if row.sent_at is not None:
        entries.append(TimelineEntry(row.sent_at, row.created_by,
                                     f"Delivered {where} ({files})", "",
                                     detail=f"{row.local_id}{tries}"))
    if row.acknowledged_at is not None:
        entries.append(TimelineEntry(row.acknowledged_at, row.channel_label,
                                     f"Acknowledged: collected by {row.to_address}", ""))
    if row.state == "failed":
        entries.append(TimelineEntry(row.failed_at or row.created_at, row.created_by,
                                     f"Failed: delivery {where}", row.error or "",
                                     detail=f"{row.local_id}{tries}"))
    return entries
