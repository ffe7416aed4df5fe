"""The worklist model: Qt's model rules, paging, sorting by every column, overdue in words."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from practice_rx.domain.statuses import Status
from practice_rx.services.worklist import WorklistFilter
from practice_rx.ui.formatting import day
from practice_rx.ui.worklist_model import (
    COLUMNS,
    DUE_COLUMN,
    LOADING,
    OVERDUE_ROLE,
    ROW_ROLE,
    STATUS_COLUMN,
    WorklistModel,
)


def pages(core):
    user = core.services.users.ensure("reception.jones", "Sam Jones", "receptionist")
    return lambda query: core.services.worklist.page(user.id, query)


@pytest.fixture
def model(demo_core):
    model = WorklistModel(pages(demo_core), page_size=25)
    model.refresh()
    return model


def test_the_model_keeps_qts_rules(model, qtmodeltester):
    assert model.rowCount() == 300
    qtmodeltester.check(model, force_py=True)


def test_rows_are_fetched_a_page_at_a_time(model):
    assert set(model._pages) == {0}
    assert model.data(model.index(260, 1)) not in (None, LOADING)
    assert set(model._pages) == {0, 10}


def test_pages_come_back_asynchronously_without_blocking(demo_core, qtbot):
    calls = []

    def runner(function, done, failed):  # stands in for a worker thread
        calls.append((function, done))

    model = WorklistModel(pages(demo_core), runner, page_size=25)
    model.refresh()
    function, done = calls.pop()
    with qtbot.waitSignal(model.loaded):
        done(function())
    assert model.data(model.index(100, 1)) == LOADING
    function, done = calls.pop()
    with qtbot.waitSignal(model.dataChanged):
        done(function())
    assert model.data(model.index(100, 1)) != LOADING


@pytest.mark.parametrize("column", range(len(COLUMNS)))
def test_every_column_sorts_in_the_database(model, column):
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        model.sort(column, order)
        assert model.query.sort == COLUMNS[column].sort
        assert model.query.descending == (order == Qt.SortOrder.DescendingOrder)
        assert model.rowCount() == 300
    rows = [model.data(model.index(row, 0), ROW_ROLE) for row in range(40)]
    if COLUMNS[column].sort == "patient":
        names = [(r.patient_name.split(",")[0]) for r in rows]
        assert names == sorted(names, reverse=True)
    if COLUMNS[column].sort == "id":
        assert [r.id for r in rows] == sorted((r.id for r in rows), reverse=True)


def test_overdue_rows_say_so_in_words_and_colour(model, demo_core):
    model.set_filter(WorklistFilter(overdue_only=True))
    user = demo_core.services.users.ensure("reception.jones", "Sam Jones", "receptionist")
    counts = demo_core.services.worklist.status_counts(user.id)
    assert model.rowCount() == counts["overdue"] > 0
    index = model.index(0, STATUS_COLUMN)
    assert model.data(index, OVERDUE_ROLE) is True
    assert "OVERDUE" in model.data(index)
    due = model.index(0, DUE_COLUMN)
    row = model.data(index, ROW_ROLE)
    assert row.working_days_overdue > 0
    days = row.working_days_overdue
    assert model.data(due) == (f"{day(row.response_due_on)} · {days} working "
                               f"day{'s' if days != 1 else ''} overdue")
    # only the overdue cell is coloured, not the whole row
    assert model.data(due, Qt.ItemDataRole.BackgroundRole) is not None
    assert model.data(due, Qt.ItemDataRole.FontRole).bold()
    for column in range(len(COLUMNS)):
        if column != DUE_COLUMN:
            cell = model.index(0, column)
            assert model.data(cell, Qt.ItemDataRole.BackgroundRole) is None
            assert model.data(cell, Qt.ItemDataRole.ForegroundRole) is None
            assert model.data(cell, Qt.ItemDataRole.FontRole) is None
    assert "Chase" in model.data(index, Qt.ItemDataRole.ToolTipRole)


def test_the_last_chased_column_says_never_or_when(model, demo_core):
    column = next(i for i, c in enumerate(COLUMNS) if c.sort == "last_chased")
    model.sort(column, Qt.SortOrder.DescendingOrder)
    texts = {model.data(model.index(r, column)) for r in range(model.rowCount())}
    rows = [model.data(model.index(r, 0), ROW_ROLE) for r in range(model.rowCount())]
    assert ("Never" in texts) == any(r.last_chased_at is None for r in rows)


def test_status_filter_and_errors_become_messages(model, demo_core, qtbot):
    model.set_filter(WorklistFilter(statuses=frozenset({Status.COMPLETED.value})))
    assert {model.data(model.index(r, 0), ROW_ROLE).status for r in range(model.rowCount())
            } == {"completed"}
    demo_core.services.db.engine.dispose()

    def broken_page(query):
        raise RuntimeError("database gone")

    broken = WorklistModel(broken_page)
    with qtbot.waitSignal(broken.failed) as blocker:
        broken.refresh()
    assert "database gone" in blocker.args[0]
    assert broken.rowCount() == 0
