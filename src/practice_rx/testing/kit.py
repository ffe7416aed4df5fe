"""The helpers behind the pytest fixtures: real services, synthetic people.

Everything here goes through :class:`practice_rx.startup.App` and its services,
exactly as the application does, so a plugin's test exercises the same checks,
transactions and hook calls as a practice would; nothing is mocked. It is kept
free of pytest so it can also be used from a script or a notebook.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType
from typing import Any

from practice_rx.domain.calendar import utcnow
from practice_rx.domain.identifiers import nhs_check_digit
from practice_rx.domain.permissions import STATUS_ACTIONS, Role, allowed
from practice_rx.domain.statuses import Status
from practice_rx.errors import ValidationError
from practice_rx.forms import FormDefinition
from practice_rx.forms.core import CORE_FIELDS
from practice_rx.forms.model import FieldType, FormField
from practice_rx.plugin_api import ActionResult, ReferralSnapshot
from practice_rx.plugin_host import ENTRY_POINT_GROUP
from practice_rx.services.care_plans import Agreement, PlanAction, PlanContent
from practice_rx.services.catalogue import ServiceDetails
from practice_rx.services.contacts import ContactDetails
from practice_rx.services.patients import PatientDetails
from practice_rx.services.practice import PracticeDetails, load_practice
from practice_rx.services.referrals import DraftChanges, snapshot
from practice_rx.startup import App, default_form
from practice_rx.storage.models import Patient, Referral, Service, User

_serials = itertools.count(1)


class Clock:
    """A clock a test moves by hand (``advance(days=3)``), so due dates are exact.

    It starts at the real time (to the second) so letters and exports look
    current; pass ``now`` to pin it.
    """

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or utcnow().replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def synthetic_nhs_number(serial: int | None = None) -> str:
    """A valid NHS number in the 999 range, which is never issued to a real person.

    Each call gives a new one unless ``serial`` is given (the same serial, the
    same number), so patients never collide on the unique NHS number.
    """
    serial = next(_serials) if serial is None else serial
    for candidate in itertools.count(serial * 7):
        first_nine = f"999{candidate % 1_000_000:06d}"
        check = nhs_check_digit(first_nine)
        if check is not None:
            return f"{first_nine}{check}"
    raise AssertionError("unreachable")


def plugin_entry_points(specs: Iterable[str | ModuleType | EntryPoint]) -> list[EntryPoint]:
    """The entry points to start PracticeRx with, from names, modules or entry points.

    A string is an installed ``practice_rx`` entry-point name (``"my_area"``),
    else a module reference (``"practice_rx_my_area"`` or ``"pkg.mod:plugin"``).
    A module is named by its installed entry point when it has one, so
    ``referral.service_plugin`` reads as it will in a practice.
    """
    installed = {entry.name: entry for entry in entry_points(group=ENTRY_POINT_GROUP)}
    by_value = {entry.value: entry for entry in installed.values()}
    chosen: list[EntryPoint] = []
    for spec in specs:
        if isinstance(spec, EntryPoint):
            chosen.append(spec)
        elif isinstance(spec, ModuleType):
            chosen.append(by_value.get(spec.__name__) or EntryPoint(
                spec.__name__.rpartition(".")[2], spec.__name__, ENTRY_POINT_GROUP))
        elif isinstance(spec, str) and spec in installed:
            chosen.append(installed[spec])
        elif isinstance(spec, str) and spec.replace(":", ".").replace(".", "").isidentifier():
            module = spec.partition(":")[0]
            chosen.append(by_value.get(spec) or EntryPoint(
                module.rpartition(".")[2], spec, ENTRY_POINT_GROUP))
        else:
            names = ", ".join(sorted(installed)) or "none"
            raise ValueError(f"practice_rx_plugins: {spec!r} is neither an installed plugin "
                             f"(installed: {names}) nor a module such as 'my_package' or "
                             "'my_package.module:plugin'")
    return chosen


@dataclass(frozen=True)
class Users:
    """One user of each role, so a test can act as the person who would."""

    receptionist: User
    clinician: User
    link_worker: User
    admin: User

    @classmethod
    def create(cls, app: App) -> Users:
        """Made through the real user service (no passwords: tests act by id)."""
        names = {Role.RECEPTIONIST: "Sam Jones", Role.CLINICIAN: "Dr Asha Patel",
                 Role.LINK_WORKER: "Nadia Ahmed", Role.ADMIN: "Practice Admin"}
        return cls(**{role.value: app.services.users.ensure(f"kit.{role.value}", name, role)
                      for role, name in names.items()})

    def by_role(self, role: Role | str) -> User:
        return getattr(self, Role(role).value)

    def allowed_to_move_to(self, target: Status | str) -> User:
        """The first of clinician, link worker, receptionist, admin who may make the change."""
        action = STATUS_ACTIONS.get(Status(target))
        for user in (self.clinician, self.link_worker, self.receptionist, self.admin):
            if action is None or allowed(user.role, action):
                return user
        raise ValueError(f"no role may move a referral to '{target}'")


def filled_answers(form: FormDefinition, answers: Mapping[str, Any] | None,
                   today: date) -> dict[str, Any]:
    """``answers`` with every other required (and shown) field, and every core field, filled.

    The fill is dull on purpose: consent yes, the first choice of each list,
    "no" to yes/no questions that are not consent (so no "details" follow),
    today's date, the lowest number. Pass the answers your test is about.
    """
    result = dict(answers or {})
    for field in form.fields():
        if field.key in result:
            continue
        if field.show_if is not None and result.get(field.show_if.field) != field.show_if.equals:
            continue
        if field.required or field.key in CORE_FIELDS:
            result[field.key] = _dull_answer(field, today)
    return result


def _dull_answer(field: FormField, today: date) -> Any:
    kind = field.type
    if kind is FieldType.YES_NO:
        return field.must_be_yes or field.key in ("consent_given", "consent_to_share")
    if kind is FieldType.DATE:
        return today.isoformat()
    if kind is FieldType.NUMBER:
        low = field.min_value if field.min_value is not None else 0
        return min(low, field.max_value) if field.max_value is not None else low
    codes = [choice.code for choice in field.choices if choice.code != "other"]
    if kind is FieldType.SINGLE_CHOICE:
        return "routine" if "routine" in codes else codes[0]
    if kind in (FieldType.MULTIPLE_CHOICE, FieldType.CODED_REASON):
        return codes[:1]
    text = f"Test answer: {field.label}"
    return text[:field.max_length] if field.max_length else text


@dataclass(frozen=True)
class RenderedLetter:
    """A letter made through the real letter service (and so recorded, as in a practice).

    ``text`` is the PDF's text when pypdf is installed (``pip install pypdf``),
    else None; ``pdf`` is always the bytes.
    """

    pdf: bytes
    text: str | None
    template_id: str
    template_version: int


def pdf_text(pdf: bytes) -> str | None:
    """The text of every page, or None without pypdf."""
    try:
        from pypdf import PdfReader
    except ImportError:
        return None
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


class Kit:
    """Helpers a plugin's test uses to drive PracticeRx as a practice would.

    Each helper acts as a user whose role may do the thing, through the real
    services, and returns the database row (``Referral``) the services return.
    """

    def __init__(self, app: App, users: Users) -> None:
        self.app = app
        self.users = users
        self.services = app.services

    # -- people and places --------------------------------------------------------------

    def patient(self, given: str = "Joan", family: str = "Testpatient", **details: Any) -> Patient:
        """A synthetic patient: 999-range NHS number, an invented address (for letters)."""
        details.setdefault("nhs_number", synthetic_nhs_number())
        details.setdefault("date_of_birth", "1951-03-14")
        details.setdefault("address", "1 Test Street, Leeds")
        details.setdefault("postcode", "LS11 5AA")
        details.setdefault("phone", "0113 496 0000")
        return self.services.patients.create(
            self.users.receptionist.id, PatientDetails(given_name=given, family_name=family,
                                                       **details))

    def ensure_practice(self) -> None:
        """Invented practice details, if none are saved yet: letters need a name and address."""
        with self.services.db.reading() as session:
            if load_practice(session) is not None:
                return
        self.services.practice.save(self.users.admin.id, PracticeDetails(
            "Y99999", "Test Street Surgery", address="2 Test Street, Leeds", postcode="LS11 5AB",
            phone="0113 496 0001"))

    def form(self, form: str | tuple[str, int] | None = None) -> tuple[str, int]:
        """``(id, version)``: the default form (as a new referral gets), or the newest of an id."""
        if isinstance(form, tuple):
            return form
        if form is None:
            chosen = default_form(self.app)
            if chosen is None:
                raise LookupError("no referral form is installed")
            return chosen
        versions = [r.version for r in self.services.forms.available() if r.form_id == form]
        if not versions:
            known = ", ".join(sorted({r.form_id for r in self.services.forms.available()}))
            raise LookupError(f"form '{form}' is not installed (installed: {known})")
        return form, max(versions)

    def form_definition(self, form: str | tuple[str, int] | None = None) -> FormDefinition:
        return self.services.forms.get(*self.form(form))

    def service(self, service: Service | int | str | None = None) -> Service:
        """A catalogue service by row, id, external id or exact name; by default the first
        service of a plugin under test (not the built-in ones)."""
        if isinstance(service, Service):
            return service
        if isinstance(service, int):
            return self.services.catalogue.get(service)
        active = self.services.catalogue.search()
        if service is None:
            builtin = {info.name for info in self.app.plugins.info() if info.builtin}
            ours = [row for row in active if row.plugin not in builtin]
            if not (ours or active):
                raise LookupError("the catalogue is empty")
            return (ours or active)[0]
        for match in ([row for row in active if row.external_id == service],
                      [row for row in active if row.name == service]):
            if match:
                return match[0]
        raise LookupError(f"no active service has the external id or name '{service}'")

    # -- referrals -----------------------------------------------------------------------

    def draft(self, *, form: str | tuple[str, int] | None = None,
              service: Service | int | str | None = None,
              answers: Mapping[str, Any] | None = None,
              patient: Patient | None = None) -> Referral:
        """A draft by the clinician, with ``answers`` and the rest filled (see filled_answers)."""
        key = self.form(form)
        definition = self.services.forms.get(*key)
        patient = patient or self.patient()
        return self.services.referrals.create_draft(
            self.users.clinician.id, patient.id, key,
            DraftChanges(service_id=self.service(service).id,
                         answers=filled_answers(definition, answers, self.services.clock().date())))

    def send(self, draft: Referral) -> Referral:
        """Send as its author; a refused send raises ValidationError (``.errors``)."""
        return self.services.referrals.send(draft.referrer_id, draft.id, draft.version)

    def send_problems(self, draft: Referral) -> dict[str, str]:
        """Try to send: ``{}`` when it was sent, else the problems that refused it (core
        checks and every plugin's rules, as the user would see them)."""
        try:
            self.send(draft)
        except ValidationError as error:
            return dict(error.errors)
        return {}

    def refer(self, **draft: Any) -> Referral:
        """A referral drafted and sent (the arguments are :meth:`draft`'s)."""
        return self.send(self.draft(**draft))

    def change_status(self, referral: Referral, target: Status | str, note: str = "",
                      occurred_at: datetime | None = None) -> Referral:
        """Move the referral as a user whose role may (the author, to send it)."""
        latest = self.reload(referral)
        user = (latest.referrer_id if Status(target) is Status.SENT
                else self.users.allowed_to_move_to(target).id)
        return self.services.referrals.change_status(
            user, latest.id, latest.version, target, note, occurred_at=occurred_at)

    def reload(self, referral: Referral | int) -> Referral:
        """The referral as stored now (with its patient, service and events)."""
        referral_id = referral if isinstance(referral, int) else referral.id
        return self.services.referrals.get(self.users.admin.id, referral_id)

    def snapshot(self, referral: Referral | int) -> ReferralSnapshot:
        """The referral as a plugin's hooks see it."""
        latest = self.reload(referral)
        return snapshot(latest, latest.service)

    # -- the link worker's casework ------------------------------------------------------

    def link_worker_service(self) -> Service:
        """The link worker service a case is referred to (the practice's own, made once)."""
        found = [s for s in self.services.catalogue.search() if s.is_link_worker]
        if found:
            return found[0]
        return self.services.catalogue.add_local(self.users.admin.id, ServiceDetails(
            "kit-link-workers", "Social prescribing link workers (test)", "other",
            is_link_worker=True))

    def case(self, **draft: Any) -> Referral:
        """A referral to the link worker service, accepted, allocated to the kit's link
        worker and contacted once: ready for a plan (``draft``'s arguments as :meth:`draft`)."""
        draft.setdefault("service", self.link_worker_service())
        accepted = self.change_status(self.refer(**draft), Status.ACCEPTED)
        worker = self.users.link_worker
        self.services.allocation.allocate(worker.id, accepted.id, accepted.version, worker.id)
        self.contact(accepted)
        return self.reload(accepted)

    def contact(self, referral: Referral | int, *, made: bool = True,
                contact_type: str = "phone") -> Referral:
        """Record a contact (or, with ``made=False``, an attempt) by the link worker, the
        next one due in a week; the first one made moves an accepted case to contacted."""
        latest = self.reload(referral)
        self.services.contacts.record(self.users.link_worker.id, latest.id, latest.version,
                                      ContactDetails(
            contact_type, made=made, next_contact_on=self.services.clock().date()
            + timedelta(days=7), minutes=30 if made else None,
            note="Talked about what matters" if made else ""))
        return self.reload(latest)

    def agree_plan(self, referral: Referral | int, *, sections: Mapping[str, Any] | None = None,
                   what_matters: str = "Getting out of the house and seeing people") -> Referral:
        """Save a care and support plan with the plugins' ``sections`` answers (by section
        key) and agree it with the person today; a refused plan raises ValidationError."""
        latest = self.reload(referral)
        today = self.services.clock().date()
        self.services.care_plans.save(
            self.users.link_worker.id, latest.id, latest.version,
            PlanContent(what_matters=what_matters, outcomes=("Feel less lonely",),
                        actions=(PlanAction("The person", "Try a group", today),),
                        review_on=today + timedelta(weeks=6), sections=dict(sections or {})),
            Agreement(agreed_on=today))
        return self.reload(latest)

    def record_measure(self, referral: Referral | int, measure: str | tuple[str, int],
                       answers: Mapping[str, object], occasion: str = "baseline") -> Any:
        """Record one outcome questionnaire on the case (the newest version of ``measure``
        unless a version is given), scored as the application scores it."""
        latest = self.reload(referral)
        if isinstance(measure, str):
            versions = [m.version for m in self.services.outcome_measures.available()
                        if m.id == measure]
            if not versions:
                raise LookupError(f"no outcome measure '{measure}' is installed")
            measure = (measure, max(versions))
        return self.services.outcome_measures.record(
            self.users.link_worker.id, latest.id, latest.version, measure, occasion,
            self.services.clock().date(), answers)

    # -- what the plugins do -----------------------------------------------------------

    def validate(self, referral: Referral | ReferralSnapshot) -> dict[str, str]:
        """Every plugin's validation rules on the referral (no core checks): ``{}`` when
        they all pass; a rule that fails to run shows under ``plugin:<name>``."""
        seen = referral if isinstance(referral, ReferralSnapshot) else self.snapshot(referral)
        return self.app.plugins.validate_referral(seen)

    def action(self, action_id: str, referral: Referral | ReferralSnapshot) -> ActionResult:
        """Run a plugin's referral action as the referral view would."""
        actions = {action.id: action for action in self.app.plugins.referral_actions()}
        if action_id not in actions:
            raise LookupError(f"no action '{action_id}' (registered: "
                              f"{', '.join(sorted(actions)) or 'none'})")
        seen = referral if isinstance(referral, ReferralSnapshot) else self.snapshot(referral)
        return self.app.plugins.run_action(actions[action_id], seen)

    def letter(self, referral: Referral | int, kind: str = "referral") -> RenderedLetter:
        """Make one of the referral's letters (recorded, like a printed one) by the clinician."""
        self.ensure_practice()
        referral_id = referral if isinstance(referral, int) else referral.id
        made = self.services.letters.generate(self.users.clinician.id, referral_id, kind)
        return RenderedLetter(made.pdf, pdf_text(made.pdf), made.record.template_id,
                              made.record.template_version)

    def problems(self) -> list[str]:
        """The plugin host's errors so far, as ``practice-rx plugins`` would show them."""
        return [str(problem) for problem in self.app.plugins.errors]

    def warnings(self) -> list[str]:
        """The plugins' warnings so far (``report(...)``); an older host has none."""
        return [str(warning) for warning in getattr(self.app.plugins, "warnings", [])]
