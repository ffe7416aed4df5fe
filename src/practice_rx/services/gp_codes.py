"""SNOMED CT codes for the GP record: each coded referral event, a line the practice records.

The GP system is where the patient's record lives, so the practice records there that a
referral was made or declined. This writes one CSV line per coded event in a period, at
the practices the user works for, and marks each line written (``event_code_export``,
append-only) so the next export can say which are new. Only the verified codes of
:data:`~practice_rx.domain.statuses.EVENT_CODES` are ever written: an event carrying any
other code (one put in by hand) is left out and counted, never passed on to a record.

Permission: ``VIEW_REFERRALS`` plus the practice scope. Receptionists and clinicians are
the ones who enter codes in the GP system, and a line shows nothing they cannot already
see on the referral, so no new permission is needed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from practice_rx.domain.permissions import Action
from practice_rx.domain.statuses import CODE_TERMS, verified_term
from practice_rx.reports.period import ReportPeriod
from practice_rx.services.base import ServiceBase
from practice_rx.services.practice_scope import scope_condition
from practice_rx.services.reports import practices_to_count
from practice_rx.storage.models import EventCodeExport, Patient, Referral, ReferralEvent

if TYPE_CHECKING:
    from practice_rx.services import Services

HEADER = ("nhs_number", "code", "term", "date", "referral_id", "already_exported")


@dataclass(frozen=True)
class CodeRow:
    """One coded event: what the practice records, and whether a file already had it."""

    event_id: int
    nhs_number: str
    code: str
    term: str
    on: date
    referral_id: int
    already_exported: bool

    def as_csv(self) -> tuple[str, ...]:
        return (self.nhs_number, self.code, self.term, self.on.isoformat(),
                str(self.referral_id), "yes" if self.already_exported else "no")


@dataclass(frozen=True)
class CodeRows:
    """The rows to write, how many events were left out for an unverified code, and how
    many an export asked for new codes only left out as already exported."""

    rows: list[CodeRow]
    refused: int
    already_exported: int = 0


def codes_csv(rows: Sequence[CodeRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(row.as_csv() for row in rows)
    return out.getvalue()


class GpCodeService(ServiceBase):
    @classmethod
    def of(cls, services: Services) -> GpCodeService:
        """The one ``services.gp_codes`` (kept for callers written before it existed)."""
        return services.gp_codes

    def rows(self, user_id: int, period: ReportPeriod, practices: Sequence[str] = (),
             ) -> CodeRows:
        """The coded events that happened in ``period`` at ``practices`` (ODS codes; none:
        every practice the user works for), oldest first. Reads only: nothing is marked."""
        with self.db.reading() as session:
            return self._rows(session, user_id, period, practices)

    def export_csv(self, user_id: int, period: ReportPeriod, path: Path | str,
                   practices: Sequence[str] = (), new_only: bool = False) -> int:
        """The rows as CSV at ``path``; the number written. See :meth:`export_file`."""
        return len(self.export_file(user_id, period, path, practices, new_only).rows)

    def export_file(self, user_id: int, period: ReportPeriod, path: Path | str,
                    practices: Sequence[str] = (), new_only: bool = False) -> CodeRows:
        """Write the rows (``new_only``: only those no file had yet), mark each written and
        audit the export, in one transaction: the file is written before it commits, so a
        file that cannot be written leaves no mark and no audit row."""
        with self.db.transaction() as session:
            found = self._rows(session, user_id, period, practices)
            rows = [row for row in found.rows if not (new_only and row.already_exported)]
            now = self.clock()
            session.add_all(EventCodeExport(event_id=row.event_id, exported_at=now,
                                            exported_by_id=user_id) for row in rows)
            self.audit.record(session, at=now, user_id=user_id, action="gp_codes_exported",
                              entity="event_code_export", after={
                                  "from": period.from_date, "to": period.to_date,
                                  "practices": sorted(practices), "new_only": new_only,
                                  "rows": len(rows), "refused": found.refused})
            session.flush()
            Path(path).write_text(codes_csv(rows), encoding="utf-8", newline="")
        return replace(found, rows=rows, already_exported=len(found.rows) - len(rows))

    def _rows(self, session: Session, user_id: int, period: ReportPeriod,
              practices: Sequence[str]) -> CodeRows:
        self.authorize(session, user_id, Action.VIEW_REFERRALS)
        chosen = practices_to_count(session, practices)
        exported = exists().where(EventCodeExport.event_id == ReferralEvent.id)
        found = session.execute(
            select(ReferralEvent.id, Patient.nhs_number, ReferralEvent.snomed_code,
                   ReferralEvent.occurred_at, Referral.id, exported)
            .join(Referral, Referral.id == ReferralEvent.referral_id)
            .join(Patient, Patient.id == Referral.patient_id)
            .where(ReferralEvent.snomed_code != "",
                   ReferralEvent.occurred_at >= period.starts_at,
                   ReferralEvent.occurred_at < period.ends_before,
                   scope_condition(Referral.practice_id, chosen))
            .order_by(ReferralEvent.occurred_at, ReferralEvent.id)).all()
        rows = [CodeRow(event_id, nhs, code, term, at.date(), referral_id, bool(done))
                for event_id, nhs, code, at, referral_id, done in found
                if (term := verified_term(code)) is not None]
        return CodeRows(rows, len(found) - len(rows))


__all__ = ["CODE_TERMS", "CodeRow", "CodeRows", "GpCodeService", "codes_csv"]
