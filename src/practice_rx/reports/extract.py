"""The pseudonymised row-level extract for evaluation: one row per referral sent in the
period, with nothing that names or locates a person.

What a row holds is chosen, column by column, from coded values only: pseudonyms in
place of the patient and referral, the practice's ODS code (an organisation), an age
band at sending instead of the date of birth, the month sent instead of the day, reason
codes (never the "other" text), waits in working days and counts. No name, NHS number, date of birth, postcode, address, phone,
email, note, user or referrer appears. A value outside its code list (a plugin's form
giving an urgency of its own, say) is written as ``unlisted``, since free text could
arrive that way. The service name is the catalogue's, as on every report: a service is
not a person (a service the practice added itself and named after a person would show
that name, so name local services for what they are).

The pseudonyms come from the caller (:mod:`practice_rx.services.pseudonyms` keys them
with the installation's secret salt), so this module never sees the salt.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from numbers import Real

from sqlalchemy import Connection, func, select

from practice_rx.domain.bank_holidays import england_and_wales
from practice_rx.domain.casework import MeasureOccasion
from practice_rx.domain.categories import SERVICE_CATEGORIES
from practice_rx.domain.reasons import REFERRAL_REASONS
from practice_rx.domain.referral_sources import ReceivedBy, ReferralSource
from practice_rx.domain.statuses import Status
from practice_rx.forms.core import URGENCY_CODES
from practice_rx.measures import builtin_measures
from practice_rx.reports.period import ReportPeriod, referrals_in_scope
from practice_rx.reports.tables import Column
from practice_rx.reports.working_days import working_days
from practice_rx.storage.caseload_models import Contact, MeasureResult
from practice_rx.storage.models import Patient, Practice, Referral, ReferralEvent, Service

#: (kind, record id) -> the record's pseudonym
Pseudonymise = Callable[[str, int], str]

UNLISTED = "unlisted"
SEXES = frozenset({"female", "male", "other", "unknown"})
SOURCES = frozenset(source.value for source in ReferralSource)
RECEIVED_BY = frozenset(way.value for way in ReceivedBy) | {""}  # "": made in the practice
CATEGORIES = frozenset(SERVICE_CATEGORIES) | {""}  # "": no service
STATUSES = frozenset(status.value for status in Status)
AGE_BANDS = ((0, "0-17"), (18, "18-24"), (25, "25-34"), (35, "35-44"), (45, "45-54"),
             (55, "55-64"), (65, "65-74"), (75, "75-84"), (85, "85+"))
FOLLOW_UPS = frozenset({MeasureOccasion.REVIEW.value, MeasureOccasion.CLOSING.value})
TIMED = (Status.SENT.value, Status.ACCEPTED.value, Status.CONTACTED.value)

COLUMNS = (
    Column("person", "Person (pseudonym)"),
    Column("referral", "Referral (pseudonym)"),
    Column("practice", "Practice (ODS code)"),
    Column("age_band", "Age band when sent"),
    Column("sex", "Sex"),
    Column("source", "Source"),
    Column("received_by", "Received by"),
    Column("reasons", "Reasons (codes)"),
    Column("service_category", "Service category"),
    Column("service", "Service"),
    Column("urgency", "Urgency"),
    Column("status", "Status now"),
    Column("sent_month", "Month sent"),
    Column("working_days_to_accepted", "Working days sent to accepted", "derived"),
    Column("working_days_to_first_contact", "Working days to first contact", "derived"),
    Column("contacts_made", "Contacts made", "count"),
)
SENT_MONTH = [column.key for column in COLUMNS].index("sent_month")


@dataclass(frozen=True)
class Extract:
    period: ReportPeriod
    columns: tuple[Column, ...]
    rows: tuple[tuple[object, ...], ...]

    def as_dicts(self) -> list[dict[str, object]]:
        keys = [column.key for column in self.columns]
        return [dict(zip(keys, row)) for row in self.rows]


def build_extract(connection: Connection, period: ReportPeriod, pseudonymise: Pseudonymise,
                  *, bank_holidays: Collection[date] | None = None) -> Extract:
    """Rows ordered by month sent, then by referral pseudonym, so the order gives away
    nothing the columns do not (not the order records were made in). Working days skip
    ``bank_holidays`` (None: England and Wales's, as the report's waits do)."""
    holidays = england_and_wales() if bank_holidays is None else frozenset(bank_holidays)
    firsts = _first_times(connection, period)
    contacts = _contacts_made(connection, period)
    measures, measured = _measure_scores(connection, period)
    measure_columns = _measure_columns(measured)
    statement = (
        select(Referral.id, Referral.patient_id, Practice.ods_code, Patient.date_of_birth,
               Patient.sex, Referral.source, Referral.received_by, Referral.reasons,
               Service.category, Service.name, Referral.urgency, Referral.status,
               Referral.sent_at)
        .join(Patient, Patient.id == Referral.patient_id)
        .outerjoin(Practice, Practice.id == Referral.practice_id)
        .outerjoin(Service, Service.id == Referral.service_id)
        .where(referrals_in_scope(period)))
    rows = []
    for (referral_id, patient_id, practice, born, sex, source, received_by, reasons,
         category, service, urgency, status, sent_at) in connection.execute(statement):
        times = firsts.get(referral_id, {})
        scores = measures.get(referral_id, {})
        rows.append((
            pseudonymise("patient", patient_id), pseudonymise("referral", referral_id),
            practice or "", age_band(born, sent_at.date()), _coded(sex, SEXES),
            _coded(source, SOURCES), _coded(received_by, RECEIVED_BY),
            ";".join(_coded(code, REFERRAL_REASONS) for code in reasons or ()),
            _coded(category or "", CATEGORIES), service or "",
            _coded(urgency, URGENCY_CODES), _coded(status, STATUSES),
            sent_at.strftime("%Y-%m"),
            _wait(times.get(Status.SENT.value), times.get(Status.ACCEPTED.value), holidays),
            _wait(times.get(Status.ACCEPTED.value) or times.get(Status.SENT.value),
                  times.get(Status.CONTACTED.value), holidays),
            contacts.get(referral_id, 0),
            *(scores.get(key) for key in (column.key for column in measure_columns)),
        ))
    rows.sort(key=lambda row: (row[SENT_MONTH], row[1]))
    return Extract(period, COLUMNS + measure_columns, tuple(rows))


def age_band(born: date, on: date) -> str:
    """The band of the age in whole years on ``on``."""
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return next(label for lowest, label in reversed(AGE_BANDS) if max(age, 0) >= lowest)


def extract_csv(extract: Extract) -> str:
    """One header line of column keys (what R or pandas reads), then a line per referral."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([column.key for column in extract.columns])
    writer.writerows(["" if value is None else value for value in row] for row in extract.rows)
    return out.getvalue()


