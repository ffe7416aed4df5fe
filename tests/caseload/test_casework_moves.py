"""A link worker's case moves on by what happened: a contact recorded, a case closed.

The status dialog (and any caller of change_status) cannot mark an allocated case
contacted with no contact on record, nor completed without its outcome (H27).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from practice_rx.errors import ValidationError
from practice_rx.services.closing import Closing
from practice_rx.services.contacts import ContactDetails
from practice_rx.storage.models import Referral
from tests.caseload.casework_cases import open_case
from tests.support.factories import move


def test_an_allocated_case_is_not_marked_contacted_without_a_contact(services):
    case = open_case(services, status="accepted")
    with pytest.raises(ValidationError) as refused:
        services.referrals.change_status(case.worker.id, case.referral_id, case.version,
                                         "contacted")
    assert refused.value.errors["status"].startswith("Contacted: record the contact")
    assert case.status == "accepted"


def test_an_allocated_case_is_completed_only_by_closing_it(services):
    case = open_case(services, status="in_progress")
    with pytest.raises(ValidationError) as refused:
        services.referrals.change_status(case.worker.id, case.referral_id, case.version,
                                         "completed")
    assert "completed by closing it (Close case…)" in refused.value.errors["status"]
    assert case.status == "in_progress"
    services.closing.close(case.worker.id, case.referral_id, case.version,
                           Closing("fully", "Goes to the lunch club every week"))
    assert case.status == "completed"


def test_a_referral_to_a_community_service_is_still_moved_by_its_reply(services):
    case = open_case(services, status="contacted", allocated=False)
    with services.db.reading() as session:
        referral = session.get(Referral, case.referral_id)
    referral = move(services, referral, "in_progress")
    assert move(services, referral, "completed").status == "completed"


CONTACTED = ("Contacted: record the contact with the person (Record contact…), which moves "
             "a link worker's case to contacted")


def test_only_a_contact_made_on_this_case_lets_it_be_marked_contacted(services):
    """A failed attempt on this case, or a contact made on another person's, is not one."""
    case = open_case(services, status="accepted")
    open_case(services, status="contacted")  # another person's case, its contact made
    services.contacts.record(case.worker.id, case.referral_id, case.version, ContactDetails(
        "phone", made=False, next_contact_on=services.clock().date() + timedelta(days=2)))
    with pytest.raises(ValidationError) as refused:
        services.referrals.change_status(case.worker.id, case.referral_id, case.version,
                                         "contacted")
    assert refused.value.errors == {"status": CONTACTED}
    assert case.status == "accepted"


def test_an_allocated_case_marked_completed_is_told_to_close_it(services):
    case = open_case(services, status="in_progress")
    with pytest.raises(ValidationError) as refused:
        services.referrals.change_status(case.worker.id, case.referral_id, case.version,
                                         "completed")
    assert refused.value.errors == {"status": (
        "Completed: a link worker's case is completed by closing it (Close case…), which "
        "records its outcome for the message back to the GP")}
