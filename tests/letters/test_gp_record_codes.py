"""The message back's "For the GP record": the referral's coded events, each with its code,
term and day, the same ones ``practice-rx export codes`` writes; and never a code off the
verified list, read back from the real PDF. Both backends."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import text

from practice_rx.domain.identifiers import format_date
from practice_rx.letters import LetterKind
from practice_rx.reports.period import ReportPeriod
from tests.letters.casework_world import add_casework, in_progress, practice
from tests.letters.pdf import text_of
from tests.support.factories import move

REFERRED = ("871731000000106", "Referral to social prescribing service (procedure)")
DECLINED = ("871711000000103", "Social prescribing declined (situation)")
VERIFIED = {REFERRED[0], DECLINED[0]}
#: a SNOMED CT identifier is 6 to 18 digits; anything of that shape is a code to us
SNOMED_SHAPE = re.compile(r"(?<!\d)\d{6,18}(?!\d)")
#: two codes put in by hand, of SNOMED shape, that must never reach the GP
UNVERIFIED = ("999999999999999", "123456")
#: the letter's own reference (``PRX-000042``), the one other run of digits it may print
REFERENCE = re.compile(r"PRX-\d+")


def snomed_shaped(text: str) -> set[str]:
    return set(SNOMED_SHAPE.findall(REFERENCE.sub("", text)))


@pytest.fixture
def case(services):
    practice(services)
    case = in_progress(services)
    add_casework(services, case)
    return case


def insert_event(services, referral_id: int, user_id: int, code: str, at: datetime) -> None:
    with services.db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO referral_event (referral_id, from_status, to_status, at, occurred_at, "
            "user_id, note, snomed_code) VALUES (:r, 'in_progress', 'in_progress', :at, :at, "
            ":u, '', :code)"), {"r": referral_id, "at": at, "u": user_id, "code": code})


def coded_days(services, referral_id: int) -> list[tuple[str, date]]:
    """The verified coded events of the referral, straight from the table."""
    with services.db.engine.connect() as connection:
        found = connection.execute(text(
            "SELECT snomed_code, occurred_at FROM referral_event WHERE referral_id = :r "
            "AND snomed_code IN (:a, :b) ORDER BY occurred_at, id"),
            {"r": referral_id, "a": REFERRED[0], "b": DECLINED[0]}).all()
    return [(code, (at if isinstance(at, datetime) else datetime.fromisoformat(at)).date())
            for code, at in found]


def message_back(services, case) -> str:
    return text_of(services.letters.generate(case.worker.id, case.referral.id,
                                             LetterKind.MESSAGE_BACK).pdf)


def test_the_gp_record_lists_each_coded_event_with_its_day(services, case):
    events = coded_days(services, case.referral.id)
    assert [code for code, _ in events] == [REFERRED[0]]
    text = message_back(services, case)
    section = text[text.index("For the GP record"):]
    [(_, day)] = events
    assert f"{REFERRED[0]} {REFERRED[1]}" in section
    assert f"On {format_date(day)}" in section


def test_a_declined_referral_adds_the_declined_code_as_the_csv_does(services, case, tmp_path,
                                                                     clock):
    clock.advance(days=3)
    case.referral = move(services, case.referral, "declined", "Does not want to go on.")
    events = coded_days(services, case.referral.id)
    assert [code for code, _ in events] == [REFERRED[0], DECLINED[0]]
    text = message_back(services, case)
    section = text[text.index("For the GP record"):]
    for (code, day), term in zip(events, (REFERRED[1], DECLINED[1]), strict=True):
        assert f"{code} {term}" in section
        assert f"On {format_date(day)}" in section
    assert section.index(REFERRED[0]) < section.index(DECLINED[0])
    # the same codes, terms and days as the export for the GP record
    period = ReportPeriod(events[0][1], events[-1][1])
    rows = [row for row in services.gp_codes.rows(case.gp.id, period).rows
            if row.referral_id == case.referral.id]
    assert [(row.code, row.on) for row in rows] == events
    assert [f"{row.code} {row.term}" in section for row in rows] == [True, True]


def test_only_verified_codes_ever_reach_the_letter(services, case):
    for number, code in enumerate(UNVERIFIED):
        insert_event(services, case.referral.id, case.worker.id, code,
                     datetime(2026, 11, 25, 9 + number))
    text = message_back(services, case)
    assert "For the GP record" in text
    found = snomed_shaped(text)
    assert found <= VERIFIED, found - VERIFIED
    assert REFERRED[0] in found
    for code in UNVERIFIED:
        assert code not in text


def test_a_letter_with_no_coded_event_says_so(services, case):
    with services.db.engine.begin() as connection:
        connection.execute(text("UPDATE referral_event SET snomed_code = '' "
                                "WHERE referral_id = :r"), {"r": case.referral.id})
    letter = message_back(services, case)
    section = letter[letter.index("For the GP record"):]
    assert "No event of this referral carries a code to record" in section
    assert not snomed_shaped(section.split("Yours sincerely")[0])


def test_the_letter_lists_this_referrals_events_only(services, case):
    other = in_progress(services, "Ann", "Otherperson")
    move(services, other.referral, "declined", "Does not want to go on.")
    text = message_back(services, case)
    assert DECLINED[0] not in text  # the other person's decline is theirs
    assert [code for code, _ in coded_days(services, case.referral.id)] == [REFERRED[0]]
