"""Synthetic demo data: a populated practice to try, and to benchmark at scale.

Everything here is invented: NHS numbers come from the 999 test range with valid
check digits, phone numbers from Ofcom's drama ranges, names from common lists.
Rows go in by bulk insert, so 100,000 referrals take seconds, not minutes.
"""

from __future__ import annotations

import random
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, insert, select

from practice_rx.domain.calendar import DEFAULT_RESPONSE_DAYS, add_working_days, utcnow
from practice_rx.domain.identifiers import nhs_check_digit
from practice_rx.domain.reasons import REFERRAL_REASONS
from practice_rx.domain.search_key import search_key
from practice_rx.domain.statuses import EVENT_CODES, NOTE_REQUIRED, Status
from practice_rx.services.audit import AuditWriter
from practice_rx.services.auth import hash_password
from practice_rx.services.catalogue import LOCAL_PLUGIN
from practice_rx.services.demo_casework import DemoReferral, add_casework, decorate_sources
from practice_rx.services.demo_guard import (
    DEMO_PASSWORD,
    DEMO_USERNAMES,
    check_demo_allowed,
    mark_demo,
)
from practice_rx.services.forms import load_form
from practice_rx.storage.database import Database
from practice_rx.storage.models import (
    Patient,
    Practice,
    Referral,
    ReferralChase,
    ReferralEvent,
    Service,
    User,
    UserPractice,
)
from practice_rx.storage.name_words import PatientNameWord, word_rows

GIVEN = ("Joan Maya Ali Grace Tom Priya Mohammed Olivia Jack Amelia Harry Isla Noah Ava Leo "
         "Freya Oscar Sofia George Mia Arthur Ivy Muhammad Lily Jacob Chloe Kwame Zofia Aisha "
         "Dylan Megan Rhys Siobhan Callum Eilidh Tariq Fatima Chen Wei Anya").split()
FAMILY = ("Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Khan Robinson Wright "
          "Thompson Evans Walker White Roberts Green Hall Wood Jackson Clarke Hughes Lewis "
          "Ahmed Begum Kowalski Nowak Okafor Mensah Murphy O'Brien Campbell Stewart Singh Ali "
          "Hussain Chen Lee Morgan").split()
STREETS = ("Beeston Road|Tong Road|Chapel Street|Station Lane|Church Walk|Park View|Mill Lane|"
           "Victoria Terrace|Cross Green|Meadow Close").split("|")
POSTCODES = ("LS11 5AB", "LS12 3QD", "LS10 1NT", "LS11 8PL", "LS27 9EX", "LS13 2HJ", "LS9 7RS")
CATEGORIES = ("befriending", "physical_activity", "arts_culture", "nature", "money_advice",
              "housing", "employment_volunteering", "mental_wellbeing", "carers", "bereavement",
              "food", "long_term_conditions", "digital_inclusion", "other")
WHAT_MATTERS = (
    "I'd like to get out of the house more and meet people.",
    "Getting on top of my money worries so I can sleep.",
    "Being able to walk to the shops again without getting breathless.",
    "Having someone to talk to since my husband died.",
    "Finding something useful to do with my days.",
)
PATHS: dict[Status, tuple[Status, ...]] = {
    Status.DRAFT: (),
    Status.SENT: (Status.SENT,),
    Status.ACCEPTED: (Status.SENT, Status.ACCEPTED),
    Status.CONTACTED: (Status.SENT, Status.ACCEPTED, Status.CONTACTED),
    Status.IN_PROGRESS: (Status.SENT, Status.ACCEPTED, Status.CONTACTED, Status.IN_PROGRESS),
    Status.COMPLETED: (Status.SENT, Status.ACCEPTED, Status.CONTACTED, Status.IN_PROGRESS,
                       Status.COMPLETED),
    Status.REJECTED: (Status.SENT, Status.REJECTED),
    Status.DECLINED: (Status.SENT, Status.ACCEPTED, Status.CONTACTED, Status.DECLINED),
    Status.NOT_CONTACTABLE: (Status.SENT, Status.ACCEPTED, Status.NOT_CONTACTABLE),
    Status.CANCELLED: (Status.SENT, Status.CANCELLED),
}
# Open referrals are recent; closed ones spread over two years.
OPEN_WEIGHTS = {Status.DRAFT: 3, Status.SENT: 8, Status.ACCEPTED: 6, Status.CONTACTED: 4,
                Status.IN_PROGRESS: 9}
