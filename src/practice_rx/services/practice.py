"""The network's practices: their letterheads, response windows and list sizes.

A database holds one practice or a primary care network's several. The first
practice saved claims every patient, referral and user that has none (a database
used before any practice was set up); later ones are added by an admin who works
across the network, and each is changed only by an admin who works for it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from practice_rx.domain import identifiers as ids
from practice_rx.domain.calendar import DEFAULT_RESPONSE_DAYS
from practice_rx.domain.contacts import DEFAULT_ATTEMPTS_BEFORE_NOT_CONTACTABLE
from practice_rx.domain.delivery_methods import mesh_mailbox_problem
from practice_rx.domain.permissions import Action
from practice_rx.domain.text import text_problem
from practice_rx.errors import PermissionDenied, ValidationError
from practice_rx.services.audit import changed, values_of
from practice_rx.services.base import ServiceBase
from practice_rx.services.limits import text_errors
from practice_rx.services.practice_scope import SCOPE_KEY, in_scope, scope_condition
from practice_rx.storage.models import Patient, Practice, Referral, User, UserPractice


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
    #: registered patients (the referral rate's denominator); None: not entered
    list_size: int | None = None
    #: the practice's NHS MESH mailbox that referrals are delivered from; None leaves it as
    #: it is (a screen that does not show it), "" clears it
    mesh_mailbox_id: str | None = None

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
        size = self.list_size
        if size is not None and (not isinstance(size, int) or isinstance(size, bool)
                                 or not 1 <= size <= 1_000_000):
            errors["list_size"] = ("List size: enter the number of registered patients, "
                                   "from 1 to 1,000,000, or leave it empty")
        mailbox = self.mesh_mailbox_id
        if mailbox is None:  # a screen that does not show it leaves it as it is
            del values["mesh_mailbox_id"]
        elif isinstance(mailbox, str) and not mailbox.strip():
            values["mesh_mailbox_id"] = None
        elif isinstance(mailbox, str):
            values["mesh_mailbox_id"] = mailbox.strip()
            problem = mesh_mailbox_problem(mailbox.strip(), "MESH mailbox")
            if problem:
                errors["mesh_mailbox_id"] = problem
        else:
            errors["mesh_mailbox_id"] = "MESH mailbox: enter the mailbox id as text, or nothing"
        errors.update(text_errors(Practice, values, PRACTICE_LABELS))
        if errors:
            raise ValidationError(errors)
        return values


PRACTICE_LABELS = {"ods_code": "ODS code", "name": "Practice name", "address": "Address",
                   "postcode": "Postcode", "phone": "Phone", "email": "Email"}


def load_practice(session: Session) -> Practice | None:
    """The first practice: the one of a single-practice database."""
    return session.scalar(select(Practice).order_by(Practice.id).limit(1))


def practice_of(session: Session, practice_id: int | None) -> Practice | None:
    """A record's practice, for its letterhead and windows; the first practice for a
    record from before any practice was set up."""
    if practice_id is not None:
        return session.get(Practice, practice_id)
    return load_practice(session)


class PracticeService(ServiceBase):
    def get(self, practice_id: int | None = None) -> Practice | None:
        """A practice by id, or the first one."""
        with self.db.reading() as session:
            return practice_of(session, practice_id)

    def all(self) -> list[Practice]:
        """Every practice of the network, by name (for the command line and set-up)."""
        with self.db.reading() as session:
            return list(session.scalars(select(Practice).order_by(Practice.name, Practice.id)))

    def by_ods(self, ods_codes: Collection[str]) -> list[Practice]:
        """The practices with these ODS codes (any case), refusing an unknown one."""
        wanted = {code.strip().upper() for code in ods_codes}
        with self.db.reading() as session:
            found = list(session.scalars(select(Practice).where(
                Practice.ods_code.in_(sorted(wanted))).order_by(Practice.name)))
        unknown = sorted(wanted - {practice.ods_code for practice in found})
        if unknown:
            raise ValidationError.single("practice", "Practice: no practice of the network "
                                         f"has the ODS code {', '.join(unknown)}")
        return found

    def visible(self, user_id: int) -> list[Practice]:
        """The practices ``user_id`` works for (every one if across the network), by name."""
        with self.db.reading() as session:
            self.authorize(session, user_id, Action.VIEW_REFERRALS)
            scope = session.info[SCOPE_KEY]
            return list(session.scalars(select(Practice).where(
                scope_condition(Practice.id, scope)).order_by(Practice.name, Practice.id)))

    def save(self, user_id: int, details: PracticeDetails,
             practice_id: int | None = None) -> Practice:
        """Change a practice's details; ``practice_id`` None means the only practice
        (created if there is none yet)."""
        values = details.clean()
        with self.db.transaction() as session:
            self.authorize(session, user_id, Action.MANAGE_SETTINGS)
            if practice_id is None:
                ids_now = list(session.scalars(select(Practice.id).order_by(Practice.id)
                                               .limit(2)))
                if len(ids_now) > 1:
                    raise ValidationError.single("practice", "Practice: say which of the "
                                                 "network's practices to change")
                practice_id = ids_now[0] if ids_now else None
            if practice_id is None:
                return self._add(session, user_id, values)
            practice = session.get(Practice, practice_id)
            if practice is None:
                raise ValidationError.single("practice", "Practice: no such practice")
            if not in_scope(session.info[SCOPE_KEY], practice.id):
                raise PermissionDenied("Not allowed: only an admin who works for this "
                                       "practice, or across the network, may change it")
            self._refuse_taken_ods(session, str(values["ods_code"]), practice.id)
            before = values_of(practice, values)
            for key, value in values.items():
                setattr(practice, key, value)
            session.flush()
            old, new = changed(before, values)
            self.audit.record(session, at=self.clock(), user_id=user_id, action="practice_save",
                              entity="practice", entity_id=practice.id, before=old, after=new)
            return practice

    def add(self, user_id: int, details: PracticeDetails) -> Practice:
        """Another practice of the network; only an admin who works across it may add one."""
        values = details.clean()
        with self.db.transaction() as session:
            self.authorize(session, user_id, Action.MANAGE_SETTINGS)
            if session.info[SCOPE_KEY] is not None:
                raise PermissionDenied("Not allowed: only an admin who works across the "
                                       "network may add a practice")
            return self._add(session, user_id, values)

    def _add(self, session: Session, user_id: int, values: dict[str, object]) -> Practice:
        self._refuse_taken_ods(session, str(values["ods_code"]), None)
        first = session.scalar(select(Practice.id).limit(1)) is None
        practice = Practice(**values)
        session.add(practice)
        session.flush()
        _, new = changed({}, values)
        if first:
            new["claimed"] = claim_unassigned(session, practice.id)
        self.audit.record(session, at=self.clock(), user_id=user_id, action="practice_add",
                          entity="practice", entity_id=practice.id, after=new)
        return practice

    @staticmethod
    def _refuse_taken_ods(session: Session, ods: str, practice_id: int | None) -> None:
        other = session.scalar(select(Practice.id).where(Practice.ods_code == ods))
        if other is not None and other != practice_id:
            raise ValidationError.single("ods_code", f"ODS code: {ods} is already one of the "
                                         "network's practices")


def claim_unassigned(session: Session, practice_id: int) -> dict[str, int]:
    """The first practice takes every patient, referral and user that has none; how many
    of each go in the audit row, so the change is seen."""
    claimed = {}
    for model in (Patient, Referral):
        claimed[model.__tablename__] = session.execute(
            update(model).where(model.practice_id.is_(None)).values(practice_id=practice_id)
            .execution_options(synchronize_session=False)).rowcount
    linked = select(UserPractice.user_id)
    users = list(session.scalars(select(User.id).where(User.id.not_in(linked))))
    session.add_all(UserPractice(user_id=user_id, practice_id=practice_id) for user_id in users)
    claimed["users"] = len(users)
    return claimed
