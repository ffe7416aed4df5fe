"""notes are rows, each with its author and time, never changed or removed

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 09:30:00

``referral.notes`` held lines like ``[24 Nov 2026 14:05 Dr Asha Patel] text``
(a note could run on over several lines). Each stamped note becomes a row with
that time and author when the name is exactly one user's; any other text (an
unknown or shared name, text without a stamp) is kept whole, attributed to the
referral's referrer at the referral's ``updated_at``. The column is then
dropped. Triggers make the table refuse UPDATE and DELETE on both backends.
Downgrading writes the rows back as stamped lines.
"""

from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
STAMP = re.compile(r"\[(\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}) ")
APPEND_ONLY = "referral_note is append-only: a note cannot be changed or removed"
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER referral_note_no_{verb.lower()} BEFORE {verb} ON referral_note
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"""
    for verb in ("UPDATE", "DELETE")
]
POSTGRES_TRIGGERS = [
    f"""CREATE FUNCTION referral_note_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$""",
    """CREATE TRIGGER referral_note_no_change BEFORE UPDATE OR DELETE ON referral_note
        FOR EACH ROW EXECUTE FUNCTION referral_note_append_only()""",
    """CREATE TRIGGER referral_note_no_truncate BEFORE TRUNCATE ON referral_note
        FOR EACH STATEMENT EXECUTE FUNCTION referral_note_append_only()""",
]

referral = sa.table('referral', sa.column('id', sa.Integer), sa.column('referrer_id', sa.Integer),
                    sa.column('updated_at', sa.DateTime), sa.column('notes', sa.Text))
user_account = sa.table('user_account', sa.column('id', sa.Integer),
                        sa.column('display_name', sa.String))
referral_note = sa.table('referral_note', sa.column('id', sa.Integer),
                         sa.column('referral_id', sa.Integer), sa.column('author_id', sa.Integer),
                         sa.column('at', sa.DateTime), sa.column('text', sa.Text))


def _stamp_time(match: re.Match[str]) -> datetime | None:
    day, month, year, hour, minute = match.groups()
    if month not in MONTHS:
        return None
    try:
        return datetime(int(year), MONTHS.index(month) + 1, int(day), int(hour), int(minute))
    except ValueError:
        return None


def _blocks(text: str) -> list[str]:
    """The notes text cut before each stamped line; text before the first stamp is a block."""
    blocks: list[list[str]] = []
    for line in text.splitlines():
        if STAMP.match(line) or not blocks:
            blocks.append([line])
        else:
            blocks[-1].append(line)
    return ["\n".join(block).strip() for block in blocks if "\n".join(block).strip()]


def parse_notes(text: str, users: dict[str, int | None], referrer_id: int,
                updated_at: datetime) -> list[dict[str, object]]:
    """Rows for one referral's notes text; ``users`` maps a display name to its one user id
    (None when several users share it)."""
    rows = []
    for block in _blocks(text):
        match = STAMP.match(block)
        at = _stamp_time(match) if match else None
        rest = block[match.end():] if match else ""
        names = [name for name, user_id in users.items()
                 if user_id is not None and rest.startswith(f"{name}] ")]
        if at is not None and names:
            name = max(names, key=len)
            rows.append({'author_id': users[name], 'at': at,
                         'text': rest[len(name) + 2:].strip() or block})
        else:
            rows.append({'author_id': referrer_id, 'at': updated_at, 'text': block})
    return rows


def _names(connection: sa.Connection) -> dict[str, int | None]:
    names: dict[str, int | None] = {}
    for user_id, name in connection.execute(sa.select(user_account.c.id,
                                                      user_account.c.display_name)):
        names[name] = None if name in names else user_id
    return names


def upgrade() -> None:
    op.create_table('referral_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_referral_note_author_id_user_account')),
    sa.ForeignKeyConstraint(['corrects_id'], ['referral_note.id'], name=op.f('fk_referral_note_corrects_id_referral_note')),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_referral_note_referral_id_referral')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_note'))
    )
    with op.batch_alter_table('referral_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_note_referral_id'), ['referral_id'], unique=False)

    connection = op.get_bind()
    users = _names(connection)
    found = connection.execute(
        sa.select(referral.c.id, referral.c.referrer_id, referral.c.updated_at, referral.c.notes)
        .where(referral.c.notes != '').order_by(referral.c.id))
    rows = [{'referral_id': referral_id, **row}
            for referral_id, referrer_id, updated_at, notes in found
            for row in parse_notes(notes or '', users, referrer_id, updated_at)]
    if rows:
        connection.execute(referral_note.insert(), rows)

    # SQLite 3.35+ drops a plain column in place: no copy of the referral table, which the
    # events, chases and letters refer to
    with op.batch_alter_table('referral', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('notes')
    for statement in (POSTGRES_TRIGGERS if connection.dialect.name == 'postgresql'
                      else SQLITE_TRIGGERS):
        op.execute(statement)


def _stamped(at: datetime, name: str, text: str) -> str:
    return f"[{at.day:02d} {MONTHS[at.month - 1]} {at.year} {at:%H:%M} {name}] {text}"


def downgrade() -> None:
    connection = op.get_bind()
    with op.batch_alter_table('referral', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('notes', sa.Text(), nullable=False, server_default=''))
    notes: dict[int, list[str]] = {}
    for referral_id, at, name, text in connection.execute(
            sa.select(referral_note.c.referral_id, referral_note.c.at,
                      user_account.c.display_name, referral_note.c.text)
            .join(user_account, user_account.c.id == referral_note.c.author_id)
            .order_by(referral_note.c.id)):
        notes.setdefault(referral_id, []).append(_stamped(at, name, text))
    if notes:
        connection.execute(
            referral.update().where(referral.c.id == sa.bindparam('referral_id'))
            .values(notes=sa.bindparam('text')),
            [{'referral_id': key, 'text': "\n".join(lines)} for key, lines in notes.items()])
    if connection.dialect.name == 'postgresql':
        op.execute("DROP TRIGGER referral_note_no_truncate ON referral_note")
        op.execute("DROP TRIGGER referral_note_no_change ON referral_note")
        op.execute("DROP FUNCTION referral_note_append_only()")
    op.drop_table('referral_note')
