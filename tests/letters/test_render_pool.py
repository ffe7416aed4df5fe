"""A big batch's letters rendered in worker processes are the letters one process renders,
byte for byte, and are recorded and returned the same; anything a worker cannot do (a
template it cannot be sent, a worker that dies) is done in-process instead."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from sqlalchemy import func, select

from practice_rx.letters import LetterKind
from practice_rx.letters.render_pool import RenderPool
from practice_rx.letters.service import LetterService
from practice_rx.letters.templates import REFERRAL_LETTER, compose_referral
from practice_rx.storage.models import Letter
from tests.letters.test_service import world  # noqa: F401 - the fixture
from tests.letters.worker_templates import DIES_IN_A_WORKER


def service(services, pool: RenderPool, *templates) -> LetterService:
    return LetterService(services.db, services.clock, services.referrals.audit,
                         templates=[REFERRAL_LETTER, *templates], render_pool=pool)


def test_letters_rendered_in_workers_are_the_letters_rendered_here(services, world):  # noqa: F811
    user, _, _, _, sent, draft = world
    ids = [sent.id, draft.id] * 8  # 16 letters: four tasks of five, the last short
    workers = RenderPool(workers=2, parallel_from=1)
    try:
        parallel = service(services, workers).batch(user.id, ids, LetterKind.REFERRAL)
        assert workers._executor is not None  # it did use the workers
    finally:
        workers.close()
    here = service(services, RenderPool(workers=1)).batch(user.id, ids, LetterKind.REFERRAL)
    assert [item.referral_id for item in parallel] == ids
    assert [item.letter.pdf for item in parallel] == [item.letter.pdf for item in here]
    letters = service(services, RenderPool(workers=1))
    for item in parallel:
        record = item.letter.record
        assert record.sha256 == hashlib.sha256(item.letter.pdf).hexdigest()
        assert letters.reprint(user.id, record.id) == item.letter.pdf
    assert services.audit.verify() is None


def test_a_cancelled_batch_in_workers_records_only_the_letters_it_returns(services,
                                                                         world):  # noqa: F811
    user, _, _, _, sent, draft = world
    asked = iter(range(100))
    workers = RenderPool(workers=2, parallel_from=1)
    try:
        items = service(services, workers).batch(
            user.id, [sent.id, draft.id] * 40, LetterKind.REFERRAL,
            cancelled=lambda: next(asked) >= 57)  # in the second chunk of 50
    finally:
        workers.close()
    assert len(items) == 57 and all(item.letter for item in items)
    with services.db.reading() as session:
        recorded = list(session.scalars(select(Letter.id).order_by(Letter.id)))
    assert recorded == [item.letter.record.id for item in items]


def test_a_template_a_worker_cannot_be_sent_renders_here(services, world):  # noqa: F811
    user, _, _, _, sent, draft = world
    closure = replace(REFERRAL_LETTER, id="closure",  # a lambda: no worker can import it
                      compose=lambda inputs, look: compose_referral(inputs, look))
    workers = RenderPool(workers=2, parallel_from=1)
    items = service(services, workers, closure).batch(
        user.id, [sent.id, draft.id] * 3, LetterKind.REFERRAL, template=closure)
    assert workers._executor is None  # no worker was started for it
    assert all(item.letter and item.letter.record.template_id == "closure" for item in items)


def test_a_worker_that_dies_hands_the_rest_of_the_batch_back(services, world):  # noqa: F811
    user, _, _, _, sent, draft = world
    ids = [sent.id, draft.id] * 6
    workers = RenderPool(workers=2, parallel_from=1)
    letters = service(services, workers, DIES_IN_A_WORKER)
    items = letters.batch(user.id, ids, LetterKind.REFERRAL, template=DIES_IN_A_WORKER)
    assert workers.workers == 1 and workers._executor is None  # in-process from now on
    assert [item.referral_id for item in items] == ids and all(item.letter for item in items)
    here = service(services, RenderPool(workers=1), DIES_IN_A_WORKER).batch(
        user.id, ids, LetterKind.REFERRAL, template=DIES_IN_A_WORKER)
    assert [item.letter.pdf for item in items] == [item.letter.pdf for item in here]
    with services.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Letter)) == 2 * len(ids)
