"""PostgreSQL: the due-date and last-chased sort indexes hold their NULLs first

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 20:05:00

A referral with no due date (a draft, a closed one) or never chased sorts as the
smallest value on both backends, as SQLite orders NULLs. PostgreSQL orders them as the
largest, so the same sort gave a different list there (no due date last ascending), and
asking it for NULLs first could not use its index: at a million referrals every page by
last chase sorted the lot (300 to 1,600 ms). On PostgreSQL these two indexes are made
again with NULLS FIRST, which both the sort and its reverse read in order. SQLite's
indexes already are, and are not touched; no row changes.
"""

from __future__ import annotations

from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

#: index name -> its leading column
INDEXES = {"ix_referral_sort_due": "response_due_on",
           "ix_referral_sort_last_chased": "last_chased_at"}


def _rebuild(nulls: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, column in INDEXES.items():
        op.drop_index(name, table_name="referral")
        op.execute(f"CREATE INDEX {name} ON referral ({column} ASC NULLS {nulls}, id, "
                   "practice_id)")


def upgrade() -> None:
    _rebuild("FIRST")


def downgrade() -> None:
    _rebuild("LAST")
