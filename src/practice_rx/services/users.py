"""The people who use PracticeRx (logins and roles arrive with the users issue)."""

from __future__ import annotations

from sqlalchemy import select

from practice_rx.errors import ValidationError
from practice_rx.services.base import ServiceBase, get_or_raise
from practice_rx.storage.models import User

ROLES = ("receptionist", "clinician", "link_worker", "admin")


class UserService(ServiceBase):
    def ensure(
        self, username: str, display_name: str, role: str = "clinician", job_title: str = ""
    ) -> User:
        """The user called ``username``, created on first use."""
        if role not in ROLES:
            raise ValidationError.single("role", f"Role: must be one of {', '.join(ROLES)}")
        if not username.strip():
            raise ValidationError.single("username", "Username: enter a username")
        with self.db.transaction() as session:
            user = session.scalar(select(User).where(User.username == username))
            if user is None:
                user = User(
                    username=username,
                    display_name=display_name or username,
                    role=role,
                    job_title=job_title,
                    active=True,
                    created_at=self.clock(),
                )
                session.add(user)
            return user

    def get(self, user_id: int) -> User:
        with self.db.reading() as session:
            return get_or_raise(session, User, user_id, "User")

    def list(self) -> list[User]:
        with self.db.reading() as session:
            return list(session.scalars(select(User).order_by(User.display_name)))
