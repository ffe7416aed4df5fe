"""The pseudonymised extract: every cell checked against the raw rows with plain SQL, on a
seeded database, on both backends; the salt, the permission and the audit row."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import re
from datetime import date, datetime

import pytest
from sqlalchemy import text

from practice_rx.errors import PermissionDenied, ValidationError
from practice_rx.services import Services
from practice_rx.services.demo import DemoSize, fill
from practice_rx.services.extracts import ExtractService
from practice_rx.storage.database import Database
from tests.reports import independent
from tests.reports.conftest import BANK_HOLIDAYS, MARCH, YEAR
from tests.support.factories import install_national_form, make_user

#: free text planted where the extract must never look, beside what the demo writes
PLANTED = {"reason_other": "Husband Gerald died in the spring",
           "event_note": "Service says Gerald's daughter rang twice",
           "referrer_name": "Dr Quentin Blakeney"}


def extracts(services: Services) -> ExtractService:
    return services.extracts


def admin_id(services: Services) -> int:
    return services.users.by_username("admin").id


@pytest.fixture
def planted(seeded: Services) -> Services:
    """Free text on referrals the extract includes, written with plain SQL."""
    with seeded.db.engine.begin() as connection:
        ids = connection.execute(text(
            f"SELECT r.id FROM referral r WHERE {independent.IN_PERIOD} ORDER BY r.id LIMIT 5"),
            independent.bounds(YEAR)).scalars().all()
        for referral_id in ids:
            connection.execute(text(
                "UPDATE referral SET reason_other = :other, referrer_name = :referrer "
                "WHERE id = :id"), {"other": PLANTED["reason_other"],
                                    "referrer": PLANTED["referrer_name"], "id": referral_id})
            connection.execute(text("UPDATE referral_event SET note = :note "
                                    "WHERE referral_id = :id"),
                               {"note": PLANTED["event_note"], "id": referral_id})
    return seeded


def salt_rows(db: Database) -> list[str]:
    with db.connect() as connection:
        return connection.execute(text(
            "SELECT value FROM database_meta WHERE key = 'pseudonym_salt'")).scalars().all()


def code(salt_hex: str, kind: str, record_id: int) -> str:
    return hmac.new(bytes.fromhex(salt_hex), f"{kind}:{record_id}".encode(),
                    hashlib.sha256).hexdigest()[:16]


def extract_audit_rows(db: Database) -> list:
    with db.connect() as connection:
        return connection.execute(text(
            "SELECT user_id, entity_id, patient_id, after FROM audit_event "
            "WHERE action = 'extract_made' ORDER BY id")).all()


def test_one_row_per_referral_sent_in_the_period_counted_by_plain_sql(seeded):
    for period in (YEAR, MARCH):
        extract = extracts(seeded).rows(admin_id(seeded), period)
        with seeded.db.connect() as connection:
            expected = connection.execute(text(
                f"SELECT count(*) FROM referral r WHERE {independent.IN_PERIOD}"),
                independent.bounds(period)).scalar_one()
        assert expected > 0
        assert len(extract.rows) == expected
        assert len({row["referral"] for row in extract.as_dicts()}) == expected


def test_each_value_matches_the_raw_rows(seeded):
    """Rows are found by recomputing each referral's pseudonym from the stored salt."""
    rows = {row["referral"]: row for row in extracts(seeded).rows(admin_id(seeded),
                                                                 YEAR).as_dicts()}
    (salt,) = salt_rows(seeded.db)
    with seeded.db.connect() as connection:
        raw = connection.execute(text(
            f"SELECT r.id, r.patient_id, p.date_of_birth, p.sex, r.sent_at, r.status, r.source, "
            f"r.reasons, s.name, (SELECT count(*) FROM contact c WHERE c.referral_id = r.id "
            f"AND c.made = :made), (SELECT ods_code FROM practice WHERE id = r.practice_id) "
            f"FROM referral r JOIN patient p ON p.id = r.patient_id "
            f"LEFT JOIN service s ON s.id = r.service_id WHERE {independent.IN_PERIOD}"),
            {**independent.bounds(YEAR), "made": True}).all()
        times = independent.event_times(connection, YEAR)
    measured = 0
    for referral_id, patient_id, born, sex, sent_at, status, source, reasons, service, \
            contacts, practice in raw:
        row = rows[code(salt, "referral", referral_id)]
        sent = independent.as_datetime(sent_at)
        born = born if isinstance(born, date) else date.fromisoformat(str(born))
        age = sent.year - born.year - ((sent.month, sent.day) < (born.month, born.day))
        low, high = row["age_band"].rstrip("+").split("-") if "-" in row["age_band"] \
            else (row["age_band"].rstrip("+"), "200")
        assert int(low) <= age <= int(high)
        reasons = json.loads(reasons) if isinstance(reasons, str) else reasons
        assert (row["person"], row["practice"], row["sex"], row["sent_month"], row["status"],
                row["source"], row["reasons"], row["service"], row["contacts_made"]) == (
            code(salt, "patient", patient_id), practice, sex, sent.strftime("%Y-%m"), status,
            source, ";".join(reasons), service, contacts)
        when = times.get(referral_id, {})
        accepted = independent.working_days(when["sent"].date(), when["accepted"].date(),
                                            BANK_HOLIDAYS) \
            if "sent" in when and "accepted" in when else None
        start = when.get("accepted") or when.get("sent")
        contacted = independent.working_days(start.date(), when["contacted"].date(),
                                             BANK_HOLIDAYS) \
            if start and "contacted" in when else None
        assert (row["working_days_to_accepted"], row["working_days_to_first_contact"]) \
            == (accepted, contacted)
        measured += row["ucla3_total_baseline"] is not None
    assert measured > 0


