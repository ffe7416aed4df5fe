"""Read-only means read-only (issue 11, finding 8), and ``db check``.

Before: ``db info`` and ``audit verify`` on a misspelt path or a zero-byte file
created an empty database and reported success; a database with overwritten pages
was "at schema 0002 (latest)" for ``db upgrade`` while ``db info`` and ``audit
verify`` crashed with "database disk image is malformed".
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from practice_rx.cli import main
from practice_rx.errors import DatabaseError
from practice_rx.storage.database import Database

READERS = (["db", "info"], ["audit", "verify"], ["db", "check"], ["users", "list"])


def _folder(path: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in path.iterdir()}


def _run(url: str, command: list[str], capsys) -> tuple[int, str]:
    code = main(["--database", url, *command])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize("command", READERS)
def test_a_misspelt_path_is_an_error_and_nothing_is_created(tmp_path, command, capsys):
    code, said = _run(f"sqlite:///{tmp_path / 'practise.sqlite3'}", command, capsys)
    assert code == 2 and "There is no database at" in said and "nothing was created" in said
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", READERS)
@pytest.mark.parametrize("content, expected", [(b"", "is empty (0 bytes)"),
                                               (b"Dear Dr Patel,\n" * 40, "not a SQLite")])
def test_an_empty_or_foreign_file_is_an_error_and_left_as_it_was(tmp_path, command, content,
                                                                  expected, capsys):
    path = tmp_path / "practice.sqlite3"
    path.write_bytes(content)
    code, said = _run(f"sqlite:///{path}", command, capsys)
    assert code == 2 and expected in said and "Traceback" not in said
    assert _folder(tmp_path) == {"practice.sqlite3": hashlib.sha256(content).hexdigest()}


def test_readers_leave_a_sqlite_database_and_its_folder_as_they_found_them(db_url, backend,
                                                                           capsys):
    if backend != "sqlite":
        pytest.skip("the PostgreSQL case is test_readers_on_postgresql_cannot_write")
    Database.open(db_url).close()
    folder = Path(db_url.removeprefix("sqlite:///")).parent
    before = _folder(folder)
    for command in READERS:
        assert _run(db_url, command, capsys)[0] == 0, command
    assert _folder(folder) == before  # no -wal, no -shm, not a byte changed


def test_readers_on_postgresql_cannot_write(db_url, backend, empty_url, capsys):
    if backend != "postgresql":
        pytest.skip("the SQLite case is the two tests above")
    db = Database.open(db_url, read_only=True)
    try:
        with pytest.raises(Exception, match="read-only|readonly"):
            with db.transaction() as session:
                session.execute(text("CREATE TABLE intruder (id integer)"))
    finally:
        db.close()
    code, said = _run(empty_url, ["audit", "verify"], capsys)
    assert code == 2 and "holds no PracticeRx database" in said
    engine = create_engine(empty_url)
    try:
        assert inspect(engine).get_table_names() == []  # nothing was set up in it
    finally:
        engine.dispose()


def test_db_check_passes_a_sound_database(db_url, capsys):
    code, said = _run(db_url, ["db", "check"], capsys)
    assert code == 0 and "checked" in said and "schema is this PracticeRx's" in said


def _damage(path: Path) -> None:
    """Overwrite some pages in the middle of the file, as a failing disk might."""
    size = path.stat().st_size
    with path.open("r+b") as file:
        for page in range(2, size // 4096, 3):
            file.seek(page * 4096)
            file.write(b"\xde\xad\xbe\xef" * 1024)


@pytest.mark.parametrize("command", [["db", "check"], ["db", "upgrade"], ["db", "info"],
                                     ["audit", "verify"]])
def test_a_damaged_sqlite_file_says_restore_from_backup(tmp_path, command, capsys):
    url = f"sqlite:///{tmp_path / 'practice.sqlite3'}"
    Database.open(url).close()
    _damage(tmp_path / "practice.sqlite3")
    before = _folder(tmp_path)
    code, said = _run(url, command, capsys)
    assert code in (1, 2) and "Traceback" not in said
    assert "damaged" in said or "integrity check failed" in said
    assert "Restore it from the latest backup" in said
    assert "(latest)" not in said and "verified" not in said
    assert _folder(tmp_path) == before  # not migrated, not "repaired"


def test_a_damaged_file_refuses_a_read_only_open(tmp_path):
    url = f"sqlite:///{tmp_path / 'practice.sqlite3'}"
    Database.open(url).close()
    _damage(tmp_path / "practice.sqlite3")
    with pytest.raises(DatabaseError, match="is damaged"):
        Database.open(url, read_only=True)
