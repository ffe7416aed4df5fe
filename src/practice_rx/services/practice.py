"""The practice's own details: letterheads and default response windows."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from practice_rx.domain import identifiers as ids
from practice_rx.domain.calendar import DEFAULT_RESPONSE_DAYS
from practice_rx.domain.contacts import DEFAULT_ATTEMPTS_BEFORE_NOT_CONTACTABLE
from practice_rx.domain.permissions import Action
from practice_rx.errors import ValidationError
from practice_rx.services.audit import changed, values_of
from practice_rx.services.base import ServiceBase
from practice_rx.domain.text import text_problem
from practice_rx.services.limits import text_errors
from practice_rx.storage.models import Practice


@dataclass
class PracticeDetails:
    ods_code: str
    name: str
    address: str = ""
    postcode: str = ""
    phone: str = ""
    email: str = ""
    response_days: int = DEFAULT_RESPONSE_DAYS
    contact_days: int = DEFAULT_RESPONSE_DAYS
    chase_again_days: int = 5
    #: failed contact attempts in a row after which "not contactable" is offered
    contact_attempts: int = DEFAULT_ATTEMPTS_BEFORE_NOT_CONTACTABLE

    def clean(self) -> dict[str, object]:
        errors = {key: f"{label}: {problem}" for key, label in PRACTICE_LABELS.items()
                  if (problem := text_problem(getattr(self, key), None))}
        if errors:  # the checks below read the text; lengths are checked once it is cleaned
            raise ValidationError(errors)
        values: dict[str, object] = dict(self.__dict__)
        ods = self.ods_code.strip().upper()
        if not (3 <= len(ods) <= 8 and ods.isalnum()):
            errors["ods_code"] = "ODS code: enter the practice's organisation code, e.g. A81001"
        values["ods_code"] = ods
        values["name"] = self.name.strip()
        if not values["name"]:
            errors["name"] = "Practice name: enter the name printed on letters"
        for key, check in (("postcode", ids.normalise_postcode), ("phone", ids.normalise_phone),
                           ("email", ids.normalise_email)):
            value = getattr(self, key)
            if value.strip():
                try:
                    values[key] = check(value)
                except ValidationError as error:
                    errors.update(error.errors)
        for key, label in (("response_days", "Response window"), ("contact_days", "Contact window"),
                           ("chase_again_days", "Chase again after")):
            days = getattr(self, key)
            if not isinstance(days, int) or not 1 <= days <= 90:
                errors[key] = f"{label}: enter a number of working days from 1 to 90"
        attempts = self.contact_attempts
        if not isinstance(attempts, int) or isinstance(attempts, bool) or not 1 <= attempts <= 20:
            errors["contact_attempts"] = ("Attempts before 'not contactable': enter a number "
                                          "from 1 to 20")
        errors.update(text_errors(Practice, values, PRACTICE_LABELS))
        if errors:
            raise ValidationError(errors)
        return values


PRACTICE_LABELS = {"ods_code": "ODS code", "name": "Practice name", "address": "Address",
                   "postcode": "Postcode", "phone": "Phone", "email": "Email"}


def load_practice(session: Session) -> Practice | None:
    return session.scalar(select(Practice).order_by(Practice.id).limit(1))


class PracticeService(ServiceBase):
    def get(self) -> Practice | None:
        with self.db.reading() as session:
            return load_practice(session)

    def save(self, user_id: int, details: PracticeDetails) -> Practice:
        values = details.clean()
        with self.db.transaction() as session:
            self.authorize(session, user_id, Action.MANAGE_SETTINGS)
            practice = load_practice(session) or Practice()
            before = values_of(practice, values)
            for key, value in values.items():
                setattr(practice, key, value)
            session.add(practice)
            session.flush()
            old, new = changed(before, values)
            self.audit.record(session, at=self.clock(), user_id=user_id, action="practice_save",
                              entity="practice", entity_id=practice.id, before=old, after=new)
            return practice