CLOSED_WEIGHTS = {Status.COMPLETED: 40, Status.REJECTED: 5, Status.DECLINED: 8,
                  Status.NOT_CONTACTABLE: 7, Status.CANCELLED: 4}
OPEN_SHARE = 0.3
DEMO_FORM = ("national", 1)
PRACTICE_NAME = "Beeston Hill Surgery (demo)"
PRACTICE_PHONE = "0113 496 0000"
#: South Leeds demo network: ODS, name, address, postcode, phone, email, response window,
#: registered list size
DEMO_PRACTICES = (
    ("Y99901", PRACTICE_NAME, "1 Beeston Road\nLeeds", "LS11 6AB", PRACTICE_PHONE,
     "beeston.demo@example.nhs.uk", DEFAULT_RESPONSE_DAYS, 11_800),
    ("Y99902", "Holbeck Moor Practice (demo)", "40 Holbeck Moor Road\nLeeds", "LS11 9QX",
     "0113 496 0200", "holbeck.demo@example.nhs.uk", DEFAULT_RESPONSE_DAYS, 8_400),
    ("Y99903", "Cottingley Health Centre (demo)", "2 Dulverton Grove\nLeeds", "LS11 0HL",
     "0113 496 0300", "cottingley.demo@example.nhs.uk", DEFAULT_RESPONSE_DAYS, 6_100),
)
#: the MESH mailbox ids of the demo (those of the mesh-sandbox's own test mailboxes): the
#: first practice's, and one community service's that takes referrals over MESH
DEMO_MESH_MAILBOXES = {"Y99901": "X26ABC1"}
DEMO_MESH_SERVICE = ("demo-0001", "X26ABC2")
#: which demo practice (by position) the n-th patient of a load is registered at
REGISTERED_AT = (0, 0, 0, 0, 0, 1, 1, 1, 2, 2)
#: a practice's own staff, who see only the second practice
PRACTICE_STAFF = (("reception.holbeck", "Alex Hill", "receptionist", "Receptionist"),
                  ("dr.shah", "Dr Priya Shah", "clinician", "GP"))
BATCH = 5000


@dataclass(frozen=True)
class DemoSize:
    patients: int = 400
    referrals: int = 1500
    services: int = 30


def synthetic_nhs_numbers(start: int = 0) -> Iterator[str]:
    """Valid NHS numbers in the 999 test range, in order."""
    serial = start
    while True:
        first_nine = f"999{serial:06d}"
        serial += 1
        check = nhs_check_digit(first_nine)
        if check is not None:
            yield f"{first_nine}{check}"


