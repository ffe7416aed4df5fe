"""Closing a case: the outcome and the move to completed together, or nothing and every
problem named; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from practice_rx.domain.statuses import Status
from practice_rx.errors import ConflictError, PermissionDenied, ValidationError
from practice_rx.services.closing import Closing
from practice_rx.storage.caseload_models import CaseClosure
from practice_rx.storage.models import AuditEvent, Referral, ReferralEvent
from tests.letters.casework_world import add_casework, in_progress, practice
from tests.support.factories import make_patient, make_service, make_user, move, ready_draft


@pytest.fixture
def case(services):
    practice(services)
    case = in_progress(services)
    add_casework(services, case)
    return case


def test_closing_records_the_outcome_and_completes_the_case(services, case, clock):
    closure = services.closing.close(case.worker.id, case.referral.id, case.referral.version,
                                     Closing("partly", "Joan walks with the group weekly.",
                                             "The money advice appointment was missed."))
    with services.db.reading() as session:
        referral = session.get(Referral, case.referral.id)
        stored = session.get(CaseClosure, case.referral.id)
        event = session.scalars(select(ReferralEvent).where(
            ReferralEvent.referral_id == referral.id).order_by(ReferralEvent.id.desc())).first()
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "case_close")).one()
    assert referral.status == Status.COMPLETED and referral.version > case.referral.version
    assert (stored.goals_met, stored.summary, stored.why_not, stored.closed_by_id) == (
        "partly", "Joan walks with the group weekly.",
        "The money advice appointment was missed.", case.worker.id)
    assert closure.closed_at == clock()
    assert (event.from_status, event.to_status, event.user_id) == (
        "in_progress", "completed", case.worker.id)
    # the timeline every role reads says how far goals were met, not what was said
    assert event.note == "Case closed: goals partly met"
    assert "missed" not in event.note
    assert audit.after["goals_met"] == "partly"
    assert audit.after["connected"] == [case.walking.id]  # attending counts; did not start not
    assert audit.patient_id == case.patient.id
    assert services.audit.verify() is None
    assert services.closing.closure(case.gp.id, case.referral.id).goals_met == "partly"


def test_every_problem_is_named_and_nothing_is_saved(services, case):
    with pytest.raises(ValidationError) as caught:
        services.closing.close(case.worker.id, case.referral.id, case.referral.version,
                               Closing("not_met", "  "))
    assert set(caught.value.errors) == {"summary", "why_not"}
    assert caught.value.errors["why_not"] == (
        "Why not: say why the goals were not fully met")
    with pytest.raises(ValidationError) as caught:
        services.closing.close(case.worker.id, case.referral.id, case.referral.version,
                               Closing("mostly", "x" * 2001))
    assert set(caught.value.errors) == {"goals_met", "summary"}
    with services.db.reading() as session:
        assert session.get(CaseClosure, case.referral.id) is None
        assert session.get(Referral, case.referral.id).status == Status.IN_PROGRESS
        assert session.scalars(select(AuditEvent).where(
            AuditEvent.action == "case_close")).first() is None


def test_fully_met_needs_no_why_not_and_keeps_none(services, case):
    closure = services.closing.close(case.worker.id, case.referral.id, case.referral.version,
                                     Closing("fully", "All done.", "left over text"))
    assert closure.why_not == ""


def test_a_closed_case_cannot_be_closed_again(services, case):
    services.closing.close(case.worker.id, case.referral.id, case.referral.version,
                           Closing("fully", "Done"))
    with services.db.reading() as session:
        version = session.get(Referral, case.referral.id).version
    with pytest.raises(ValidationError) as caught:
        services.closing.close(case.worker.id, case.referral.id, version, Closing("", ""))
    assert caught.value.errors["status"] == (
        "Status: only a case in progress can be completed; this one is 'Completed'")
    assert set(caught.value.errors) == {"goals_met", "summary", "status"}  # all at once


def test_a_case_not_yet_in_progress_is_refused(services):
    practice(services)
    case = in_progress(services)
    gp = make_user(services)
    draft = ready_draft(services, gp, make_patient(services), make_service(services))
    sent = services.referrals.send(gp.id, draft.id, draft.version)
    contacted = move(services, move(services, sent, "accepted"), "contacted")
    with pytest.raises(ValidationError) as caught:
        services.closing.close(case.worker.id, contacted.id, contacted.version,
                               Closing("fully", "Done"))
    assert caught.value.errors == {
        "status": "Status: only a case in progress can be completed; this one is 'Contacted'"}


def test_a_stale_version_is_refused(services, case):
    with pytest.raises(ConflictError):
        services.closing.close(case.worker.id, case.referral.id, case.referral.version - 1,
                               Closing("fully", "Done"))


def test_closed_when_it_happened_not_in_the_future(services, case, clock):
    with pytest.raises(ValidationError) as caught:
        services.closing.close(case.worker.id, case.referral.id, case.referral.version,
                               Closing("fully", "Done", occurred_at=datetime(2027, 1, 1)))
    assert "cannot be in the future" in caught.value.errors["occurred_at"]
    earlier = clock()
    clock.advance(hours=2)  # closed this morning, written down now
    closure = services.closing.close(case.worker.id, case.referral.id, case.referral.version,
                                     Closing("fully", "Done", occurred_at=earlier))
    assert closure.closed_at == earlier


@pytest.mark.parametrize("role", ["receptionist", "clinician", "admin"])
def test_only_the_link_worker_closes_a_case(services, case, role):
    user = make_user(services, role, f"A {role}")
    with pytest.raises(PermissionDenied, match="cannot record casework"):
        services.closing.close(user.id, case.referral.id, case.referral.version,
                               Closing("fully", "Done"))


def test_the_plugin_status_hook_hears_of_the_completion(db, clock, case):
    from practice_rx.services import Services

    heard = []

    class Hooks:
        def validate_referral(self, referral):
            return {}

        def status_changed(self, change):
            heard.append((change.from_status, change.to_status, change.referral.referral_id))

    services = Services(db, clock, hooks=Hooks())
    services.closing.close(case.worker.id, case.referral.id, case.referral.version,
                           Closing("fully", "Done"))
    assert heard == [("in_progress", "completed", case.referral.id)]


def test_the_closing_lists_connections_with_their_status(services, case):
    lines = services.closing.connections(case.gp.id, case.referral.id)
    assert [(line.service, line.status_label, line.connected) for line in lines] == [
        ("Leeds Walking Friends", "Attending", True),
        ("Citizens Advice Leeds", "Did not start", False)]
    desk = make_user(services, "receptionist", "Sam Jones")
    with pytest.raises(PermissionDenied):
        services.closing.connections(desk.id, case.referral.id)


def test_the_closing_shows_the_scores_from_baseline_to_follow_up(services, case):
    measures = {measure.title: measure for measure in
                services.closing.scores(case.gp.id, case.referral.id)}
    ucla = measures["Loneliness (three-item UCLA scale)"].scores[0]
    assert (ucla.baseline, ucla.follow_up, ucla.change, ucla.lower_is_better) == (
        8, 4, "better", True)
    with pytest.raises(PermissionDenied):
        services.closing.scores(make_user(services, "receptionist", "Sam").id, case.referral.id)
