"""Everything a letter shows, as one frozen value: the only input a template gets.

A template renders :class:`LetterInputs` and nothing else (no database, no
clock), so a letter is a pure function of its inputs: tests need no database,
and the same inputs always give the same PDF bytes. :func:`inputs_for` builds
the inputs from a loaded referral; it is also where missing details are found,
with a message that says what to fix, before anything is printed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

from practice_rx.domain.calendar import DEFAULT_RESPONSE_DAYS
from practice_rx.domain.letter_kinds import LetterKind
from practice_rx.domain.reasons import REFERRAL_REASONS
from practice_rx.domain.statuses import AWAITING_RESPONSE, Status
from practice_rx.errors import ValidationError
from practice_rx.forms import FormDefinition, FormField
from practice_rx.letters.casework_inputs import CaseworkFacts
from practice_rx.storage.models import Practice, Referral

PRACTICE_DETAILS_MESSAGE = (
    "Practice details: set the practice name, address and ODS code in Settings "
    "before printing letters"
)
URGENCY_LABELS = {"routine": "Routine", "soon": "Soon"}
CONSENT_METHOD_LABELS = {"in_person": "In person", "phone": "By phone", "video": "By video call"}
CONTACT_METHOD_LABELS = {"phone": "Phone", "text": "Text message", "email": "Email",
                         "letter": "Letter"}


@dataclass(frozen=True)
class PracticeInfo:
    name: str
    address: str
    postcode: str
    ods_code: str
    phone: str = ""
    email: str = ""
    logo: str = ""  # path of a PNG or JPEG for the letterhead; "" for none


@dataclass(frozen=True)
class PatientInfo:
    nhs_number: str
    given_name: str
    family_name: str
    date_of_birth: date
    address: str = ""
    postcode: str = ""
    phone: str = ""
    email: str = ""
    preferred_contact: str = "phone"
    contact_times: str = ""
    first_language: str = "English"
    interpreter_needed: bool = False
    accessibility_needs: str = ""
    carer_details: str = ""

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


@dataclass(frozen=True)
class ReferrerInfo:
    """Who referred: from the form's referrer answers, else the user and the practice."""

    name: str
    role: str = ""
    organisation: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class ServiceInfo:
    name: str
    provider: str = ""
    description: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    opening_times: str = ""
    is_link_worker: bool = False


@dataclass(frozen=True)
class ReferralFacts:
    """The referral's core facts, read from its columns (the answers are laid out separately)."""

    id: int
    status: str
    created_on: date
    urgency: str
    urgency_label: str
    reasons: tuple[str, ...]
    reason_labels: tuple[str, ...]
    reason_other: str = ""
    consent_given: bool = False
    consent_to_share: bool = False
    consent_method: str = ""
    consent_method_label: str = ""
    consent_on: date | None = None
    sent_on: date | None = None
    accepted_on: date | None = None
    response_due_on: date | None = None
    response_days: int = DEFAULT_RESPONSE_DAYS

    @property
    def reference(self) -> str:
        """The reference printed on letters, for replies to quote."""
        return f"PRX-{self.id:06d}"


