"""which referral events' SNOMED CT codes were exported for the GP record

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 15:50:00

A new, empty table: one row each time an event's code is written to a file for the
practice to record in the GP system. Append-only: triggers refuse UPDATE and DELETE on
both backends (and TRUNCATE on PostgreSQL), as in 0007, so an export once made stays
on record.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

TABLE = "event_code_export"
MESSAGE = f"{TABLE} is append-only: a row cannot be changed or removed"


def _sqlite_triggers() -> list[str]:
    return [f"""CREATE TRIGGER {TABLE}_no_{verb.lower()} BEFORE {verb} ON {TABLE}
                BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""" for verb in ("UPDATE", "DELETE")]


def _postgres_triggers() -> list[str]:
    return [
        f"""CREATE FUNCTION {TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$""",
        f"""CREATE TRIGGER {TABLE}_no_change BEFORE UPDATE OR DELETE ON {TABLE}
            FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()""",
        f"""CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
            FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_append_only()""",
    ]


def upgrade() -> None:
    op.create_table(TABLE,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('exported_at', sa.DateTime(), nullable=False),
    sa.Column('exported_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['referral_event.id'], name=op.f('fk_event_code_export_event_id_referral_event')),
    sa.ForeignKeyConstraint(['exported_by_id'], ['user_account.id'], name=op.f('fk_event_code_export_exported_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_code_export'))
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_code_export_event_id'), ['event_id'], unique=False)
    postgres = op.get_bind().dialect.name == 'postgresql'
    for statement in _postgres_triggers() if postgres else _sqlite_triggers():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f"DROP TRIGGER {TABLE}_no_truncate ON {TABLE}")
        op.execute(f"DROP TRIGGER {TABLE}_no_change ON {TABLE}")
        op.execute(f"DROP FUNCTION {TABLE}_append_only()")
    else:
        op.execute(f"DROP TRIGGER {TABLE}_no_update")
        op.execute(f"DROP TRIGGER {TABLE}_no_delete")
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_code_export_event_id'))
    op.drop_table(TABLE)
