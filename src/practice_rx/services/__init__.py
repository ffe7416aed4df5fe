"""The service layer: every rule that protects data lives here, not in a widget.

:class:`Services` bundles one of each service over an open database; the UI,
the CLI and the tests all go through it. Every call that reads or changes
patient data takes the acting user's id first, checks their role, and writes
the audit trail in the same transaction as the change.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

from practice_rx.domain.calendar import utcnow
from practice_rx.services.allocation import AllocationService
from practice_rx.services.audit import AuditService, AuditWriter
from practice_rx.services.auth import AuthService
from practice_rx.services.care_plans import CarePlanService
from practice_rx.services.caseload import CaseloadService
from practice_rx.services.catalogue import CatalogueService
from practice_rx.services.chasing import ChaseService
from practice_rx.services.closing import ClosingService
from practice_rx.services.connections import ConnectionService
from practice_rx.services.contacts import ContactService
from practice_rx.services.extracts import ExtractService
from practice_rx.services.forms import FormService
from practice_rx.services.gp_codes import GpCodeService
from practice_rx.services.outcome_measures import OutcomeMeasureService
from practice_rx.services.patients import PatientService
from practice_rx.services.practice import PracticeService
from practice_rx.services.referrals import ReferralHooks, ReferralService
from practice_rx.services.reports import ReportService
from practice_rx.services.users import UserService
from practice_rx.services.worklist import WorklistService
from practice_rx.storage.database import Database

if TYPE_CHECKING:
    from practice_rx.delivery import DeliveryChannel
    from practice_rx.forms.model import Section
    from practice_rx.letters.service import LetterService
    from practice_rx.letters.templates import LetterTemplate
    from practice_rx.services.delivery import DeliveryService
    from practice_rx.services.fhir_exchange import FhirService


class Services:
    """One entry point to the services, sharing a database, a clock and a workstation name."""

    def __init__(
        self,
        db: Database,
        clock: Callable[[], datetime] = utcnow,
        hooks: ReferralHooks | None = None,
        workstation: str | None = None,
        letter_templates: Iterable[LetterTemplate] = (),
        plan_sections: Iterable[tuple[str, Section]] = (),
        delivery_channels: Mapping[str, DeliveryChannel] | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        writer = AuditWriter(workstation or socket.gethostname())
        self.audit = AuditService(db, clock, writer)
        self.auth = AuthService(db, clock, writer)
        self.users = UserService(db, clock, writer)
        self.practice = PracticeService(db, clock, writer)
        self.catalogue = CatalogueService(db, clock, writer)
        self.forms = FormService(db, clock, writer)
        self.patients = PatientService(db, clock, writer)
        self.referrals = ReferralService(db, clock, writer, hooks)
        self.allocation = AllocationService(db, clock, writer)
        self.contacts = ContactService(db, clock, writer, self.referrals)
        self.caseload = CaseloadService(db, clock, writer)
        self.worklist = WorklistService(db, clock, writer)
        self.care_plans = CarePlanService(db, clock, writer, plan_sections)
        self.connections = ConnectionService(db, clock, writer)
        self.outcome_measures = OutcomeMeasureService(db, clock, writer)
        self.closing = ClosingService(db, clock, writer, self.referrals.hooks)
        self.reports = ReportService(db, clock, writer)
        self.extracts = ExtractService(db, clock, writer)
        self.gp_codes = GpCodeService(db, clock, writer)
        self.chasing = ChaseService(db, clock, writer, self.worklist, lambda: self.letters)
        self._writer = writer
        self._letter_templates = list(letter_templates)
        self._delivery_channels = dict(delivery_channels or {})

    @cached_property
    def letters(self) -> LetterService:
        """Made on first use, so start-up does not pay for loading reportlab."""
        from practice_rx.letters.service import LetterService
        from practice_rx.letters.templates import builtin_templates

        # Built-in letters first, so a plugin's template of the same kind replaces one.
        return LetterService(self.db, self.clock, self._writer,
                             [*builtin_templates(), *self._letter_templates])

    @cached_property
    def delivery(self) -> DeliveryService:
        """Made on first use, like ``letters``; the channels are the plugins' (``mesh`` is
        the built-in plugin's)."""
        from practice_rx.services.delivery import DeliveryService

        return DeliveryService(self.db, self.clock, self._writer, self._delivery_channels,
                               lambda: self.letters, lambda: self.fhir)

    @cached_property
    def fhir(self) -> FhirService:
        """FHIR bundles out and in, made on first use (its modules are not needed to start)."""
        from practice_rx.services.fhir_exchange import FhirService

        return FhirService(self.db, self.clock, self._writer, self.referrals)


__all__ = ["Services"]