def test_measure_scores_are_the_first_baseline_and_the_latest_follow_up(seeded):
    rows = {row["referral"]: row for row in extracts(seeded).rows(admin_id(seeded),
                                                                 YEAR).as_dicts()}
    (salt,) = salt_rows(seeded.db)
    with seeded.db.connect() as connection:
        results = connection.execute(text(
            f"SELECT m.referral_id, m.measure_version, m.occasion, m.scores FROM measure_result m "
            f"JOIN referral r ON r.id = m.referral_id WHERE m.measure_id = 'ucla3' "
            f"AND {independent.IN_PERIOD} ORDER BY m.answered_on, m.id"),
            independent.bounds(YEAR)).all()
    baseline, follow_up = {}, {}
    for referral_id, version, occasion, scores in results:
        scores = json.loads(scores) if isinstance(scores, str) else scores
        if occasion == "baseline":
            baseline.setdefault(referral_id, (version, scores["total"]))
        elif occasion in ("review", "closing"):
            follow_up[(referral_id, version)] = scores["total"]
    assert baseline and follow_up
    for referral_id, (version, total) in baseline.items():
        row = rows[code(salt, "referral", referral_id)]
        assert row["ucla3_total_baseline"] == total
        assert row["ucla3_total_follow_up"] == follow_up.get((referral_id, version))


