"""the link worker's casework: sources, allocation, contacts, plans, connections, measures

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:37:49

Every existing referral was raised in the practice, so ``source`` starts as
``practice`` for all of them; nothing is allocated, no contact is due. New
tables start empty. Contacts, allocations, plan versions, connection moves and
measure results are append-only: triggers refuse UPDATE and DELETE on both
backends (and TRUNCATE on PostgreSQL), as for notes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

APPEND_ONLY_TABLES = ("referral_allocation", "contact", "care_plan_version",
                      "plan_connection_event", "measure_result")


def _sqlite_triggers(table: str) -> list[str]:
    message = f"{table} is append-only: a row cannot be changed or removed"
    return [f"""CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table}
                BEGIN SELECT RAISE(ABORT, '{message}'); END""" for verb in ("UPDATE", "DELETE")]


def _postgres_triggers(table: str) -> list[str]:
    message = f"{table} is append-only: a row cannot be changed or removed"
    return [
        f"""CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{message}'; END $$""",
        f"""CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION {table}_append_only()""",
        f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()""",
    ]


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('measure_definition',
    sa.Column('measure_id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('plugin', sa.String(length=100), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('measure_id', 'version', name=op.f('pk_measure_definition'))
    )
    op.create_table('care_plan_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('who_involved', sa.Text(), nullable=False),
    sa.Column('what_matters', sa.Text(), nullable=False),
    sa.Column('outcomes', sa.JSON(), nullable=False),
    sa.Column('actions', sa.JSON(), nullable=False),
    sa.Column('review_on', sa.Date(), nullable=True),
    sa.Column('agreed_with', sa.String(length=200), nullable=False),
    sa.Column('agreed_on', sa.Date(), nullable=True),
    sa.Column('sections', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_care_plan_version_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_care_plan_version_referral_id_referral')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_plan_version'))
    )
    with op.batch_alter_table('care_plan_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_plan_version_referral_id'), ['referral_id'], unique=False)

    op.create_table('case_closure',
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=False),
    sa.Column('goals_met', sa.String(length=20), nullable=False),
    sa.Column('why_not', sa.Text(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['closed_by_id'], ['user_account.id'], name=op.f('fk_case_closure_closed_by_id_user_account')),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_case_closure_referral_id_referral')),
    sa.PrimaryKeyConstraint('referral_id', name=op.f('pk_case_closure'))
    )
    op.create_table('contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('contact_type', sa.String(length=20), nullable=False),
    sa.Column('made', sa.Boolean(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('next_contact_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_contact_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_contact_referral_id_referral')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact'))
    )
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_referral_id'), ['referral_id'], unique=False)

    op.create_table('measure_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.String(length=64), nullable=False),
    sa.Column('measure_version', sa.Integer(), nullable=False),
    sa.Column('occasion', sa.String(length=20), nullable=False),
    sa.Column('answered_on', sa.Date(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_measure_result_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_measure_result_referral_id_referral')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measure_result'))
    )
    with op.batch_alter_table('measure_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measure_result_referral_id'), ['referral_id'], unique=False)

    op.create_table('plan_connection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_plan_connection_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_plan_connection_referral_id_referral')),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_plan_connection_service_id_service')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_connection'))
    )
    with op.batch_alter_table('plan_connection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_connection_referral_id'), ['referral_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_connection_service_id'), ['service_id'], unique=False)

    op.create_table('referral_allocation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('link_worker_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('by_user_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['by_user_id'], ['user_account.id'], name=op.f('fk_referral_allocation_by_user_id_user_account')),
    sa.ForeignKeyConstraint(['link_worker_id'], ['user_account.id'], name=op.f('fk_referral_allocation_link_worker_id_user_account')),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_referral_allocation_referral_id_referral')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_allocation'))
    )
    with op.batch_alter_table('referral_allocation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_allocation_referral_id'), ['referral_id'], unique=False)

    op.create_table('plan_connection_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('connection_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['connection_id'], ['plan_connection.id'], name=op.f('fk_plan_connection_event_connection_id_plan_connection')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_plan_connection_event_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_connection_event'))
    )
    with op.batch_alter_table('plan_connection_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_connection_event_connection_id'), ['connection_id'], unique=False)

    with op.batch_alter_table('practice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_attempts', sa.Integer(), server_default='3', nullable=False))

    # SQLite adds the columns in place (its ADD COLUMN takes a REFERENCES clause): no copy
    # of the referral table, which events, notes, chases and letters refer to
    with op.batch_alter_table('referral', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=30), server_default='practice', nullable=False))
        batch_op.add_column(sa.Column('referrer_organisation', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('referrer_name', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('referrer_contact', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('received_by', sa.String(length=20), server_default='', nullable=False))
        batch_op.add_column(sa.Column('next_contact_due_on', sa.Date(), nullable=True))
    postgres = op.get_bind().dialect.name == 'postgresql'
    if postgres:
        op.add_column('referral', sa.Column('allocated_to_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_referral_allocated_to_id_user_account'), 'referral',
                              'user_account', ['allocated_to_id'], ['id'])
    else:  # SQLite's ADD COLUMN takes a named REFERENCES clause; its ALTER cannot add one
        op.execute("ALTER TABLE referral ADD COLUMN allocated_to_id INTEGER CONSTRAINT "
                   "fk_referral_allocated_to_id_user_account REFERENCES user_account (id)")
    op.create_index(op.f('ix_referral_allocated_to_id'), 'referral', ['allocated_to_id'],
                    unique=False)
    for table in APPEND_ONLY_TABLES:
        for statement in _postgres_triggers(table) if postgres else _sqlite_triggers(table):
            op.execute(statement)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    for table in APPEND_ONLY_TABLES:
        if postgres:
            op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
            op.execute(f"DROP TRIGGER {table}_no_change ON {table}")
            op.execute(f"DROP FUNCTION {table}_append_only()")
        else:
            op.execute(f"DROP TRIGGER {table}_no_update")
            op.execute(f"DROP TRIGGER {table}_no_delete")
    with op.batch_alter_table('referral', schema=None) as batch_op:
        if postgres:
            batch_op.drop_constraint(batch_op.f('fk_referral_allocated_to_id_user_account'),
                                     type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_referral_allocated_to_id'))
        batch_op.drop_column('next_contact_due_on')
        batch_op.drop_column('allocated_to_id')
        batch_op.drop_column('received_by')
        batch_op.drop_column('referrer_contact')
        batch_op.drop_column('referrer_name')
        batch_op.drop_column('referrer_organisation')
        batch_op.drop_column('source')

    with op.batch_alter_table('practice', schema=None) as batch_op:
        batch_op.drop_column('contact_attempts')

    with op.batch_alter_table('plan_connection_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_connection_event_connection_id'))

    op.drop_table('plan_connection_event')
    with op.batch_alter_table('referral_allocation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_allocation_referral_id'))

    op.drop_table('referral_allocation')
    with op.batch_alter_table('plan_connection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_connection_service_id'))
        batch_op.drop_index(batch_op.f('ix_plan_connection_referral_id'))

    op.drop_table('plan_connection')
    with op.batch_alter_table('measure_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measure_result_referral_id'))

    op.drop_table('measure_result')
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_referral_id'))

    op.drop_table('contact')
    op.drop_table('case_closure')
    with op.batch_alter_table('care_plan_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_plan_version_referral_id'))

    op.drop_table('care_plan_version')
    op.drop_table('measure_definition')
