"""The service layer: every rule that protects data lives here, not in a widget.

:class:`Services` bundles one of each service over an open database; the UI,
the CLI and the tests all go through it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from practice_rx.domain.calendar import utcnow
from practice_rx.services.catalogue import CatalogueService
from practice_rx.services.forms import FormService
from practice_rx.services.patients import PatientService
from practice_rx.services.practice import PracticeService
from practice_rx.services.referrals import ReferralHooks, ReferralService
from practice_rx.services.users import UserService
from practice_rx.services.worklist import WorklistService
from practice_rx.storage.database import Database


class Services:
    """One entry point to the services, sharing a database and a clock."""

    def __init__(
        self,
        db: Database,
        clock: Callable[[], datetime] = utcnow,
        hooks: ReferralHooks | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.users = UserService(db, clock)
        self.practice = PracticeService(db, clock)
        self.catalogue = CatalogueService(db, clock)
        self.forms = FormService(db, clock)
        self.patients = PatientService(db, clock)
        self.referrals = ReferralService(db, clock, hooks)
        self.worklist = WorklistService(db, clock)


__all__ = ["Services"]
