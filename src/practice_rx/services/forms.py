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


def form_owners(session: Session) -> dict[str, str]:
    """Each installed form id's plugin: the one that installed its earliest version."""
    owners: dict[str, str] = {}
    for form_id, plugin in session.execute(
            select(FormDefinitionRecord.form_id, FormDefinitionRecord.plugin)
            .where(FormDefinitionRecord.plugin != "")
            .order_by(FormDefinitionRecord.form_id, FormDefinitionRecord.version)):
        owners.setdefault(form_id, plugin)
    return owners


def refusal(plugin: str, form: FormDefinition, owners: dict[str, str]) -> str | None:
    """Why ``plugin``'s form cannot be installed at all, or None."""
    missing = core_field_problems(form)
    if missing:
        return str(FormDefinitionError(missing, f"form '{form.id}'"))
    owner = owners.get(form.id, plugin)
    if owner != plugin:
        return (f"form id '{form.id}' belongs to the plugin '{owner}', which registered it "
                f"first; this plugin's form '{form.id}' version {form.version} is not "
                f"installed. Give the form an id of its own, such as '{plugin}_{form.id}'.")
    return None


def install(session: Session, plugin: str, form: FormDefinition) -> str | None:
    """Add or reactivate one form version; a problem if it differs from the installed one."""
    definition = form.to_dict()
    record = session.get(FormDefinitionRecord, (form.id, form.version))
    if record is None:
        session.add(FormDefinitionRecord(form_id=form.id, version=form.version,
                                         title=form.title, plugin=plugin,
                                         definition=definition, active=True))
        return None
    record.active = True
    return differs_from_installed(session, form)


def differs_from_installed(session: Session, form: FormDefinition) -> str | None:
    """The problem :func:`install` would report for ``form``, found without writing."""
    record = session.get(FormDefinitionRecord, (form.id, form.version))
    if record is not None and record.definition != form.to_dict():
        return (f"form '{form.id}' version {form.version} differs from the installed one "
                "under the same version; the installed one is kept. Give a changed form a "
                "new version number.")
    return None


class FormService(ServiceBase):
    def sync(self, forms: Iterable[tuple[str, FormDefinition]]) -> list[tuple[str, str]]:
        """Install the (plugin, form) pairs supplied now; forms no longer supplied go inactive.

        A form id belongs to the plugin that registered it first (its
        ``plugin`` column), so another plugin cannot replace a practice's form
        by shipping the same id. Returns (plugin, problem) for each form refused
        (not a referral form, another plugin's id, or a changed definition under
        a version already installed); the rest install.
        """
        problems: list[tuple[str, str]] = []
        supplied: set[tuple[str, int]] = set()
        with self.db.transaction() as session:
            owners = form_owners(session)
            for plugin, form in forms:
                refused = refusal(plugin, form, owners)
                if refused:
                    problems.append((plugin, refused))
                    continue
                owners.setdefault(form.id, plugin)
                changed = install(session, plugin, form)
                if changed:
                    problems.append((plugin, changed))
                supplied.add((form.id, form.version))
            for record in session.scalars(select(FormDefinitionRecord).where(
                    FormDefinitionRecord.active.is_(True))):
                if (record.form_id, record.version) not in supplied:
                    record.active = False
        return problems

    def check(self, forms: Iterable[tuple[str, FormDefinition]]) -> list[tuple[str, str]]:
        """The (plugin, problem) pairs :meth:`sync` would give, without installing anything:
        for a listing of the plugins that must not change the database it looks at."""
        problems: list[tuple[str, str]] = []
        with self.db.reading() as session:
            owners = form_owners(session)
            for plugin, form in forms:
                problem = refusal(plugin, form, owners) or differs_from_installed(session, form)
                owners.setdefault(form.id, plugin)
                if problem:
                    problems.append((plugin, problem))
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