def fill(db: Database, size: DemoSize = DemoSize(), seed: int = 2026,
         clock: Callable[[], datetime] = utcnow,
         progress: Callable[[str, int, int], None] | None = None,
         audit: AuditWriter | None = None) -> dict[str, int]:
    """Add a practice, staff, services, patients and referrals across every status.

    Only into a new or demo database (:mod:`practice_rx.services.demo_guard`): any other
    raises :class:`DemoRefused` before anything is written. The database is marked as a
    demo database, and the filling is audited, in the same transaction as the data.
    """
    rng = random.Random(seed)
    now = clock().replace(microsecond=0)
    report = progress or (lambda stage, done, total: None)
    with db.transaction() as session:
        check_demo_allowed(session.connection(), db.url)
        mark_demo(session)
        form = load_form(session, *DEMO_FORM)
        before = _last_ids(session)
        existing = session.scalar(select(func.max(Patient.nhs_number))) or "9990000000"
        practice_ids = _ensure_practices(session)
        staff = _ensure_staff(session, now, practice_ids)
        service_ids = _ensure_services(session, rng, size.services)
        patient_ids = _insert_patients(session, rng, size.patients, int(existing[3:9]) + 1, now,
                                       report, practice_ids)
        casework_rng = random.Random(seed + 13)  # its own draws: the rest stays as it was
        registered = {patient_id: registration(index, practice_ids)
                      for index, patient_id in enumerate(patient_ids)}
        made = _insert_referrals(session, rng, size.referrals, patient_ids, service_ids, staff,
                                 now, report, form.id, form.version, casework_rng, registered)
        link_service, *community = _link_worker_first(session, service_ids)
        add_casework(session, casework_rng, made, link_service, community, staff[5:], now)
        loaded = {f"{entity}_ids": [before[entity] + 1, last]
                  for entity, last in _last_ids(session).items() if last > before[entity]}
        (audit or AuditWriter(socket.gethostname())).record(
            session, at=now, user_id=None, action="demo_data_added", entity="database",
            after={"patients": size.patients, "referrals": size.referrals,
                   "services": len(service_ids), "seed": seed, **loaded})
    # Fresh statistics after a bulk load, so the planner picks indexes, not scans.
    with db.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.commit()
    return db.table_counts()


def _last_ids(session) -> dict[str, int]:
    """The highest patient and referral ids: the demo load's audit row names the ranges it
    added, so ``audit verify`` knows those rows came in bulk (services.audit_reconcile)."""
    return {entity: session.scalar(select(func.max(model.id))) or 0
            for entity, model in (("patient", Patient), ("referral", Referral))}


def _ensure_practices(session) -> list[int]:
    """The network's three demo practices (those already there on a second fill)."""
    if session.scalar(select(Practice.id).limit(1)) is None:
        session.add_all(Practice(ods_code=ods, name=name, address=address, postcode=postcode,
                                 phone=phone, email=email, response_days=response_days,
                                 contact_days=DEFAULT_RESPONSE_DAYS, list_size=list_size,
                                 mesh_mailbox_id=DEMO_MESH_MAILBOXES.get(ods))
                        for ods, name, address, postcode, phone, email, response_days, list_size
                        in DEMO_PRACTICES)
        session.flush()
    return list(session.scalars(select(Practice.id).order_by(Practice.id)))


def _ensure_staff(session, now: datetime, practice_ids: list[int]) -> list[int]:
    """The staff every demo step uses (who see all three practices, so any demo patient
    can be referred by anyone), then one practice's own desk and GP."""
    people = [("admin", "Pat Morgan", "admin", "Practice manager"),
              ("dr.patel", "Dr Asha Patel", "clinician", "GP"),
              ("dr.okafor", "Dr Chidi Okafor", "clinician", "GP"),
              ("nurse.lee", "Kim Lee", "clinician", "Practice nurse"),
              ("reception.jones", "Sam Jones", "receptionist", "Care navigator"),
              ("linkworker.ahmed", "Nadia Ahmed", "link_worker", "Social prescribing link worker"),
              ("linkworker.brook", "Chris Brook", "link_worker", "Social prescribing link worker")]
    ids = []
    for username, name, role, title in people:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            user = User(username=username, display_name=name, role=role, job_title=title,
                        active=True, created_at=now, failed_logins=0,
                        password_hash=hash_password(DEMO_PASSWORD))
            session.add(user)
            session.flush()
        ids.append(user.id)
    for username, name, role, title in PRACTICE_STAFF:
        if session.scalar(select(User.id).where(User.username == username)) is None:
            session.add(User(username=username, display_name=name, role=role, job_title=title,
                             active=True, created_at=now, failed_logins=0,
                             password_hash=hash_password(DEMO_PASSWORD)))
    session.flush()
    _link_staff(session, ids, practice_ids)
    return ids


