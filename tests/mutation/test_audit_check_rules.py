"""``AuditService.check`` on trails forged by hand, each way, with its exact message; and the
anchor: tampered, missing, unreadable, stale, or with a wrong row count.

Found by mutation testing (docs/testing.md): the proof tests matched a part of each message
and never looked at the report's counts, so a changed count, a lost "(written at)" or a
check that ran one row too far went unnoticed. Every expected message here is typed by hand.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from practice_rx.services import Services
from practice_rx.services.audit_anchor import anchor_path, read_anchor
from practice_rx.services.audit_key import AuditKey, key_id_of, load_key
from practice_rx.storage.models import AuditEvent
from tests.security.test_audit import busy_day
from tests.security.test_audit_proof import _last_id, _rehash, _tamper
from tests.support.factories import make_patient

WHEN = "2026-11-24T09:31:00+00:00"


def _anchor_file(services):
    return anchor_path(services.audit.audit.key_path(), services.db.engine.url)


def _write_anchor(services, **fields) -> None:
    """An anchor file as the documented format has it, written by hand."""
    _anchor_file(services).write_text(json.dumps(fields))


def _rows(db_url) -> list[tuple[int, str]]:
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(
            text("SELECT id, hash FROM audit_event ORDER BY id"))]
    engine.dispose()
    return rows


def test_an_untouched_trail_reports_its_counts_and_anchor(services, db_url, audit_key_file):
    busy_day(services)
    rows = _rows(db_url)
    report = services.audit.check()
    assert report.ok and report.problems == []
    assert (report.rows, report.unkeyed_rows) == (len(rows), 0)
    assert (report.last_id, report.last_hash) == rows[-1]
    assert report.anchor_path == _anchor_file(services)
    assert report.anchor_path.parent == audit_key_file.parent
    assert (report.anchor.last_id, report.anchor.last_hash) == rows[-1]
    assert services.audit.verify() is None


def test_an_edited_row_is_named_exactly(services, db_url):
    busy_day(services)
    _tamper(db_url, "UPDATE audit_event SET action = 'patient_view' WHERE id = 2")
    assert services.audit.check().problems == [
        "Audit row 2: its content was changed after it was written"]


def test_a_deleted_row_is_named_exactly(services, db_url):
    busy_day(services)
    _tamper(db_url, "DELETE FROM audit_event WHERE id = 3")
    assert services.audit.check().problems == [
        "Audit row 4: the row before it was deleted, changed or moved (the chain is broken "
        "here)"]
    assert services.audit.verify() == services.audit.check().problems[0]


def test_only_the_first_broken_row_is_reported_and_nothing_is_reconciled(services, db_url):
    _, patient, _ = busy_day(services)
    _tamper(db_url, "UPDATE audit_event SET workstation = 'x' WHERE id = 2",
            "UPDATE audit_event SET workstation = 'x' WHERE id = 4",
            f"UPDATE patient SET family_name = 'Jones' WHERE id = {patient.id}")
    assert services.audit.check().problems == [
        "Audit row 2: its content was changed after it was written"]


def test_the_tables_are_reconciled_only_when_asked(services, db_url):
    _, patient, _ = busy_day(services)
    _tamper(db_url, f"UPDATE patient SET family_name = 'Jones' WHERE id = {patient.id}")
    assert services.audit.check(reconcile=False).problems == []
    assert services.audit.check().problems[0].startswith(f"Patient {patient.id}: ")


def test_a_plain_row_after_keyed_rows_is_named_exactly(services, db_url):
    busy_day(services)
    from practice_rx.services.audit import row_hash

    _rehash(db_url, row_hash, first_id=4)
    assert services.audit.check().problems[0] == (
        "Audit row 4: not sealed with the audit key although the rows before it are (the "
        "chain was recomputed without the key)")


def test_an_edited_row_from_before_keying_is_found(services, db_url, audit_key_file, db):
    from practice_rx.services.audit import row_hash

    busy_day(services)
    _rehash(db_url, row_hash)  # a trail from before keying: plain SHA-256, no anchor
    audit_key_file.unlink()
    _anchor_file(services).unlink()
    rows = _rows(db_url)
    report = services.audit.check()
    assert report.ok and (report.rows, report.unkeyed_rows) == (len(rows), len(rows))
    assert report.anchor is None
    _tamper(db_url, "UPDATE audit_event SET entity_id = 0 WHERE id = 2")
    assert services.audit.check().problems == [
        "Audit row 2: its content was changed after it was written"]


def test_rows_sealed_with_another_key_are_named_with_both_keys(services, db_url, audit_key_file):
    busy_day(services)
    forged = AuditKey(audit_key_file, b"\x01" * 32)
    from practice_rx.services.audit import canonical

    _rehash(db_url, lambda row: forged.seal(canonical(row)))
    ours = load_key(audit_key_file)
    assert services.audit.check().problems[0] == (
        f"Audit row 1: sealed with audit key {forged.key_id}, not with this workstation's key "
        f"{ours.key_id} ({audit_key_file})")


def test_a_trail_checked_without_its_key_is_named(services, audit_key_file):
    busy_day(services)
    sealed_with = load_key(audit_key_file).key_id
    audit_key_file.unlink()
    assert services.audit.check().problems == [
        f"Audit row 1: sealed with audit key {sealed_with}, but there is no audit key file at "
        f"{audit_key_file}, so the trail cannot be checked"]
    assert not audit_key_file.exists()  # check is read-only


def test_a_missing_anchor_is_named(services):
    busy_day(services)
    _anchor_file(services).unlink()
    assert services.audit.check().problems == [
        f"No anchor for this database at {_anchor_file(services)}: the end of the trail cannot "
        "be checked (run 'practice-rx audit anchor' on the workstation whose key folder this "
        "is)"]


def test_an_empty_trail_without_an_anchor_is_proven(services, audit_key_file):
    report = services.audit.check()
    assert (report.rows, report.unkeyed_rows) == (0, 0)
    assert report.ok and report.anchor is None and report.last_id is None


@pytest.mark.parametrize("content", ["{not json", '{"last_hash": "x"}', '{"last_id": "two"}'])
def test_an_unreadable_anchor_is_named(services, content):
    busy_day(services)
    _anchor_file(services).write_text(content)
    assert services.audit.check().problems == [
        f"The audit anchor {_anchor_file(services)} is unreadable: restore it from backup"]


def test_an_anchor_past_the_end_names_both_rows_and_its_time(services, db_url):
    busy_day(services)
    last, last_hash = _rows(db_url)[-1]
    _write_anchor(services, last_id=last + 3, last_hash=last_hash, count=None, written_at=WHEN)
    assert services.audit.check().problems == [
        f"The audit trail ends at row {last}, but the anchor recorded row {last + 3} ({WHEN}): "
        "rows were deleted from its end"]


def test_an_anchor_past_the_end_without_a_time(services, db_url):
    busy_day(services)
    last, last_hash = _rows(db_url)[-1]
    _write_anchor(services, last_id=last + 1, last_hash=last_hash)
    assert services.audit.check().problems == [
        f"The audit trail ends at row {last}, but the anchor recorded row {last + 1}: rows were "
        "deleted from its end"]


def test_an_anchor_naming_another_hash_is_a_rewritten_trail(services, db_url):
    busy_day(services)
    rows = _rows(db_url)
    middle, _ = rows[2]
    _write_anchor(services, last_id=middle, last_hash=rows[1][1], written_at=WHEN)
    assert services.audit.check().problems == [
        f"Audit row {middle}: not the row the anchor recorded ({WHEN}) (the trail was "
        "rewritten)"]


def test_an_anchor_at_an_earlier_row_with_its_count_is_proven(services, db_url):
    busy_day(services)
    rows = _rows(db_url)
    ids = [row_id for row_id, _ in rows]
    middle, middle_hash = rows[3]
    count = sum(1 for row_id in ids if row_id <= middle)
    _write_anchor(services, last_id=middle, last_hash=middle_hash, count=count, written_at=WHEN)
    report = services.audit.check()
    assert report.ok, report.problems
    assert report.anchor.count == count == 4


@pytest.mark.parametrize("recorded", [3, 5])
def test_an_anchor_with_another_row_count_is_a_deleted_row(services, db_url, recorded):
    busy_day(services)
    rows = _rows(db_url)
    middle, middle_hash = rows[3]
    _write_anchor(services, last_id=middle, last_hash=middle_hash, count=recorded)
    assert services.audit.check().problems == [
        f"The audit trail has 4 rows up to row {middle}, but the anchor recorded {recorded}: "
        "rows were deleted"]


def test_a_row_deleted_under_a_counted_anchor_is_named_twice(services, db_url):
    """The chain breaks at the next row, and the anchor's count says a row went."""
    busy_day(services)
    services.audit.anchor()  # with its count
    last = _last_id(db_url)
    _tamper(db_url, "DELETE FROM audit_event WHERE id = 2")
    when = read_anchor(_anchor_file(services)).written_at
    assert services.audit.check().problems == [
        "Audit row 3: the row before it was deleted, changed or moved (the chain is broken "
        "here)",
        f"The audit trail has {last - 1} rows up to row {last}, but the anchor recorded "
        f"{last} ({when}): rows were deleted"]


