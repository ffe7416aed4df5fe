"""electronic delivery of referrals (MESH, plugin channels) and imported referrals' identifiers

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 16:45:00

A service gains a delivery method (``post`` for every existing one: nothing changes
until an admin says otherwise), an address and a workflow id; a practice its MESH
mailbox id. Two new, empty tables record each delivery and the exact files sent. A
referral imported from another system keeps that system's identifier for it, unique,
so the same bundle imported twice is refused rather than made into two referrals.
Nothing is removed or rewritten.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('service', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('delivery_method', sa.String(length=40),
                                      server_default='post', nullable=False))
        batch_op.add_column(sa.Column('delivery_address', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('delivery_workflow_id', sa.String(length=64),
                                      nullable=True))
    with op.batch_alter_table('practice', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('mesh_mailbox_id', sa.String(length=20), nullable=True))
    with op.batch_alter_table('referral', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('sender_identifier_system', sa.String(length=255),
                                      nullable=True))
        batch_op.add_column(sa.Column('sender_identifier_value', sa.String(length=100),
                                      nullable=True))
    op.create_index('uq_referral_sender_identifier', 'referral',
                    ['sender_identifier_system', 'sender_identifier_value'], unique=True)
    op.create_table('referral_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=40), nullable=False),
    sa.Column('to_address', sa.String(length=255), nullable=False),
    sa.Column('local_id', sa.String(length=200), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.Column('failed_at', sa.DateTime(), nullable=True),
    sa.Column('last_polled_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_referral_delivery_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_referral_delivery_referral_id_referral')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_delivery')),
    sa.UniqueConstraint('local_id', name=op.f('uq_referral_delivery_local_id'))
    )
    op.create_index(op.f('ix_referral_delivery_referral_id'), 'referral_delivery',
                    ['referral_id'], unique=False)
    op.create_table('referral_delivery_file',
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('message_id', sa.String(length=100), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['referral_delivery.id'], name=op.f('fk_referral_delivery_file_delivery_id_referral_delivery')),
    sa.PrimaryKeyConstraint('delivery_id', 'position', name=op.f('pk_referral_delivery_file'))
    )


def downgrade() -> None:
    op.drop_table('referral_delivery_file')
    op.drop_index(op.f('ix_referral_delivery_referral_id'), table_name='referral_delivery')
    op.drop_table('referral_delivery')
    op.drop_index('uq_referral_sender_identifier', table_name='referral')
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_column('sender_identifier_value')
        batch_op.drop_column('sender_identifier_system')
    with op.batch_alter_table('practice', schema=None) as batch_op:
        batch_op.drop_column('mesh_mailbox_id')
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_column('delivery_workflow_id')
        batch_op.drop_column('delivery_address')
        batch_op.drop_column('delivery_method')
