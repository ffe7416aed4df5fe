"""Codes for the GP record: each SNOMED CT coded referral event in a period, as a CSV line
the practice records in the GP system. Both backends.

The rows are checked against a plain SQL query of ``referral_event``; the codes and terms
are written here as the verified list gives them (UK edition), not read from the code.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from practice_rx.domain.statuses import EVENT_CODES
from practice_rx.errors import PermissionDenied
from practice_rx.reports.period import ReportPeriod
from practice_rx.services import Services
from practice_rx.services.gp_codes import CODE_TERMS, GpCodeService
from practice_rx.services.practice import PracticeDetails
from practice_rx.storage.models import Referral, User
from tests.support.factories import admin, make_patient, make_service, make_user, ready_draft

ROOT = Path(__file__).resolve().parents[2]
REFERRED = ("871731000000106", "Referral to social prescribing service (procedure)")
DECLINED = ("871711000000103", "Social prescribing declined (situation)")
TERMS = dict([REFERRED, DECLINED])
UNVERIFIED = "999999999999999"
NOVEMBER = ReportPeriod(date(2026, 11, 1), date(2026, 11, 30))
HEADER = ["nhs_number", "code", "term", "date", "referral_id", "already_exported"]

BEESTON = PracticeDetails("Y99901", "Beeston Hill Surgery", postcode="LS11 6AB")
HOLBECK = PracticeDetails("Y99902", "Holbeck Surgery", postcode="LS11 9AA")


@dataclass
class Network:
    services: Services
    codes: GpCodeService
    gp: User
    holbeck_gp: User
    declined: Referral
    unverified_event: int


@pytest.fixture
def network(services: Services, clock) -> Network:
    """Two practices; three coded events at Beeston in November (two referred, one declined),
    one in October, and one event given an unverified code by raw SQL."""
    services.practice.save(admin(services), BEESTON)
    services.practice.add(admin(services), HOLBECK)
    holbeck = next(p.id for p in services.practice.all() if p.ods_code == "Y99902")
    gp = make_user(services)
    holbeck_gp = make_user(services, name="Dr Holbeck")
    holbeck_gp = services.users.set_practices(None, holbeck_gp.id, {holbeck}, False)
    service = make_service(services)
    today = clock.now
    clock.now = datetime(2026, 10, 31, 23, 59)  # the last minute before the period
    october = ready_draft(services, gp, make_patient(services, "Ann", "Early"), service)
    services.referrals.send(gp.id, october.id, october.version)
    clock.now = datetime(2026, 11, 1, 0, 0)  # its first minute
    first = ready_draft(services, gp, make_patient(services, "Joan", "Smithson"), service)
    first = services.referrals.send(gp.id, first.id, first.version)
    clock.now = today
    second = ready_draft(services, gp, make_patient(services, "Bill", "Jones"), service)
    second = services.referrals.send(gp.id, second.id, second.version)
    link_worker = make_user(services, "link_worker", "Nadia Ahmed")
    moves = services.referrals.change_status
    second = moves(link_worker.id, second.id, second.version, "accepted")
    declined = moves(link_worker.id, second.id, second.version, "declined",
                     "Does not want to go ahead.")
    with services.db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO referral_event (referral_id, from_status, to_status, at, occurred_at, "
            "user_id, note, snomed_code) VALUES (:r, 'sent', 'sent', :at, :at, :u, '', :code)"),
            {"r": first.id, "at": datetime(2026, 11, 20, 10), "u": gp.id, "code": UNVERIFIED})
        unverified = connection.execute(text(
            "SELECT max(id) FROM referral_event")).scalar_one()
    return Network(services, services.gp_codes, gp, holbeck_gp, declined, unverified)


def by_sql(services: Services, period: ReportPeriod) -> list[list[str]]:
    """The expected lines, straight from the tables."""
    with services.db.engine.connect() as connection:
        found = connection.execute(text(
            "SELECT p.nhs_number, e.snomed_code, e.occurred_at, r.id FROM referral_event e "
            "JOIN referral r ON r.id = e.referral_id JOIN patient p ON p.id = r.patient_id "
            "WHERE e.snomed_code IN (:a, :b) AND e.occurred_at >= :start "
            "AND e.occurred_at < :end ORDER BY e.occurred_at, e.id"),
            {"a": REFERRED[0], "b": DECLINED[0], "start": period.starts_at,
             "end": period.ends_before}).all()
    return [[nhs, code, TERMS[code], (at if isinstance(at, datetime)
                                      else datetime.fromisoformat(at)).date().isoformat(),
             str(referral_id)] for nhs, code, at, referral_id in found]


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


def test_the_terms_are_those_of_the_verified_codes():
    assert set(EVENT_CODES.values()) == {REFERRED[0], DECLINED[0]}
    assert CODE_TERMS == TERMS


def test_rows_are_the_coded_events_of_the_period(network):
    expected = by_sql(network.services, NOVEMBER)
    assert len(expected) == 3  # two referred, one declined; October's is outside
    assert sorted(code for _, code, *_ in expected) == [DECLINED[0], REFERRED[0], REFERRED[0]]
    found = network.codes.rows(network.gp.id, NOVEMBER)
    assert [list(row.as_csv()[:5]) for row in found.rows] == expected
    assert found.refused == 1
    assert not any(row.already_exported for row in found.rows)
    assert network.codes.rows(network.gp.id, NOVEMBER, ["Y99901"]).rows == found.rows
    assert network.codes.rows(network.gp.id, NOVEMBER, ["Y99902"]).rows == []


def test_a_second_export_marks_them_and_new_only_leaves_them_out(network, tmp_path, clock):
    first = tmp_path / "first.csv"
    assert network.codes.export_csv(network.gp.id, NOVEMBER, first) == 3
    lines = read_csv(first)
    assert lines[0] == HEADER
    assert [line[:5] for line in lines[1:]] == by_sql(network.services, NOVEMBER)
    assert [line[5] for line in lines[1:]] == ["no", "no", "no"]

    clock.advance(hours=1)
    again = tmp_path / "again.csv"
    assert network.codes.export_csv(network.gp.id, NOVEMBER, again) == 3
    assert [line[5] for line in read_csv(again)[1:]] == ["yes", "yes", "yes"]
    fresh = tmp_path / "fresh.csv"
    assert network.codes.export_csv(network.gp.id, NOVEMBER, fresh, new_only=True) == 0
    assert read_csv(fresh) == [HEADER]

    with network.services.db.engine.connect() as connection:
        marks = connection.execute(text(
            "SELECT count(*), count(DISTINCT event_id) FROM event_code_export")).one()
        audits = connection.execute(text(
            "SELECT after FROM audit_event WHERE action = 'gp_codes_exported' ORDER BY id"))\
            .scalars().all()
        nhs_numbers = connection.execute(text("SELECT nhs_number FROM patient")).scalars().all()
    assert tuple(marks) == (6, 3)
    assert len(audits) == 3
    assert all(nhs not in str(after) for after in audits for nhs in nhs_numbers)
    details = [json.loads(after) if isinstance(after, str) else after for after in audits]
    assert [(d["from"], d["to"], d["rows"], d["refused"], d["new_only"]) for d in details] == [
        ("2026-11-01", "2026-11-30", 3, 1, False), ("2026-11-01", "2026-11-30", 3, 1, False),
        ("2026-11-01", "2026-11-30", 0, 1, True)]


def test_a_file_that_cannot_be_written_marks_nothing(network, tmp_path):
    with pytest.raises(OSError):
        network.codes.export_csv(network.gp.id, NOVEMBER, tmp_path / "missing" / "codes.csv")
    with network.services.db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM event_code_export")).scalar() == 0
        assert connection.execute(text("SELECT count(*) FROM audit_event WHERE action = "
                                       "'gp_codes_exported'")).scalar() == 0
    assert not network.codes.rows(network.gp.id, NOVEMBER).rows[0].already_exported


def test_the_export_table_is_append_only(network, tmp_path):
    network.codes.export_csv(network.gp.id, NOVEMBER, tmp_path / "codes.csv")
    for statement in ("UPDATE event_code_export SET exported_by_id = exported_by_id",
                      "DELETE FROM event_code_export"):
        with pytest.raises(DBAPIError, match="append-only"), \
                network.services.db.engine.begin() as connection:
            connection.execute(text(statement))


def test_a_user_of_another_practice_gets_none_of_them(network, tmp_path):
    assert network.codes.rows(network.holbeck_gp.id, NOVEMBER).rows == []
    with pytest.raises(PermissionDenied):
        network.codes.rows(network.holbeck_gp.id, NOVEMBER, ["Y99901"])
    path = tmp_path / "holbeck.csv"
    assert network.codes.export_csv(network.holbeck_gp.id, NOVEMBER, path) == 0
    assert read_csv(path) == [HEADER]


def test_an_unverified_code_is_never_written(network, tmp_path):
    path = tmp_path / "codes.csv"
    network.codes.export_csv(network.gp.id, NOVEMBER, path)
    content = path.read_text(encoding="utf-8")
    assert UNVERIFIED not in content
    assert {line[1] for line in read_csv(path)[1:]} == {REFERRED[0], DECLINED[0]}
    with network.services.db.engine.connect() as connection:
        marked = connection.execute(text("SELECT event_id FROM event_code_export")).scalars()
        assert network.unverified_event not in set(marked)


def test_no_other_snomed_shaped_number_is_in_the_file(network, tmp_path):
    """Every run of 6 to 18 digits (the shape of a SNOMED CT id) outside the NHS number
    column is a verified code; the NHS numbers are those of the patients referred."""
    path = tmp_path / "codes.csv"
    network.codes.export_csv(network.gp.id, NOVEMBER, path)
    lines = read_csv(path)[1:]
    with network.services.db.engine.connect() as connection:
        nhs_numbers = set(connection.execute(text("SELECT nhs_number FROM patient")).scalars())
    assert lines and {line[0] for line in lines} <= nhs_numbers
    shaped = {found for line in lines for field in line[1:]
              for found in re.findall(r"(?<!\d)\d{6,18}(?!\d)", field)}
    assert shaped == {REFERRED[0], DECLINED[0]}


def run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    return subprocess.run([sys.executable, "-m", "practice_rx.cli", "--database", url, *args],
                          capture_output=True, text=True, timeout=300, env=env, check=False)


def test_the_command_writes_the_csv_and_refuses_an_existing_file(network, db_url, tmp_path):
    out = tmp_path / "codes.csv"
    period = ["--from", "2026-11-01", "--to", "2026-11-30"]
    done = run(db_url, "export", "codes", "--user", network.gp.username, *period,
               "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "1 event(s) carry a code that is not on the verified list" in done.stderr
    lines = read_csv(out)
    assert lines[0] == HEADER
    assert [line[:5] for line in lines[1:]] == by_sql(network.services, NOVEMBER)
    assert [line[5] for line in lines[1:]] == ["no", "no", "no"]

    before = out.read_bytes()
    refused = run(db_url, "export", "codes", "--user", network.gp.username, *period,
                  "--out", str(out), "--new-only")
    assert refused.returncode == 2
    assert "already exists" in refused.stderr
    assert out.read_bytes() == before

    forced = run(db_url, "export", "codes", "--user", network.gp.username, *period,
                 "--out", str(out), "--new-only", "--force")
    assert forced.returncode == 0, forced.stderr
    assert read_csv(out) == [HEADER]
    assert "0 code(s)" in forced.stdout
    assert "(3 left out: an earlier export wrote them)" in forced.stdout

    other = run(db_url, "export", "codes", "--user", network.holbeck_gp.username, *period,
                "--practice", "Y99901", "--out", str(tmp_path / "other.csv"))
    assert other.returncode == 2
    assert not (tmp_path / "other.csv").exists()
