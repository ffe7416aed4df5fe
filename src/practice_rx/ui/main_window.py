"""The main window: the status list, the worklist and the open referral, side by side.

Menus carry every command with its shortcut, so all of it works from the
keyboard: Ctrl+N new referral, Ctrl+U update status, Ctrl+F find, F5 refresh.
Dialogs are imported when first opened, to keep start-up quick.

The window is shown once somebody signs in (:meth:`MainWindow.ask_sign_in`);
"Sign out / switch user" hides it behind the login again, and the idle lock
(:mod:`practice_rx.ui.idle_lock`) covers it after some minutes without use.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QToolBar,
    QWidget,
)

from practice_rx.domain.permissions import Action
from practice_rx.ui import messages
from practice_rx.ui.delivery.actions import status_bar_report
from practice_rx.ui.delivery.poller import DeliveryPoller
from practice_rx.ui.formatting import ROLE_LABELS
from practice_rx.ui.idle_lock import IdleLock
from practice_rx.ui.operations import Operations
from practice_rx.ui.referral_view import ReferralView
from practice_rx.ui.screen_fit import available, open_size
from practice_rx.ui.session import Session
from practice_rx.ui.shortcuts import ActionShortcutsWin
from practice_rx.ui.status_dialog import next_statuses
from practice_rx.ui.worklist_filters import OVERDUE, StatusSidebar
from practice_rx.ui.worklist_view import WorklistPanel

SHORTCUTS_HELP = """\
Ctrl+N\tNew referral
Ctrl+F\tFind a patient in the worklist
Alt+S\tChoose statuses (Ctrl+click for several)
Ctrl+Shift+O\tShow overdue referrals (the chase list)
Ctrl+Shift+C\tCaseload (link workers' cases and what is due)
Ctrl+Shift+R\tReports (figures for the practice, PCN and commissioners)
Enter\tOpen the chosen referral
Ctrl+U\tUpdate its status (then Enter to save)
Ctrl+Shift+N\tAdd a note to it
F5\tRefresh
Ctrl+,\tSettings
Ctrl+L\tLock the screen now
Ctrl+Shift+L\tSign out / switch user
F1\tThis list"""

#: at most this wide (pixels) in the status bar, so it never pushes the window wider
DATABASE_LABEL_WIDTH = 300

#: the size the window opens at when the screen has room
PREFERRED_SIZE = (1440, 860)

#: dialogs that only show things: closing them on sign-out loses nothing typed
READ_ONLY_DIALOGS = frozenset({"audit", "users", "plugins", "catalogue", "shortcuts", "about",
                               "message", "error", "conflict", "reports"})


def _depth(widget: QWidget) -> int:
    depth = 0
    while (widget := widget.parentWidget()) is not None:
        depth += 1
    return depth


class MainWindow(QMainWindow):
    #: the login was closed without signing in: the application should end
    sign_in_cancelled = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None, *,
                 idle_lock_minutes: float | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("main_window")
        self.setWindowTitle("PracticeRx")
        self.sidebar = StatusSidebar()
        self.worklist = WorklistPanel(session, self.sidebar.statuses)
        self.detail = ReferralView(session)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.sidebar)
        splitter.addWidget(self.worklist)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 3)
        splitter.setStretchFactor(2, 2)
        splitter.setChildrenCollapsible(False)
        self.splitter = splitter
        self.setCentralWidget(splitter)
        self._dialogs: dict[str, QWidget] = {}
        self._sign_in = None
        self.idle = IdleLock(self, session, idle_lock_minutes)
        self.idle.sign_out_requested.connect(self.sign_out)
        #: the referral shown while no row is highlighted: just sent or saved, and not in
        #: the list as filtered; any other change of the list clears it
        self._pinned: int | None = None
        #: a command waiting for a referral to open: (its id, the command)
        self._after_open: tuple[int, object] | None = None
        self._make_actions()
        self._make_status_bar()
        self._apply_role()
        self._shortcuts = ActionShortcutsWin(self)
        self.delivery_poller = DeliveryPoller(session, status_bar_report(self), self)

        # Moving through the list with the arrow keys opens a referral once the user
        # pauses, not at every row passed (each opening is read and audited).
        self._open_timer = QTimer(self, singleShot=True, interval=150)
        self._open_timer.timeout.connect(self._open_current)
        self.worklist.current_changed.connect(self._moved_to)
        self.worklist.selection_cleared.connect(self._selection_lost)
        self.worklist.reshaped.connect(self._reshaped)
        self.worklist.opened.connect(self._open)
        self.worklist.row_menu_requested.connect(
            lambda row, where: self.row_menu(row).popup(where))
        self.worklist.finished.connect(lambda text: self.statusBar().showMessage(text, 15000))
        self.detail.edit_draft.connect(self.continue_draft)
        self.detail.saved.connect(self._keep_shown)
        self.detail.shown.connect(self._shown)
        self.detail.cleared.connect(self._sync_actions)
        session.user_changed.connect(self._show_user)
        session.user_changed.connect(lambda _user: self._apply_role())
        session.practice_changed.connect(self._read_practice)
        session.catalogue_changed.connect(self.worklist.load_choices)
        self._fit_to_screen()
        self._started = False

    # -- fitting the screen ---------------------------------------------------------------

    def _fit_to_screen(self) -> None:
        """Open at the preferred size where there is room; else as big as the work area
        allows, title bar included (so not maximised over the taskbar)."""
        preferred = QSize(*PREFERRED_SIZE)
        room = available(self)
        open_size(self, preferred.width(), preferred.height())
        # the splitter shares the width: the list most, the pane next, the statuses least
        width = min(preferred.width(), room.width())
        sidebar = max(self.sidebar.minimumSizeHint().width(), width // 8)
        pane = max(self.detail.minimumSizeHint().width(), (width - sidebar) * 2 // 5)
        self.splitter.setSizes([sidebar, width - sidebar - pane, pane])

    # -- commands ------------------------------------------------------------------------

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(f"{tip or text.replace('&', '').rstrip('…')}"
                          + (f" ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
                             if shortcut is not None else ""))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _make_actions(self) -> None:
        self.act_new = self._action("&New referral…", self.new_referral,
                                    QKeySequence.StandardKey.New)
        self.act_update = self._action("&Update status…", self.update_status, "Ctrl+U")
        self.act_note = self._action("Add a &note", self.focus_note, "Ctrl+Shift+N")
        self.act_letters = self._action("Le&tters…", self.show_letters, "Ctrl+Shift+P",
                                        tip="Make or reprint this referral's letters")
        self.act_find = self._action("&Find in the worklist", self.focus_find,
                                     QKeySequence.StandardKey.Find)
        self.act_statuses = self._action("Choose &statuses", self.focus_statuses, "Alt+S")
        self.act_caseload = self._action("Case&load…", self.open_caseload, "Ctrl+Shift+C",
                                         "A link worker's caseload: contacts, plans, what is due")
        self.act_reports = self._action("Re&ports…", self.open_reports, "Ctrl+Shift+R",
                                        "Referrals, the funnel, waits and outcomes for a "
                                        "period, as charts and tables")
        self.act_overdue = self._action("Show &overdue referrals", self.show_overdue,
                                        "Ctrl+Shift+O")
        self.act_refresh = self._action("&Refresh", self.refresh, QKeySequence.StandardKey.Refresh)
        self.act_print_list = self._action("&Print the list…", self.worklist.ask_print,
                                           QKeySequence.StandardKey.Print,
                                           tip="Print every referral the list holds now")
        self.act_export = self._action("&Export the list as CSV…", self.worklist.ask_export,
                                       tip="Every referral the list holds now, the columns "
                                       "shown")
        self.act_gp_codes = self._action("Export codes for the &GP record…", self.open_gp_codes,
                                         tip="SNOMED CT codes of a period's referral events, "
                                         "as CSV for EMIS Web or SystmOne")
        self.act_import_fhir = self._action("&Import FHIR bundle…", self.import_fhir,
                                            tip="Another agency's FHIR referral, as a draft")
        self.act_chasers = self._action("Chaser &letters for the list shown…",
                                        self.chaser_letters)
        self.act_catalogue = self._action("Service &catalogue…", self.open_catalogue,
                                          "Ctrl+Shift+K")
        self.act_plugins = self._action("&Plugins…", self.open_plugins)
        self.act_settings = self._action("&Settings…", self.open_settings, "Ctrl+,")
        self.act_mesh = self._action("&MESH delivery…", self.open_mesh_settings,
                                     tip="The MESH server and sign-in referrals are "
                                     "delivered with")
        self.act_users = self._action("&Users…", self.open_users,
                                      tip="Add users, disable them, reset passwords (admins)")
        self.act_audit = self._action("&Audit trail…", self.open_audit,
                                      tip="Who did what, where and when (admins)")
        self.act_lock = self._action("&Lock now", self.idle.lock_now, "Ctrl+L",
                                     tip="Lock the screen; your password unlocks it")
        self.act_sign_out = self._action("Sign &out / switch user…", self.sign_out,
                                         "Ctrl+Shift+L")
        self.act_quit = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.act_shortcuts = self._action("&Keyboard shortcuts", self.show_shortcuts, "F1")
        self.act_about = self._action("&About PracticeRx", self.show_about)
        self.act_refresh.setShortcuts([QKeySequence("F5"), QKeySequence("Ctrl+R")])

        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        file_menu.addActions([self.act_new, self.act_refresh])
        file_menu.addSeparator()
        file_menu.addActions([self.act_print_list, self.act_export, self.act_gp_codes,
                              self.act_import_fhir])
        file_menu.addSeparator()
        file_menu.addActions([self.act_settings])
        file_menu.addSeparator()
        file_menu.addActions([self.act_lock, self.act_sign_out])
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        referral_menu = menus.addMenu("&Referral")
        referral_menu.addActions([self.act_update, self.act_note, self.act_letters])
        referral_menu.addSeparator()
        referral_menu.addAction(self.act_chasers)
        view_menu = menus.addMenu("&View")
        view_menu.addActions([self.act_find, self.act_statuses, self.act_overdue,
                              self.act_caseload, self.act_reports])
        tools = menus.addMenu("&Tools")
        tools.addActions([self.act_catalogue, self.act_plugins, self.act_settings,
                          self.act_mesh])
        tools.addSeparator()
        tools.addActions([self.act_users, self.act_audit])
        help_menu = menus.addMenu("&Help")
        help_menu.addActions([self.act_shortcuts, self.act_about])

        toolbar = QToolBar("Main toolbar")
        toolbar.setObjectName("main_toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addActions([self.act_new, self.act_update, self.act_overdue, self.act_caseload,
                            self.act_refresh])
        toolbar.addSeparator()
        toolbar.addActions([self.act_catalogue, self.act_plugins, self.act_settings])
        self.addToolBar(toolbar)

    def _make_status_bar(self) -> None:
        bar = self.statusBar()
        self.user_label = QLabel()
        self.user_label.setAccessibleName("Signed in as")
        self.database_label = QLabel()
        self.database_label.setAccessibleName("Database")
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(140)
        self.progress.setAccessibleName("Working")
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.progress_label = QLabel()
        bar.addPermanentWidget(self.progress_label)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.database_label)
        bar.addPermanentWidget(self.user_label)
        self._show_progress = QTimer(self, singleShot=True, interval=150)
        self._show_progress.timeout.connect(self._progress_visible)
        self.session.operations.busy_changed.connect(self._busy)
        self.session.operations.failed.connect(lambda text: bar.showMessage(text, 15000))
        self._show_user(self.session.user if self.session.signed_in else None)
        db = self.session.services.db
        where = "demo database (synthetic data)" if self.session.demo else db.url
        # a long database URL must not set the window's minimum width: it is shortened in
        # the middle (host and database name stay readable), whole in the tooltip
        self.database_label.setText(self.database_label.fontMetrics().elidedText(
            f"Database: {where}", Qt.TextElideMode.ElideMiddle, DATABASE_LABEL_WIDTH))
        self.database_label.setToolTip(f"Database: {where}")

    def _busy(self, busy: bool, what: str) -> None:
        if busy:
            self.progress_label.setText(what)
            if not self._show_progress.isActive() and not self.progress.isVisible():
                self._show_progress.start()
        else:
            self._show_progress.stop()
            self.progress.hide()
            self.progress_label.clear()

    def _progress_visible(self) -> None:
        if self.session.operations.busy:
            self.progress.show()

    def _show_user(self, user) -> None:
        if user is None:
            self.user_label.setText("Not signed in")
            return
        role = ROLE_LABELS.get(user.role, user.role)
        self.user_label.setText(f"{user.display_name} ({role})")

    def _apply_role(self) -> None:
        """Offer only what the user's role may do; the services refuse the rest anyway."""
        can = self.session.can
        self.act_new.setEnabled(can(Action.WRITE_REFERRALS)
                                or can(Action.ENTER_INBOUND_REFERRALS))
        self.act_caseload.setEnabled(can(Action.VIEW_CASELOAD))
        self.act_import_fhir.setEnabled(can(Action.ENTER_INBOUND_REFERRALS))
        self.act_reports.setVisible(can(Action.VIEW_REPORTS))
        self.act_chasers.setEnabled(can(Action.PRINT_LETTERS))
        self.act_gp_codes.setEnabled(can(Action.VIEW_REFERRALS))
        self.act_users.setEnabled(can(Action.MANAGE_USERS))
        self.act_audit.setEnabled(can(Action.VIEW_AUDIT))
        self.act_lock.setEnabled(self.session.signed_in)
        self.act_sign_out.setEnabled(self.session.signed_in)
        # Settings and plugins open for anyone to look; only an admin can change them.
        if self.session.signed_in:
            self.detail.reload()
        if self.detail.referral is None:
            self.detail.clear()  # its wording follows the role
        self._sync_actions()

    # -- the referral acted on ------------------------------------------------------------

    def target(self) -> int | None:
        """The referral every command acts on: the one shown, if it is the highlighted row
        (or the one just sent or saved, shown with no row highlighted)."""
        shown = self.detail.showing()
        if shown is not None and shown in (self.worklist.current_id(), self._pinned):
            return shown
        return None

    def _sync_actions(self) -> None:
        """Commands needing a referral are offered only while the target is shown."""
        target = self.target()
        referral = self.detail.referral if target is not None else None
        self.act_update.setEnabled(
            referral is not None and bool(next_statuses(
                referral.status, self.session, casework=referral.allocated_to_id is not None)))
        self.act_note.setEnabled(referral is not None and self.session.can(Action.ADD_NOTES))
        self.act_letters.setEnabled(
            referral is not None and self.session.can(Action.PRINT_LETTERS))

    def _shown(self, referral) -> None:
        """Whatever opened a referral in the pane, the list agrees: it highlights that one
        or, when it is not listed, none."""
        if referral.id != self.worklist.current_id():
            self._keep_shown(referral.id)
        self._sync_actions()
        waiting, self._after_open = self._after_open, None
        if waiting is not None and waiting[0] == referral.id == self.target():
            waiting[1]()

    def _when_shown(self, referral_id: int, command) -> None:
        """Run a command on this referral once the pane shows it (at once if it does)."""
        if self.target() == referral_id:
            command()
            return
        self._after_open = (referral_id, command)
        self._open(referral_id)

    def row_menu(self, row):
        """The menu on a worklist row (highlighted already); each item acts on that row."""
        from practice_rx.ui.worklist.row_menu import row_menu

        can_update = bool(next_statuses(row.status, self.session))
        return row_menu(
            self, row, open_=lambda: self._open(row.id),
            update=(lambda: self._when_shown(row.id, self.update_status)) if can_update
            else None,
            letters=(lambda: self._when_shown(row.id, self.show_letters))
            if self.session.can(Action.PRINT_LETTERS) else None)

    def _moved_to(self, referral_id: int) -> None:
        """A new row is highlighted: the pane empties at once, then opens it."""
        self._pinned = None
        if self._after_open is not None and self._after_open[0] != referral_id:
            self._after_open = None
        if self.detail.wanted() != referral_id:
            self.detail.clear(f"Opening referral {referral_id}…")
        self._open_timer.start()

    def _selection_lost(self) -> None:
        """The highlighted row left the list; the pane follows unless it shows the pinned one."""
        self._after_open = None
        if self._pinned is None or self.detail.wanted() != self._pinned:
            self._pinned = None
            self._open_timer.stop()
            self.detail.clear()
        self._sync_actions()

    def _reshaped(self) -> None:
        """New filters or sort: a pinned referral stays only if the new list holds it."""
        pinned, self._pinned = self._pinned, None
        if pinned is not None and self.worklist.current_id() is None:
            self.worklist.select_referral(pinned)

    def _keep_shown(self, referral_id: int) -> None:
        """After a save here, the referral saved stays shown, highlighted if listed."""
        self._pinned = referral_id
        self.worklist.select_referral(referral_id)
        self._sync_actions()

    def _read_practice(self) -> None:
        def done(practice) -> None:
            name = practice.name if practice else "practice details not set"
            self.setWindowTitle(f"PracticeRx – {name}")

        self.session.operations.run(self.session.services.practice.get, done=done, owner=self,
                                    message="Reading the practice's details…")

    # -- life cycle -----------------------------------------------------------------------

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._started and self.session.signed_in:
            self._started = True
            self.worklist.refresh()
            self.worklist.load_choices()
            self._read_practice()
            self.worklist.table.setFocus()

    def closeEvent(self, event: QCloseEvent) -> None:
        Operations.wait_for_all()
        super().closeEvent(event)

    # -- signing in and out ---------------------------------------------------------------

    def ask_sign_in(self, first_admin: bool | None = None, username: str = "", login=None):
        """The login (after the first-admin dialog on a new database); shows the window after.

        ``first_admin`` says whether the database still needs its first admin; None asks
        the database (off the GUI thread) first. ``login``: a login already on screen
        (shown before the database was open), carried on with instead of a new one.
        """
        from practice_rx.ui.login import SignIn

        if self._sign_in is not None:
            return self._sign_in
        flow = SignIn(self.session, self)
        flow.signed_in.connect(self._signed_in)
        flow.cancelled.connect(self._sign_in_cancelled)
        self._sign_in = flow
        if login is not None:
            flow.adopt(login)
        else:
            flow.start(username, first_admin=first_admin)
        return flow

    def _signed_in(self, _user) -> None:
        if self._sign_in is not None:
            self._sign_in.deleteLater()
            self._sign_in = None
        first = not self._started
        self.show()
        self.raise_()
        self.activateWindow()
        if not first:
            self.refresh()
            self._read_practice()
        self.worklist.table.setFocus()

    def _sign_in_cancelled(self) -> None:
        if self._sign_in is not None:
            self._sign_in.deleteLater()
            self._sign_in = None
        self.sign_in_cancelled.emit()

    def unsaved_work(self) -> list[str]:
        """What signing out would throw away: open dialogs that take input, a note typed."""
        found = []
        if self.detail.note.toPlainText().strip():
            found.append("a note you have not added yet")
        for window in self._windows():
            if window.objectName() not in READ_ONLY_DIALOGS:
                found.append(f"the “{window.windowTitle() or window.objectName()}” window")
        return found

    def _windows(self) -> list[QWidget]:
        """This window's dialogs (and their message boxes) open now, the lock dialog aside."""
        found = []
        for window in QApplication.topLevelWidgets():
            if window is self or not window.isVisible() or window is self.idle.dialog:
                continue
            parent = window.parentWidget()
            while parent is not None and parent is not self:
                parent = parent.parentWidget()
            if parent is self:
                found.append(window)
        return found

    def sign_out(self) -> QMessageBox | None:
        """Back to the login, asking first if unsaved work would be discarded."""
        if not self.session.signed_in:
            return None
        unsaved = self.unsaved_work()
        if not unsaved:
            self._sign_out_now()
            return None
        box = QMessageBox(
            QMessageBox.Icon.Question, "Sign out and discard unsaved work?",
            "Signing out closes everything open and discards what has not been saved: "
            + "; ".join(unsaved) + ".\n\nDiscard it and sign out?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            self.idle.dialog if self.idle.locked else self)
        box.setObjectName("discard_on_sign_out")
        box.button(QMessageBox.StandardButton.Discard).setText("&Discard and sign out")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(button: int) -> None:
            if button == QMessageBox.StandardButton.Discard:
                self._sign_out_now()

        box.finished.connect(answered)
        box.open()
        return box

    def _sign_out_now(self) -> None:
        self.idle.release()
        self._open_timer.stop()
        for window in sorted(self._windows(), key=_depth, reverse=True):  # boxes first
            if isinstance(window, QDialog):
                window.done(QDialog.DialogCode.Rejected)  # not reject(): it would ask again
            else:
                window.close()
        self.detail.note.clear()
        self._pinned = None
        self.worklist.clear_selection()
        self.detail.clear()
        self.worklist.clear_filters()  # a search for a patient is not left for the next user
        username = self.session.user.username if self.session.demo else ""
        self.session.sign_out()
        self.ask_sign_in(first_admin=False, username=username)  # shown before this hides
        self.hide()

    # -- what the commands do -------------------------------------------------------------

    def refresh(self) -> None:
        self.worklist.refresh()
        self.worklist.load_choices()
        self.detail.reload()

    def _open_current(self) -> None:
        if not self.session.signed_in:
            return
        referral_id = self.worklist.current_id()
        if referral_id is not None:
            self.detail.show_referral(referral_id)

    def _open(self, referral_id: int) -> None:
        self._open_timer.stop()
        self._pinned = None
        if self.detail.referral is None or self.detail.referral.id != referral_id:
            self.detail.show_referral(referral_id)
        self.detail.update_button.setFocus()

    def _no_target(self) -> bool:
        if self.target() is None:
            self.statusBar().showMessage("Choose a referral in the list first.", 5000)
            return True
        return False

    def update_status(self):
        if self._no_target():
            return None
        return self.detail.update_status()

    def focus_note(self) -> None:
        if self._no_target():
            return
        self.detail.tabs.setCurrentIndex(0)
        self.detail.note.setFocus()

    def show_letters(self) -> None:
        if self._no_target():
            return
        self.detail.tabs.setCurrentWidget(self.detail.letters)
        self.detail.letters.kind.setFocus()

    def focus_find(self) -> None:
        self.worklist.filters.text.setFocus()
        self.worklist.filters.text.selectAll()

    def focus_statuses(self) -> None:
        self.sidebar.statuses.setFocus()

    def show_overdue(self) -> None:
        self.sidebar.statuses.choose(OVERDUE)
        self.worklist.table.setFocus()

    def _single(self, key: str, make) -> QWidget:
        """One dialog of each kind; asking again brings it forward."""
        dialog = self._dialogs.get(key)
        if dialog is None:
            dialog = make()
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.destroyed.connect(lambda *_: self._dialogs.pop(key, None))
            self._dialogs[key] = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def new_referral(self):
        from practice_rx.ui.new_referral import NewReferralDialog

        return self._single("new", lambda: self._connect_referral_dialog(
            NewReferralDialog(self.session, parent=self)))

    def continue_draft(self, referral_id: int):
        from practice_rx.ui.new_referral import NewReferralDialog

        return self._single(f"draft-{referral_id}", lambda: self._connect_referral_dialog(
            NewReferralDialog(self.session, draft_id=referral_id, parent=self)))

    def open_journey(self, key: str, make):
        """A new-referral journey of its own (``key``): one already open comes forward."""
        return self._single(key, lambda: self._connect_referral_dialog(make()))

    def _connect_referral_dialog(self, dialog):
        dialog.done.connect(self._referral_done)
        return dialog

    def _referral_done(self, referral_id: int, text: str) -> None:
        """The referral just sent (or saved as a draft) is shown, and highlighted if listed."""
        self.statusBar().showMessage(text, 15000)
        self._open_timer.stop()
        self._keep_shown(referral_id)
        self.detail.show_referral(referral_id)

    def import_fhir(self):
        """Import FHIR bundle…; the draft it makes is shown and opened to check and send."""
        from practice_rx.ui.fhir.import_dialog import ImportBundleDialog

        def made() -> ImportBundleDialog:
            dialog = ImportBundleDialog(self.session, self)
            dialog.imported.connect(lambda referral_id, text: (
                self._referral_done(referral_id, text), self.continue_draft(referral_id)))
            return dialog
        return self._single("fhir-import", made)

    def chaser_letters(self):
        """Choose who to chase among the overdue referrals in the list shown, then make them."""
        from practice_rx.ui.chasers_view import ChaseDialog
        from practice_rx.ui.letters_view import chaser_batch

        def finished(text: str) -> None:
            self.statusBar().showMessage(text, 30000)
            self.worklist.refresh()  # "last chased" changed
            self.detail.reload()

        def make(ids: list[int], listed_at) -> None:
            chaser_batch(self.session, ids, listed_at, self, finished)

        return self._single("chasers", lambda: ChaseDialog(
            self.session, self.worklist.model.query.filter, make, self))

    def open_caseload(self):
        from practice_rx.ui.caseload.window import CaseloadWindow

        if not self.session.can(Action.VIEW_CASELOAD):
            return None

        def made() -> CaseloadWindow:
            window = CaseloadWindow(self.session, self)
            window.open_case.connect(self.show_case)
            return window

        return self._single("caseload", made)

    def open_reports(self):
        """The Reports window; its charts (QtCharts) load with it, not at start-up."""
        if not self.session.can(Action.VIEW_REPORTS):
            return None
        from practice_rx.ui.reports.window import ReportsWindow

        return self._single("reports", lambda: ReportsWindow(self.session, self))

    def show_case(self, referral_id: int) -> None:
        """A case chosen in the caseload, shown here on its Casework tab; the caseload steps
        aside (hidden, as it was: Ctrl+Shift+C brings it back)."""
        caseload = self._dialogs.get("caseload")
        if caseload is not None:
            caseload.hide()
        self._referral_done(referral_id, "")
        self.detail.tabs.setCurrentWidget(self.detail.casework)
        self.raise_()
        self.activateWindow()

    def open_catalogue(self):
        from practice_rx.ui.catalogue_view import CatalogueDialog

        return self._single("catalogue", lambda: CatalogueDialog(self.session, self))

    def open_gp_codes(self):
        from practice_rx.ui.gp_codes.export_dialog import GpCodesDialog

        if not self.session.can(Action.VIEW_REFERRALS):
            return None
        return self._single("gp_codes", lambda: GpCodesDialog(self.session, self))

    def open_plugins(self):
        from practice_rx.ui.plugins_view import PluginsDialog

        return self._single("plugins", lambda: PluginsDialog(self.session, self))

    def open_settings(self):
        from practice_rx.ui.settings_dialog import SettingsDialog

        return self._single("settings", lambda: SettingsDialog(self.session, self))

    def open_mesh_settings(self):
        from practice_rx.ui.delivery.mesh_dialog import MeshSettingsDialog

        return self._single("mesh", lambda: MeshSettingsDialog(self.session, self))

    def open_users(self):
        from practice_rx.ui.users_view import UsersDialog

        if not self.session.can(Action.MANAGE_USERS):
            return None
        return self._single("users", lambda: UsersDialog(self.session, self))

    def open_audit(self):
        from practice_rx.ui.audit_view import AuditDialog

        if not self.session.can(Action.VIEW_AUDIT):
            return None
        return self._single("audit", lambda: AuditDialog(self.session, self))

    def show_shortcuts(self):
        return messages.show(self, "Keyboard shortcuts", SHORTCUTS_HELP,
                             object_name="shortcuts")

    def show_about(self):
        from practice_rx import __version__

        return messages.show(self, "About PracticeRx", (
            f"PracticeRx {__version__}\n\nRaise, track and print social prescribing "
            "referrals.\n\nOn demo data, every patient is synthetic."), object_name="about")