@dataclass(frozen=True)
class LetterInputs:
    """One letter's data. ``form`` is a ``FormDefinition.to_dict()``; ``{}`` when none.

    ``form`` and ``answers`` are read-only views: the inputs never change once built.
    ``casework`` is the link worker's record, for the care plan and the message back
    only (None for the referral letters, and in inputs stored before it existed).
    """

    kind: LetterKind
    letter_date: date
    practice: PracticeInfo
    patient: PatientInfo
    referrer: ReferrerInfo
    service: ServiceInfo
    referral: ReferralFacts
    form: Mapping[str, Any]
    answers: Mapping[str, Any]
    casework: CaseworkFacts | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", LetterKind(self.kind))
        if _snapshot(self.form) is None:
            object.__setattr__(self, "form", _frozen_json(self.form))
        object.__setattr__(self, "answers", _frozen_json(self.answers))

    @cached_property
    def form_definition(self) -> FormDefinition | None:
        """The form as an object (parsed once per distinct definition in a process)."""
        return _parse_form(self.form_json()) if self.form else None

    def form_json(self) -> str:
        known = _snapshot(self.form)
        return known[1] if known is not None else _form_json(self.form)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (dates as ISO strings), for a snapshot kept beside the letter."""
        known = _snapshot(self.form)
        data = {
            "kind": self.kind.value,
            "letter_date": self.letter_date.isoformat(),
            "form": json.loads(known[2]) if known is not None else _thawed(self.form),
            "answers": _thawed(self.answers),
        }
        for name in ("practice", "patient", "referrer", "service", "referral"):
            data[name] = _json_dates(_flat_dict(getattr(self, name)))
        if self.casework is not None:  # left out otherwise: older letters' inputs stay as stored
            data["casework"] = self.casework.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LetterInputs:
        """Read back what :meth:`to_dict` wrote."""
        parts = {
            "practice": PracticeInfo, "patient": PatientInfo, "referrer": ReferrerInfo,
            "service": ServiceInfo, "referral": ReferralFacts,
        }
        built = {name: _from_json(kind, data[name]) for name, kind in parts.items()}
        casework = data.get("casework")
        return cls(kind=LetterKind(data["kind"]),
                   letter_date=date.fromisoformat(data["letter_date"]),
                   form=data["form"], answers=data["answers"],
                   casework=CaseworkFacts.from_dict(casework) if casework else None, **built)


def inputs_for(
    referral: Referral,
    practice: Practice | None,
    form: FormDefinition | None,
    *,
    kind: LetterKind | str,
    today: date,
    logo: Path | None = None,
    casework: CaseworkFacts | None = None,
) -> LetterInputs:
    """The inputs of one letter about ``referral``, or a ValidationError saying what to fix first.

    ``referral`` needs its patient, service and referrer loaded (as
    ``ReferralService.get`` returns it); ``form`` is the definition its answers
    were given against, ``None`` for a referral written without a form.
    ``casework`` is needed by the casework kinds (care plan, message back) and
    ignored by the others, which never show it.
    """
    kind = LetterKind(kind)
    errors: dict[str, str] = {}
    missing = _missing_practice_details(practice)
    if missing:
        errors["practice"] = f"{PRACTICE_DETAILS_MESSAGE} (missing: {', '.join(missing)})"
    service = referral.service
    if service is None:
        errors["service_id"] = (
            "Service: choose the service for this referral before printing letters"
        )
    patient = referral.patient
    if kind.to_patient and not patient.address.strip():
        errors["patient_address"] = (
            "Patient address: add the patient's address to their record before printing a "
            "letter to them"
        )
    if kind is LetterKind.CHASER and referral.status not in AWAITING_RESPONSE:
        errors["status"] = (
            "Chaser: only a referral that is sent or accepted, and waiting for the service, "
            f"can be chased; this one is '{Status(referral.status).label}'"
        )
    if kind.casework:
        errors.update(casework_problems(kind, casework))
    if errors:
        raise ValidationError(errors)
    assert practice is not None and service is not None

    answers = json.loads(json.dumps(referral.answers or {}, default=str))
    return LetterInputs(
        kind=kind,
        letter_date=today,
        practice=PracticeInfo(
            name=practice.name.strip(), address=practice.address.strip(),
            postcode=practice.postcode.strip(), ods_code=practice.ods_code.strip(),
            phone=practice.phone.strip(), email=practice.email.strip(),
            logo=str(logo) if logo else "",
        ),
        patient=PatientInfo(
            nhs_number=patient.nhs_number, given_name=patient.given_name,
            family_name=patient.family_name, date_of_birth=patient.date_of_birth,
            address=patient.address, postcode=patient.postcode, phone=patient.phone,
            email=patient.email, preferred_contact=patient.preferred_contact,
            contact_times=patient.contact_times, first_language=patient.first_language,
            interpreter_needed=bool(patient.interpreter_needed),
            accessibility_needs=patient.accessibility_needs, carer_details=patient.carer_details,
        ),
        referrer=ReferrerInfo(
            name=_text(answers.get("referrer_name")) or referral.referrer.display_name,
            role=_text(answers.get("referrer_role")) or referral.referrer.job_title,
            organisation=_text(answers.get("referrer_organisation")) or practice.name,
            phone=_text(answers.get("referrer_phone")) or practice.phone,
            email=_text(answers.get("referrer_email")) or practice.email,
        ),
        service=ServiceInfo(
            name=service.name, provider=service.provider, description=service.description,
            address=service.address, phone=service.phone, email=service.email,
            website=service.website, opening_times=service.opening_times,
            is_link_worker=bool(service.is_link_worker),
        ),
        referral=_facts(referral, practice, form),
        form=_form_snapshot(form) if form is not None else {},
        answers=answers,
        casework=casework if kind.casework else None,
    )


def casework_problems(kind: LetterKind, casework: CaseworkFacts | None) -> dict[str, str]:
    """What a casework letter still needs: an agreed plan for the person's copy, and for the
    message back a closed case or at least an agreed plan (then it is marked interim)."""
    if kind in (LetterKind.CARE_PLAN, LetterKind.CARE_PLAN_LARGE_PRINT):
        if casework is None or not casework.plan_agreed:
            return {"plan": "Care plan: no version of the plan has been agreed yet; record who "
                            "agreed it and when before printing the person's copy"}
    elif kind is LetterKind.MESSAGE_BACK and (
            casework is None or not (casework.closed or casework.plan_agreed)):
        return {"plan": "Message back: agree the plan with the person, or close the case, "
                        "before writing to the GP and referrer"}
    return {}


def _missing_practice_details(practice: Practice | None) -> list[str]:
    needed = {"name": "name", "address": "address", "ods_code": "ODS code"}
    if practice is None:
        return list(needed.values())
    return [label for key, label in needed.items() if not (getattr(practice, key) or "").strip()]


def _facts(referral: Referral, practice: Practice, form: FormDefinition | None) -> ReferralFacts:
    reasons_field = _field(form, "reasons")
    reason_labels = tuple(
        reasons_field.choice_label(code) if reasons_field else REFERRAL_REASONS.get(code, code)
        for code in referral.reasons or ()
    )
    if referral.status == Status.ACCEPTED:
        days = practice.contact_days
    else:
        service_days = referral.service.response_days if referral.service else None
        days = service_days or practice.response_days
    accepted_on = referral.status_changed_at.date() if referral.status == Status.ACCEPTED else None
    return ReferralFacts(
        id=referral.id,
        status=referral.status,
        created_on=referral.created_at.date(),
        urgency=referral.urgency,
        urgency_label=_label(form, "urgency", referral.urgency, URGENCY_LABELS),
        reasons=tuple(referral.reasons or ()),
        reason_labels=reason_labels,
        reason_other=referral.reason_other or "",
        consent_given=bool(referral.consent_given),
        consent_to_share=bool(referral.consent_to_share),
        consent_method=referral.consent_method or "",
        consent_method_label=_label(form, "consent_method", referral.consent_method or "",
                                    CONSENT_METHOD_LABELS),
        consent_on=referral.consent_date,
        sent_on=referral.sent_at.date() if referral.sent_at else None,
        accepted_on=accepted_on,
        response_due_on=referral.response_due_on,
        response_days=days or DEFAULT_RESPONSE_DAYS,
    )


def _field(form: FormDefinition | None, key: str) -> FormField | None:
    if form is None:
        return None
    try:
        return form.field(key)
    except KeyError:
        return None


def _label(form: FormDefinition | None, key: str, code: str, fallback: Mapping[str, str]) -> str:
    if not code:
        return ""
    field = _field(form, key)
    return field.choice_label(code) if field else fallback.get(code, code)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


# -- immutable JSON ---------------------------------------------------------------------


def _frozen_json(value: Any) -> Any:
    """A read-only copy of JSON data: mappings become read-only views, lists tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: _frozen_json(item) for key, item in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(_frozen_json(item) for item in value)
    return value


