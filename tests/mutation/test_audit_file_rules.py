"""The audit key file and the anchor file, as files: where they are, what they hold, and
how each unreadable one is named (nothing erased unseen, the same rule as the trail's).

Found by mutation testing (docs/testing.md), when these two modules joined the audit area:
the proof tests used each file only through the trail, so a key id from another formula,
an anchor that moved backwards, or a message that lost its path went unnoticed. Expected
values are from the modules' documented formats, typed by hand.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest

from practice_rx.services.audit_anchor import RECORD_SIZE, Anchor, anchor_path, \
    database_identity, read_anchor, write_anchor
from practice_rx.services.audit_key import AuditKey, AuditKeyError, create_key, key_file_path, \
    key_id_of, load_key


# -- the key file ---------------------------------------------------------------------------

def test_the_key_file_is_the_environments_then_the_settings_then_the_config_folder(
        tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("PRACTICE_RX_AUDIT_KEY_FILE", "~/given.key")
    assert key_file_path() == tmp_path / "given.key"
    monkeypatch.delenv("PRACTICE_RX_AUDIT_KEY_FILE")
    assert key_file_path() == tmp_path / "cfg" / "practice-rx" / "audit.key"
    (tmp_path / "cfg" / "practice-rx").mkdir(parents=True)
    (tmp_path / "cfg" / "practice-rx" / "settings.toml").write_text(
        'audit_key_file = "~/server/audit.key"\n')
    assert key_file_path() == tmp_path / "server" / "audit.key"
    monkeypatch.setenv("PRACTICE_RX_AUDIT_KEY_FILE", "")
    assert key_file_path() == tmp_path / "server" / "audit.key"


def test_a_broken_settings_file_leaves_the_default_key_file(tmp_path, monkeypatch):
    monkeypatch.delenv("PRACTICE_RX_AUDIT_KEY_FILE", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    (tmp_path / "cfg" / "practice-rx").mkdir(parents=True)
    (tmp_path / "cfg" / "practice-rx" / "settings.toml").write_text("audit_key_file = 3\n")
    assert key_file_path() == tmp_path / "cfg" / "practice-rx" / "audit.key"


def test_a_new_key_is_64_hex_characters_readable_only_by_its_owner(tmp_path):
    path = tmp_path / "new" / "folder" / "audit.key"
    key = create_key(path)
    text = path.read_text(encoding="ascii")
    assert len(text) == 65 and text.endswith("\n") and bytes.fromhex(text.strip()) == key.secret
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert key.path == path and len(key.secret) == 32


def test_a_key_made_first_by_another_workstation_is_used(tmp_path):
    path = tmp_path / "audit.key"
    path.write_text("cd" * 32 + "\n")
    assert create_key(path).secret == bytes.fromhex("cd" * 32)
    assert path.read_text() == "cd" * 32 + "\n"


def test_the_key_id_and_seal_are_the_documented_formulas():
    key = AuditKey(Path("k"), b"\x02" * 32)
    assert key.key_id == hashlib.sha256(b"practice-rx audit key id\0" + b"\x02" * 32
                                        ).hexdigest()[:8]
    sealed = key.seal(b"content")
    scheme, key_id, digest = sealed.split(":")
    assert (scheme, key_id, len(digest), len(sealed)) == ("h1", key.key_id, 43, 55)
    assert "=" not in digest


@pytest.mark.parametrize("sealed, key_id", [
    ("h1:1a2b3c4d:abc", "1a2b3c4d"), ("h2:1a2b3c4d:abc", None), ("h1:1a2b3c4d", None),
    ("h1:1a2b3c4d:abc:def", None), ("0" * 64, None)])
def test_a_hash_names_its_key_only_in_the_keyed_scheme(sealed, key_id):
    assert key_id_of(sealed) == key_id


@pytest.mark.parametrize("text", ["ab" * 31, "not a key", ""])
def test_a_file_that_is_not_a_key_is_named(tmp_path, text):
    path = tmp_path / "audit.key"
    path.write_text(text)
    with pytest.raises(AuditKeyError) as refused:
        load_key(path)
    assert str(refused.value) == (
        f"Audit key file {path}: not a PracticeRx audit key (expected 64 hexadecimal "
        "characters); restore it from the key's backup")


def test_a_key_with_spaces_around_it_loads(tmp_path):
    path = tmp_path / "audit.key"
    path.write_text("  " + "ef" * 32 + "\r\n")
    assert load_key(path).secret == bytes.fromhex("ef" * 32)


def test_a_missing_key_is_none_and_nothing_is_created(tmp_path):
    assert load_key(tmp_path / "audit.key") is None
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("make, named", [
    (lambda path: path.mkdir(), "IsADirectoryError"),
    (lambda path: path.write_bytes(b"\xff" * 64), "UnicodeDecodeError")])
def test_an_unreadable_key_file_is_named(tmp_path, make, named):
    path = tmp_path / "audit.key"
    make(path)
    with pytest.raises(AuditKeyError) as refused:
        load_key(path)
    assert str(refused.value) == f"Audit key file {path}: cannot be read ({named})"


# -- the anchor file ------------------------------------------------------------------------

def test_a_database_is_named_the_same_whoever_connects(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert database_identity("sqlite:///practice.sqlite3") == \
        f"sqlite:{tmp_path.resolve() / 'practice.sqlite3'}"
    assert database_identity("postgresql+psycopg://app:secret@db.surgery.nhs.uk:5433/rx") == \
        "postgresql://db.surgery.nhs.uk:5433/rx"
    assert database_identity("postgresql://owner@/rx") == "postgresql://localhost:5432/rx"


def test_an_in_memory_database_is_named_by_the_folder_it_runs_in(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert database_identity("sqlite://") == f"sqlite:{tmp_path.resolve()}"


def test_the_anchor_is_beside_the_key_named_by_its_database(tmp_path):
    key = tmp_path / "keys" / "audit.key"
    url = "postgresql://db.surgery.nhs.uk:5433/rx"
    digest = hashlib.sha256(b"postgresql://db.surgery.nhs.uk:5433/rx").hexdigest()[:16]
    assert anchor_path(key, url) == tmp_path / "keys" / f"audit-anchor-{digest}.json"


def test_an_anchor_is_one_512_byte_record_only_its_owner_reads(tmp_path):
    path = tmp_path / "server" / "keys" / "anchor.json"  # folders made as needed
    assert write_anchor(path, Anchor(7, "h1:ab:cd", 7, "2026-11-24T09:31:00+00:00"),
                        "x" * 250 + "sqlite:/srv/practice.sqlite3")
    data = path.read_bytes()
    assert len(data) == RECORD_SIZE == 512 and data.rstrip(b" ") == data.strip()
    assert json.loads(data) == {"last_id": 7, "last_hash": "h1:ab:cd", "count": 7,
                                "written_at": "2026-11-24T09:31:00+00:00",
                                "database": "x" * 172 + "sqlite:/srv/practice.sqlite3"}
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert read_anchor(path) == Anchor(7, "h1:ab:cd", 7, "2026-11-24T09:31:00+00:00")


def test_an_anchor_only_moves_forward_unless_forced_or_counted(tmp_path):
    path = tmp_path / "anchor.json"
    assert write_anchor(path, Anchor(10, "ten"), "db")
    assert not write_anchor(path, Anchor(9, "nine"), "db")
    assert not write_anchor(path, Anchor(10, "other"), "db")
    assert read_anchor(path) == Anchor(10, "ten")
    assert write_anchor(path, Anchor(10, "ten", count=10), "db")  # the same row, now counted
    assert read_anchor(path) == Anchor(10, "ten", 10)
    assert write_anchor(path, Anchor(11, "eleven"), "db")
    assert write_anchor(path, Anchor(3, "three", 3), "db", force=True)
    assert read_anchor(path) == Anchor(3, "three", 3)


def test_an_empty_anchor_file_is_no_anchor_and_is_written(tmp_path):
    path = tmp_path / "anchor.json"
    path.write_text("   \n")
    assert read_anchor(path) is None
    assert write_anchor(path, Anchor(1, "one"), "db")
    assert read_anchor(path) == Anchor(1, "one", None, "")


@pytest.mark.parametrize("content", [
    "{broken", '{"last_hash": "x"}', '{"last_id": "seven", "last_hash": "x"}',
    '{"last_id": 7, "last_hash": "x", "count": "many"}', '[7, "x"]'])
def test_an_anchor_that_cannot_be_parsed_is_unreadable(tmp_path, content):
    path = tmp_path / "anchor.json"
    path.write_text(content)
    assert read_anchor(path) == Anchor(-1, "unreadable")


def test_an_anchor_that_cannot_be_read_is_unreadable(tmp_path):
    (tmp_path / "anchor.json").mkdir()
    assert read_anchor(tmp_path / "anchor.json") == Anchor(-1, "unreadable")
    assert read_anchor(tmp_path / "none.json") is None


def test_an_unreadable_anchor_is_overwritten_by_the_next_commit(tmp_path):
    path = tmp_path / "anchor.json"
    path.write_text("{broken")
    assert write_anchor(path, Anchor(2, "two"), "db")
    assert read_anchor(path) == Anchor(2, "two")


def test_an_anchor_of_bytes_that_are_not_text_is_unreadable_and_overwritten(tmp_path):
    path = tmp_path / "anchor.json"
    path.write_bytes(b'{"last_id": 7, "last_hash": "\xff\xfe"}')
    assert read_anchor(path) == Anchor(7, "\ufffd\ufffd")  # read, the bytes replaced
    path.write_bytes(b"\xff" * 40)
    assert read_anchor(path) == Anchor(-1, "unreadable")
    assert write_anchor(path, Anchor(2, "two"), "db")
    assert read_anchor(path) == Anchor(2, "two")


def test_a_workstation_waits_for_another_writing_the_anchor(tmp_path):
    """Read, compare and write under the file lock: a racing writer cannot move it back."""
    import fcntl
    import threading
    import time

    path = tmp_path / "anchor.json"
    write_anchor(path, Anchor(1, "one"), "db")
    holder = os.open(path, os.O_RDWR)
    fcntl.flock(holder, fcntl.LOCK_EX)
    writer = threading.Thread(target=write_anchor, args=(path, Anchor(5, "five"), "db"))
    writer.start()
    time.sleep(0.3)
    waited = writer.is_alive()
    fcntl.flock(holder, fcntl.LOCK_UN)
    os.close(holder)
    writer.join(5)
    assert waited and read_anchor(path) == Anchor(5, "five")


def test_a_key_file_of_other_text_cannot_be_read(tmp_path):
    path = tmp_path / "audit.key"
    path.write_text("é" * 64, encoding="utf-8")
    with pytest.raises(AuditKeyError) as refused:
        load_key(path)
    assert str(refused.value) == f"Audit key file {path}: cannot be read (UnicodeDecodeError)"
