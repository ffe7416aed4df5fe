"""What an audit row's seal covers, byte for byte, and what ``record_many`` stores.

Found by mutation testing (docs/testing.md): the proof tests only compared a row's hash
with one the same code recomputed, so a change to the sealed bytes (a key renamed, the
separators, the order, the non-ASCII text escaped) went unnoticed: a trail written by one
version would then fail to verify on the next. The expected bytes here are typed by hand
from the format the module documents: every column but ``id`` and ``hash``, JSON with
sorted keys, no spaces, UTF-8 text as it is.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from practice_rx.services.audit import GENESIS, AuditRow, canonical, row_hash
from practice_rx.services.audit_key import AuditKey, load_key
from practice_rx.storage.models import AuditEvent
from tests.support.factories import admin

SEALED = ('{"action":"patient_update","after":{"family_name":"Smith-Jones","phone":null},'
          '"at":"2026-11-24T09:30:00","before":{"family_name":"Smith","phone":"0113 496 0000"},'
          '"entity":"patient","entity_id":7,"patient_id":8,"prev_hash":"' + "0" * 64 + '",'
          '"user_id":3,"workstation":"Bureau é"}').encode("utf-8")


def _event(**changed) -> AuditEvent:
    fields = {"at": datetime(2026, 11, 24, 9, 30), "user_id": 3, "workstation": "Bureau é",
              "action": "patient_update", "entity": "patient", "entity_id": 7,
              "patient_id": 8, "before": {"phone": "0113 496 0000", "family_name": "Smith"},
              "after": {"phone": None, "family_name": "Smith-Jones"}, "prev_hash": "0" * 64}
    return AuditEvent(**(fields | changed))


def test_the_sealed_bytes_are_the_documented_format():
    assert canonical(_event()) == SEALED


def test_the_id_and_the_hash_are_not_sealed():
    assert canonical(_event(id=41, hash="h1:deadbeef:x")) == SEALED


def test_a_row_without_a_user_or_patient_seals_null():
    sealed = canonical(_event(user_id=None, patient_id=None, entity_id=None))
    assert b'"user_id":null' in sealed and b'"patient_id":null' in sealed
    assert b'"entity_id":null' in sealed


def test_a_plain_row_hash_is_the_sha256_of_those_bytes():
    assert row_hash(_event()) == hashlib.sha256(SEALED).hexdigest()


def _stored(services) -> list[AuditEvent]:
    with services.db.reading() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_record_many_stores_each_row_as_given_json_safe_and_sealed(services, audit_key_file):
    user = admin(services)  # its own rows come first
    first = len(_stored(services))
    with services.db.transaction() as session:
        services.audit.audit.record_many(session, at=datetime(2026, 11, 24, 10, 15), user_id=user,
                                         rows=[
            AuditRow("letter_print", "referral", 5, 6, before={"on": date(2026, 11, 23)},
                     after={"at": datetime(2026, 11, 24, 10, 0), "copies": (1, 2)}),
            AuditRow("patient_view", "patient")])
    previous, printed, viewed = _stored(services)[first - 1:]
    assert (printed.action, printed.entity, printed.entity_id, printed.patient_id) == (
        "letter_print", "referral", 5, 6)
    assert printed.before == {"on": "2026-11-23"}
    assert printed.after == {"at": "2026-11-24T10:00:00", "copies": [1, 2]}
    assert (viewed.action, viewed.entity, viewed.entity_id, viewed.patient_id) == (
        "patient_view", "patient", None, None)
    assert (viewed.before, viewed.after) == ({}, {})
    assert {printed.user_id, viewed.user_id} == {user}
    assert printed.at == viewed.at == datetime(2026, 11, 24, 10, 15)
    assert printed.workstation == viewed.workstation == services.audit.audit.workstation
    assert printed.prev_hash == previous.hash and viewed.prev_hash == printed.hash
    key = load_key(audit_key_file)
    assert viewed.hash == _seal(key.secret, (
        '{"action":"patient_view","after":{},"at":"2026-11-24T10:15:00","before":{},'
        '"entity":"patient","entity_id":null,"patient_id":null,"prev_hash":"' + printed.hash
        + f'","user_id":{user},"workstation":"{viewed.workstation}"}}').encode())


def _seal(secret: bytes, content: bytes) -> str:
    """The documented keyed hash: ``h1:<key id>:<HMAC-SHA256, base64url, unpadded>``."""
    key_id = hashlib.sha256(b"practice-rx audit key id\0" + secret).hexdigest()[:8]
    digest = hmac.new(secret, content, hashlib.sha256).digest()
    return f"h1:{key_id}:{base64.urlsafe_b64encode(digest).decode().rstrip('=')}"


def test_the_first_row_of_a_trail_follows_the_genesis_hash(services):
    admin(services)  # a fresh database: its first row
    assert _stored(services)[0].prev_hash == GENESIS == "0" * 64


def test_a_key_seals_as_documented():
    key = AuditKey(Path("audit.key"), bytes(range(32)))
    assert key.seal(SEALED) == _seal(bytes(range(32)), SEALED)
    assert key.matches(SEALED, _seal(bytes(range(32)), SEALED))
    assert not key.matches(SEALED + b" ", _seal(bytes(range(32)), SEALED))
