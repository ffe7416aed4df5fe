"""Two workstations saving the same referral: one wins, the other is told, nothing is lost."""

from __future__ import annotations

import threading

import pytest

from practice_rx.errors import ConflictError
from practice_rx.services import Services
from practice_rx.storage.database import Database
from practice_rx.services.referrals import DraftChanges
from tests.support.factories import make_patient, move, make_service, make_user, ready_draft


def test_concurrent_saves_one_wins_one_conflicts(db_url, clock):
    # Each "workstation" has its own engine and connection pool, as two PCs would.
    first, second = Database.open(db_url), Database.open(db_url)
    try:
        desks = [Services(first, clock), Services(second, clock)]
        user = make_user(desks[0])
        referral = ready_draft(desks[0], user, make_patient(desks[0]), make_service(desks[0]))
        for round_number in range(8):
            loaded = desks[0].referrals.get(user.id, referral.id)
            barrier = threading.Barrier(2)
            outcomes: list[object] = [None, None]

            def save(index: int) -> None:
                barrier.wait()
                try:
                    desks[index].referrals.add_note(
                        user.id, loaded.id, loaded.version, f"round {round_number} desk {index}"
                    )
                    outcomes[index] = "saved"
                except ConflictError as error:
                    outcomes[index] = error

            threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
            assert sorted(map(type, outcomes), key=str) == sorted([str, ConflictError], key=str)
            winner = outcomes.index("saved")
            stored = desks[1].referrals.get(user.id, referral.id)
            assert stored.version == loaded.version + 1
            texts = [note.text for note in stored.notes]
            assert f"round {round_number} desk {winner}" in texts
            assert f"round {round_number} desk {1 - winner}" not in texts
    finally:
        first.close()
        second.close()


def test_conflict_on_a_status_change_keeps_the_first(services):
    user = make_user(services)
    referral = ready_draft(services, user, make_patient(services), make_service(services))
    services.referrals.send(user.id, referral.id, referral.version)
    with pytest.raises(ConflictError):
        move(services, referral, "cancelled", "dup")
    stored = services.referrals.get(user.id, referral.id)
    assert stored.status == "sent"
    assert [e.to_status for e in stored.events] == ["draft", "sent"]


def _stale(referral_id: int, had: int, now: int) -> str:
    return (f"Referral {referral_id} was changed on another workstation since you opened it "
            f"(you had version {had}, it is now version {now}). Nothing was overwritten: "
            "reload it to see the change, then make yours again.")


def test_a_stale_copy_of_a_draft_is_refused_with_the_referrals_number(services):
    gp = make_user(services)
    draft = ready_draft(services, gp, make_patient(services), make_service(services))
    other = make_service(services, "Leeds Debt Advice")
    newer = services.referrals.update_draft(gp.id, draft.id, draft.version,
                                            DraftChanges(service_id=other.id))
    with pytest.raises(ConflictError) as caught:
        services.referrals.update_draft(gp.id, draft.id, draft.version, DraftChanges())
    assert str(caught.value) == _stale(draft.id, draft.version, newer.version)


def test_a_note_on_a_stale_copy_is_refused_with_the_referrals_number(services):
    gp = make_user(services)
    draft = ready_draft(services, gp, make_patient(services), make_service(services))
    sent = services.referrals.send(gp.id, draft.id, draft.version)
    newer = services.referrals.add_note(gp.id, sent.id, sent.version, "Rang the patient")
    with pytest.raises(ConflictError) as caught:
        services.referrals.add_note(gp.id, sent.id, sent.version, "Rang again")
    assert str(caught.value) == _stale(sent.id, sent.version, newer.version)
    assert [n.text for n in services.referrals.get(gp.id, sent.id).notes] == ["Rang the patient"]


def test_a_status_change_on_a_stale_copy_is_refused_with_the_referrals_number(services):
    gp = make_user(services)
    draft = ready_draft(services, gp, make_patient(services), make_service(services))
    sent = services.referrals.send(gp.id, draft.id, draft.version)
    with pytest.raises(ConflictError) as caught:
        services.referrals.change_status(gp.id, sent.id, draft.version, "cancelled", "dup")
    assert str(caught.value) == _stale(sent.id, draft.version, sent.version)