def _link_staff(session, staff: list[int], practice_ids: list[int]) -> None:
    """Admin and link workers across the network; the others at every practice, but the
    second practice's own desk and GP only there."""
    users = dict(session.execute(select(User.id, User.username)
                                 .where(User.username.in_(DEMO_USERNAMES))).all())
    linked = set(session.execute(select(UserPractice.user_id, UserPractice.practice_id)))
    for user_id, username in users.items():
        user = session.get(User, user_id)
        user.all_practices = user.role in ("admin", "link_worker")
        own = practice_ids[1:2] if username in dict.fromkeys(u for u, *_ in PRACTICE_STAFF) \
            else practice_ids
        session.add_all(UserPractice(user_id=user_id, practice_id=practice_id)
                        for practice_id in own if (user_id, practice_id) not in linked)


def _ensure_services(session, rng: random.Random, count: int) -> list[int]:
    """At least ``count`` active services, the first local one the PCN's link workers."""
    have = session.scalar(select(func.count()).select_from(Service).where(Service.active))
    has_link_worker = session.scalar(select(Service.id).where(Service.is_link_worker).limit(1))
    rows = []
    if not has_link_worker:
        rows.append(dict(
            plugin=LOCAL_PLUGIN, external_id="demo-link-workers",
            name="Social prescribing link workers", provider="South Leeds PCN (demo)",
            category="other", description="Time to talk about what matters to you, and help "
            "to find groups and services that can support you.", eligibility="Adults registered "
            "with a South Leeds practice", area="South Leeds", address="Beeston Hill Surgery",
            phone="0113 496 0999", email="linkworkers.demo@example.nhs.uk", website="",
            opening_times="Monday to Friday, 9:00 to 17:00", cost="free", referral_method="email",
            response_days=5, is_link_worker=True, active=True,
            **_demo_delivery("demo-link-workers"),
        ))
    for index in range(have + len(rows), count):
        category = CATEGORIES[index % len(CATEGORIES)]
        rows.append(dict(
            plugin=LOCAL_PLUGIN, external_id=f"demo-{index:04d}",
            name=f"{rng.choice(STREETS).split()[0]} {category.replace('_', ' ')} group {index}",
            provider="Leeds Community Voluntary Action (demo)", category=category,
            description="A friendly weekly group run by volunteers.", eligibility="Adults 18+",
            area="South Leeds", address=f"{index + 1} {rng.choice(STREETS)}, Leeds",
            phone=f"0113 496 {1000 + index:04d}", email=f"group{index}@example.org",
            website="https://example.org", opening_times="Weekdays 9:00 to 17:00",
            cost=rng.choice(("free", "free", "low_cost")), referral_method="email",
            response_days=rng.choice((None, 5, 10, 15)), is_link_worker=False, active=True,
            **_demo_delivery(f"demo-{index:04d}"),
        ))
    if not any(row["delivery_method"] == "mesh" for row in rows) and not session.scalar(
            select(Service.id).where(Service.delivery_method == "mesh").limit(1)):
        rows.append(_demo_mesh_hub())  # the plugins' catalogues supplied the rest
    if rows:
        session.execute(insert(Service), rows)
    return list(session.scalars(select(Service.id).where(Service.active.is_(True))))


def _demo_mesh_hub() -> dict[str, object]:
    """One of the practice's own services that takes referrals over MESH, so the demo
    shows delivery however the catalogue was filled."""
    mailbox = DEMO_MESH_SERVICE[1]
    return dict(
        plugin=LOCAL_PLUGIN, external_id="demo-mesh-hub", name="Holbeck Community Hub (demo)",
        provider="Holbeck Community Hub (demo)", category="befriending",
        description="Groups, advice sessions and a café; takes referrals over NHS MESH.",
        eligibility="Adults 18+", area="South Leeds", address="2 Holbeck Lane, Leeds",
        phone="0113 496 0888", email="hub.demo@example.org", website="https://example.org",
        opening_times="Weekdays 9:00 to 17:00", cost="free", referral_method="email",
        response_days=10, is_link_worker=False, active=True, delivery_method="mesh",
        delivery_address=mailbox)


def _demo_delivery(external_id: str) -> dict[str, str | None]:
    """Post, but for the one demo service that takes referrals over MESH."""
    mesh_id, mailbox = DEMO_MESH_SERVICE
    return {"delivery_method": "mesh", "delivery_address": mailbox} if external_id == mesh_id \
        else {"delivery_method": "post", "delivery_address": None}


