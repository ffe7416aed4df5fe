"""Finding, adding and correcting patients.

Details are checked as a whole, so the user sees every problem at once, each
message naming its field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, select, true
from sqlalchemy.orm import Session

from practice_rx.domain import identifiers as ids
from practice_rx.domain.permissions import Action
from practice_rx.domain.search_key import search_key
from practice_rx.domain.text import text_problem
from practice_rx.errors import ValidationError
from practice_rx.services.audit import changed, values_of
from practice_rx.services.base import ServiceBase, get_or_raise, load_for_change
from practice_rx.services.limits import text_errors
from practice_rx.services.practice_scope import (
    SCOPE_KEY,
    check_record_in_scope,
    in_scope,
    scope_condition,
)
from practice_rx.storage.models import Patient, Practice
from practice_rx.storage.name_words import PatientNameWord, starts_with

SEXES = ("female", "male", "other", "unknown")
CONTACT_METHODS = ("phone", "text", "email", "letter")


@dataclass
class PatientDetails:
    """A patient's details as typed in; :func:`clean` turns them into stored values."""

    nhs_number: str
    given_name: str
    family_name: str
    date_of_birth: date | str
    sex: str = "unknown"
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
    #: where the person is registered; None: the user's only practice (or, on a change,
    #: where they are registered now)
    practice_id: int | None = None

    def clean(self, today: date) -> dict[str, object]:
        """The stored values, or a ValidationError listing every bad field.

        Text is checked before anything else (type, NUL, lone surrogates) and its
        length after cleaning, against the column, so both backends refuse alike.
        """
        values: dict[str, object] = {
            field.name: getattr(self, field.name) for field in fields(self)
        }
        errors = {key: f"{LABELS[key]}: {problem}" for key in LABELS
                  if (problem := text_problem(values[key] if values[key] is not None else "",
                                              None))}
        for key in errors:
            values[key] = ""
        practice = values["practice_id"]
        if practice is not None and (not isinstance(practice, int) or isinstance(practice, bool)):
            errors["practice_id"] = "Practice: choose one of the network's practices"
            values["practice_id"] = None
        for key in ("given_name", "family_name", "address", "contact_times", "first_language",
                    "accessibility_needs", "carer_details"):
            values[key] = str(values[key] or "").strip()
        raw = dict(values)

        def check(key: str, action) -> None:
            if key in errors:
                return
            try:
                values[key] = action()
            except ValidationError as error:
                errors.update(error.errors)

        check("nhs_number", lambda: ids.normalise_nhs_number(raw["nhs_number"]))
        check("date_of_birth", lambda: ids.check_date_of_birth(
            ids.parse_date(self.date_of_birth, "date_of_birth", "Date of birth"), today))
        if str(raw["postcode"] or "").strip():
            check("postcode", lambda: ids.normalise_postcode(raw["postcode"]))
        check("phone", lambda: ids.normalise_phone(raw["phone"]))
        check("email", lambda: ids.normalise_email(raw["email"]))
        if not isinstance(self.interpreter_needed, bool):
            errors["interpreter_needed"] = "Interpreter needed: answer yes or no"
        if not values["given_name"]:
            errors.setdefault("given_name", "Given name: enter the patient's given name")
        if not values["family_name"]:
            errors.setdefault("family_name", "Family name: enter the patient's family name")
        if raw["sex"] not in SEXES:
            errors["sex"] = f"Sex: choose one of {', '.join(SEXES)}"
        if raw["preferred_contact"] not in CONTACT_METHODS:
            errors["preferred_contact"] = (
                f"Preferred contact method: choose one of {', '.join(CONTACT_METHODS)}"
            )
        elif raw["preferred_contact"] in ("phone", "text") and not values["phone"]:
            errors.setdefault(
                "phone", "Phone: needed because the preferred contact method is phone or text"
            )
        elif raw["preferred_contact"] == "email" and not values["email"]:
            errors.setdefault("email", "Email: needed because the preferred contact method is email")
        elif raw["preferred_contact"] == "letter" and not (values["address"] and raw["postcode"]):
            errors.setdefault(
                "address", "Address: needed, with a postcode, because the preferred contact "
                "method is letter"
            )
        for key, message in text_errors(Patient, values, LABELS).items():
            errors.setdefault(key, message)
        if errors:
            raise ValidationError(errors)
        return values


#: each text field's label, as its messages start
LABELS = {
    "nhs_number": "NHS number", "given_name": "Given name", "family_name": "Family name",
    "sex": "Sex", "address": "Address", "postcode": "Postcode", "phone": "Phone",
    "email": "Email", "preferred_contact": "Preferred contact method",
    "contact_times": "Best times to contact", "first_language": "First language",
    "accessibility_needs": "Accessibility or communication needs",
    "carer_details": "Carer's details",
}


def _search_terms(text: str) -> tuple[str | None, list[str]]:
    """An NHS number's start, or the folded name words (shortest first), of a search.

    What no stored value can hold (NUL, lone surrogates) is dropped from the search
    words, so PostgreSQL never sees it and both backends answer alike.
    """
    text = "".join(char for char in text
                   if char != "\x00" and not 0xD800 <= ord(char) <= 0xDFFF)
    compact = re.sub(r"[\s-]", "", text)
    if compact.isascii() and compact.isdigit():
        return compact, []
    return None, sorted(set(search_key("", text).split()), key=len)