def _thawed(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _thawed(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_thawed(item) for item in value]
    return value


def _flat_dict(value: Any) -> dict[str, Any]:
    """``asdict`` of a dataclass of plain values (str, date, tuples of str), without its
    deep copy: these are flat, and ``asdict`` took two thirds of ``to_dict``'s time."""
    return {field.name: getattr(value, field.name) for field in fields(value)}


def _json_dates(data: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value.isoformat() if isinstance(value, date) else list(value)
        if isinstance(value, tuple) else value
        for key, value in data.items()
    }


def _from_json(kind: type, data: Mapping[str, Any]) -> Any:
    values = {}
    for field in fields(kind):
        value = data[field.name] if field.name in data else None
        if value is None and field.name not in data:
            continue
        if field.type in ("date", "date | None") and isinstance(value, str):
            value = date.fromisoformat(value)
        elif field.type == "tuple[str, ...]":
            value = tuple(value or ())
        values[field.name] = value
    return kind(**values)


def _form_json(form: Mapping[str, Any]) -> str:
    return json.dumps(_thawed(form), sort_keys=True, ensure_ascii=False)


_SNAPSHOT_LIMIT = 64
#: id of a frozen form dict -> (that dict, its JSON sorted, its JSON in its own order);
#: and id of a definition -> (the definition, its frozen dict)
_snapshots: dict[int, tuple[Mapping[str, Any], str, str]] = {}
_snapshot_of: dict[int, tuple[FormDefinition, Mapping[str, Any]]] = {}


def _form_snapshot(form: FormDefinition) -> Mapping[str, Any]:
    """The form's frozen dict, made once per definition object.

    A batch's letters share one definition: freezing it, writing its JSON and
    thawing it for the letter's record, for every letter, cost about a twelfth
    of rendering the letter. The entries keep their objects alive, so an id is
    never reused while it is a key.
    """
    known = _snapshot_of.get(id(form))
    if known is not None and known[0] is form:
        return known[1]
    if len(_snapshot_of) >= _SNAPSHOT_LIMIT:
        _snapshot_of.clear()
        _snapshots.clear()
    frozen = _frozen_json(form.to_dict())
    _snapshots[id(frozen)] = (frozen, _form_json(frozen),
                              json.dumps(_thawed(frozen), ensure_ascii=False))
    _snapshot_of[id(form)] = (form, frozen)
    return frozen


def _snapshot(form: Mapping[str, Any]) -> tuple[Mapping[str, Any], str, str] | None:
    """What :func:`_form_snapshot` kept of a dict it made; None for any other dict."""
    known = _snapshots.get(id(form))
    return known if known is not None and known[0] is form else None


_form_cache: dict[str, FormDefinition] = {}


def _parse_form(form_json: str) -> FormDefinition:
    """Forms are few and reused by every letter: parse (and check) each definition once."""
    form = _form_cache.get(form_json)
    if form is None:
        form = FormDefinition.from_dict(json.loads(form_json))
        if len(_form_cache) > 64:
            _form_cache.clear()
        _form_cache[form_json] = form
    return form