def test_the_anchor_records_the_trail_with_its_count_and_time(services, db_url):
    busy_day(services)
    rows = _rows(db_url)
    anchor = services.audit.anchor()
    assert (anchor.last_id, anchor.last_hash, anchor.count) == (*rows[-1], len(rows))
    import re
    from datetime import UTC, datetime, timedelta

    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", anchor.written_at)
    assert abs(datetime.fromisoformat(anchor.written_at) - datetime.now(UTC)) < timedelta(
        minutes=5)
    assert read_anchor(_anchor_file(services)) == anchor
    assert _rows(db_url) == rows  # a proven trail is anchored without a row of its own


def test_an_anchor_is_moved_back_only_when_accepted_and_that_is_audited(services, db_url):
    busy_day(services)
    last = _last_id(db_url)
    _tamper(db_url, f"DELETE FROM audit_event WHERE id > {last - 2}")
    problem = (f"The audit trail ends at row {last - 2}, but the anchor recorded row {last} "
               f"({read_anchor(_anchor_file(services)).written_at}): rows were deleted from "
               "its end")
    assert services.audit.check(reconcile=False).problems == [problem]
    anchor = services.audit.anchor(accept_current=True)
    rows = _rows(db_url)
    assert (anchor.last_id, anchor.last_hash, anchor.count) == (*rows[-1], last - 1)
    with services.db.reading() as session:
        accepted = session.get(AuditEvent, anchor.last_id)
    assert accepted.action == "audit_anchor"
    assert accepted.before == {"problem": problem, "last_id": last, "count": None}
    assert accepted.after == {"last_id": last - 2}
    assert services.audit.check(reconcile=False).problems == []


