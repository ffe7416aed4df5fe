"""Application logs carry no patient identifiers: no names, NHS numbers or addresses."""

from __future__ import annotations

import logging
from importlib.metadata import EntryPoint

from practice_rx.services.patients import PatientDetails
from practice_rx.services.referrals import DraftChanges
from practice_rx.services.worklist import WorklistFilter, WorklistQuery
from practice_rx.startup import start
from tests.support.factories import NATIONAL, complete_answers, desk, make_user, move, \
    test_nhs_number

PATIENT = dict(nhs_number=test_nhs_number(777), given_name="Zebedee", family_name="Quinnell",
               date_of_birth="1944-08-19", address="17 Larkspur Row\nLeeds", postcode="LS11 9QQ",
               phone="0113 496 0777", email="zebedee.q@example.org")


def test_a_whole_day_logs_nothing_that_identifies_a_patient(db_url, clock, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="practice_rx")  # the CLI sets it to INFO
    broken = EntryPoint("bad", "tests.plugins.failing_rule:status_hook_raises", "practice_rx")
    app = start(db_url, clock=clock, discovered=[broken])  # plugin failures are logged
    try:
        services = app.services
        gp = make_user(services)
        patient = services.patients.create(desk(services), PatientDetails(**PATIENT))
        [service] = services.catalogue.search("Samaritans")
        draft = services.referrals.create_draft(gp.id, patient.id, NATIONAL, DraftChanges(
            service_id=service.id, answers=complete_answers(consent_date="2026-11-24")))
        sent = services.referrals.send(gp.id, draft.id, draft.version)
        move(services, sent, "accepted", "Spoke to Zebedee")
        services.worklist.page(gp.id, WorklistQuery(WorklistFilter(text="Quinnell")))
    finally:
        app.close()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "plugin problem" in logged  # the logs were captured at all
    for identifier in (PATIENT["nhs_number"], "Zebedee", "Quinnell", "Larkspur", "LS11 9QQ",
                       "0113 496 0777", "zebedee.q"):
        assert identifier not in logged, identifier
