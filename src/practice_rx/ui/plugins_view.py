"""The plugins: what is loaded, its version, the hooks it implements, and what went wrong.

A plugin that failed is listed with its errors, and a plugin's own warnings
beside them, while the rest of PracticeRx carries on. Enabling or disabling a plugin is saved in this workstation's
settings and takes effect when PracticeRx is next started.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from practice_rx.domain.permissions import Action
from practice_rx.plugin_host import PluginError, PluginInfo
from practice_rx.ui import messages
from practice_rx.ui.screen_fit import open_size
from practice_rx.ui.session import Session
from practice_rx.ui.widgets import ERROR_COLOUR, heading, hint, labelled

COLUMNS = ("Plugin", "Version", "Source", "Enabled", "Hooks", "Problems")
RESTART_NOTE = "Enabling or disabling a plugin takes effect when PracticeRx is restarted."


def short_hook(name: str) -> str:
    return name.removeprefix("practice_rx_").replace("_", " ")


def problem_summary(info: PluginInfo) -> str:
    """'1 problem, 2 warnings', or 'None'."""
    parts = [f"{count} {word}{'s' if count != 1 else ''}" for count, word in
             ((len(info.errors), "problem"), (len(info.warnings), "warning")) if count]
    return ", ".join(parts) or "None"


class PluginsDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("plugins")
        self.setWindowTitle("Plugins")
        self.session = session
        self.infos: list[PluginInfo] = session.plugins.info()
        self.table = QTableWidget(len(self.infos), len(COLUMNS))
        self.table.setObjectName("plugins_table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for column in range(len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.checkboxes: dict[str, QCheckBox] = {}
        may_change = session.can(Action.MANAGE_SETTINGS)
        disabled = set(session.settings.disabled_plugins)
        #: switched off machine-wide by the IT provider: a user cannot switch them back on
        self.locked = set(session.settings.site.get("disabled_plugins", []))
        for row, info in enumerate(self.infos):
            problems = len(info.errors)
            cells = (info.name, info.version or "—", info.source + (" (built in)" if info.builtin
                                                                     else ""),
                     None, ", ".join(short_hook(h) for h in info.hooks) or "none",
                     problem_summary(info))
            for column, text in enumerate(cells):
                if text is None:
                    continue
                item = QTableWidgetItem(text)
                if column == 5 and problems:
                    item.setForeground(Qt.GlobalColor.darkRed)
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, column, item)
            box = QCheckBox("Enabled")
            box.setChecked(info.name not in disabled)
            box.setAccessibleName(f"{info.name} enabled")
            box.setEnabled(may_change and info.name not in self.locked)
            if info.name in self.locked:
                why = (f"Switched off for every user of this computer in "
                       f"{session.settings.site_file}")
                box.setToolTip(why)
                box.setAccessibleDescription(why)
            box.toggled.connect(lambda on, name=info.name: self._toggled(name, on))
            self.checkboxes[info.name] = box
            cell = QWidget()
            cell_layout = QHBoxLayout(cell)
            cell_layout.setContentsMargins(6, 0, 6, 0)
            cell_layout.addWidget(box)
            self.table.setCellWidget(row, 3, cell)
        self.details = QLabel()
        self.details.setObjectName("plugin_details")
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                             | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setAccessibleName("Plugin details")
        self.note = hint(RESTART_NOTE if may_change else
                         RESTART_NOTE + " Only a practice admin can change them.")
        self.note.setObjectName("restart_note")
        self.changed_note = QLabel()
        self.changed_note.setObjectName("changed_note")
        self.changed_note.setStyleSheet("font-weight: bold;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")

        layout = QVBoxLayout(self)
        layout.addWidget(heading("Plugins", 2))
        layout.addWidget(hint("Plugins add referral forms, services, letter templates and "
                              "actions. A plugin that fails is shown here with its problems; "
                              "the others carry on."))
        layout.addWidget(labelled("&Loaded plugins:", self.table, name="Loaded plugins"))
        layout.addWidget(self.table, 2)
        layout.addWidget(self.details, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.changed_note)
        layout.addWidget(buttons)
        self.table.currentCellChanged.connect(lambda row, *_: self._show(row))
        if self.infos:
            problem_row = next((i for i, info in enumerate(self.infos) if info.errors),
                               next((i for i, info in enumerate(self.infos) if info.warnings),
                                    0))
            self.table.setCurrentCell(problem_row, 0)
            self._show(problem_row)
        open_size(self, 980, 560)

    def _show(self, row: int) -> None:
        if not 0 <= row < len(self.infos):
            return
        info = self.infos[row]
        state = "enabled" if info.enabled else "disabled (not loaded)"
        if info.name in self.locked:
            state = ("switched off for every user of this computer (the machine-wide "
                     f"settings file {_escape(str(self.session.settings.site_file))})")
        lines = [(f"<b>{_escape(info.name)}</b> {_escape(info.version)} – {state}; "
                  f"from <code>{_escape(info.source)}</code>")]
        if info.hooks:
            lines.append("Implements: " + ", ".join(_escape(short_hook(h)) for h in info.hooks))
        if info.errors:
            lines.append(f"<span style='color:{ERROR_COLOUR}'><b>Problems:</b></span>"
                         + _listed(info.errors))
        if info.warnings:
            lines.append("<b>Warnings</b> (reported by the plugin, which carried on):"
                         + _listed(info.warnings))
        if not info.errors and not info.warnings:
            lines.append("No problems.")
        self.details.setText("<br>".join(lines))

    def _toggled(self, name: str, enabled: bool) -> None:
        settings = self.session.settings
        disabled = [plugin for plugin in settings.disabled_plugins if plugin != name]
        if not enabled:
            disabled.append(name)
        previous = list(settings.disabled_plugins)
        settings.disabled_plugins = disabled
        try:
            settings.save()
        except OSError as error:
            settings.disabled_plugins = previous
            messages.show(self, "Settings not saved", f"The settings file could not be "
                          f"written: {error}", messages.QMessageBox.Icon.Warning)
            return
        verb = "enabled" if enabled else "disabled"
        self.changed_note.setText(f"'{name}' will be {verb} when PracticeRx is restarted.")


def _listed(problems: list[PluginError]) -> str:
    return "<ul>" + "".join(f"<li><b>{_escape(short_hook(p.hook))}</b>: {_escape(p.message)}"
                            f"</li>" for p in problems) + "</ul>"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