def test_accepting_a_trail_without_an_anchor_records_no_old_anchor(services, db_url):
    busy_day(services)
    _anchor_file(services).unlink()
    problem = services.audit.check(reconcile=False).problems[0]
    anchor = services.audit.anchor(accept_current=True)
    with services.db.reading() as session:
        accepted = session.get(AuditEvent, anchor.last_id)
    assert accepted.before == {"problem": problem}
    assert services.audit.check().problems == []


def test_a_keyed_trail_refuses_a_workstation_without_its_key(services, db, clock,
                                                             audit_key_file):
    busy_day(services)
    sealed_with = load_key(audit_key_file).key_id
    audit_key_file.unlink()
    from practice_rx.services.audit_key import AuditKeyError

    with pytest.raises(AuditKeyError) as refused:
        make_patient(Services(db, clock), "Ann", "Lee")
    assert str(refused.value) == (
        f"This database's audit trail is sealed with audit key {sealed_with}, but there is no "
        f"key file at {audit_key_file}. Copy the practice's audit key file there (or point "
        "PRACTICE_RX_AUDIT_KEY_FILE at it); nothing was saved.")


def test_a_keyed_trail_refuses_another_key(services, db, clock, tmp_path, monkeypatch,
                                           audit_key_file):
    busy_day(services)
    sealed_with = load_key(audit_key_file).key_id
    other = tmp_path / "other.key"
    other.write_text("ab" * 32)
    monkeypatch.setenv("PRACTICE_RX_AUDIT_KEY_FILE", str(other))
    from practice_rx.services.audit_key import AuditKeyError

    before = _rows(services.db.engine.url.render_as_string(hide_password=False))
    with pytest.raises(AuditKeyError) as refused:
        make_patient(Services(db, clock), "Ann", "Lee")
    other_id = AuditKey(other, bytes.fromhex("ab" * 32)).key_id
    assert str(refused.value) == (
        f"The audit key at {other} (key {other_id}) is not the key this database's audit "
        f"trail is sealed with (key {sealed_with}). Use the practice's audit key file; nothing "
        "was saved.")
    assert _rows(services.db.engine.url.render_as_string(hide_password=False)) == before


def test_a_writer_keeps_the_key_it_loaded(services, audit_key_file):
    """The key is read once per workstation session: it does not vanish mid-session."""
    busy_day(services)
    audit_key_file.unlink()
    make_patient(services, "Ann", "Lee")
    assert services.audit.check(reconcile=False).problems[0].endswith(
        "so the trail cannot be checked")  # a fresh check reads the (missing) file


def test_the_first_row_makes_the_key_and_seals_with_it(services, audit_key_file):
    audit_key_file.unlink(missing_ok=True)
    make_patient(services)
    key = load_key(audit_key_file)
    with services.db.reading() as session:
        hashes = list(session.scalars(select(AuditEvent.hash)))
    assert hashes and {key_id_of(h) for h in hashes} == {key.key_id}


def test_an_anchor_naming_no_possible_row_is_unreadable(services, db_url):
    busy_day(services)
    _write_anchor(services, last_id=0, last_hash=_rows(db_url)[0][1])
    assert services.audit.check().problems == [
        f"The audit anchor {_anchor_file(services)} is unreadable: restore it from backup"]


def test_an_anchor_at_the_first_row_is_proven(services, db_url):
    busy_day(services)
    first, first_hash = _rows(db_url)[0]
    _write_anchor(services, last_id=first, last_hash=first_hash, count=1)
    assert first == 1 and services.audit.check().problems == []


def test_a_trail_whose_tables_differ_is_still_anchored(services, db_url):
    """Anchoring records the chain's head; the tables are reconciled by verify, not here."""
    _, patient, _ = busy_day(services)
    _tamper(db_url, f"UPDATE patient SET family_name = 'Jones' WHERE id = {patient.id}")
    rows = _rows(db_url)
    anchor = services.audit.anchor()
    assert (anchor.last_id, anchor.count) == (rows[-1][0], len(rows))
    assert _rows(db_url) == rows  # not an accepted problem: no row of its own