def test_no_cell_holds_an_identifier_or_free_text(planted):
    """Every cell, as the CSV writes it, against every identifier and free text in the
    database: names as whole words anywhere, the rest as text anywhere in a cell."""
    extract = extracts(planted).rows(admin_id(planted), YEAR)
    cells = [str(value) for row in extract.rows for value in row if value not in (None, "")]
    with planted.db.connect() as connection:
        patients = connection.execute(text(
            "SELECT nhs_number, given_name, family_name, date_of_birth, postcode, address, "
            "phone, email, accessibility_needs, carer_details, contact_times FROM patient"
        )).all()
        free_text = set(connection.execute(text(
            "SELECT reason_other FROM referral UNION SELECT referrer_name FROM referral "
            "UNION SELECT referrer_contact FROM referral UNION SELECT referrer_organisation "
            "FROM referral UNION SELECT note FROM referral_event UNION SELECT text FROM "
            "referral_note UNION SELECT note FROM contact UNION SELECT note FROM "
            "referral_allocation UNION SELECT summary FROM case_closure UNION SELECT why_not "
            "FROM case_closure UNION SELECT what_matters FROM care_plan_version UNION SELECT "
            "who_involved FROM care_plan_version UNION SELECT display_name FROM user_account "
            "UNION SELECT username FROM user_account")).scalars())
        answers = connection.execute(text("SELECT answers FROM referral")).scalars().all()
    for stored in answers:
        values = json.loads(stored) if isinstance(stored, str) else stored
        free_text |= {value for value in values.values() if isinstance(value, str)
                      and len(value) > 12}  # typed text, not a code
    assert set(PLANTED.values()) <= free_text
    names = set()
    texts = {needle for needle in free_text if needle and needle.strip()}
    for nhs, given, family, born, postcode, address, phone, email, *more in patients:
        names |= {given, family}
        born = born if isinstance(born, date) else date.fromisoformat(str(born))
        texts |= {nhs, postcode, address, born.isoformat(), born.strftime("%d/%m/%Y"),
                  born.strftime("%d-%b-%Y"), *(line for line in address.splitlines()),
                  phone, email, *more}
    texts = {needle for needle in texts if needle and len(needle.strip()) > 3}
    assert len(names) > 20 and len(texts) > 200
    word = re.compile(r"\b(" + "|".join(map(re.escape, sorted(names))) + r")\b")
    for cell in cells:
        assert not word.search(cell), cell
        assert not any(needle in cell for needle in texts), cell


def test_pseudonyms_are_stable_and_differ_between_installations(seeded, empty_url, clock):
    first = extracts(seeded).rows(admin_id(seeded), YEAR)
    again = extracts(seeded).rows(admin_id(seeded), YEAR)
    assert first.rows == again.rows
    people = [row["person"] for row in first.as_dicts()]
    assert all(re.fullmatch(r"[0-9a-f]{16}", person) for person in people)
    assert len(set(people)) < len(people)  # a person referred twice keeps one code

    other_db = Database.open(empty_url)
    try:
        other = Services(other_db, clock)
        install_national_form(other)
        fill(other_db, DemoSize(patients=80, referrals=600, services=14), seed=14, clock=clock)
        elsewhere = extracts(other).rows(admin_id(other), YEAR)
        assert len(elsewhere.rows) == len(first.rows)  # the same data, so the same rows
        assert not {row["person"] for row in elsewhere.as_dicts()} & set(people)
        assert salt_rows(other_db) != salt_rows(seeded.db)
        assert sorted(row[2:] for row in elsewhere.rows) \
            == sorted(row[2:] for row in first.rows)
    finally:
        other_db.close()


def test_the_salt_is_made_once_and_kept_and_never_written_out(seeded, tmp_path):
    assert salt_rows(seeded.db) == []
    service = extracts(seeded)
    service.rows(admin_id(seeded), MARCH)
    (salt,) = salt_rows(seeded.db)
    assert re.fullmatch(r"[0-9a-f]{64}", salt)
    service.write_csv(admin_id(seeded), YEAR, tmp_path / "extract.csv")
    assert salt_rows(seeded.db) == [salt]
    written = (tmp_path / "extract.csv").read_text(encoding="utf-8")
    assert salt not in written and salt[:16] not in written
    assert all(salt not in json.dumps(row.after) for row in extract_audit_rows(seeded.db))


@pytest.mark.parametrize("role", ["receptionist", "clinician", "link_worker"])
def test_only_an_admin_may_make_an_extract_and_a_refusal_writes_nothing(seeded, tmp_path,
                                                                        role):
    user = make_user(seeded, role)
    path = tmp_path / "extract.csv"
    with pytest.raises(PermissionDenied):
        extracts(seeded).write_csv(user.id, YEAR, path)
    with pytest.raises(PermissionDenied):
        extracts(seeded).rows(user.id, YEAR)
    assert not path.exists()
    assert extract_audit_rows(seeded.db) == []
    assert salt_rows(seeded.db) == []