def patient_matches(text: str) -> ColumnElement[bool]:
    """Patients whose NHS number starts with ``text``, or one of whose names starts with
    each word, accents and case aside ("ozdemir" finds Özdemir on both backends)."""
    number, words = _search_terms(text)
    if number is not None:
        return Patient.nhs_number.startswith(number)
    if not words:
        return true()
    # The longest word's index range finds exactly the patients with a word starting so;
    # the key holds them to the other words (each name word follows a space in it).
    *others, longest = words
    indexed = Patient.id.in_(select(PatientNameWord.patient_id).where(starts_with(longest)))
    return and_(indexed, *(Patient.search_key.contains(f" {word}", autoescape=True)
                           for word in others))


def matching_patient_ids(text: str) -> Select:
    """The ids of the patients :func:`patient_matches` finds, read from the name word index
    alone when one word was typed (its index range is then the whole match)."""
    number, words = _search_terms(text)
    if number is None and len(words) == 1:
        return select(PatientNameWord.patient_id).where(starts_with(words[0]))
    return select(Patient.id).where(patient_matches(text))


AUDITED_FIELDS = [field.name for field in fields(PatientDetails)]


class PatientService(ServiceBase):
    def create(self, user_id: int, details: PatientDetails) -> Patient:
        values = details.clean(self.today())
        now = self.clock()
        with self.db.transaction() as session:
            self.authorize(session, user_id, Action.EDIT_PATIENTS)
            self._refuse_duplicate(session, str(values["nhs_number"]))
            values["practice_id"] = registration(session, values["practice_id"])
            patient = Patient(**values, created_at=now, updated_at=now)
            session.add(patient)
            session.flush()
            _, after = changed({}, values)
            self.audit.record(session, at=now, user_id=user_id, action="patient_create",
                              entity="patient", entity_id=patient.id, patient_id=patient.id,
                              after=after)
            return patient

    def update(self, user_id: int, patient_id: int, expected_version: int,
               details: PatientDetails) -> Patient:
        values = details.clean(self.today())
        now = self.clock()
        with self.db.transaction() as session:
            self.authorize(session, user_id, Action.EDIT_PATIENTS)
            patient = load_for_change(session, Patient, patient_id, expected_version, "Patient")
            if values["nhs_number"] != patient.nhs_number:
                self._refuse_duplicate(session, str(values["nhs_number"]))
            values["practice_id"] = (patient.practice_id if values["practice_id"] is None
                                     else registration(session, values["practice_id"]))
            before = values_of(patient, AUDITED_FIELDS)
            for key, value in values.items():
                setattr(patient, key, value)
            patient.updated_at = now
            old, new = changed(before, values)
            self.audit.record(session, at=now, user_id=user_id, action="patient_update",
                              entity="patient", entity_id=patient.id, patient_id=patient.id,
                              before=old, after=new)
            return patient

    def open(self, user_id: int, patient_id: int) -> Patient:
        """A patient's record for someone to read; the opening is audited."""
        with self.db.transaction() as session:
            self.authorize(session, user_id, Action.VIEW_PATIENTS)
            patient = get_or_raise(session, Patient, patient_id, "Patient")
            self.audit.record(session, at=self.clock(), user_id=user_id, action="patient_view",
                              entity="patient", entity_id=patient.id, patient_id=patient.id)
            return patient

    def by_nhs_number(self, user_id: int, nhs_number: str) -> Patient | None:
        digits = ids.normalise_nhs_number(nhs_number)
        with self.db.reading() as session:
            self.authorize(session, user_id, Action.VIEW_PATIENTS)
            patient = session.scalar(select(Patient).where(Patient.nhs_number == digits))
            if patient is not None:
                check_record_in_scope(session, patient)
            return patient

    def find(self, user_id: int, text: str, date_of_birth: date | None = None,
             limit: int = 50) -> list[Patient]:
        """Patients matching an NHS number (whole or its start) or names, optionally a birth date.

        Each word typed must match the start of the given or family name, so
        ``"jo smi"`` finds Joan Smith.
        """
        query = select(Patient).where(patient_matches(text))
        if date_of_birth is not None:
            query = query.where(Patient.date_of_birth == date_of_birth)
        query = query.order_by(Patient.family_name, Patient.given_name, Patient.id).limit(limit)
        with self.db.reading() as session:
            self.authorize(session, user_id, Action.VIEW_PATIENTS)
            scope = session.info[SCOPE_KEY]
            return list(session.scalars(query.where(scope_condition(Patient.practice_id, scope))))

    @staticmethod
    def _refuse_duplicate(session, nhs_number: str) -> None:
        if session.scalar(select(Patient.id).where(Patient.nhs_number == nhs_number)):
            raise ValidationError.single(
                "nhs_number",
                "NHS number: this number already belongs to a patient; find that patient "
                "instead of adding them again (if you cannot find them, they are registered "
                "at another practice in the network: ask an admin to move their registration)",
            )


def registration(session: Session, practice_id: int | None) -> int | None:
    """The practice a patient is registered at: ``practice_id`` if the acting user works
    for it, else the user's only practice; refused when there is a choice to make."""
    scope = session.info[SCOPE_KEY]
    if practice_id is not None:
        if session.get(Practice, practice_id) is None:
            raise ValidationError.single("practice_id", "Practice: choose one of the "
                                         "network's practices")
        if not in_scope(scope, practice_id):
            raise ValidationError.single("practice_id", "Practice: your account is not "
                                         "linked to that practice; choose one you work for")
        return practice_id
    choices = list(session.scalars(select(Practice.id).where(
        scope_condition(Practice.id, scope)).order_by(Practice.id).limit(2)))
    if len(choices) > 1:
        raise ValidationError.single("practice_id", "Practice: choose the practice where "
                                     "the person is registered")
    if not choices and session.scalar(select(Practice.id).limit(1)) is not None:
        raise ValidationError.single("practice_id", "Practice: your account is not linked "
                                     "to a practice; ask an admin to link it")
    return choices[0] if choices else None
