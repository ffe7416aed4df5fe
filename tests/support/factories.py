"""Synthetic records for tests: NHS numbers in the 999 test range, valid check digits."""

from __future__ import annotations

import itertools

from practice_rx.domain.permissions import STATUS_ACTIONS, allowed
from practice_rx.domain.statuses import Status
from practice_rx.plugins.national.form import national_form
from practice_rx.services import Services
from practice_rx.services.catalogue import ServiceDetails
from practice_rx.services.patients import PatientDetails
from practice_rx.services.practice import PracticeDetails
from practice_rx.services.referrals import DraftChanges
from practice_rx.storage.models import Patient, Referral, Service, User
from tests.support.check_digit import modulus_11

_serials = itertools.count(1)


def test_nhs_number(serial: int) -> str:
    """The ``serial``-th valid NHS number in the 999 test range."""
    for candidate in itertools.count(serial * 7):
        first_nine = f"999{candidate % 1_000_000:06d}"
        check = modulus_11(first_nine)
        if check is not None:
            return f"{first_nine}{check}"
    raise AssertionError("unreachable")


test_nhs_number.__test__ = False  # a helper, not a test


def make_user(services: Services, role: str = "clinician", name: str = "Dr Asha Patel") -> User:
    """A new user of ``role`` working for every practice there is (as in a one-practice
    database); tests of who sees which practice link theirs themselves."""
    user = services.users.ensure(f"{role}{next(_serials)}", name, role)
    practices = {practice.id for practice in services.practice.all()}
    if len(practices) > 1 and not user.all_practices:
        user = services.users.set_practices(None, user.id, practices, False)
    return user


def desk(services: Services) -> int:
    """The reception desk's user: finds and registers patients, keeps the catalogue; it
    serves the whole network, so a test with several practices can register anywhere."""
    user = services.users.ensure("desk", "Reception desk", "receptionist")
    if not user.all_practices and len(services.practice.all()) > 1:
        services.users.set_practices(None, user.id, (), True)
    return user.id


def admin(services: Services) -> int:
    return services.users.ensure("admin", "Practice admin", "admin").id


def make_patient(services: Services, given: str = "Joan", family: str = "Smith", **extra) -> Patient:
    details = PatientDetails(
        nhs_number=extra.pop("nhs_number", test_nhs_number(next(_serials))),
        given_name=given,
        family_name=family,
        date_of_birth=extra.pop("date_of_birth", "1951-03-14"),
        phone=extra.pop("phone", "0113 496 0000"),
        practice_id=extra.pop("practice_id", first_practice_id(services)),
        **extra,
    )
    return services.patients.create(desk(services), details)


def two_practices(services: Services, **holbeck) -> tuple[int, int]:
    """Beeston Hill (the first: it claims the records already there) and Holbeck, added by a
    network admin with ``holbeck``'s settings (its response and contact windows, say)."""
    network_admin = admin(services)
    first = services.practice.save(network_admin, PracticeDetails("Y99901", "Beeston Hill"))
    second = services.practice.add(network_admin, PracticeDetails("Y99902", "Holbeck",
                                                                  **holbeck))
    return first.id, second.id


def first_practice_id(services: Services) -> int | None:
    """The network's first practice (None before any is set up): where a test's patient
    is registered unless it says otherwise."""
    practices = services.practice.all()
    return min(practice.id for practice in practices) if practices else None


def make_service(services: Services, name: str = "Leeds Walking Group", **extra) -> Service:
    details = ServiceDetails(
        external_id=extra.pop("external_id", f"svc-{next(_serials)}"),
        name=name,
        category=extra.pop("category", "physical_activity"),
        **extra,
    )
    return services.catalogue.add_local(desk(services), details)


NATIONAL = ("national", 1)


def complete_answers(**changes) -> dict:
    """A full set of answers to the national form, for a patient who wants company."""
    answers = {
        "referrer_name": "Dr Asha Patel", "referrer_role": "GP",
        "referrer_organisation": "Beeston Hill Surgery", "referrer_phone": "0113 496 0000",
        "consent_given": True, "consent_to_share": True, "consent_method": "in_person",
        "consent_date": "2026-11-24", "reasons": ["loneliness"], "urgency": "routine",
        "what_matters": "Getting out of the house and meeting people again.",
        "risk_to_self_or_others": False, "safeguarding_concerns": False,
        "lone_working_risk": False,
    }
    answers.update(changes)
    return answers


def install_national_form(services: Services) -> None:
    assert services.forms.sync([("national", national_form())]) == []


def ready_draft(services: Services, user: User, patient: Patient, service: Service,
                **answer_changes) -> Referral:
    """A draft with a service and complete answers, consent included: ready to send."""
    install_national_form(services)
    answer_changes.setdefault("consent_date", services.clock().date().isoformat())
    return services.referrals.create_draft(
        user.id, patient.id, NATIONAL,
        DraftChanges(service_id=service.id, answers=complete_answers(**answer_changes)),
    )


ACTORS = {"clinician": "Dr Asha Patel", "link_worker": "Nadia Ahmed", "receptionist": "Sam Jones"}


def actor_for(services: Services, target: str) -> int:
    """A user whose role may move a referral to ``target`` (clinician first, as in practice)."""
    action = STATUS_ACTIONS.get(Status(target)) if target in Status._value2member_map_ else None
    for role, name in ACTORS.items():
        if action is None or allowed(role, action):
            return services.users.ensure(f"team.{role}", name, role).id
    raise AssertionError(f"no role may move a referral to {target}")


def move(services: Services, referral: Referral, target: str, note: str = "") -> Referral:
    """Change a referral's status as a member of the team who is allowed to.

    A draft is sent by its author, as in practice (sending another clinician's
    draft is a rule of its own, tested apart).
    """
    actor = referral.referrer_id if target == Status.SENT else actor_for(services, target)
    return services.referrals.change_status(actor, referral.id, referral.version, target, note)