def _coded(value: str | None, codes: Collection[str]) -> str:
    return value if value in codes else UNLISTED


def _wait(start: datetime | None, end: datetime | None, holidays: frozenset[date]
          ) -> int | None:
    if start is None or end is None:
        return None
    return working_days(start.date(), end.date(), holidays)


def _first_times(connection: Connection, period: ReportPeriod
                 ) -> dict[int, dict[str, datetime]]:
    """When each referral first reached sent, accepted and contacted (when it happened,
    as the report's waits count it)."""
    firsts: dict[int, dict[str, datetime]] = defaultdict(dict)
    for referral_id, status, at in connection.execute(
            select(ReferralEvent.referral_id, ReferralEvent.to_status,
                   func.min(ReferralEvent.occurred_at))
            .join(Referral, Referral.id == ReferralEvent.referral_id)
            .where(referrals_in_scope(period), ReferralEvent.to_status.in_(TIMED))
            .group_by(ReferralEvent.referral_id, ReferralEvent.to_status)):
        firsts[referral_id][status] = at
    return firsts


def _contacts_made(connection: Connection, period: ReportPeriod) -> dict[int, int]:
    """Contacts that reached the person (attempts that did not are left out)."""
    return dict(connection.execute(
        select(Contact.referral_id, func.count())
        .join(Referral, Referral.id == Contact.referral_id)
        .where(referrals_in_scope(period), Contact.made.is_(True))
        .group_by(Contact.referral_id)).all())


def _measure_scores(connection: Connection, period: ReportPeriod
                    ) -> tuple[dict[int, dict[str, float]], set[str]]:
    """Per referral, ``{measure}_{score}_baseline`` and ``..._follow_up`` values (the first
    baseline, and the latest review or closing of the same measure version, to date),
    and every ``{measure}_{score}`` found."""
    results = connection.execute(
        select(MeasureResult.referral_id, MeasureResult.measure_id,
               MeasureResult.measure_version, MeasureResult.occasion,
               MeasureResult.answered_on, MeasureResult.id, MeasureResult.scores)
        .join(Referral, Referral.id == MeasureResult.referral_id)
        .where(referrals_in_scope(period))
        .order_by(MeasureResult.answered_on, MeasureResult.id)).all()
    baselines: dict[tuple[int, str], tuple[int, dict]] = {}
    latest: dict[tuple[int, str, int], dict] = {}
    for referral_id, measure, version, occasion, _on, _id, scores in results:
        if occasion == MeasureOccasion.BASELINE.value:
            baselines.setdefault((referral_id, measure), (version, scores))
        elif occasion in FOLLOW_UPS:
            latest[(referral_id, measure, version)] = scores  # ordered: the last one wins
    values: dict[int, dict[str, float]] = defaultdict(dict)
    names: set[str] = set()
    for (referral_id, measure), (version, scores) in baselines.items():
        follow_up = dict(_numbers(latest.get((referral_id, measure, version), {})))
        for key, score in _numbers(scores):
            name = f"{measure}_{key}"
            names.add(name)
            values[referral_id][f"{name}_baseline"] = score
            if key in follow_up:
                values[referral_id][f"{name}_follow_up"] = follow_up[key]
    return values, names


def _measure_columns(found: set[str]) -> tuple[Column, ...]:
    """The built-in measures' scores always, in their order; any other measure's found."""
    known = [f"{measure.id}_{key}" for measure in builtin_measures()
             for key in measure.score_keys()]
    names = known + sorted(found - set(known))
    return tuple(Column(f"{name}_{when}", f"{name} at {when.replace('_', '-')}", "derived")
                 for name in names for when in ("baseline", "follow_up"))


def _numbers(scores: object) -> Iterable[tuple[str, float]]:
    """Only numbers: a score is never text, and text could be free text."""
    if isinstance(scores, dict):
        for key, value in scores.items():
            if isinstance(value, Real) and not isinstance(value, bool):
                yield str(key), value
