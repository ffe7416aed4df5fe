"""A worklist people can shape: columns, remembered layout, My referrals, saved filters,
the row menu, printing and export of the whole list, the chase list's order."""

from __future__ import annotations

import csv
import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtPrintSupport import QPrinter

from practice_rx.services.worklist import WorklistFilter, WorklistQuery
from practice_rx.settings import config_dir
from practice_rx.ui.status_dialog import StatusDialog
from practice_rx.ui.worklist_model import (
    COLUMNS,
    DUE_COLUMN,
    NHS_NUMBER_COLUMN,
    PATIENT_COLUMN,
    ROW_ROLE,
)
from tests.ui.conftest import make_window
from tests.ui.helpers import settle
from tests.ui.selection_helpers import highlight_row, highlighted_id

SERVICE_COLUMN = next(i for i, c in enumerate(COLUMNS) if c.sort == "service")
NHS_COLUMN = next(i for i, c in enumerate(COLUMNS) if c.sort == "nhs_number")


def rows(window) -> list:
    model = window.worklist.model
    return [model.data(model.index(r, 0), ROW_ROLE) for r in range(model.rowCount())]


def test_the_header_menu_hides_and_shows_columns_but_never_the_patient(window):
    """Name and NHS number always show: hiding the number left only names to tell
    two patients apart (found at the desk)."""
    columns = window.worklist.columns
    menu = columns.menu()
    by_title = {a.text(): a for a in menu.actions() if a.isCheckable()}
    assert set(by_title) == {c.title for c in COLUMNS}
    assert not by_title["Patient"].isEnabled() and not by_title["NHS number"].isEnabled()
    by_title["Service"].setChecked(False)
    assert window.worklist.table.isColumnHidden(SERVICE_COLUMN)
    assert SERVICE_COLUMN not in columns.shown()
    for identity in (PATIENT_COLUMN, NHS_NUMBER_COLUMN):
        columns.set_shown(identity, False)
        assert not window.worklist.table.isColumnHidden(identity)
    assert window.worklist.table.horizontalHeader().contextMenuPolicy() \
        == Qt.ContextMenuPolicy.CustomContextMenu


def test_column_layout_and_sort_are_remembered_in_the_private_config(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "reception.jones", "receptionist")
    header = window.worklist.table.horizontalHeader()
    window.worklist.columns.set_shown(SERVICE_COLUMN, False)
    header.moveSection(header.visualIndex(NHS_COLUMN), 0)
    header.resizeSection(PATIENT_COLUMN, 260)
    window.worklist.table.sortByColumn(PATIENT_COLUMN, Qt.SortOrder.AscendingOrder)
    settle(qtbot, window.session)
    window.worklist.columns.save()
    assert (config_dir() / "workstation.ini").exists()  # under the test's own folder
    window.close()

    again = make_window(demo_core, qtbot, "reception.jones", "receptionist")
    header = again.worklist.table.horizontalHeader()
    assert again.worklist.table.isColumnHidden(SERVICE_COLUMN)
    assert header.visualIndex(NHS_COLUMN) == 0
    assert header.sectionSize(PATIENT_COLUMN) == 260
    assert again.worklist.model.query.sort == "patient"
    assert again.worklist.model.query.descending is False
    names = [r.patient_name.split(",")[0] for r in rows(again)[:50]]
    assert names == sorted(names)


def test_my_referrals_shows_only_the_signed_in_users(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "dr.patel", "clinician")
    session = window.session
    mine = session.services.worklist.page(session.user.id, WorklistQuery(
        WorklistFilter(referrer_id=session.user.id))).total
    assert 0 < mine < 300
    window.worklist.mine.setChecked(True)
    settle(qtbot, session)
    assert window.worklist.model.total == mine
    assert window.worklist.model.query.filter.referrer_id == session.user.id
    assert not window.worklist.filters.referrer.isEnabled()
    window.worklist.mine.setChecked(False)
    settle(qtbot, session)
    assert window.worklist.model.total == 300


def test_saved_filters_are_named_picked_and_deleted(window, qtbot):
    session = window.session
    panel = window.worklist
    window.sidebar.statuses.choose("sent")
    panel.filters.text.setText("smi")
    settle(qtbot, session)
    qtbot.waitUntil(lambda: panel.model.query.filter.text == "smi")
    settle(qtbot, session)
    expected = panel.model.total
    panel.save_filters("Sent, Smiths")
    panel.clear_filters()
    window.sidebar.statuses.choose()
    settle(qtbot, session)
    assert panel.model.total == 300

    panel.saved.choose("Sent, Smiths")
    settle(qtbot, session)
    assert panel.model.query.filter.statuses == frozenset({"sent"})
    assert panel.model.query.filter.text == "smi" and panel.model.total == expected
    assert panel.filters.text.text() == "smi"
    # kept per user, across windows
    assert panel.saved.names() == ["Sent, Smiths"]
    other = make_window(session.app, qtbot, "reception.jones", "receptionist")
    assert other.worklist.saved.names() == ["Sent, Smiths"]
    gp = make_window(session.app, qtbot, "dr.patel", "clinician")
    assert gp.worklist.saved.names() == []
    panel.saved.delete_chosen()
    assert panel.saved.names() == []


