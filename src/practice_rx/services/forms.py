"""Referral forms installed in the database, one row per (form, version).

Plugins supply forms at start-up; each version is kept for good, so a referral
written on version 1 stays readable and printable after version 2 ships.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from practice_rx.errors import NotFoundError
from practice_rx.forms import FormDefinition, FormDefinitionError
from practice_rx.forms.core import core_field_problems
from practice_rx.services.base import ServiceBase
from practice_rx.storage.models import FormDefinitionRecord


def load_form(session: Session, form_id: str, version: int) -> FormDefinition:
    record = session.get(FormDefinitionRecord, (form_id, version))
    if record is None:
        raise NotFoundError(
            f"Form '{form_id}' version {version} is not installed; "
            "is the plugin that supplies it installed and enabled?"
        )
    return FormDefinition.from_dict(record.definition)


class FormService(ServiceBase):
    def sync(self, forms: Iterable[tuple[str, FormDefinition]]) -> list[tuple[str, str]]:
        """Install the (plugin, form) pairs supplied now; forms no longer supplied go inactive.

        Returns (plugin, problem) for each form refused (not a referral form, or a
        changed definition under a version already installed); the rest install.
        """
        problems: list[tuple[str, str]] = []
        supplied: set[tuple[str, int]] = set()
        with self.db.transaction() as session:
            for plugin, form in forms:
                missing = core_field_problems(form)
                if missing:
                    problems.append((plugin, str(FormDefinitionError(missing, f"form '{form.id}'"))))
                    continue
                definition = form.to_dict()
                record = session.get(FormDefinitionRecord, (form.id, form.version))
                if record is None:
                    session.add(FormDefinitionRecord(form_id=form.id, version=form.version,
                                                     title=form.title, plugin=plugin,
                                                     definition=definition, active=True))
                else:
                    if record.definition != definition:
                        problems.append((plugin, (
                            f"form '{form.id}' version {form.version} differs from the installed "
                            "one under the same version; the installed one is kept. Give a "
                            "changed form a new version number."
                        )))
                    record.active = True
                supplied.add((form.id, form.version))
            for record in session.scalars(select(FormDefinitionRecord).where(
                    FormDefinitionRecord.active.is_(True))):
                if (record.form_id, record.version) not in supplied:
                    record.active = False
        return problems

    def available(self) -> list[FormDefinitionRecord]:
        """The newest active version of each form, for a new referral."""
        with self.db.reading() as session:
            records = session.scalars(
                select(FormDefinitionRecord)
                .where(FormDefinitionRecord.active.is_(True))
                .order_by(FormDefinitionRecord.form_id, FormDefinitionRecord.version.desc())
            ).all()
        newest: dict[str, FormDefinitionRecord] = {}
        for record in records:
            newest.setdefault(record.form_id, record)
        return list(newest.values())

    def get(self, form_id: str, version: int) -> FormDefinition:
        with self.db.reading() as session:
            return load_form(session, form_id, version)
