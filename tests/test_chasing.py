"""The chase list: overdue referrals, recent chases left out by default, each chase recorded."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from practice_rx.services.practice import PracticeDetails
from practice_rx.services.worklist import WorklistFilter, WorklistQuery
from practice_rx.storage.models import AuditEvent, Referral, ReferralChase
from tests.support.factories import (
    admin,
    desk,
    make_patient,
    make_service,
    make_user,
    move,
    ready_draft,
)


@pytest.fixture
def overdue(services, clock):
    """Three referrals sent on different days, all overdue by Monday 14 December."""
    services.practice.save(admin(services), PracticeDetails(
        "Y99901", "Beeston Hill Surgery", address="1 Beeston Road, Leeds", response_days=5,
        chase_again_days=3))
    gp, service = make_user(services), make_service(services)
    sent = []
    for day in (24, 23, 25):  # Tue 24, Mon 23, Wed 25 November
        clock.now = datetime(2026, 11, day, 9, 0)
        draft = ready_draft(services, gp, make_patient(services), service)
        sent.append(services.referrals.send(gp.id, draft.id, draft.version))
    clock.now = datetime(2026, 12, 14, 10, 0)  # Monday
    return sent


def test_longest_overdue_first_with_working_days_overdue(services, overdue):
    chase = services.chasing.candidates(desk(services))
    assert [c.row.id for c in chase.candidates] == [overdue[1].id, overdue[0].id, overdue[2].id]
    # due Mon 30 Nov, Tue 1 Dec, Wed 2 Dec; today Mon 14 Dec
    assert [c.row.working_days_overdue for c in chase.candidates] == [10, 9, 8]
    assert chase.total == 3
    assert chase.chosen_by_default == [c.row.id for c in chase.candidates]


def test_a_chase_is_recorded_and_not_repeated_within_the_practice_window(services, db, clock,
                                                                          overdue):
    first = services.chasing.candidates(desk(services))
    items = services.chasing.make_letters(desk(services), [overdue[0].id], first.listed_at)
    assert [i.referral_id for i in items if i.letter] == [overdue[0].id]
    with db.reading() as session:
        chase = session.scalars(select(ReferralChase)).one()
        referral = session.get(Referral, overdue[0].id)
        audit = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "referral_chase")).one()
    assert (chase.referral_id, chase.at, chase.method, chase.letter_id) == (
        overdue[0].id, clock.now, "letter", items[0].letter.record.id)
    assert referral.last_chased_at == clock.now
    assert referral.version == overdue[0].version  # a chase is not an edit of the referral
    assert audit.entity_id == overdue[0].id
    shown = services.worklist.page(desk(services), WorklistQuery(
        WorklistFilter(overdue_only=True), sort="last_chased", descending=True)).rows
    assert shown[0].id == overdue[0].id and shown[0].last_chased_at == clock.now
    oldest_chase_first = services.worklist.page(desk(services), WorklistQuery(
        WorklistFilter(overdue_only=True), sort="last_chased", descending=False)).rows
    assert [r.id for r in oldest_chase_first][-1] == overdue[0].id  # never chased come first

    clock.now = datetime(2026, 12, 16, 10, 0)  # two working days later: still too recent
    again = services.chasing.candidates(desk(services))
    assert [c.row.id for c in again.candidates if c.recently_chased] == [overdue[0].id]
    assert overdue[0].id not in again.chosen_by_default
    clock.now = datetime(2026, 12, 17, 10, 0)  # three working days later: due a chase again
    assert overdue[0].id in services.chasing.candidates(desk(services)).chosen_by_default


def test_what_changed_since_the_list_was_shown_is_left_out_with_the_reason(services, db, clock,
                                                                            overdue):
    listed = services.chasing.candidates(desk(services))
    clock.advance(minutes=5)
    move(services, overdue[1], "accepted")  # the service replied meanwhile
    services.chasing.make_letters(desk(services), [overdue[2].id], listed.listed_at)  # a colleague
    clock.advance(minutes=5)
    items = services.chasing.make_letters(desk(services), listed.chosen_by_default,
                                          listed.listed_at)
    by_id = {item.referral_id: item for item in items}
    assert by_id[overdue[0].id].letter is not None
    assert by_id[overdue[1].id].letter is None
    assert "no longer overdue (now Accepted)" in by_id[overdue[1].id].error
    assert by_id[overdue[2].id].letter is None
    assert "chased by someone else" in by_id[overdue[2].id].error
    with db.reading() as session:
        chased = sorted(session.scalars(select(ReferralChase.referral_id)).all())
    assert chased == sorted([overdue[0].id, overdue[2].id])


def test_a_chase_list_needs_the_letters_permission(services, overdue):
    from practice_rx.errors import PermissionDenied

    link_worker = make_user(services, "link_worker", "Nadia Ahmed")
    with pytest.raises(PermissionDenied):
        services.chasing.candidates(link_worker.id)
    with pytest.raises(PermissionDenied):
        services.chasing.make_letters(link_worker.id, [overdue[0].id], datetime(2026, 12, 14))


def test_the_command_line_counts_asks_then_records_each_chase(services, db_url, clock, capsys,
                                                              monkeypatch, tmp_path):
    from datetime import timedelta

    from practice_rx.cli import main
    from practice_rx.domain.calendar import utcnow

    services.practice.save(admin(services), PracticeDetails(
        "Y99901", "Beeston Hill Surgery", address="1 Beeston Road, Leeds"))
    gp, service = make_user(services), make_service(services)
    clock.now = utcnow() - timedelta(days=40)  # the command runs on the real clock
    sent = []
    for _ in range(2):
        draft = ready_draft(services, gp, make_patient(services), service)
        sent.append(services.referrals.send(gp.id, draft.id, draft.version).id)
    username = services.users.ensure("reception.jones", "Sam Jones", "receptionist").username
    out = tmp_path / "chasers"
    command = ["--database", db_url, "chasers", "--user", username]

    assert main(command) == 0
    listing = capsys.readouterr().out
    assert "2 of 2 overdue referrals to chase" in listing
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    assert main([*command, "--make", "--out", str(out)]) == 1
    assert "Nothing made." in capsys.readouterr().out and not out.exists()

    assert main([*command, "--make", "--yes", "--out", str(out), "--referral", str(sent[1])]) == 0
    assert [path.name.split("-")[1] for path in out.iterdir()] == [f"{sent[1]:06d}"]
    capsys.readouterr()
    assert main(command) == 0
    listing = capsys.readouterr().out
    assert "1 of 2 overdue referrals to chase" in listing
    assert "chased recently" in listing
    assert main([*command, "--referral", "999999"]) == 2
    assert "Referral: not on the chase list" in capsys.readouterr().err


def test_the_chase_again_window_is_a_practice_setting_checked_like_the_others(services):
    from practice_rx.errors import ValidationError

    with pytest.raises(ValidationError) as caught:
        services.practice.save(admin(services), PracticeDetails(
            "Y99901", "Beeston Hill Surgery", chase_again_days=0))
    assert caught.value.errors == {
        "chase_again_days": "Chase again after: enter a number of working days from 1 to 90"}
    services.practice.save(admin(services), PracticeDetails("Y99901", "Beeston Hill Surgery",
                                                            chase_again_days=7))
    assert services.chasing.candidates(desk(services)).chase_again_days == 7
