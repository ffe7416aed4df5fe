"""Closing a case: how far the plan's goals were met, a short summary, and the move to completed.

The outcome (:class:`CaseClosure`) and the referral's move to ``completed`` are
written in one transaction, through the same lifecycle rules and the same
plugin status hook as any other status change, so a case is never completed
without its outcome or given an outcome while still open. The summary and the
"why not" stay in the closure (read by roles that see the case summary); the
status event, which every role sees on the referral's timeline, says only how
far the goals were met.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from practice_rx.domain.casework import ConnectionStatus, GoalsMet
from practice_rx.domain.permissions import STATUS_ACTIONS, Action, check
from practice_rx.domain.statuses import Status, check_transition
from practice_rx.domain.text import text_problem
from practice_rx.errors import ValidationError
from practice_rx.plugin_api import StatusChange
from practice_rx.services.audit import AuditWriter, changed, values_of
from practice_rx.services.base import ServiceBase, get_or_raise, load_for_change
from practice_rx.services.referrals import NoHooks, ReferralHooks, ReferralService, snapshot
from practice_rx.storage.caseload_models import CaseClosure, PlanConnection
from practice_rx.storage.database import Database
from practice_rx.storage.models import Referral, Service

#: A summary is for a letter to the GP: a paragraph or two, not the whole story.
MAX_SUMMARY = 2000


@dataclass(frozen=True)
class Closing:
    """What the link worker records when the case ends.

    ``why_not`` is required unless the goals were fully met; ``occurred_at``
    (UTC) is when the case was closed, if earlier than now.
    """

    goals_met: GoalsMet | str
    summary: str
    why_not: str = ""
    occurred_at: datetime | None = None


def check_closing(closing: Closing) -> dict[str, str]:
    """Every problem with what was typed, at once (the case's own state is checked apart)."""
    errors: dict[str, str] = {}
    goals = str(closing.goals_met or "")
    if goals not in GoalsMet._value2member_map_:
        errors["goals_met"] = "Goals met: choose fully, partly or not met"
    summary_problem = text_problem(closing.summary, MAX_SUMMARY)
    if summary_problem is None and not closing.summary.strip():
        summary_problem = "write a short summary of the support and how it ended"
    if summary_problem:
        errors["summary"] = f"Summary: {summary_problem}"
    why_problem = text_problem(closing.why_not, MAX_SUMMARY)
    if why_problem is None and goals in (GoalsMet.PARTLY, GoalsMet.NOT_MET) \
            and not closing.why_not.strip():
        why_problem = "say why the goals were not fully met"
    if why_problem:
        errors["why_not"] = f"Why not: {why_problem}"
    return errors


class ClosingService(ServiceBase):
    """Completes cases. ``hooks`` are the referral service's (plugins hear of the completion)."""

    def __init__(self, db: Database, clock: Callable[[], datetime], audit: AuditWriter,
                 hooks: ReferralHooks | None = None) -> None:
        super().__init__(db, clock, audit)
        self.hooks = hooks or NoHooks()

    def close(self, user_id: int, referral_id: int, expected_version: int,
              closing: Closing) -> CaseClosure:
        """Record the outcome and complete the case, or refuse naming every problem.

        Needs ``record_casework`` (the link worker) and the permission the
        lifecycle asks for a move to completed; the case must be in progress.
        """
        now = self.clock()
        with self.db.transaction() as session:
            user = self.authorize(session, user_id, Action.RECORD_CASEWORK)
            check(user.role, STATUS_ACTIONS[Status.COMPLETED])
            referral = load_for_change(session, Referral, referral_id, expected_version,
                                       "Referral")
            errors = check_closing(closing)
            if referral.status != Status.IN_PROGRESS:
                errors["status"] = (
                    "Status: only a case in progress can be completed; this one is "
                    f"'{Status(referral.status).label}'")
            happened = None
            try:
                happened = ReferralService._occurred(session, referral, closing.occurred_at,
                                                     now)
            except ValidationError as error:
                errors.update(error.errors)
            if errors:
                raise ValidationError(errors)
            assert happened is not None
            goals = GoalsMet(closing.goals_met)
            current = Status(referral.status)
            before = values_of(referral, ("status", "response_due_on"))
            note = f"Case closed: goals {goals.label.lower()}"
            target = check_transition(current, Status.COMPLETED, note)
            closure = CaseClosure(
                referral_id=referral.id, closed_at=happened, closed_by_id=user_id,
                goals_met=goals.value,
                why_not=closing.why_not.strip() if goals is not GoalsMet.FULLY else "",
                summary=closing.summary.strip())
            session.add(closure)
            referral.status = target
            referral.status_changed_at = happened
            referral.response_due_on = None
            referral.next_contact_due_on = None
            referral.updated_at = now
            event = ReferralService._event(referral, current, target, user_id, now, note,
                                           happened)
            session.add(event)
            session.flush()
            moved = {**values_of(referral, ("status", "response_due_on")), "note": event.note}
            if happened != now:
                moved["occurred_at"] = happened
            # the same entry as any status change, so the trail reconciles with the referral
            was, now_is = changed(before, moved)
            self.audit.record(session, at=now, user_id=user_id, action="referral_status",
                              entity="referral", entity_id=referral.id,
                              patient_id=referral.patient_id, before=was, after=now_is)
            after = {"status": target.value, "goals_met": goals.value,
                     "why_not": closure.why_not, "summary": closure.summary,
                     "connected": self._connected_ids(session, referral.id)}
            if happened != now:
                after["occurred_at"] = happened
            self.audit.record(session, at=now, user_id=user_id, action="case_close",
                              entity="referral", entity_id=referral.id,
                              patient_id=referral.patient_id,
                              before={"status": current.value}, after=after)
            change = StatusChange(
                referral=snapshot(referral, session.get(Service, referral.service_id)
                                  if referral.service_id else None),
                from_status=current, to_status=target, user_id=user_id, at=happened,
                note=event.note, snomed_code=event.snomed_code,
            )
        self.hooks.status_changed(change)
        return closure

    def closure(self, user_id: int, referral_id: int) -> CaseClosure | None:
        """How the case ended, or None while it is open (needs ``view_case_summary``)."""
        with self.db.reading() as session:
            self.authorize(session, user_id, Action.VIEW_CASE_SUMMARY)
            get_or_raise(session, Referral, referral_id, "Referral")
            return session.get(CaseClosure, referral_id)

    def connections(self, user_id: int, referral_id: int) -> list:
        """The services the plan connected the person to, or tried to, for the closing screen
        (``letters.casework_inputs.ConnectionFact``, as the message back will show them)."""
        from practice_rx.letters.casework_facts import connection_facts  # loads reportlab: late

        with self.db.reading() as session:
            self.authorize(session, user_id, Action.VIEW_CASE_SUMMARY)
            get_or_raise(session, Referral, referral_id, "Referral")
            return list(connection_facts(session, referral_id))

    def scores(self, user_id: int, referral_id: int) -> tuple:
        """Each outcome measure's scores from baseline to the latest follow-up
        (``letters.casework_inputs.MeasureFact``), as the message back will show them."""
        from practice_rx.letters.casework_facts import measure_facts  # loads reportlab: late

        with self.db.reading() as session:
            self.authorize(session, user_id, Action.VIEW_CASE_SUMMARY)
            get_or_raise(session, Referral, referral_id, "Referral")
            return measure_facts(session, referral_id)

    @staticmethod
    def _connected_ids(session, referral_id: int) -> list[int]:
        connected = [status.value for status in ConnectionStatus if status.connected]
        return list(session.scalars(
            select(PlanConnection.service_id)
            .where(PlanConnection.referral_id == referral_id,
                   PlanConnection.status.in_(connected))
            .order_by(PlanConnection.id)))
