"""The status funnel: of the referrals sent in the period, how many ever reached each step.

Read from ``referral_event`` (a status change is recorded there, whatever the status is
now), so a completed referral counts at every step it passed through. Rejected,
declined, not contactable and cancelled are counted apart: they leave the funnel.
"""

from __future__ import annotations

from practice_rx.domain.statuses import Status
from practice_rx.reports.progress import Progress
from practice_rx.reports.tables import Column, Table

STEPS = (Status.SENT, Status.ACCEPTED, Status.CONTACTED, Status.IN_PROGRESS, Status.COMPLETED)
EXITS = (Status.REJECTED, Status.DECLINED, Status.NOT_CONTACTABLE, Status.CANCELLED)


def status_funnel(progress: Progress) -> Table:
    reached = progress.reached
    sent = reached.get(Status.SENT.value, 0)
    rows = tuple(
        (status.value, status.label, "funnel" if status in STEPS else "left",
         reached.get(status.value, 0), _share(reached.get(status.value, 0), sent))
        for status in (*STEPS, *EXITS))
    return Table("status_funnel", "Status funnel of referrals sent in the period",
                 (Column("status", "Code"), Column("label", "Status"), Column("part", "Part"),
                  Column("referrals", "Referrals that reached it", "count"),
                  Column("share_of_sent", "Share of sent (%)", "derived")), rows)


def _share(count: int, sent: int) -> float | None:
    return round(100 * count / sent, 1) if sent else None
