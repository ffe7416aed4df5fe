"""each word of a patient's folded names, indexed, for the name search

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 19:40:00

A name search matched ``search_key LIKE '% word%'``, which no index serves: at
200,000 patients every search read them all. ``patient_name_word`` holds each
distinct word of every patient's search key under a ``(word, patient_id)`` key, so
words starting with what was typed are an index range (compared bytewise: the ``C``
collation on PostgreSQL). Existing patients' words are written from their stored
search keys; no existing row is changed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

BATCH = 5_000


def upgrade() -> None:
    words = op.create_table(
        "patient_name_word",
        sa.Column("word", sa.String(420).with_variant(sa.String(420, collation="C"),
                                                      "postgresql"), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"],
                                name="fk_patient_name_word_patient_id_patient"),
        sa.PrimaryKeyConstraint("word", "patient_id", name="pk_patient_name_word"),
    )
    op.create_index("ix_patient_name_word_patient_id", "patient_name_word", ["patient_id"])
    connection = op.get_bind()
    patients = sa.table("patient", sa.column("id", sa.Integer),
                        sa.column("search_key", sa.String))
    after = 0
    while True:
        batch = connection.execute(
            sa.select(patients.c.id, patients.c.search_key).where(patients.c.id > after)
            .order_by(patients.c.id).limit(BATCH)).all()
        if not batch:
            break
        rows = [{"word": word, "patient_id": patient_id}
                for patient_id, key in batch for word in sorted(set((key or "").split()))]
        if rows:
            connection.execute(sa.insert(words), rows)
        after = batch[-1].id


def downgrade() -> None:
    op.drop_index("ix_patient_name_word_patient_id", table_name="patient_name_word")
    op.drop_table("patient_name_word")