def _insert_patients(session, rng: random.Random, count: int, first_serial: int, now: datetime,
                     report, practice_ids: list[int]) -> list[int]:
    """Patients registered half at the first practice, the rest at the other two (by
    their place in the load, so the random draws stay as they were)."""
    numbers = synthetic_nhs_numbers(first_serial)
    ids: list[int] = []
    for start in range(0, count, BATCH):
        rows = []
        for _ in range(start, min(count, start + BATCH)):
            born = date(1930, 1, 1) + timedelta(days=rng.randrange(365 * 75))
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            rows.append(dict(
                nhs_number=next(numbers), given_name=given, family_name=family,
                search_key=search_key(given, family), date_of_birth=born,
                sex=rng.choice(("female", "male")),
                address=f"{rng.randrange(1, 200)} {rng.choice(STREETS)}\nLeeds",
                postcode=rng.choice(POSTCODES), phone=f"07700 900{rng.randrange(1000):03d}",
                email="", preferred_contact=rng.choice(("phone", "text", "letter")),
                contact_times=rng.choice(("", "Mornings", "After 2pm")),
                first_language=rng.choice(("English",) * 8 + ("Polish", "Urdu")),
                interpreter_needed=False, accessibility_needs="", carer_details="",
                created_at=now, updated_at=now, version=1,
                practice_id=registration(len(ids) + len(rows), practice_ids),
            ))
        batch_ids = list(session.scalars(
            insert(Patient).returning(Patient.id, sort_by_parameter_order=True), rows))
        session.execute(insert(PatientNameWord), [
            word for patient_id, row in zip(batch_ids, rows, strict=True)
            for word in word_rows(patient_id, row["search_key"])])
        ids.extend(batch_ids)
        report("patients", len(ids), count)
    return ids


def registration(index: int, practice_ids: list[int]) -> int:
    """The practice the ``index``-th patient of a load is registered at."""
    return practice_ids[REGISTERED_AT[index % len(REGISTERED_AT)] % len(practice_ids)]


def _link_worker_first(session, service_ids: list[int]) -> list[int]:
    """The link worker service's id, then every other service's."""
    linked = set(session.scalars(select(Service.id).where(Service.is_link_worker.is_(True))))
    first = next(service_id for service_id in service_ids if service_id in linked)
    return [first, *(service_id for service_id in service_ids if service_id not in linked)]


def _insert_referrals(session, rng, count, patient_ids, service_ids, staff, now, report,
                      form_id, form_version, casework_rng,
                      registered: dict[int, int]) -> list[DemoReferral]:
    clinicians, receptionist = staff[1:4], staff[4]
    names = dict(session.execute(select(User.id, User.display_name)).all())
    reason_codes = [code for code in REFERRAL_REASONS if code != "other"]
    response_days = dict(session.execute(select(Service.id, Service.response_days)).all())
    done = 0
    made: list[DemoReferral] = []
    for start in range(0, count, BATCH):
        planned = []
        for _ in range(start, min(count, start + BATCH)):
            is_open = rng.random() < OPEN_SHARE
            weights = OPEN_WEIGHTS if is_open else CLOSED_WEIGHTS
            final = rng.choices(list(weights), list(weights.values()))[0]
            age_days = rng.randrange(1, 45) if is_open else rng.randrange(30, 730)
            created = now - timedelta(days=age_days, minutes=rng.randrange(600))
            times = _step_times(created, len(PATHS[final]), now)
            row = _referral_row(rng, final, created, times, patient_ids, service_ids, clinicians,
                                reason_codes, response_days)
            row.update(form_id=form_id, form_version=form_version,
                       practice_id=registered[row["patient_id"]],
                       answers=_answers(rng, row, names[row["referrer_id"]]),
                       last_chased_at=_chased_at(row, times, now))
            planned.append((final, created, times, row))
        decorate_sources([row for *_, row in planned], casework_rng, receptionist)
        new_ids = session.scalars(
            insert(Referral).returning(Referral.id, sort_by_parameter_order=True),
            [row for *_, row in planned]).all()
        events, chases = [], []
        for referral_id, (final, created, times, row) in zip(new_ids, planned):
            made.append(DemoReferral(referral_id, row["patient_id"], final, times))
            events.extend(_events(referral_id, final, created, times, row, receptionist))
            if row["last_chased_at"] is not None:
                chases.append(dict(referral_id=referral_id, at=row["last_chased_at"],
                                   user_id=receptionist, method="phone", letter_id=None))
        session.execute(insert(ReferralEvent), events)
        if chases:
            session.execute(insert(ReferralChase), chases)
        done += len(new_ids)
        report("referrals", done, count)
    return made


