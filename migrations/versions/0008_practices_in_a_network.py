"""several practices in one database: who is registered where, who works for which

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 13:55:00

Until now a database held one practice. Every patient and every referral in it
belongs to that practice, so both are given its id; every user works for it. Link
workers and admins are marked as working across the network, as PCN link workers
and managers do, which changes nothing while there is one practice. A database with
no practice row yet keeps ``practice_id`` empty: the first practice saved claims
those rows (``PracticeService``). Nothing is removed or rewritten otherwise.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

REGISTERED_TABLES = ("patient", "referral")


def _add_practice_column(table: str, postgres: bool) -> None:
    """A nullable foreign key to practice, without copying the table on SQLite."""
    name = f"fk_{table}_practice_id_practice"
    if postgres:
        op.add_column(table, sa.Column('practice_id', sa.Integer(), nullable=True))
        op.create_foreign_key(name, table, 'practice', ['practice_id'], ['id'])
    else:  # SQLite's ADD COLUMN takes a named REFERENCES clause; its ALTER cannot add one
        op.execute(f"ALTER TABLE {table} ADD COLUMN practice_id INTEGER CONSTRAINT {name} "
                   "REFERENCES practice (id)")
    op.create_index(f"ix_{table}_practice_id", table, ['practice_id'], unique=False)


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    op.create_table('user_practice',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_user_practice_practice_id_practice')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_user_practice_user_id_user_account')),
    sa.PrimaryKeyConstraint('user_id', 'practice_id', name=op.f('pk_user_practice'))
    )
    with op.batch_alter_table('practice', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('list_size', sa.Integer(), nullable=True))
    with op.batch_alter_table('user_account', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('all_practices', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    for table in REGISTERED_TABLES:
        _add_practice_column(table, postgres)

    bind = op.get_bind()
    practice_id = bind.execute(sa.text("SELECT min(id) FROM practice")).scalar()
    if practice_id is not None:
        for table in REGISTERED_TABLES:
            bind.execute(sa.text(f"UPDATE {table} SET practice_id = :p"), {"p": practice_id})
        bind.execute(sa.text("INSERT INTO user_practice (user_id, practice_id) "
                             "SELECT id, :p FROM user_account"), {"p": practice_id})
    bind.execute(sa.text("UPDATE user_account SET all_practices = true "
                         "WHERE role IN ('link_worker', 'admin')"))


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    for table in REGISTERED_TABLES:
        op.drop_index(f"ix_{table}_practice_id", table_name=table)
        if postgres:
            op.drop_constraint(f"fk_{table}_practice_id_practice", table, type_='foreignkey')
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('practice_id')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('all_practices')
    with op.batch_alter_table('practice', schema=None) as batch_op:
        batch_op.drop_column('list_size')
    op.drop_table('user_practice')
