"""names searchable without accents; what kind of database this is; audit rows append-only

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 09:00:00

``patient.search_key`` is filled for existing patients here, with the same
function the service uses. The audit table refuses UPDATE and DELETE (and, on
PostgreSQL, TRUNCATE) from now on: only its owner can drop the triggers, and
``practice-rx audit verify`` notices what such an owner does.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from practice_rx.domain.search_key import search_key

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

APPEND_ONLY = "audit_event is append-only: its rows cannot be changed or removed"

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"""
    for verb in ("UPDATE", "DELETE")
]
POSTGRES_TRIGGERS = [
    f"""CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$""",
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_event
        FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
    """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
        FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()""",
]


def upgrade() -> None:
    op.create_table('database_meta',
    sa.Column('key', sa.String(length=50), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_database_meta'))
    )
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_key', sa.String(length=420), nullable=False,
                                      server_default=''))
    connection = op.get_bind()
    patient = sa.table('patient', sa.column('id', sa.Integer), sa.column('given_name'),
                       sa.column('family_name'), sa.column('search_key'))
    rows = connection.execute(sa.select(patient.c.id, patient.c.given_name,
                                        patient.c.family_name)).all()
    if rows:
        connection.execute(
            patient.update().where(patient.c.id == sa.bindparam('patient_id'))
            .values(search_key=sa.bindparam('key')),
            [{'patient_id': id_, 'key': search_key(given, family)} for id_, given, family in rows])
    for statement in (POSTGRES_TRIGGERS if connection.dialect.name == 'postgresql'
                      else SQLITE_TRIGGERS):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER audit_event_no_truncate ON audit_event")
        op.execute("DROP TRIGGER audit_event_no_update ON audit_event")
        op.execute("DROP FUNCTION audit_event_append_only()")
    else:
        op.execute("DROP TRIGGER audit_event_no_update")
        op.execute("DROP TRIGGER audit_event_no_delete")
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.drop_column('search_key')
    op.drop_table('database_meta')
