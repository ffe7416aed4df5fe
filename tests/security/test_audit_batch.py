"""``AuditWriter.record_many``: a batch of rows chains exactly as the rows written one by one.

An export of thousands of files writes its audit rows in batches; the trail must stay as
provable as ever: the chain verifies across batches and single rows, the anchor names the
batch's last row, and a row edited inside a batch is found.
"""

from __future__ import annotations

from itertools import pairwise

from sqlalchemy import select

from practice_rx.services.audit import AuditRow
from practice_rx.services.audit_anchor import anchor_path, read_anchor
from practice_rx.storage.models import AuditEvent
from tests.security.test_audit_proof import _found, _tamper
from tests.support.factories import admin, make_patient


def _batch(services, user_id: int, patient_id: int, count: int) -> list[AuditEvent]:
    with services.db.transaction() as session:
        return services.referrals.audit.record_many(
            session, at=services.clock(), user_id=user_id,
            rows=[AuditRow("patient_view", "patient", patient_id, patient_id,
                           after={"n": n}) for n in range(count)])


def test_a_batch_between_single_rows_chains_and_verifies(services, audit_key_file):
    manager = admin(services)
    patient = make_patient(services)  # single rows before
    events = _batch(services, manager, patient.id, 25)
    services.patients.open(manager, patient.id)  # and a single row after (a view)
    with services.db.reading() as session:
        rows = list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    batch = [row for row in rows if row.action == "patient_view" and "n" in row.after]
    assert [row.after["n"] for row in batch] == list(range(25))
    assert [row.id for row in batch] == list(range(batch[0].id, batch[0].id + 25))
    assert all(row.prev_hash == before.hash for before, row in pairwise(rows))
    assert rows[-1].id > batch[-1].id
    assert services.audit.verify() is None
    anchor = read_anchor(anchor_path(audit_key_file, services.db.engine.url))
    assert anchor.last_id == rows[-1].id
    assert [event.id for event in events] == [row.id for row in batch]


def test_the_anchor_names_a_batchs_last_row(services, audit_key_file):
    manager = admin(services)
    patient = make_patient(services)
    events = _batch(services, manager, patient.id, 10)
    anchor = read_anchor(anchor_path(audit_key_file, services.db.engine.url))
    assert (anchor.last_id, anchor.last_hash) == (events[-1].id, events[-1].hash)


def test_an_edited_row_inside_a_batch_is_found(services, db_url, capsys):
    manager = admin(services)
    patient = make_patient(services)
    events = _batch(services, manager, patient.id, 10)
    _tamper(db_url, f"UPDATE audit_event SET entity_id = 0 WHERE id = {events[4].id}")
    _found(services, db_url, capsys, f"Audit row {events[4].id}: its content was changed")


def test_an_empty_batch_writes_nothing(services):
    manager = admin(services)
    with services.db.reading() as session:
        before = session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    assert _batch(services, manager, None, 0) == []
    with services.db.reading() as session:
        after = session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    assert after == before
