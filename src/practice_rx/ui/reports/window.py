"""The Reports window: a period, the report's figures listed, each as a chart above its table.

Counting runs off the GUI thread through the session's operations (the service checks
``VIEW_REPORTS``); the figures shown stay until new ones arrive, and an answer for a
period no longer chosen is dropped. What is shown and exported is suppressed for
commissioners unless the check box is cleared (the file then says it must stay in the
practice).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from practice_rx.reports import Report, ReportPeriod, Table, suppress_small_numbers
from practice_rx.ui import messages
from practice_rx.ui.practices.practice_chooser import PracticeCombo, read_visible
from practice_rx.ui.reports.charts import ReportChart
from practice_rx.ui.reports.period_bar import PeriodBar
from practice_rx.ui.reports.table_model import ReportTableModel, hidden_columns
from practice_rx.ui.screen_fit import open_size
from practice_rx.ui.session import Session
from practice_rx.ui.widgets import heading, hint, labelled, row_table

#: the export formats: (what the button says, file filter, file extension)
FORMATS = {"csv": ("Export CS&V…", "CSV files (*.csv)", ".csv"),
           "xlsx": ("Export &XLSX…", "Excel workbooks (*.xlsx)", ".xlsx"),
           "pdf": ("Export &PDF…", "PDF files (*.pdf)", ".pdf")}

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
#: the least a chart is given, however few its bars
MINIMUM_CHART_HEIGHT = 160


def write_report(kind: str, report: Report, path: Path, *, suppress: bool) -> Path:
    """The report saved as ``kind``; the XLSX and PDF writers are imported only when used
    (xlsxwriter and reportlab are heavy)."""
    if kind == "csv":
        from practice_rx.reports.export_csv import write_report_csv
        return write_report_csv(report, path, suppress=suppress)
    if kind == "xlsx":
        from practice_rx.reports.export_xlsx import write_report_xlsx
        return write_report_xlsx(report, path, suppress=suppress)
    if kind == "pdf":
        from practice_rx.reports.export_pdf import write_report_pdf
        return write_report_pdf(report, path, suppress=suppress, heading="PracticeRx report")
    raise ValueError(f"export format: expected csv, xlsx or pdf, not {kind!r}")


class ReportsWindow(QDialog):
    """``ReportsWindow(session, parent)``: counts the last 12 months when first shown."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("reports")
        self.setWindowTitle("Reports")
        #: the report last counted, unsuppressed (what is shown is worked out from it)
        self.report: Report | None = None
        self._asked = 0  # counts asked for: only the answer to the latest is shown
        self._started = False

        services = session.services
        self.period_bar = PeriodBar(lambda: services.clock().date())
        self.period_bar.changed.connect(self.count)
        #: the practice to count, shown when the user sees more than one
        self.practice = PracticeCombo("All my practices")
        self.practice.setObjectName("reports_practice")
        self.practice.currentIndexChanged.connect(lambda _: self._practice_changed())
        self.practice_area = QWidget()
        self.practice_area.setObjectName("reports_practice_area")
        area = QHBoxLayout(self.practice_area)
        area.setContentsMargins(0, 0, 0, 0)
        area.addWidget(labelled("Pract&ice:", self.practice, name="Practice"))
        area.addWidget(self.practice)
        self.practice_area.hide()
        read_visible(session, self, self._practices_read)
        self.progress_label = QLabel()
        self.progress_label.setObjectName("reports_progress_label")
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(100)
        self.progress.setTextVisible(False)
        self.progress.setAccessibleName("Counting")
        self.progress.hide()

        self.tables = QListWidget()
        self.tables.setObjectName("reports_tables")
        self.tables.setWordWrap(True)
        self.tables.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.tables.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        tables_label = labelled("Fi&gures:", self.tables, name="Figures")
        self.title = heading("", 3)
        self.title.setObjectName("reports_title")
        self.chart = ReportChart()
        self.model = ReportTableModel(self)
        self.table = row_table(QTableView())
        self.table.setObjectName("reports_table")
        self.table.setModel(self.model)
        self.table.setAccessibleName("Figures table")
        # columns as wide as their figures, side by side, so a row reads across easily
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Interactive)
        self.table.verticalHeader().setDefaultSectionSize(
            self.table.fontMetrics().height() + 8)
        self.note = hint("")
        self.note.setObjectName("reports_note")
        self.note.setAccessibleName("Note")

        self.suppress = QCheckBox("Show as commissioners see it (small numbers &suppressed)")
        self.suppress.setObjectName("reports_suppress")
        self.suppress.setChecked(True)
        self.suppress.setToolTip("Counts of 1 to 4 shown as \"<5\" in every figure that may "
                                 "leave the practice; exports follow this box")
        self.suppress.toggled.connect(lambda _: self._show())
        self.export_buttons: dict[str, QPushButton] = {}
        for kind, (text, _filter, _ext) in FORMATS.items():
            button = QPushButton(text)
            button.setObjectName(f"reports_export_{kind}")
            button.setEnabled(False)
            button.clicked.connect(lambda _=False, kind=kind: self.ask_export(kind))
            self.export_buttons[kind] = button
        self.saved = hint("")
        self.saved.setObjectName("reports_saved")

        top = QHBoxLayout()
        top.addWidget(self.period_bar, 1)
        top.addWidget(self.practice_area)
        top.addWidget(self.progress_label)
        top.addWidget(self.progress)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(tables_label)
        left_layout.addWidget(self.tables, 1)
        figure = self.figure = QSplitter(Qt.Orientation.Vertical)
        # on a short screen a long chart scrolls rather than shorten its bars' names to "…"
        self.chart_area = QScrollArea()
        self.chart_area.setObjectName("reports_chart_area")
        self.chart_area.setWidgetResizable(True)
        self.chart_area.setFrameShape(QFrame.Shape.NoFrame)
        self.chart_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.chart_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.chart_area.setWidget(self.chart)
        figure.addWidget(self.chart_area)
        below = QWidget()
        below_layout = QVBoxLayout(below)
        below_layout.setContentsMargins(0, 0, 0, 0)
        below_layout.addWidget(self.table, 1)
        below_layout.addWidget(self.note)
        figure.addWidget(below)
        figure.setStretchFactor(0, 3)
        figure.setStretchFactor(1, 2)
        figure.setChildrenCollapsible(False)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.title)
        right_layout.addWidget(figure, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)

        footer = QHBoxLayout()
        footer.addWidget(self.suppress)
        footer.addWidget(self.saved, 1)
        for button in self.export_buttons.values():
            footer.addWidget(button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        footer.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(footer)
        self.tables.currentRowChanged.connect(lambda _: self._show_current())
        open_size(self, 1280, 720)
        self.splitter.setSizes([250, max(self.width() - 250, 400)])

    # -- counting ----------------------------------------------------------------------

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._started:
            self._started = True
            self._share_height()
            self.tables.setFocus()
            period = self.period_bar.period()
            if period is not None:
                self.count(period)

    def practices(self) -> tuple[str, ...]:
        """The practices (ODS codes) to count; none chosen means all the user may see."""
        chosen = self.practice.chosen_id()
        return tuple(practice.ods_code for practice in self.practice.practices
                     if practice.id == chosen)

    def _practices_read(self, practices: list) -> None:
        self.practice.set_practices(practices)
        self.practice_area.setVisible(len(practices) > 1)

    def _practice_changed(self) -> None:
        period = self.period_bar.period()
        if self._started and period is not None:
            self.count(period)

    def count(self, period: ReportPeriod) -> None:
        """Count ``period`` off the GUI thread; the figures shown stay until it answers."""
        self._asked += 1
        asked = self._asked
        session = self.session
        self.progress_label.setText("Counting…")
        self.progress.show()

        def done(report: Report) -> None:
            if asked == self._asked:
                self._counted()
                self.report = report
                self._show()

        def failed(error: Exception) -> None:
            if asked == self._asked:
                self._counted()
                messages.show_error(self, error)

        session.operations.run(
            partial(session.services.reports.build, session.user.id, period,
                    practices=self.practices()),
            done=done, failed=failed, owner=self, message="Counting the report…")

    def _counted(self) -> None:
        self.progress.hide()
        self.progress_label.clear()

    # -- showing -----------------------------------------------------------------------

    def shown_report(self) -> Report | None:
        """The report as on screen: suppressed while the check box is ticked."""
        if self.report is None:
            return None
        return suppress_small_numbers(self.report) if self.suppress.isChecked() else self.report

    def _show(self) -> None:
        """List the report's figures (keeping the one chosen) and show it."""
        shown = self.shown_report()
        if shown is None:
            return
        current = self.current_key()
        self.tables.blockSignals(True)
        self.tables.clear()
        for table in shown.tables():
            item = QListWidgetItem(table.title)
            item.setData(KEY_ROLE, table.key)
            self.tables.addItem(item)
        keys = [table.key for table in shown.tables()]
        self.tables.setCurrentRow(keys.index(current) if current in keys else 0)
        self.tables.blockSignals(False)
        for button in self.export_buttons.values():
            button.setEnabled(True)
        self._show_current()

    def current_key(self) -> str | None:
        item = self.tables.currentItem()
        return item.data(KEY_ROLE) if item is not None else None

    def current_table(self) -> Table | None:
        shown, key = self.shown_report(), self.current_key()
        if shown is None or key is None:
            return None
        return next(table for table in shown.tables() if table.key == key)

    def select(self, key: str) -> None:
        """Show the figure ``key`` (as if chosen in the list)."""
        for row in range(self.tables.count()):
            if self.tables.item(row).data(KEY_ROLE) == key:
                self.tables.setCurrentRow(row)
                return
        raise KeyError(f"report figure: no table {key!r}")

    def _show_current(self) -> None:
        table = self.current_table()
        self.title.setText(table.title if table else "")
        self.title.setAccessibleName(table.title if table else "")
        self.chart.show_table(table)
        self._share_height()
        self.model.set_table(table)
        if table is None:
            self.note.clear()
            return
        hidden = set(hidden_columns(table))
        for column in range(len(table.columns)):
            self.table.setColumnHidden(column, column in hidden)
        self.table.resizeColumnsToContents()
        note = table.note or ""
        if not table.for_commissioner:
            note = " ".join(filter(None, (note, "A staff figure: not suppressed, and not for "
                                                "use outside the practice.")))
        self.note.setText(note)
        self.note.setVisible(bool(note))

    def _share_height(self) -> None:
        """The chart as tall as its bars' names need (at least half the height, at most
        three quarters); the table below scrolls."""
        height = self.figure.height() - self.figure.handleWidth()
        wanted = self.chart.wanted_height()
        self.chart.setMinimumHeight(max(wanted, MINIMUM_CHART_HEIGHT))
        chart = min(max(wanted, height // 2), height * 3 // 4)
        self.figure.setSizes([chart, height - chart])

    # -- exporting ---------------------------------------------------------------------

    def ask_export(self, kind: str) -> None:
        """Ask where to save, then save the report as ``kind``."""
        if self.report is None:
            return
        text, file_filter, extension = FORMATS[kind]
        period = self.report.period
        suggested = Path.home() / (f"report-{period.from_date.isoformat()}-"
                                   f"{period.to_date.isoformat()}{extension}")
        path, _ = QFileDialog.getSaveFileName(self, text.replace("&", "").rstrip("…"),
                                              str(suggested), file_filter)
        if path:
            self.export(kind, Path(path))

    def export(self, kind: str, path: Path):
        """Save the report counted as ``kind`` at ``path`` off the GUI thread, suppressed
        as the check box says; returns the worker."""
        if self.report is None:
            raise RuntimeError("nothing counted yet to export")
        report, suppress = self.report, self.suppress.isChecked()

        def done(written: Path) -> None:
            where = f"Saved to {written}"
            self.saved.setText(where if suppress else
                               f"{where} (not suppressed: for use inside the practice only)")

        return self.session.operations.run(
            partial(write_report, kind, report, path, suppress=suppress), done=done,
            failed=lambda error: messages.show_error(self, error), owner=self,
            message="Saving the report…")
