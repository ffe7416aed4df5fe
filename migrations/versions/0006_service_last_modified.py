"""services remember when their source last changed them

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 10:45:00

``service.last_modified`` holds the ``last_modified`` an imported directory (Open
Referral UK) gives a service, in UTC without a zone, like every other time in the
database; it is NULL for services whose source does not say (CSV catalogues,
the practice's own). Adding a nullable column changes no row.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite adds a column in place: no copy of the service table, which referrals refer to
    with op.batch_alter_table('service', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('last_modified', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('service', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('last_modified')
