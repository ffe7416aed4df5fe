"""The catalogues in the database, for ``practice-rx catalogue list`` and ``remove``.

An imported catalogue is removed by marking its services inactive, never by deleting
them: referrals may point at them and must stay readable. A plugin's catalogue and
the practice's own are refused, since their owner (the plugin at every start, the
practice) would only bring them back or lose them. The import asks
:meth:`ImportedCatalogues.same_directory` so a second copy of one directory under
another name is never made unknowingly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from practice_rx.domain.permissions import Action
from practice_rx.errors import PracticeRxError
from practice_rx.services import Services
from practice_rx.services.base import ServiceBase
from practice_rx.services.catalogue import IMPORTED_PREFIXES, LOCAL_PLUGIN, is_imported
from practice_rx.storage.models import AuditEvent, Service

KINDS = ("local", "plugin", "imported")


class CatalogueRefused(PracticeRxError):
    """That catalogue cannot be removed here; the message says why and what to do instead."""


@dataclass(frozen=True)
class CatalogueSummary:
    """One catalogue: whose it is, how many services, and (imported) its last import."""

    name: str
    kind: str  # one of KINDS
    active: int = 0
    inactive: int = 0
    #: the last import that changed it (an unchanged import writes nothing), and from where
    last_imported: datetime | None = None
    source: str | None = None


@dataclass(frozen=True)
class SameDirectory:
    """Another imported catalogue that holds the same directory: by its recorded source,
    or by sharing ORUK service ids (which are UUIDs, so shared ones mean one directory)."""

    name: str
    same_source: bool
    shared: int


@dataclass(frozen=True)
class Removal:
    name: str
    deactivated: int


def kind_of(plugin: str) -> str:
    if plugin == LOCAL_PLUGIN:
        return "local"
    return "imported" if is_imported(plugin) else "plugin"


def _imported(column: InstrumentedAttribute[str]) -> ColumnElement[bool]:
    return or_(*(column.startswith(prefix, autoescape=True) for prefix in IMPORTED_PREFIXES))


class ImportedCatalogues(ServiceBase):
    """Listing every catalogue, and finding or removing imported ones."""

    @classmethod
    def of(cls, services: Services) -> ImportedCatalogues:
        return cls(services.db, services.clock, services.catalogue.audit)

    def summaries(self) -> list[CatalogueSummary]:
        """Every catalogue: the local one (even empty), then plugins', then imported ones."""
        counts: dict[str, list[int]] = {LOCAL_PLUGIN: [0, 0]}
        with self.db.reading() as session:
            rows = session.execute(select(Service.plugin, Service.active, func.count())
                                   .group_by(Service.plugin, Service.active)).all()
            imports = _last_imports(session)
        for plugin, active, count in rows:
            counts.setdefault(plugin, [0, 0])[0 if active else 1] += count
        found = [CatalogueSummary(name, kind_of(name), active, inactive,
                                  *imports.get(name, (None, None)))
                 for name, (active, inactive) in counts.items()]
        return sorted(found, key=lambda c: (KINDS.index(c.kind), c.name))

    def same_directory(self, plugin: str, source: str,
                       external_ids: Iterable[str]) -> list[SameDirectory]:
        """Other imported catalogues, still offering services, of the same directory."""
        ids = set(external_ids)
        with self.db.reading() as session:
            active = session.execute(select(Service.plugin, Service.external_id).where(
                _imported(Service.plugin), Service.plugin != plugin,
                Service.active.is_(True))).all()
            imports = _last_imports(session)
        shared: dict[str, int] = {}
        for other, external_id in active:
            shared[other] = shared.get(other, 0) + (external_id in ids)
        return [SameDirectory(other, imports.get(other, (None, None))[1] == source, count)
                for other, count in sorted(shared.items())
                if count or imports.get(other, (None, None))[1] == source]

    def remove(self, name: str, user_id: int | None = None) -> Removal:
        """Mark every service of an imported catalogue inactive (audited when it changed
        something); CatalogueRefused for the local catalogue, a plugin's, or no such one.
        ``user_id`` None is an administrator at the command line, as for the import."""
        with self.db.transaction() as session:
            if user_id is not None:
                self.authorize(session, user_id, Action.MANAGE_CATALOGUE)
            plugin = _imported_name(session, name)
            rows = list(session.scalars(select(Service).where(Service.plugin == plugin,
                                                              Service.active.is_(True))))
            for service in rows:
                service.active = False
            if rows:
                self.audit.record(session, at=self.clock(), user_id=user_id,
                                  action="catalogue_remove", entity="catalogue",
                                  after={"plugin": plugin, "deactivated": len(rows)})
            return Removal(plugin, len(rows))


def _last_imports(session: Session) -> dict[str, tuple[datetime, str | None]]:
    """Per catalogue, the time of its last ``catalogue_import`` entry and the last source
    recorded (entries from before sources were recorded have none)."""
    found: dict[str, tuple[datetime, str | None]] = {}
    entries = session.execute(select(AuditEvent.at, AuditEvent.after).where(
        AuditEvent.action == "catalogue_import").order_by(AuditEvent.id))
    for at, after in entries:
        if isinstance(after, dict) and isinstance(after.get("plugin"), str):
            earlier = found.get(after["plugin"], (None, None))[1]
            found[after["plugin"]] = (at, after.get("source") or earlier)
    return found


def _imported_name(session: Session, name: str) -> str:
    """The imported catalogue ``name`` means (``oruk:leeds`` or just ``leeds``), or why not."""
    def exists(plugin: str) -> bool:
        return session.scalar(select(Service.id).where(Service.plugin == plugin)
                              .limit(1)) is not None

    if name == LOCAL_PLUGIN:
        raise CatalogueRefused(
            "'local' is the practice's own services, added in the Catalogue screen, not an "
            "imported catalogue, so it is not removed: referrals are made to its services. "
            "Only imported catalogues (oruk:NAME) can be removed; see practice-rx "
            "catalogue list")
    if is_imported(name):
        if exists(name):
            return name
    elif exists(name):
        raise CatalogueRefused(
            f"'{name}' is the catalogue of the plugin {name}, which supplies it again at "
            "every start, so removing it here would not last. To stop offering it, switch "
            "the plugin off (untick it in Tools › Plugins, or add it to disabled_plugins in "
            "the settings file) or uninstall it: its services are marked inactive at the "
            "next start")
    else:
        for prefix in IMPORTED_PREFIXES:
            if exists(prefix + name):
                return prefix + name
    raise CatalogueRefused(f"there is no catalogue '{name}'; practice-rx catalogue list "
                           "shows them all")