def test_each_extract_is_audited_with_the_period_and_count_and_no_identifier(seeded, tmp_path):
    service, admin = extracts(seeded), admin_id(seeded)
    count = service.write_csv(admin, YEAR, tmp_path / "extract.csv")
    march = service.rows(admin, MARCH, practices=["Y99901"])
    rows = extract_audit_rows(seeded.db)
    assert len(rows) == 2
    afters = [json.loads(row.after) if isinstance(row.after, str) else row.after
              for row in rows]
    assert afters == [
        {"from": "2025-12-01", "to": "2026-11-30", "practices": [], "rows": count},
        {"from": "2026-03-01", "to": "2026-03-31", "practices": ["Y99901"],
         "rows": len(march.rows)}]
    assert all((row.user_id, row.entity_id, row.patient_id) == (admin, None, None)
               for row in rows)
    assert seeded.audit.verify() is None  # the chain still holds


def test_the_csv_has_a_header_of_column_keys_and_a_line_per_row(seeded, tmp_path):
    path = tmp_path / "extract.csv"
    count = extracts(seeded).write_csv(admin_id(seeded), MARCH, path)
    lines = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert lines[0][:4] == ["person", "referral", "practice", "age_band"]
    assert "ucla3_total_baseline" in lines[0]
    assert len(lines) == count + 1 > 1
    assert all(len(line) == len(lines[0]) for line in lines)
    assert all(re.fullmatch(r"\d{4}-\d{2}", line[lines[0].index("sent_month")])
               for line in lines[1:])


def practice_count(db: Database, ods: str) -> int:
    with db.connect() as connection:
        return connection.execute(text(
            f"SELECT count(*) FROM referral r JOIN practice p ON p.id = r.practice_id "
            f"WHERE {independent.IN_PERIOD} AND p.ods_code = :ods"),
            {**independent.bounds(YEAR), "ods": ods}).scalar_one()


def test_an_extract_of_chosen_practices_holds_only_their_referrals(seeded):
    extract = extracts(seeded).rows(admin_id(seeded), YEAR, practices=["y99902", "Y99903"])
    expected = practice_count(seeded.db, "Y99902") + practice_count(seeded.db, "Y99903")
    assert 0 < expected < practice_count(seeded.db, "Y99901") + expected
    assert len(extract.rows) == expected
    assert {row["practice"] for row in extract.as_dicts()} == {"Y99902", "Y99903"}


def test_an_admin_of_one_practice_extracts_only_that_practice(seeded, tmp_path):
    with seeded.db.connect() as connection:
        holbeck = connection.execute(text(
            "SELECT id FROM practice WHERE ods_code = 'Y99902'")).scalar_one()
    local = make_user(seeded, "admin")
    seeded.users.set_practices(None, local.id, [holbeck], all_practices=False)
    extract = extracts(seeded).rows(local.id, YEAR)
    assert len(extract.rows) == practice_count(seeded.db, "Y99902") > 0
    assert {row["practice"] for row in extract.as_dicts()} == {"Y99902"}
    path = tmp_path / "extract.csv"
    with pytest.raises(PermissionDenied, match="Y99901"):
        extracts(seeded).write_csv(local.id, YEAR, path, practices=["Y99901"])
    assert not path.exists() and len(extract_audit_rows(seeded.db)) == 1


def test_a_practice_not_in_the_database_is_refused(seeded, tmp_path):
    path = tmp_path / "extract.csv"
    with pytest.raises(ValidationError, match="ODS code A12345"):
        extracts(seeded).write_csv(admin_id(seeded), YEAR, path, practices=["A12345"])
    assert not path.exists() and extract_audit_rows(seeded.db) == []


def test_age_bands():
    from practice_rx.reports.extract import age_band

    born = date(1960, 6, 15)
    assert [age_band(born, on) for on in (date(1978, 6, 14), date(1978, 6, 15),
                                          date(2025, 6, 14), date(2025, 6, 15),
                                          date(2045, 6, 15))] \
        == ["0-17", "18-24", "55-64", "65-74", "85+"]
    assert age_band(date(2000, 1, 1), datetime(2009, 1, 1).date()) == "0-17"


def test_a_file_that_cannot_be_written_leaves_no_audit_row_and_no_salt(seeded, tmp_path):
    with pytest.raises(FileNotFoundError):
        extracts(seeded).write_csv(admin_id(seeded), YEAR, tmp_path / "no such" / "x.csv")
    assert extract_audit_rows(seeded.db) == [] and salt_rows(seeded.db) == []
