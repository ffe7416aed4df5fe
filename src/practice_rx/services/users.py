"""The people who use PracticeRx: adding them, disabling them, resetting passwords.

``create`` is for the first admin and the command line (whoever can run
``practice-rx`` against the database is trusted, as with ``createuser``);
inside the app, ``add`` and the rest need an admin.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from practice_rx.domain.permissions import Action, Role
from practice_rx.domain.text import text_problem
from practice_rx.errors import PermissionDenied, ValidationError
from practice_rx.services.auth import hash_password
from practice_rx.services.base import ServiceBase, get_or_raise
from practice_rx.services.demo_guard import refuse_published_password
from practice_rx.services.limits import text_errors
from practice_rx.services.practice_scope import SCOPE_KEY
from practice_rx.storage.models import Practice, User, UserPractice

ROLES = tuple(role.value for role in Role)
MIN_PASSWORD_LENGTH = 10
USER_LABELS = {"username": "Username", "display_name": "Name", "job_title": "Job title"}


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError.single(
            "password", f"Password: use at least {MIN_PASSWORD_LENGTH} characters")


class UserService(ServiceBase):
    def create(self, username: str, display_name: str, role: str, password: str | None = None,
               job_title: str = "") -> User:
        """Add a user with no one acting (first run, command line)."""
        with self.db.transaction() as session:
            return self._create(session, None, username, display_name, role, password, job_title)

    def add(self, admin_id: int, username: str, display_name: str, role: str, password: str,
            job_title: str = "", practice_ids: Collection[int] | None = None) -> User:
        """A new user; ``practice_ids`` the practices they work for (default: as
        :func:`default_practices` says)."""
        with self.db.transaction() as session:
            self.authorize(session, admin_id, Action.MANAGE_USERS)
            user = self._create(session, admin_id, username, display_name, role, password,
                                job_title)
            if practice_ids is not None:
                self._link(session, admin_id, user, practice_ids, user.all_practices)
            return user

    def set_practices(self, admin_id: int | None, user_id: int, practice_ids: Collection[int],
                      all_practices: bool) -> User:
        """Which practices a user works for, or that they work across the network.

        An admin links users only to practices they work for themselves, and only an
        admin who works across the network may say another user does; with no admin
        (the command line) anything may be set.
        """
        with self.db.transaction() as session:
            if admin_id is not None:
                self.authorize(session, admin_id, Action.MANAGE_USERS)
            user = get_or_raise(session, User, user_id, "User")
            self._link(session, admin_id, user, practice_ids, all_practices)
            return user

    def practices_of(self, user_id: int) -> frozenset[int]:
        """The practices a user is linked to (whether or not they work across the network)."""
        with self.db.reading() as session:
            return frozenset(session.scalars(select(UserPractice.practice_id).where(
                UserPractice.user_id == user_id)))

    def _link(self, session: Session, admin_id: int | None, user: User,
              practice_ids: Collection[int], all_practices: bool) -> None:
        wanted = set(practice_ids)
        scope = session.info.get(SCOPE_KEY)  # none without an acting admin
        known = set(session.scalars(select(Practice.id).where(Practice.id.in_(wanted))))
        if wanted - known:
            raise ValidationError.single("practices", "Practices: choose the network's "
                                         "practices only")
        before = set(session.scalars(select(UserPractice.practice_id).where(
            UserPractice.user_id == user.id)))
        if scope is not None and ((wanted ^ before) - scope
                                  or all_practices != user.all_practices):
            raise PermissionDenied("Not allowed: an admin links users only to the practices "
                                   "they work for, and only an admin who works across the "
                                   "network says who else does")
        session.execute(delete(UserPractice).where(UserPractice.user_id == user.id,
                                                   UserPractice.practice_id.not_in(wanted)))
        session.add_all(UserPractice(user_id=user.id, practice_id=practice_id)
                        for practice_id in sorted(wanted - before))
        old_all = user.all_practices
        user.all_practices = all_practices
        session.flush()
        self.audit.record(session, at=self.clock(), user_id=admin_id, action="user_practices",
                          entity="user", entity_id=user.id,
                          before={"practices": sorted(before), "all_practices": old_all},
                          after={"practices": sorted(wanted), "all_practices": all_practices})

    def ensure(self, username: str, display_name: str, role: str = "clinician",
               job_title: str = "") -> User:
        """The user called ``username``, created (without a password) on first use."""
        with self.db.transaction() as session:
            user = session.scalar(select(User).where(User.username == username))
            if user is None:
                user = self._create(session, None, username, display_name, role, None, job_title)
            return user

    def set_active(self, admin_id: int | None, user_id: int, active: bool) -> User:
        with self.db.transaction() as session:
            if admin_id is not None:
                self.authorize(session, admin_id, Action.MANAGE_USERS)
            user = get_or_raise(session, User, user_id, "User")
            if not active and user.role == Role.ADMIN and user.active:
                other_admins = session.scalar(select(func.count()).select_from(User).where(
                    User.role == Role.ADMIN, User.active, User.id != user.id))
                if not other_admins:
                    raise ValidationError.single(
                        "active", f"{user.display_name} is the last active admin: add another "
                        "admin before disabling this one")
            before = user.active
            user.active = active
            self.audit.record(session, at=self.clock(), user_id=admin_id, action="user_active",
                              entity="user", entity_id=user.id, before={"active": before},
                              after={"active": active})
            return user

    def reset_password(self, admin_id: int | None, user_id: int, password: str) -> User:
        check_password(password)
        with self.db.transaction() as session:
            if admin_id is not None:
                self.authorize(session, admin_id, Action.MANAGE_USERS)
            user = get_or_raise(session, User, user_id, "User")
            refuse_published_password(session.connection(), password)
            user.password_hash = hash_password(password)
            user.failed_logins = 0
            user.locked_until = None
            self.audit.record(session, at=self.clock(), user_id=admin_id,
                              action="password_reset", entity="user", entity_id=user.id)
            return user

    def get(self, user_id: int) -> User:
        with self.db.reading() as session:
            return get_or_raise(session, User, user_id, "User")

    def by_username(self, username: str) -> User | None:
        """The user called ``username``; None also for text no username can be (a NUL, which
        PostgreSQL would refuse even in a query)."""
        if text_problem(username, None):
            return None
        with self.db.reading() as session:
            return session.scalar(select(User).where(User.username == username))

    def list(self) -> list[User]:
        with self.db.reading() as session:
            return list(session.scalars(select(User).order_by(User.display_name)))

    def needs_first_admin(self) -> bool:
        """True until an active admin who can log in exists: the app then asks for one."""
        with self.db.reading() as session:
            return not session.scalar(select(func.count()).select_from(User).where(
                User.role == Role.ADMIN, User.active, User.password_hash.is_not(None)))

    def _create(self, session: Session, admin_id: int | None, username: str, display_name: str,
                role: str, password: str | None, job_title: str) -> User:
        errors = text_errors(User, {"username": username, "display_name": display_name,
                                    "job_title": job_title}, USER_LABELS)
        if errors:  # nothing below can read text that is not storable
            raise ValidationError(errors)
        if role not in ROLES:
            errors["role"] = f"Role: must be one of {', '.join(ROLES)}"
        if not username.strip():
            errors["username"] = "Username: enter a username"
        elif session.scalar(select(User.id).where(User.username == username.strip())):
            errors["username"] = f"Username: '{username.strip()}' is already taken"
        if password is not None:
            try:
                check_password(password)
                refuse_published_password(session.connection(), password)
            except ValidationError as error:
                errors.update(error.errors)
        if errors:
            raise ValidationError(errors)
        user = User(username=username.strip(), display_name=display_name.strip() or username,
                    role=role, job_title=job_title, active=True, created_at=self.clock(),
                    password_hash=hash_password(password) if password else None,
                    failed_logins=0)
        practices = list(session.scalars(select(Practice.id).order_by(Practice.id).limit(2)))
        user.all_practices = works_across_by_default(role, len(practices))
        session.add(user)
        session.flush()
        if len(practices) == 1:
            session.add(UserPractice(user_id=user.id, practice_id=practices[0]))
        self.audit.record(session, at=self.clock(), user_id=admin_id, action="user_create",
                          entity="user", entity_id=user.id,
                          after={"username": user.username, "role": role,
                                 "all_practices": user.all_practices})
        return user


def works_across_by_default(role: str, practices: int) -> bool:
    """Link workers serve the whole network; an admin does while there is one practice
    (they set the network up). Anyone else works for the practices they are linked to."""
    return role == Role.LINK_WORKER or (role == Role.ADMIN and practices <= 1)
