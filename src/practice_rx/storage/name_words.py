"""Each word of a patient's folded names in its own indexed row: a name search reads an
index range instead of testing every patient's names.

``search_key LIKE '% smi%'`` cannot use an index (the word may be anywhere in the
key), so at 200,000 patients every search scanned them all (about half a second).
A word that starts with "smi" lies between "smi" and "smj" in code-point order, which
both backends index: SQLite compares text bytewise, and PostgreSQL is told to (the
``C`` collation), since a locale's order can ignore punctuation and put words beyond
that range. The rows follow the names on every save through the ORM, and bulk loads
(the demo) write them with :func:`word_rows`.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, ForeignKey, String, and_, delete, event, insert
from sqlalchemy.orm import Mapped, mapped_column

from practice_rx.storage.models import Base, Patient

#: a word is at most a whole folded name, as long as ``Patient.search_key`` allows
_WORD = String(420).with_variant(String(420, collation="C"), "postgresql")


class PatientNameWord(Base):
    """One word of one patient's folded names (``search_key`` split on its spaces)."""

    __tablename__ = "patient_name_word"

    word: Mapped[str] = mapped_column(_WORD, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), primary_key=True,
                                            index=True)


def word_rows(patient_id: int, key: str) -> list[dict[str, object]]:
    """The rows a patient with this ``search_key`` has: each distinct word once."""
    return [{"word": word, "patient_id": patient_id} for word in sorted(set(key.split()))]


def starts_with(word: str) -> ColumnElement[bool]:
    """Name words starting with ``word`` (folded), as an index range."""
    column = PatientNameWord.word
    last = ord(word[-1]) + 1
    if last == 0xD800:  # no text holds a surrogate: the next character is U+E000
        last = 0xE000
    if last > 0x10FFFF:
        return column >= word
    return and_(column >= word, column < word[:-1] + chr(last))


@event.listens_for(Patient, "after_insert")
@event.listens_for(Patient, "after_update")
def _index_words(_mapper, connection, patient: Patient) -> None:
    """Rewrite the patient's words in the same flush (a patient's names rarely change)."""
    table = PatientNameWord.__table__
    connection.execute(delete(table).where(table.c.patient_id == patient.id))
    rows = word_rows(patient.id, patient.search_key)
    if rows:
        connection.execute(insert(table), rows)
