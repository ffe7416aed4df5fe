"""A link worker's case moves on by what happened: a contact recorded, a case closed.

The status dialog (and any caller of change_status) cannot mark an allocated case
contacted with no contact on record, nor completed without its outcome (H27).
"""

from __future__ import annotations

import pytest

from practice_rx.errors import ValidationError
from practice_rx.services.closing import Closing
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
