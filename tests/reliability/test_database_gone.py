"""The PostgreSQL server stops mid-session: clear errors, no crash, and work resumes."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from practice_rx.cli import main
from practice_rx.errors import DatabaseError
from practice_rx.services.worklist import WorklistQuery
from practice_rx.startup import start
from tests.conftest import BACKENDS
from tests.support.factories import desk, make_patient, make_service, make_user, ready_draft
from tests.support.postgres import throwaway_cluster

pytestmark = pytest.mark.skipif("postgresql" not in BACKENDS,
                                reason="PostgreSQL left out on purpose (PRACTICE_RX_TEST_BACKENDS)")


def test_server_stopped_and_started_again(clock, capsys):
    with throwaway_cluster() as cluster:
        admin = create_engine(cluster.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE practice"))
        admin.dispose()
        url = make_url(cluster.url).set(database="practice").render_as_string(False)
        app = start(url, clock=clock)
        services = app.services
        user, patient, service = make_user(services), make_patient(services), make_service(services)
        draft = ready_draft(services, user, patient, service)
        assert services.worklist.page(desk(services), WorklistQuery()).total == 1

        cluster.stop()
        with pytest.raises(DatabaseError, match="cannot be used right now") as caught:
            services.worklist.page(desk(services), WorklistQuery())
        assert "Nothing was saved" in str(caught.value)
        with pytest.raises(DatabaseError):
            services.referrals.send(user.id, draft.id, draft.version)
        assert main(["--database", url, "db", "info"]) == 2
        assert "practice-rx: Cannot open the database at" in capsys.readouterr().err

        cluster.start()
        assert services.worklist.page(desk(services), WorklistQuery()).total == 1
        sent = services.referrals.send(user.id, draft.id, draft.version)
        assert services.referrals.get(user.id, sent.id).status == "sent"
        app.close()
