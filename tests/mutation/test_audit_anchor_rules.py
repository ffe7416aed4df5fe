"""Anchoring the audit trail, called as the service is: refused on a trail with a problem
unless the admin accepts it (and then audited), refused on an empty trail, each refusal
naming the anchor.

Found by mutation testing (docs/testing.md): the command line passes ``accept_current``
every time, so a default that accepted a shortened trail went unnoticed, and so did the
refusals' words.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from practice_rx.errors import ValidationError
from practice_rx.storage.models import AuditEvent
from tests.security.test_audit import busy_day
from tests.security.test_audit_proof import _last_id, _tamper


def test_an_empty_trail_is_not_anchored(services):
    with pytest.raises(ValidationError) as refused:
        services.audit.anchor()
    assert refused.value.errors == {"anchor": "Not anchored: the audit trail has no rows"}


def test_a_shortened_trail_is_anchored_only_when_the_admin_accepts_it(services, db, db_url):
    busy_day(services)
    _tamper(db_url, f"DELETE FROM audit_event WHERE id > {_last_id(db_url) - 2}")
    problem = services.audit.check(reconcile=False).problems[0]
    with pytest.raises(ValidationError) as refused:
        services.audit.anchor()
    assert refused.value.errors == {"anchor": f"Not anchored: {problem}"}
    anchor = services.audit.anchor(accept_current=True)
    with db.reading() as session:
        accepted = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "audit_anchor")).one()
        assert (accepted.entity, accepted.user_id) == ("audit", None)
        assert accepted.before["problem"] == problem
        assert anchor.last_id == accepted.id
