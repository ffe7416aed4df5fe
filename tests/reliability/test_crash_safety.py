"""Killing PracticeRx mid-save loses nothing it acknowledged, and never damages the file.

A child process raises and sends referrals in a loop, writing each referral's id
to a pipe once ``send`` has returned; the parent kills it with SIGKILL at a
random moment, 60 times over, then checks the file and every acknowledged id.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import time

from sqlalchemy import select

from practice_rx.services import Services
from practice_rx.services.referrals import DraftChanges
from practice_rx.storage.database import Database
from practice_rx.storage.models import Referral, ReferralEvent
from tests.support.factories import (
    NATIONAL,
    complete_answers,
    install_national_form,
    make_patient,
    make_service,
    make_user,
)

KILLS = 60


def _save_forever(url: str, user_id: int, patient_id: int, service_id: int, ack: int) -> None:
    services = Services(Database.open(url))
    answers = DraftChanges(service_id=service_id,
                           answers=complete_answers(consent_date="2026-11-24"))
    while True:
        draft = services.referrals.create_draft(user_id, patient_id, NATIONAL, answers)
        sent = services.referrals.send(user_id, draft.id, draft.version)
        os.write(ack, f"{sent.id}\n".encode())


def test_sigkill_at_random_moments_loses_no_acknowledged_referral(tmp_path):
    url = f"sqlite:///{tmp_path / 'crash.sqlite3'}"
    db = Database.open(url)
    services = Services(db)
    install_national_form(services)
    user, patient, service = make_user(services), make_patient(services), make_service(services)
    db.close()
    rng = random.Random(7)
    acknowledged: list[int] = []
    for _ in range(KILLS):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns to pytest
            try:
                os.close(read_end)
                _save_forever(url, user.id, patient.id, service.id, write_end)
            finally:
                os._exit(1)
        os.close(write_end)
        time.sleep(rng.uniform(0.05, 0.4))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        with os.fdopen(read_end) as pipe:
            acknowledged.extend(int(line) for line in pipe.read().split())

    assert len(acknowledged) > KILLS  # the kills landed among real saves
    with sqlite3.connect(tmp_path / "crash.sqlite3") as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db = Database.open(url)
    with db.reading() as session:
        sent = dict(session.execute(select(Referral.id, Referral.status)).all())
        trails: dict[int, list[str]] = {}
        for referral_id, to_status in session.execute(
                select(ReferralEvent.referral_id, ReferralEvent.to_status)
                .order_by(ReferralEvent.id)):
            trails.setdefault(referral_id, []).append(to_status)
    db.close()
    for referral_id in acknowledged:
        assert sent[referral_id] == "sent"
        assert trails[referral_id] == ["draft", "sent"]
    for referral_id, status in sent.items():  # unacknowledged saves are whole or absent
        assert trails[referral_id] == (["draft", "sent"] if status == "sent" else ["draft"])
