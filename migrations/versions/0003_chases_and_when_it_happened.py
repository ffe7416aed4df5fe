"""chases recorded per referral; a status change keeps when it happened

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 08:10:00

Existing events happened when they were recorded, so ``occurred_at`` starts as
a copy of ``at``; the column becomes NOT NULL once filled.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('referral_chase',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('letter_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['letter_id'], ['letter.id'], name=op.f('fk_referral_chase_letter_id_letter')),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_referral_chase_referral_id_referral')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_referral_chase_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_chase'))
    )
    with op.batch_alter_table('referral_chase', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_chase_referral_id'), ['referral_id'], unique=False)

    with op.batch_alter_table('practice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chase_again_days', sa.Integer(), nullable=False, server_default='5'))

    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_chased_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_referral_last_chased_at', ['last_chased_at'], unique=False)

    with op.batch_alter_table('referral_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('occurred_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE referral_event SET occurred_at = at")
    with op.batch_alter_table('referral_event', schema=None) as batch_op:
        batch_op.alter_column('occurred_at', existing_type=sa.DateTime(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('referral_event', schema=None) as batch_op:
        batch_op.drop_column('occurred_at')

    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_last_chased_at')
        batch_op.drop_column('last_chased_at')

    with op.batch_alter_table('practice', schema=None) as batch_op:
        batch_op.drop_column('chase_again_days')

    with op.batch_alter_table('referral_chase', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_chase_referral_id'))

    op.drop_table('referral_chase')
