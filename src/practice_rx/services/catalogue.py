"""The service catalogue: community services a referral can go to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, or_, select
from sqlalchemy.orm import Session

from practice_rx.domain.categories import SERVICE_CATEGORIES
from practice_rx.domain.delivery_methods import POST, delivery_errors
from practice_rx.domain.permissions import Action
from practice_rx.errors import ConflictError, ValidationError
from practice_rx.services.base import ServiceBase, get_or_raise
from practice_rx.services.limits import text_errors
from practice_rx.storage.models import Service

LOCAL_PLUGIN = "local"
#: catalogues imported by an administrator (``practice-rx catalogue import-oruk``) are kept
#: under ``oruk:<name>``; only their own import changes them, never the plugins' sync
IMPORTED_PREFIXES = ("oruk:",)
#: What a service costs, code to label.
COSTS = {"free": "Free", "low_cost": "Low cost", "paid": "Paid"}
#: How a service takes referrals, code to label.
REFERRAL_METHODS = {"self_referral": "Self-referral", "phone": "Phone", "email": "Email",
                    "letter": "Letter", "online_form": "Online form"}
SERVICE_LABELS = {
    "external_id": "Service id", "name": "Service name", "category": "Category",
    "provider": "Provider", "description": "Description", "eligibility": "Who it is for",
    "area": "Area covered", "address": "Address", "phone": "Phone", "email": "Email",
    "website": "Website", "opening_times": "Opening times", "cost": "Cost",
    "referral_method": "Referral method", "delivery_method": "Delivery method",
    "delivery_address": "Delivery address", "delivery_workflow_id": "MESH workflow id",
}
#: how a service receives referrals (see :mod:`practice_rx.domain.delivery_methods`)
DELIVERY_FIELDS = ("delivery_method", "delivery_address", "delivery_workflow_id")


@dataclass
class ServiceDetails:
    """A service as a plugin or a practice describes it."""

    external_id: str
    name: str
    category: str
    provider: str = ""
    description: str = ""
    eligibility: str = ""
    area: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    opening_times: str = ""
    cost: str = "free"
    referral_method: str = "email"
    response_days: int | None = None
    is_link_worker: bool = False
    #: when the source last changed the service (UTC, no zone), if it says
    last_modified: datetime | None = None
    #: how referrals reach it: post, email, mesh or a plugin channel's name; for a
    #: plugin's or an imported catalogue it is what the source says (post unless it says),
    #: for a local service what the practice's admin sets
    delivery_method: str = POST
    #: the MESH mailbox id, email address or channel address; None for post
    delivery_address: str | None = None
    #: a MESH workflow other than the installation's default, if the receiver asks
    delivery_workflow_id: str | None = None

    def __post_init__(self) -> None:
        for key in ("delivery_address", "delivery_workflow_id"):  # "" and None are one
            value = getattr(self, key)
            if isinstance(value, str):
                setattr(self, key, value.strip() or None)

    def check(self) -> None:
        """Every problem at once, each naming its field; text is checked against its column."""
        errors = text_errors(Service, {key: value for key, value in self.__dict__.items()
                                       if value is not None or key not in DELIVERY_FIELDS},
                             SERVICE_LABELS)
        if any(not isinstance(self.__dict__[key], str) for key in errors):
            raise ValidationError(errors)  # the checks below read the text
        if not self.external_id.strip():
            errors["external_id"] = "Service id: enter an id that stays the same between updates"
        if not self.name.strip():
            errors["name"] = "Service name: enter the service's name"
        if self.category not in SERVICE_CATEGORIES:
            errors["category"] = (
                f"Category: '{self.category}' is not a category; use one of "
                f"{', '.join(SERVICE_CATEGORIES)}"
            )
        if self.cost not in COSTS:
            errors["cost"] = f"Cost: choose one of {', '.join(COSTS)}"
        if self.referral_method not in REFERRAL_METHODS:
            errors["referral_method"] = f"Referral method: choose one of {', '.join(REFERRAL_METHODS)}"
        days = self.response_days
        if days is not None and (isinstance(days, bool) or not isinstance(days, int)
                                 or not 1 <= days <= 90):
            errors["response_days"] = "Response window: enter working days from 1 to 90, or none"
        if not any(key in errors for key in DELIVERY_FIELDS):
            errors.update(delivery_errors(self.delivery_method, self.delivery_address,
                                          self.delivery_workflow_id, self.email))
        stamp = self.last_modified
        if stamp is not None and (not isinstance(stamp, datetime) or stamp.tzinfo is not None):
            errors["last_modified"] = "Last modified: expected a UTC date and time without a zone"
        if errors:
            raise ValidationError(errors)


@dataclass(frozen=True)
class Delivery:
    """How one service takes referrals: the three delivery fields of :class:`ServiceDetails`."""

    method: str = POST
    address: str | None = None
    workflow_id: str | None = None

    def cleaned(self) -> Delivery:
        """Spaces round the address and workflow id dropped; empty is None."""
        def clean(value: str | None) -> str | None:
            return value.strip() or None if isinstance(value, str) else value

        return Delivery(self.method, clean(self.address), clean(self.workflow_id))

    @classmethod
    def of(cls, service: Service) -> Delivery:
        return cls(service.delivery_method, service.delivery_address,
                   service.delivery_workflow_id)


@dataclass(frozen=True)
class SyncReport:
    added: int = 0
    updated: int = 0
    deactivated: int = 0
    unchanged: int = 0


def is_imported(plugin: str) -> bool:
    """Whether ``plugin`` names a catalogue an administrator imported, not a loaded plugin."""
    return plugin.startswith(IMPORTED_PREFIXES)


class CatalogueService(ServiceBase):
    def sync(self, catalogues: dict[str, list[ServiceDetails]],
             keep: Iterable[str] = ()) -> SyncReport:
        """Make the catalogue match what the plugins supply now.

        Services are matched by (plugin, id): new ones added, changed ones
        updated, and any a loaded plugin no longer supplies (or whose plugin is
        gone) marked inactive, never deleted. The practice's own local services,
        imported catalogues (:func:`is_imported`; no plugin supplies them) and
        those of the plugins in ``keep`` (whose hook failed this time, so a
        missing drive does not empty the catalogue), are left alone. An
        unchanged catalogue writes nothing.
        """
        kept = {LOCAL_PLUGIN, *keep}
        with self.db.transaction() as session:
            existing = {
                (service.plugin, service.external_id): service
                for service in session.scalars(select(Service))
                if service.plugin not in kept and not is_imported(service.plugin)
            }
            supplied = {plugin: details for plugin, details in catalogues.items()
                        if plugin not in kept and not is_imported(plugin)}
            return _apply(session, existing, supplied)

    def sync_one(self, plugin: str, services: list[ServiceDetails], *,
                 audited: bool = False, user_id: int | None = None,
                 source: str | None = None) -> SyncReport:
        """Make one plugin's (or imported catalogue's) services match ``services``, and leave
        every other plugin's alone: the same matching as :meth:`sync`, in one transaction.

        ``audited``: a sync that changed something records a ``catalogue_import`` audit
        entry by ``user_id``, who must be allowed to manage the catalogue; None is an
        administrator at the command line, as for ``practice-rx users``. A sync that
        changes nothing writes nothing, not even that. ``source`` (where the services came
        from, printable) is kept in that entry, so ``practice-rx catalogue list`` can say.
        """
        if plugin == LOCAL_PLUGIN:
            raise ValueError("the practice's own services are not synced from a catalogue")
        with self.db.transaction() as session:
            if user_id is not None:
                self.authorize(session, user_id, Action.MANAGE_CATALOGUE)
            existing = {
                (service.plugin, service.external_id): service
                for service in session.scalars(select(Service).where(Service.plugin == plugin))
            }
            report = _apply(session, existing, {plugin: services})
            if audited and (report.added or report.updated or report.deactivated):
                self.audit.record(session, at=self.clock(), user_id=user_id,
                                  action="catalogue_import", entity="catalogue",
                                  after={"plugin": plugin, **report.__dict__,
                                         **({"source": source} if source else {})})
            return report

    def add_local(self, user_id: int, details: ServiceDetails) -> Service:
        """A practice's own service, kept apart from every plugin's catalogue."""
        details.check()
        with self.db.transaction() as session:
            self.authorize(session, user_id, Action.MANAGE_CATALOGUE)
            service = Service(plugin=LOCAL_PLUGIN, active=True, **details.__dict__)
            session.add(service)
            session.flush()
            self.audit.record(session, at=self.clock(), user_id=user_id, action="service_add",
                              entity="service", entity_id=service.id,
                              after={"name": service.name, "category": service.category,
                                     "delivery": Delivery.of(service).__dict__})
            return service

    def set_delivery(self, user_id: int, service_id: int, delivery: Delivery,
                     was: Delivery | None = None) -> Service:
        """Change how a local service takes referrals (a catalogue admin's job).

        Only the practice's own services: a plugin's or an imported catalogue's delivery is
        what its source says, and its next sync would undo an edit here. ``was`` is the
        delivery the user saw; if it changed since (another workstation), nothing is
        written, so an address is never overwritten unseen. Audited, old and new.
        """
        delivery = delivery.cleaned()
        with self.db.transaction() as session:
            self.authorize(session, user_id, Action.MANAGE_CATALOGUE)
            service = get_or_raise(session, Service, service_id, "Service")
            if service.plugin != LOCAL_PLUGIN:
                raise ValidationError.single("delivery_method", (
                    f"Delivery method: {service.name} comes from the {service.plugin} "
                    "catalogue, which says how it takes referrals; change it there, or add "
                    "the service as one of the practice's own"))
            errors = delivery_errors(delivery.method, delivery.address, delivery.workflow_id,
                                     service.email)
            if errors:
                raise ValidationError(errors)
            before = Delivery.of(service)
            if was is not None and was != before:
                raise ConflictError(
                    f"Service {service_id}'s delivery was changed on another workstation "
                    "since you opened it. Nothing was overwritten: reload it to see the "
                    "change, then make yours again.")
            after = delivery
            if after != before:
                service.delivery_method, service.delivery_address = after.method, after.address
                service.delivery_workflow_id = after.workflow_id
                self.audit.record(session, at=self.clock(), user_id=user_id,
                                  action="service_delivery_changed", entity="service",
                                  entity_id=service.id, before=before.__dict__,
                                  after=after.__dict__)
            session.flush()
            return service

    def get(self, service_id: int) -> Service:
        with self.db.reading() as session:
            return get_or_raise(session, Service, service_id, "Service")

    def search(
        self, text: str = "", category: str | None = None, include_inactive: bool = False,
        plugin: str | None = None,
    ) -> list[Service]:
        """Services matching every word typed, in a category and from a plugin if given."""
        query = select(Service)
        if plugin:
            query = query.where(Service.plugin == plugin)
        if not include_inactive:
            query = query.where(Service.active.is_(True))
        if category:
            query = query.where(Service.category == category)
        for word in text.lower().split():
            query = query.where(
                or_(
                    func.lower(Service.name).contains(word, autoescape=True),
                    func.lower(Service.provider).contains(word, autoescape=True),
                    func.lower(Service.description).contains(word, autoescape=True),
                )
            )
        query = query.order_by(Service.is_link_worker.desc(), Service.name, Service.id)
        with self.db.reading() as session:
            return list(session.scalars(query))


def _apply(session: Session, existing: dict[tuple[str, str], Service],
           catalogues: dict[str, list[ServiceDetails]]) -> SyncReport:
    """Add, update and deactivate so the ``existing`` rows match ``catalogues``; a row
    left in ``existing`` (no longer supplied) is marked inactive. Touches only what differs."""
    updated = deactivated = unchanged = 0
    new_rows: list[dict[str, object]] = []
    for plugin, details_list in catalogues.items():
        for details in details_list:
            values = {**details.__dict__, "active": True}
            service = existing.pop((plugin, details.external_id), None)
            if service is None:
                new_rows.append({"plugin": plugin, **values})
            elif any(getattr(service, key) != value for key, value in values.items()):
                for key, value in values.items():
                    setattr(service, key, value)
                updated += 1
            else:
                unchanged += 1
    for service in existing.values():
        if service.active:
            service.active = False
            deactivated += 1
    if new_rows:  # one multi-row INSERT, not an ORM object per new service
        session.execute(insert(Service), new_rows)
    return SyncReport(len(new_rows), updated, deactivated, unchanged)
