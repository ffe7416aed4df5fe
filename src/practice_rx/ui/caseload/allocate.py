"""Allocate a referral to a link worker, or reallocate it, with an optional note."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from practice_rx.errors import ConflictError
from practice_rx.storage.models import Referral
from practice_rx.ui import messages
from practice_rx.ui.formatting import status_label
from practice_rx.ui.patient_banner import PatientBanner
from practice_rx.ui.screen_fit import open_size
from practice_rx.ui.session import Session
from practice_rx.ui.widgets import FieldMessage, heading, hint, labelled


class AllocateDialog(QDialog):
    """Entry point: ``AllocateDialog(session, referral_id, parent)``, then ``open()``."""

    #: the referral as allocated
    allocated = Signal(object)

    def __init__(self, session: Session, referral_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("allocate")
        self.setWindowTitle(f"Allocate: referral {referral_id}")
        self.session = session
        self.referral_id = referral_id
        self.referral: Referral | None = None
        self.banner = PatientBanner(lambda: session.services.clock().date())
        self.current = hint("")
        self.current.setObjectName("allocated_now")
        self.worker = QComboBox()
        self.worker.setObjectName("allocate_worker")
        self.note = QLineEdit()
        self.note.setObjectName("allocate_note")
        self.note.setPlaceholderText("Optional, e.g. covering while Nadia is on leave")
        self.message = FieldMessage("Allocation")
        self.message.setObjectName("allocate_message")
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("&Allocate",
                                                  QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("allocate_save")
        self.save_button.setEnabled(False)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(heading("Allocate to a link worker", 3))
        layout.addWidget(self.current)
        layout.addWidget(labelled("&Link worker:", self.worker, name="Link worker"))
        layout.addWidget(self.worker)
        layout.addWidget(labelled("&Note:", self.note, name="Note"))
        layout.addWidget(self.note)
        layout.addStretch(1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.save_button.clicked.connect(self.submit)
        self.note.returnPressed.connect(self.submit)
        cancel.clicked.connect(self.reject)
        open_size(self, 520, 360)
        self._load()

    def _load(self) -> None:
        services, user_id = self.session.services, self.session.user.id

        def read():
            return (services.referrals.get(user_id, self.referral_id),
                    services.allocation.link_workers(user_id))

        self.session.operations.run(read, done=self._loaded, failed=self._refused, owner=self,
                                    message="Reading the referral…")

    def _loaded(self, loaded) -> None:
        self.referral, workers = loaded
        self.banner.set_patient(self.referral.patient, self.referral.id)
        now = self.referral.allocated_to_id
        names = {worker.id: worker.name for worker in workers}
        chosen = self.worker.currentData()
        self.worker.clear()
        for worker in workers:
            self.worker.addItem(worker.name + (" (allocated now)" if worker.id == now else ""),
                                worker.id)
        if now is None:
            self.current.setText(f"Not allocated yet. Status: {status_label(self.referral.status)}")
        else:
            self.current.setText(f"Allocated now to {names.get(now, 'a former link worker')}. "
                                 f"Status: {status_label(self.referral.status)}")
        keep = self.worker.findData(chosen) if chosen is not None else -1
        first_other = next((i for i in range(self.worker.count())
                            if self.worker.itemData(i) != now), 0)
        self.worker.setCurrentIndex(keep if keep >= 0 else first_other)
        self.save_button.setEnabled(bool(workers))
        if not workers:
            self.message.set_message("There is no active link worker to allocate to")
        self.worker.setFocus()

    def submit(self) -> None:
        if self.referral is None or not self.save_button.isEnabled():
            return
        self.message.set_message(None)
        self.save_button.setEnabled(False)
        self.session.operations.run(
            self.session.services.allocation.allocate, self.session.user.id, self.referral.id,
            self.referral.version, self.worker.currentData(), self.note.text(),
            done=self._saved, failed=self._refused, owner=self, message="Allocating…")

    def _saved(self, referral: Referral) -> None:
        self.allocated.emit(referral)
        self.session.referral_changed.emit(referral.id)
        self.accept()

    def _refused(self, error: Exception) -> None:
        self.save_button.setEnabled(self.referral is not None)
        if isinstance(error, ConflictError):
            messages.show_error(self, error)
            self._load()
            return
        self.message.set_message(messages.describe(error)[1])
