"""File > Export codes for the GP record: the dialog driven as a person would, the CSV read
back and checked against the tables; the demo practice network (SQLite)."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QFileDialog
from sqlalchemy import text

from tests.ui.conftest import make_window
from tests.ui.helpers import settle

VERIFIED = {"871731000000106": "Referral to social prescribing service (procedure)",
            "871711000000103": "Social prescribing declined (situation)"}
HEADER = ["nhs_number", "code", "term", "date", "referral_id", "already_exported"]
EVER = (date(2000, 1, 1), date(2099, 12, 31))


def expected_lines(core, ods: str | None = None) -> list[list[str]]:
    """The verified coded events of every date (at ``ods``), straight from the tables."""
    query = ("SELECT p.nhs_number, e.snomed_code, e.occurred_at, r.id FROM referral_event e "
             "JOIN referral r ON r.id = e.referral_id JOIN patient p ON p.id = r.patient_id "
             "JOIN practice pr ON pr.id = r.practice_id WHERE e.snomed_code IN (:a, :b)"
             + (" AND pr.ods_code = :ods" if ods else "") + " ORDER BY e.occurred_at, e.id")
    with core.services.db.engine.connect() as connection:
        found = connection.execute(text(query), {"a": "871731000000106",
                                                 "b": "871711000000103", "ods": ods}).all()
    return [[nhs, code, VERIFIED[code], (at if isinstance(at, datetime)
                                         else datetime.fromisoformat(at)).date().isoformat(),
             str(referral_id)] for nhs, code, at, referral_id in found]


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


def open_dialog(core, qtbot, username: str = "dr.patel", role: str = "clinician"):
    window = make_window(core, qtbot, username, role)
    assert window.act_gp_codes.isEnabled()
    assert window.act_gp_codes in window.menuBar().actions()[0].menu().actions()
    window.act_gp_codes.trigger()
    dialog = window._dialogs["gp_codes"]
    qtbot.waitExposed(dialog)
    settle(qtbot, window.session)
    return window, dialog


def choose(dialog, path: Path, period=EVER, new_only: bool = False) -> None:
    dialog.from_date.setDate(QDate(period[0].year, period[0].month, period[0].day))
    dialog.to_date.setDate(QDate(period[1].year, period[1].month, period[1].day))
    dialog.new_only.setChecked(new_only)
    dialog.path.setText(str(path))


def export(qtbot, window, dialog) -> str:
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window.session)
    return dialog.result.text()


def test_the_export_writes_every_verified_coded_event_and_says_how_many(demo_core, qtbot,
                                                                        tmp_path):
    window, dialog = open_dialog(demo_core, qtbot)
    assert dialog.practice.isVisibleTo(dialog)  # Dr Patel works across three practices
    expected = expected_lines(demo_core)
    assert expected
    path = tmp_path / "codes.csv"
    choose(dialog, path)
    said = export(qtbot, window, dialog)
    lines = read_csv(path)
    assert lines[0] == HEADER
    assert [line[:5] for line in lines[1:]] == expected
    assert {line[5] for line in lines[1:]} == {"no"}
    assert f"{len(expected)} rows written to {path}" in said
    assert "None left out" in said
    assert not list(tmp_path.glob(".*partial"))

    # again, only the new ones: none, and it says why they were left out
    again = tmp_path / "again.csv"
    choose(dialog, again, new_only=True)
    said = export(qtbot, window, dialog)
    assert read_csv(again) == [HEADER]
    assert "0 rows written" in said
    assert f"Left out: {len(expected)} already exported in an earlier file" in said


def test_one_practice_chosen_and_an_unverified_code_left_out(demo_core, qtbot, tmp_path):
    with demo_core.services.db.engine.begin() as connection:
        referral, user = connection.execute(text(
            "SELECT r.id, r.referrer_id FROM referral r JOIN practice p ON p.id = "
            "r.practice_id WHERE p.ods_code = 'Y99902' AND r.status <> 'draft' "
            "ORDER BY r.id LIMIT 1")).one()
        connection.execute(text(
            "INSERT INTO referral_event (referral_id, from_status, to_status, at, occurred_at, "
            "user_id, note, snomed_code) VALUES (:r, 'sent', 'sent', :at, :at, :u, '', "
            "'999999999999999')"), {"r": referral, "at": datetime(2026, 1, 5, 9), "u": user})
    window, dialog = open_dialog(demo_core, qtbot)
    holbeck = next(p for p in dialog.practice.practices if p.ods_code == "Y99902")
    dialog.practice.choose(holbeck.id)
    path = tmp_path / "holbeck.csv"
    choose(dialog, path)
    said = export(qtbot, window, dialog)
    expected = expected_lines(demo_core, "Y99902")
    assert [line[:5] for line in read_csv(path)[1:]] == expected
    assert "999999999999999" not in path.read_text(encoding="utf-8")
    assert f"{len(expected)} rows written" in said
    assert "1 with a code that is not on the verified list (never written)" in said


def test_a_practices_own_gp_gets_no_chooser_and_only_their_practice(demo_core, qtbot,
                                                                     tmp_path):
    window, dialog = open_dialog(demo_core, qtbot, "dr.shah")
    assert not dialog.practice.isVisibleTo(dialog)
    path = tmp_path / "mine.csv"
    choose(dialog, path)
    export(qtbot, window, dialog)
    assert [line[:5] for line in read_csv(path)[1:]] == expected_lines(demo_core, "Y99902")


def test_dates_the_wrong_way_round_or_no_file_write_nothing(demo_core, qtbot, tmp_path):
    window, dialog = open_dialog(demo_core, qtbot)
    path = tmp_path / "codes.csv"
    choose(dialog, path, period=(date(2026, 11, 30), date(2026, 11, 1)))
    export(qtbot, window, dialog)
    assert "To date is before the From date" in dialog.period_message.message
    choose(dialog, tmp_path / "missing" / "codes.csv")
    export(qtbot, window, dialog)
    assert "does not exist" in dialog.file_message.message
    dialog.path.clear()
    export(qtbot, window, dialog)
    assert "choose where to save the CSV" in dialog.file_message.message
    assert not list(tmp_path.glob("*.csv")) and not (tmp_path / "missing").exists()
    with demo_core.services.db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM event_code_export")).scalar() == 0


def test_choose_names_the_file_and_adds_csv(demo_core, qtbot, tmp_path, monkeypatch):
    window, dialog = open_dialog(demo_core, qtbot)
    offered = []

    def save_name(parent, caption, start, filters):
        offered.append(start)
        return str(tmp_path / "for-emis"), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_name))
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    assert offered and offered[0].endswith(".csv") and "gp-codes-" in offered[0]
    assert dialog.path.text() == str(tmp_path / "for-emis.csv")
    export(qtbot, window, dialog)
    assert read_csv(tmp_path / "for-emis.csv")[0] == HEADER


@pytest.mark.parametrize("role", ["receptionist", "link_worker", "admin"])
def test_every_role_that_sees_referrals_may_export(demo_core, qtbot, role):
    window = make_window(demo_core, qtbot, f"someone.{role}", role)
    assert window.act_gp_codes.isEnabled()
