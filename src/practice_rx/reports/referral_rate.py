"""The referral rate per practice: people referred in the period as a share of its list.

NHS England's indicator for social prescribing is the percentage of a practice's
registered patients referred. People, not referrals, are counted: someone referred
twice in the period counts once. The list size is what an admin entered for the
practice; without one the rate is left empty rather than guessed.
"""

from __future__ import annotations

from sqlalchemy import Connection, distinct, func, select

from practice_rx.reports.period import ReportPeriod, referrals_in_scope
from practice_rx.reports.tables import Column, Table
from practice_rx.storage.models import Practice, Referral

ALL_PRACTICES = "(all)"


def referral_rate(connection: Connection, period: ReportPeriod) -> Table:
    """A row per practice of the period (by name), then one for all of them together."""
    people = dict(connection.execute(
        select(Referral.practice_id, func.count(distinct(Referral.patient_id)))
        .where(referrals_in_scope(period)).group_by(Referral.practice_id)).all())
    practices = select(Practice.id, Practice.ods_code, Practice.name, Practice.list_size)
    if period.practice_ids is not None:
        practices = practices.where(Practice.id.in_(sorted(period.practice_ids)))
    rows = [(ods, name, size, people.get(practice_id, 0), _rate(people.get(practice_id, 0), size))
            for practice_id, ods, name, size in connection.execute(
                practices.order_by(Practice.name, Practice.id))]
    if len(rows) > 1:
        everyone = connection.execute(select(func.count(distinct(Referral.patient_id)))
                                      .where(referrals_in_scope(period))).scalar_one()
        sizes = [row[2] for row in rows]
        size = sum(sizes) if None not in sizes else None
        rows.append((ALL_PRACTICES, "All practices", size, everyone, _rate(everyone, size)))
    return Table("referral_rate", "People referred as a share of the registered list",
                 (Column("ods_code", "ODS code"), Column("practice", "Practice"),
                  Column("list_size", "List size"),
                  Column("people", "People referred", "count"),
                  Column("rate", "Referred (% of list)", "derived")),
                 tuple(rows),
                 note="A person referred more than once in the period counts once. The rate "
                      "is empty where the practice's list size has not been entered.")


def _rate(people: int, size: int | None) -> float | None:
    return round(100 * people / size, 2) if size else None
