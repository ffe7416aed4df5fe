"""Two processes (two workstations) change the same referral at the same moment.

Exactly one save wins, the other gets the conflict error, no update is lost,
and the events agree with the final state; on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import multiprocessing

from practice_rx.errors import ConflictError
from practice_rx.services import Services
from practice_rx.storage.database import Database
from tests.support.factories import actor_for, make_patient, make_service, make_user, ready_draft

ROUNDS = 6


def _workstation(url, desk, user_id, referral_id, version, target, barrier, results) -> None:
    services = Services(Database.open(url))
    barrier.wait(timeout=30)
    try:
        if target == "note":
            services.referrals.add_note(user_id, referral_id, version, f"desk {desk}")
        else:
            services.referrals.change_status(user_id, referral_id, version, target,
                                             f"desk {desk}")
        results.put((desk, "saved"))
    except ConflictError:
        results.put((desk, "conflict"))
    except Exception as error:  # reported to the parent, which fails the test
        results.put((desk, f"{type(error).__name__}: {error}"))


def race(url, user_ids, referral_id, version, targets) -> dict[int, str]:
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(2), context.Queue()
    desks = [context.Process(target=_workstation, args=(url, desk, user_id, referral_id,
                                                        version, target, barrier, results))
             for desk, (user_id, target) in enumerate(zip(user_ids, targets))]
    for process in desks:
        process.start()
    outcomes = dict(results.get(timeout=60) for _ in desks)
    for process in desks:
        process.join(30)
    return outcomes


def test_two_workstations_one_wins(services, db_url):
    user = make_user(services)
    referral = ready_draft(services, user, make_patient(services), make_service(services))
    referral = services.referrals.send(user.id, referral.id, referral.version)
    services.db.engine.dispose()  # children must not share the parent's connections

    for _ in range(ROUNDS):
        outcomes = race(db_url, [user.id, user.id], referral.id, referral.version,
                        ["note", "note"])
        assert sorted(outcomes.values()) == ["conflict", "saved"], outcomes
        winner = next(desk for desk, outcome in outcomes.items() if outcome == "saved")
        referral = services.referrals.get(user.id, referral.id)
        assert referral.notes[-1].text == f"desk {winner}"

    notes = services.referrals.get(user.id, referral.id).notes
    assert len(notes) == ROUNDS  # every winning save is there, nothing overwritten

    actors = [actor_for(services, "accepted"), actor_for(services, "rejected")]
    services.db.engine.dispose()
    outcomes = race(db_url, actors, referral.id, referral.version, ["accepted", "rejected"])
    assert sorted(outcomes.values()) == ["conflict", "saved"], outcomes
    final = services.referrals.get(user.id, referral.id)
    expected = "accepted" if outcomes[0] == "saved" else "rejected"
    assert final.status == expected
    assert [e.to_status for e in final.events] == ["draft", "sent", expected]
