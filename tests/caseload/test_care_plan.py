"""The personalised care and support plan: versions kept, agreement final, clinicians see the
agreed summary only; on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from practice_rx.errors import ConflictError, TransitionError, ValidationError
from practice_rx.forms.parse import form_from_dict
from practice_rx.services import Services
from practice_rx.services.care_plans import Agreement, PlanAction, PlanContent, PlanSummary
from practice_rx.storage.caseload_models import CarePlanVersion
from practice_rx.storage.models import AuditEvent
from tests.caseload.casework_cases import PLAN, agree_plan, open_case
from tests.support.factories import make_user


def test_each_save_is_a_new_version_numbered_after_the_last(services):
    case = open_case(services)
    first = services.care_plans.save(case.worker.id, case.referral_id, case.version,
                                     PlanContent(what_matters="  Seeing people again  "))
    second = services.care_plans.save(case.worker.id, case.referral_id, case.version, PLAN)
    assert (first.number, second.number) == (1, 2)
    versions = services.care_plans.versions(case.worker.id, case.referral_id)
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].content.what_matters == "Seeing people again"
    assert versions[1].content.outcomes == PLAN.outcomes
    assert versions[1].content.actions == PLAN.actions
    assert versions[1].recorded_by == "Nadia Ahmed"
    assert not versions[1].agreed


def test_what_matters_is_required_and_every_problem_is_named_at_once(services):
    case = open_case(services)
    bad = PlanContent(what_matters="  ", outcomes=("Walk more", " "),
                      actions=(PlanAction("Joan", "Walk"), PlanAction("", "x\x00y")),
                      review_on=date(2026, 11, 1))
    with pytest.raises(ValidationError) as caught:
        services.care_plans.save(case.worker.id, case.referral_id, case.version, bad)
    assert set(caught.value.errors) == {"what_matters", "outcomes[1]", "actions[1].who",
                                        "actions[1].what", "review_on"}
    assert caught.value.errors["actions[1].who"].startswith("Action 2, who:")
    assert caught.value.errors["outcomes[1]"].startswith("Outcome 2:")
    with services.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(CarePlanVersion)) == 0


def test_agreeing_records_who_and_when_and_needs_outcomes_and_a_review(services, clock):
    case = open_case(services)
    clock.advance(days=3)
    with pytest.raises(ValidationError) as caught:
        services.care_plans.save(case.worker.id, case.referral_id, case.version,
                                 PlanContent(what_matters="Company"),
                                 Agreement(agreed_on=date(2026, 11, 28)))
    assert set(caught.value.errors) == {"agreed_on", "outcomes", "review_on"}
    assert "future" in caught.value.errors["agreed_on"]
    agree_plan(case, others="her daughter Anne", agreed_on=date(2026, 11, 25))
    [version] = services.care_plans.versions(case.worker.id, case.referral_id)
    assert version.agreed_on == date(2026, 11, 25)
    assert version.agreed_with == "the person and her daughter Anne"
    with pytest.raises(ValidationError, match="before the referral was made"):
        agree_plan(case, agreed_on=date(2026, 11, 23))


def test_a_change_after_agreement_is_a_new_unagreed_version_and_the_agreed_one_stays(services):
    case = open_case(services)
    agree_plan(case)
    changed = replace(PLAN, outcomes=("Out of the house every day",))
    services.care_plans.save(case.worker.id, case.referral_id, case.version, changed)
    first, second = services.care_plans.versions(case.worker.id, case.referral_id)
    assert first.agreed and first.content.outcomes == PLAN.outcomes
    assert not second.agreed and second.content.outcomes == changed.outcomes
    gp = make_user(services, "clinician", "Dr Ravi Shah")
    summary = services.care_plans.summary(gp.id, case.referral_id)
    assert summary.number == 1 and summary.outcomes == PLAN.outcomes
    assert summary.newer_unagreed


def test_a_clinician_gets_the_summary_type_with_no_one_else_s_words(services):
    case = open_case(services)
    gp = make_user(services, "clinician", "Dr Ravi Shah")
    assert services.care_plans.summary(gp.id, case.referral_id) is None
    agree_plan(case)
    summary = services.care_plans.summary(gp.id, case.referral_id)
    assert isinstance(summary, PlanSummary)
    assert summary.what_matters == PLAN.what_matters
    assert summary.actions == PLAN.actions and summary.review_on == PLAN.review_on
    assert not hasattr(summary, "who_involved") and not hasattr(summary, "sections")
    assert not summary.newer_unagreed


def test_a_stale_save_from_another_desk_is_refused(services):
    case = open_case(services)
    stale = case.version
    services.care_plans.save(case.worker.id, case.referral_id, stale, PLAN)
    with pytest.raises(ConflictError):
        services.care_plans.save(case.worker.id, case.referral_id, stale, PLAN)
    assert len(services.care_plans.versions(case.worker.id, case.referral_id)) == 1


@pytest.mark.parametrize(("status", "allocated"), [("accepted", False), ("contacted", False)])
def test_a_plan_needs_a_case_allocated_to_a_link_worker(services, status, allocated):
    case = open_case(services, status, allocated=allocated)
    with pytest.raises(TransitionError, match="allocate it first"):
        services.care_plans.save(case.worker.id, case.referral_id, case.version, PLAN)


def test_no_plan_is_written_on_a_closed_case(services):
    case = open_case(services)
    services.referrals.change_status(case.worker.id, case.referral_id, case.version, "declined",
                                     "Did not want support now")
    with pytest.raises(TransitionError, match="accepted, contacted or in progress"):
        services.care_plans.save(case.worker.id, case.referral_id, case.version, PLAN)


def test_saving_and_reading_are_audited_without_the_person_s_words(services, db):
    case = open_case(services)
    agree_plan(case)
    services.care_plans.versions(case.worker.id, case.referral_id)
    with db.reading() as session:
        rows = session.scalars(select(AuditEvent).where(
            AuditEvent.action.like("care_plan%")).order_by(AuditEvent.id)).all()
    assert [row.action for row in rows] == ["care_plan_agreed", "care_plan_view"]
    assert rows[0].after["number"] == 1 and rows[0].after["outcomes"] == 2
    assert "Bill" not in str(rows[0].after)


PLUGIN_SECTION = form_from_dict({"id": "x", "version": 1, "title": "x", "sections": [{
    "key": "housing", "title": "Housing", "fields": [
        {"key": "tenure", "label": "Tenure", "type": "single_choice", "required": True,
         "choices": [{"code": "owner", "label": "Owner"}, {"code": "rent", "label": "Renting"}]},
        {"key": "repairs", "label": "Repairs needed", "type": "long_text"}]}]}).sections[0]


@pytest.fixture
def with_sections(db, clock) -> Services:
    return Services(db, clock, plan_sections=[("area_plugin", PLUGIN_SECTION)])


def test_plugin_sections_are_checked_with_the_form_rules(with_sections):
    case = open_case(with_sections)
    plan = replace(PLAN, sections={"housing": {"tenure": "castle"}, "garden": {}})
    with pytest.raises(ValidationError) as caught:
        with_sections.care_plans.save(case.worker.id, case.referral_id, case.version, plan)
    assert set(caught.value.errors) == {"sections", "sections.housing.tenure"}
    assert caught.value.errors["sections.housing.tenure"].startswith("Tenure:")
    # a draft may leave a required answer out; an agreed plan may not
    with_sections.care_plans.save(case.worker.id, case.referral_id, case.version, PLAN)
    with pytest.raises(ValidationError) as caught:
        agree_plan(case)
    assert set(caught.value.errors) == {"sections.housing.tenure"}
    agree_plan(case, replace(PLAN, sections={"housing": {"tenure": "rent"}}))
    latest = with_sections.care_plans.versions(case.worker.id, case.referral_id)[-1]
    assert latest.content.sections == {"housing": {"tenure": "rent"}}
    assert latest.section_definitions["housing"].title == "Housing"


def test_in_progress_needs_an_agreed_plan_for_an_allocated_case(services):
    case = open_case(services)
    services.care_plans.save(case.worker.id, case.referral_id, case.version, PLAN)
    with pytest.raises(TransitionError, match="agree a care and support plan"):
        services.referrals.change_status(case.worker.id, case.referral_id, case.version,
                                         "in_progress")
    agree_plan(case)
    services.referrals.change_status(case.worker.id, case.referral_id, case.version,
                                     "in_progress")
    assert case.status == "in_progress"


def test_a_referral_with_no_link_worker_moves_on_without_a_plan(services):
    case = open_case(services, allocated=False)
    services.referrals.change_status(case.worker.id, case.referral_id, case.version,
                                     "in_progress")
    assert case.status == "in_progress"


def test_the_audit_trail_still_verifies_after_the_casework(services):
    from tests.caseload.casework_cases import install_measures
    from tests.support.factories import make_service

    install_measures(services)
    case = open_case(services)
    agree_plan(case)
    row = services.connections.connect(case.worker.id, case.referral_id, case.version,
                                       make_service(services, "Lunch club").id)
    services.connections.move(case.worker.id, row.id, row.version, "referred")
    services.outcome_measures.record(case.worker.id, case.referral_id, case.version,
                                     ("ons_lonely", 1), "baseline", services.clock().date(),
                                     {"lonely": 3})
    services.care_plans.summary(case.worker.id, case.referral_id)
    assert services.audit.verify() is None