def test_the_row_menu_acts_on_the_row_it_was_opened_on(window, qtbot):
    session = window.session
    highlight_row(window, qtbot, 0)
    sent = next(r for r in rows(window)[:100] if r.status == "sent")
    row_number = window.worklist.model.row_of(sent.id)
    window.worklist.highlight_row(row_number)  # as right-clicking the row does
    menu = window.row_menu(sent)
    items = {a.text().replace("&", ""): a for a in menu.actions() if not a.isSeparator()}
    assert set(items) >= {"Open", "Update status…", "Letters…"}
    copy = next(a for t, a in items.items() if t.startswith("Copy NHS number"))
    copy.trigger()
    assert QGuiApplication.clipboard().text() == sent.nhs_number
    items["Update status…"].trigger()
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(StatusDialog)))
    dialog = next(d for d in window.findChildren(StatusDialog) if d.isVisible())
    assert dialog.referral.id == sent.id == highlighted_id(window) == window.detail.showing()
    dialog.reject()
    settle(qtbot, session)
    items["Letters…"].trigger()
    assert window.detail.tabs.currentWidget() is window.detail.letters


def test_export_writes_every_row_the_filters_match_with_the_columns_shown(window, qtbot,
                                                                         tmp_path):
    session = window.session
    window.worklist.model.set_filter(WorklistFilter())  # all 300: three export pages of 100+
    window.worklist.columns.set_shown(SERVICE_COLUMN, False)
    window.sidebar.statuses.choose("sent", "accepted")
    settle(qtbot, session)
    expected = session.services.worklist.page(session.user.id, WorklistQuery(
        WorklistFilter(statuses=frozenset({"sent", "accepted"})), page_size=1000)).rows
    path = tmp_path / "list.csv"
    with qtbot.waitSignal(window.worklist.finished, timeout=10_000) as finished:
        window.worklist.export_csv(path)
    assert f"{len(expected):,} referral" in finished.args[0]
    with open(path, encoding="utf-8-sig", newline="") as file:
        table = list(csv.reader(file))
    shown = [c.title for c in window.worklist.shown_columns()]
    header = table[0]
    # the columns shown, in order, with the days overdue beside the due date
    due_at = shown.index("Response due")
    assert header == [*shown[:due_at + 1], "Working days overdue", *shown[due_at + 1:]]
    assert "Service" not in header
    assert [line[header.index("Ref")] for line in table[1:]] == [str(r.id) for r in expected]
    # values a spreadsheet sorts: ISO dates, and the days overdue as a number
    by_id = {str(r.id): r for r in expected}
    for line in table[1:]:
        row = by_id[line[header.index("Ref")]]
        assert line[due_at] == (row.response_due_on.isoformat() if row.response_due_on else "")
        assert line[due_at + 1] == (str(row.working_days_overdue) if row.overdue else "")
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", line[header.index("Created")])


def test_export_reads_past_the_first_page(window, qtbot, tmp_path, monkeypatch):
    from practice_rx.ui.worklist import export

    monkeypatch.setattr(export, "EXPORT_PAGE_SIZE", 40)
    path = tmp_path / "all.csv"
    with qtbot.waitSignal(window.worklist.finished, timeout=10_000):
        window.worklist.export_csv(path)
    with open(path, encoding="utf-8-sig", newline="") as file:
        assert len(list(csv.reader(file))) == 301


def test_printing_the_list_makes_a_pdf_of_its_rows(window, qtbot, tmp_path):
    import pypdfium2

    session = window.session
    window.sidebar.statuses.choose("completed")
    settle(qtbot, session)
    listed = session.services.worklist.page(session.user.id, WorklistQuery(
        WorklistFilter(statuses=frozenset({"completed"})), page_size=1000)).rows
    assert len(listed) > window.worklist.model.query.page_size  # more than the list has read
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "list.pdf"))
    with qtbot.waitSignal(window.worklist.finished, timeout=10_000):
        window.worklist.print_list(printer)
    pdf = pypdfium2.PdfDocument(str(tmp_path / "list.pdf"))
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert f"{len(listed)} referrals" in text
    assert all(str(r.id) in text for r in listed)
    assert listed[0].patient_name.split(",")[0] in text


def test_the_chase_list_sorts_by_due_date_oldest_first(window, qtbot):
    session = window.session
    window.show_overdue()
    settle(qtbot, session)
    query = window.worklist.model.query
    assert (query.sort, query.descending) == ("due", False)
    header = window.worklist.table.horizontalHeader()
    assert header.sortIndicatorSection() == DUE_COLUMN
    due = [r.response_due_on for r in rows(window)]
    assert due == sorted(due)
    days = [r.working_days_overdue for r in rows(window)]
    assert days == sorted(days, reverse=True) and days[0] > 0
    assert f"{days[0]} working day" in window.worklist.model.data(
        window.worklist.model.index(0, DUE_COLUMN))
    # leaving the chase list gives the whole list its own sort back (found at the desk:
    # "All referrals" stayed sorted by due date, undated rows first)
    window.sidebar.statuses.choose("all")
    settle(qtbot, session)
    query = window.worklist.model.query
    assert (query.sort, query.descending) == ("created", True)
