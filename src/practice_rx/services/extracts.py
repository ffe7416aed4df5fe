"""The pseudonymised extract through the service layer: admins only, and every extract
made is on the audit trail.

The extract is read, the salt made if this is the first, and the audit row written in
one transaction, so an extract the trail does not record cannot be made, and a salt is
kept only with the extract that needed it. The audit row says when, who, the period,
the practices asked for and how many rows: never a pseudonym or any other identifier.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from sqlalchemy.orm import Session

from practice_rx.domain.permissions import Action
from practice_rx.reports.extract import Extract, build_extract, extract_csv
from practice_rx.reports.period import ReportPeriod
from practice_rx.services.base import ServiceBase
from practice_rx.services.pseudonyms import installation_salt, pseudonym
from practice_rx.services.reports import practices_to_count


class ExtractService(ServiceBase):
    def rows(self, user_id: int, period: ReportPeriod, *,
             practices: Sequence[str] = ()) -> Extract:
        """One row per referral sent in ``period`` at ``practices`` (ODS codes; none: every
        practice the user works for), as the report counts them; see
        :mod:`practice_rx.reports.extract`."""
        with self.db.transaction() as session:
            return self._extract(session, user_id, period, practices)

    def write_csv(self, user_id: int, period: ReportPeriod, path: Path, *,
                  practices: Sequence[str] = ()) -> int:
        """The extract as CSV at ``path``; the number of rows. The file is written before
        the transaction commits, so a file that cannot be written leaves no audit row."""
        with self.db.transaction() as session:
            extract = self._extract(session, user_id, period, practices)
            Path(path).write_text(extract_csv(extract), encoding="utf-8", newline="")
        return len(extract.rows)

    def _extract(self, session: Session, user_id: int, period: ReportPeriod,
                 practices: Sequence[str]) -> Extract:
        self.authorize(session, user_id, Action.EXPORT_EXTRACT)
        period = replace(period, practice_ids=practices_to_count(session, practices))
        salt = installation_salt(session)
        extract = build_extract(session.connection(), period,
                                lambda kind, record_id: pseudonym(salt, kind, record_id))
        self.audit.record(session, at=self.clock(), user_id=user_id, action="extract_made",
                          entity="extract", after={
                              "from": period.from_date, "to": period.to_date,
                              "practices": sorted(practices), "rows": len(extract.rows)})
        return extract

