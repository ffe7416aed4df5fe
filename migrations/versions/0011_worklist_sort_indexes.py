"""indexes that match each worklist sort

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 18:00:00

One index per sort on a referral column, in the sort's order with ties by id, carrying
the practice so the practice scope is checked from the index: a page's ids are then an
index walk that stops after the page (or, past the middle, a walk from the far end),
not a sort of every referral. They replace the single-column created and last-chased
indexes, whose leading column they share. The sorts by patient, referrer and service
walk that table in name order (then id), and each row's referrals by id. The overdue
index gains the practice, so the chase list's total is counted from the index alone.
Only indexes change: no row is touched.
"""

from __future__ import annotations

from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

#: index name -> the sort's column (then id, then the practice)
SORTS = {
    "ix_referral_sort_created": "created_at",
    "ix_referral_sort_due": "response_due_on",
    "ix_referral_sort_updated": "status_changed_at",
    "ix_referral_sort_urgency": "urgency",
    "ix_referral_sort_status": "status",
    "ix_referral_sort_last_chased": "last_chased_at",
}

#: the joined sorts: each table in name order, then its referrals by id
JOINED = ("patient", "referrer", "service")
NAMES = (("ix_patient_sort_name", "patient", ["family_name", "given_name", "id"]),
         ("ix_user_account_sort_name", "user_account", ["display_name", "id"]),
         ("ix_service_sort_name", "service", ["name", "id"]))


def upgrade() -> None:
    op.drop_index("ix_referral_created_at", table_name="referral")
    op.drop_index("ix_referral_last_chased_at", table_name="referral")
    op.drop_index("ix_referral_status_due", table_name="referral")
    op.create_index("ix_referral_status_due", "referral",
                    ["status", "response_due_on", "practice_id"])
    for name, column in SORTS.items():
        op.create_index(name, "referral", [column, "id", "practice_id"])
    op.create_index("ix_referral_sort_id", "referral", ["id", "practice_id"])
    for name in JOINED:
        op.create_index(f"ix_referral_sort_{name}", "referral", [f"{name}_id", "id",
                                                                 "practice_id"])
    for name, table, columns in NAMES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in NAMES:
        op.drop_index(name, table_name=table)
    for name in JOINED:
        op.drop_index(f"ix_referral_sort_{name}", table_name="referral")
    op.drop_index("ix_referral_sort_id", table_name="referral")
    for name in SORTS:
        op.drop_index(name, table_name="referral")
    op.create_index("ix_referral_last_chased_at", "referral", ["last_chased_at"])
    op.drop_index("ix_referral_status_due", table_name="referral")
    op.create_index("ix_referral_status_due", "referral", ["status", "response_due_on"])
    op.create_index("ix_referral_created_at", "referral", ["created_at"])
