"""Reports through the service layer: the permission, and which practices a user may count.

:func:`~practice_rx.reports.build_report` reads figures from a database; this wrapper is
what the Reports window and ``practice-rx report`` call, so the ``VIEW_REPORTS`` check
and the narrowing to the user's practices cannot be skipped by a screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from practice_rx.domain.permissions import Action
from practice_rx.errors import PermissionDenied, ValidationError
from practice_rx.reports.build import Report, build_report
from practice_rx.reports.period import ReportPeriod
from practice_rx.services.base import ServiceBase
from practice_rx.services.practice_scope import SCOPE_KEY
from practice_rx.storage.models import Practice


class ReportService(ServiceBase):
    def build(self, user_id: int, period: ReportPeriod, *, practices: Sequence[str] = (),
              today: date | None = None) -> Report:
        """Every figure for ``period`` over ``practices`` (ODS codes; empty: all the user
        may see). Counting happens in one read transaction; nothing is written."""
        with self.db.reading() as session:
            self.authorize(session, user_id, Action.VIEW_REPORTS)
            chosen = practices_to_count(session, practices)
        return build_report(self.db, replace(period, practice_ids=chosen),
                            today=today or self.today())


def practices_to_count(session: Session, ods_codes: Sequence[str]) -> frozenset[int] | None:
    """The ids of the practices named (every one the acting user sees when none is),
    refusing an unknown code or a practice the user does not work for.

    None means every practice: only for a user who works across the network and named
    none, so a practice added later is counted too.
    """
    scope = session.info[SCOPE_KEY]
    wanted = {code.strip().upper() for code in ods_codes if code.strip()}
    if not wanted:
        return scope
    found = dict(session.execute(select(Practice.ods_code, Practice.id)
                                 .where(Practice.ods_code.in_(sorted(wanted)))).all())
    unknown = sorted(wanted - set(found))
    if unknown:
        raise ValidationError.single("practices", "Practice: no practice of the network has "
                                     f"the ODS code {', '.join(unknown)}")
    outside = sorted(code for code, practice_id in found.items()
                     if scope is not None and practice_id not in scope)
    if outside:
        raise PermissionDenied(f"Not allowed: your account is not linked to {', '.join(outside)}"
                               "; a report counts only the practices you work for")
    return frozenset(found.values())
