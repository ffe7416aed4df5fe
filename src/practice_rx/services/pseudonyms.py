"""Pseudonyms for the evaluation extract: the same person gets the same code in every
extract from this installation, and a code from one installation means nothing in another.

Why a keyed hash (HMAC-SHA256) with a secret salt, not a plain hash of the NHS number or
the record id: both are small spaces (NHS numbers are 10 digits with a check digit,
about 900 million valid ones; record ids are counted from 1), so anyone holding the
extract could hash every candidate and match the codes back to people in minutes. The
salt, 32 random bytes made on first use, stays in this database's ``database_meta``
table and never leaves it: it is not printed, logged or written to an extract, so the
codes cannot be recomputed outside the practice. A restored backup keeps the salt, and
so keeps the codes; a new installation makes its own.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from practice_rx.storage.models import DatabaseMeta

SALT_KEY = "pseudonym_salt"
SALT_BYTES = 32
PSEUDONYM_LENGTH = 16  # hex characters: 64 bits, no collision expected below billions


def installation_salt(session: Session) -> bytes:
    """This installation's salt, made and stored in ``session``'s transaction the first
    time (so it is kept only if the extract that needed it is)."""
    stored = _stored(session)
    if stored is not None:
        return stored
    salt = secrets.token_bytes(SALT_BYTES)
    try:
        with session.begin_nested():  # another workstation may store one at the same time
            session.add(DatabaseMeta(key=SALT_KEY, value=salt.hex()))
    except IntegrityError:
        stored = _stored(session)
        if stored is None:
            raise
        return stored
    return salt


def pseudonym(salt: bytes, kind: str, record_id: int) -> str:
    """The code for one record: HMAC-SHA256 of ``kind:id`` (``patient:17``) under the salt,
    as 16 hex characters. The kind keeps a patient's and a referral's codes apart."""
    message = f"{kind}:{record_id}".encode()
    return hmac.new(salt, message, hashlib.sha256).hexdigest()[:PSEUDONYM_LENGTH]


def _stored(session: Session) -> bytes | None:
    value = session.scalar(select(DatabaseMeta.value).where(DatabaseMeta.key == SALT_KEY))
    return None if value is None else bytes.fromhex(value)