def _chased_at(row: dict, times: list[datetime], now: datetime) -> datetime | None:
    """About a third of the overdue referrals were chased by phone one to three weeks ago.

    Drawn from its own generator (seeded by the referral's time), so adding
    chases left every other demo value as it was.
    """
    due = row["response_due_on"]
    if due is None or due >= now.date():
        return None
    chance = random.Random(row["created_at"].timestamp())
    at = now - timedelta(days=chance.randrange(8, 22), minutes=chance.randrange(480))
    return at if chance.random() < 0.35 and at > times[-1] else None


def _step_times(created: datetime, steps: int, now: datetime) -> list[datetime]:
    span = max((now - created).total_seconds(), 60)
    return [created + timedelta(seconds=span * (i + 1) / (steps + 2)) for i in range(steps)]


def _referral_row(rng, final, created, times, patient_ids, service_ids, clinicians,
                  reason_codes, response_days) -> dict:
    path = PATHS[final]
    service_id = rng.choice(service_ids)
    sent_at = times[0] if path else None
    due = None
    if final == Status.SENT:
        due = add_working_days(sent_at.date(), response_days.get(service_id) or 10)
    elif final == Status.ACCEPTED:
        due = add_working_days(times[-1].date(), DEFAULT_RESPONSE_DAYS)
    changed = times[-1] if times else created
    return dict(
        patient_id=rng.choice(patient_ids), referrer_id=rng.choice(clinicians),
        service_id=service_id, created_at=created, updated_at=changed,
        reasons=sorted(rng.sample(reason_codes, rng.randint(1, 3)),
                       key=list(REFERRAL_REASONS).index),
        reason_other="", urgency=rng.choice(("routine",) * 4 + ("soon",)),
        consent_given=True, consent_to_share=True, consent_method="in_person",
        consent_recorded_by_id=None, consent_date=created.date(), status=final,
        status_changed_at=changed, sent_at=sent_at, response_due_on=due,
    )


def _answers(rng: random.Random, row: dict, referrer: str) -> dict:
    """Answers to the national form that agree with the row's core columns."""
    return {
        "referrer_name": referrer, "referrer_role": "GP" if referrer.startswith("Dr") else "Nurse",
        "referrer_organisation": PRACTICE_NAME, "referrer_phone": PRACTICE_PHONE,
        "consent_given": True, "consent_to_share": True, "consent_method": "in_person",
        "consent_date": row["consent_date"].isoformat(), "reasons": row["reasons"],
        "what_matters": rng.choice(WHAT_MATTERS), "risk_to_self_or_others": False,
        "safeguarding_concerns": False, "lone_working_risk": False, "urgency": row["urgency"],
    }


def _events(referral_id, final, created, times, row, receptionist) -> list[dict]:
    events = [dict(referral_id=referral_id, from_status=None, to_status=Status.DRAFT,
                   at=created, occurred_at=created, user_id=row["referrer_id"],
                   note="Draft started", snomed_code="")]
    previous = Status.DRAFT
    for target, at in zip(PATHS[final], times):
        user = row["referrer_id"] if target == Status.SENT else receptionist
        note = "No capacity this quarter" if target in NOTE_REQUIRED else ""
        events.append(dict(referral_id=referral_id, from_status=previous, to_status=target,
                           at=at, occurred_at=at, user_id=user, note=note,
                           snomed_code=EVENT_CODES.get(target, "")))
        previous = target
    return events
