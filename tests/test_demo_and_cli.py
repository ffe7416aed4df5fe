"""Demo data and the command line, on both backends."""

from __future__ import annotations

from sqlalchemy import func, select

from practice_rx.cli import main
from practice_rx.domain.identifiers import normalise_nhs_number
from practice_rx.domain.statuses import Status, check_transition
from practice_rx.services.demo import DemoSize, fill
from practice_rx.storage.migrate import head_revision
from practice_rx.forms import clean_answers
from practice_rx.plugins.national.form import national_form
from practice_rx.services import Services
from practice_rx.storage.models import Patient, Referral, ReferralEvent
from tests.support.factories import install_national_form


def test_demo_data_covers_every_status_with_consistent_events(db, clock):
    install_national_form(Services(db, clock))
    counts = fill(db, DemoSize(patients=60, referrals=400, services=12), clock=clock)
    assert counts["patient"] == 60 and counts["referral"] == 400 and counts["service"] == 12
    with db.reading() as session:
        statuses = set(session.scalars(select(Referral.status).distinct()))
        assert statuses == {status.value for status in Status}
        for number in session.scalars(select(Patient.nhs_number)):
            assert number.startswith("999") and normalise_nhs_number(number) == number
        events: dict[int, list[ReferralEvent]] = {}
        for event in session.scalars(select(ReferralEvent).order_by(ReferralEvent.id)):
            events.setdefault(event.referral_id, []).append(event)
        form = national_form()
        for referral in session.scalars(select(Referral)):
            answers = clean_answers(form, referral.answers, today=clock().date())
            assert answers["reasons"] == referral.reasons
            trail = events[referral.id]
            assert trail[0].to_status == "draft" and trail[-1].to_status == referral.status
            for before, after in zip(trail, trail[1:]):
                check_transition(before.to_status, after.to_status, after.note)
                assert before.at <= after.at


def test_demo_can_be_added_twice(db, clock):
    install_national_form(Services(db, clock))
    fill(db, DemoSize(patients=10, referrals=20, services=3), clock=clock)
    fill(db, DemoSize(patients=10, referrals=20, services=3), clock=clock, seed=7)
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Patient)) == 20


def test_cli_demo_and_info(db_url, capsys):
    assert main(["--database", db_url, "demo", "--patients", "5", "--referrals", "12",
                 "--services", "12"]) == 0
    out = capsys.readouterr().out
    assert "5 patients, 12 referrals, " in out
    assert int(out.split("referrals, ")[1].split()[0]) >= 12  # plugins may supply more
    assert main(["--database", db_url, "db", "info"]) == 0
    out = capsys.readouterr().out
    assert f"Schema:    {head_revision()}" in out and "referral" in out and "12" in out


def test_cli_reports_a_refused_database_without_a_traceback(tmp_path, capsys):
    assert main(["--database", "mysql://u@h/d", "db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("practice-rx: Database URL:") and "Traceback" not in err


def test_cli_upgrade_creates_the_default_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("PRACTICE_RX_DATABASE_URL", raising=False)
    assert main(["db", "upgrade"]) == 0
    assert (tmp_path / "data" / "practice-rx" / "practice-rx.sqlite3").exists()
    assert "(latest)" in capsys.readouterr().out


def test_demo_chases_are_on_overdue_referrals_after_their_last_change(db, clock):
    from practice_rx.storage.models import ReferralChase

    install_national_form(Services(db, clock))
    fill(db, DemoSize(patients=60, referrals=400, services=12), clock=clock)
    with db.reading() as session:
        chases = session.scalars(select(ReferralChase)).all()
        assert chases, "some demo referrals were chased"
        for chase in chases:
            referral = session.get(Referral, chase.referral_id)
            assert referral.last_chased_at == chase.at
            assert referral.status in ("sent", "accepted")
            assert referral.status_changed_at < chase.at < clock()
