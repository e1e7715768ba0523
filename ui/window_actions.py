"""The main window's actions: its menus and shortcuts, and which are on for whom and where."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

from clinic_app.kernel.security.permissions import Action, allows
from ui.window_parts import WindowState, user_can


class WindowActions:
    """Mixed into the main window: every action, the menus that hold them, their states."""

    # Provided by the main window.
    state: WindowState
    session: Any
    pages: Any
    patient_vm: Any
    _patient_mode: bool
    _workspace_built: bool

    def _action(self, text: str, keys: QKeySequence | str, slot: object, tip: str) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setStatusTip(tip)
        action.setToolTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.find_action = self._action(
            self.tr("&Find a patient"), "Ctrl+F", self.focus_search, self.tr("Search for a patient")
        )
        self.register_action = self._action(
            self.tr("&Register a patient"),
            "Ctrl+N",
            self.show_register,
            self.tr("Register a patient new to the service"),
        )
        self.referral_action = self._action(
            self.tr("New &referral"),
            "Ctrl+R",
            self.show_new_referral,
            self.tr("Record a new referral for the open patient"),
        )
        self.worklist_action = self._action(
            self.tr("Triage &worklist"),
            "Ctrl+T",
            self.show_worklist,
            self.tr("New referrals by the date they are due, to triage"),
        )
        self.assessment_action = self._action(
            self.tr("&Assessment"),
            "Ctrl+Shift+A",
            self.show_assessment,
            self.tr("Record the history and examination for the open patient"),
        )
        self.red_flags_action = self._action(
            self.tr("Red-&flag screening"),
            "Ctrl+Shift+R",
            self.show_red_flags,
            self.tr("Screen the open patient for red flags"),
        )
        self.questionnaire_action = self._action(
            self.tr("Outcome &questionnaire (MSK-HQ)"),
            "Ctrl+U",
            self.show_questionnaire,
            self.tr("Record an MSK-HQ for the open patient, or hand it to them"),
        )
        self.imaging_action = self._action(
            self.tr("&Imaging (ultrasound)"),
            "Ctrl+I",
            self.show_imaging,
            self.tr("Capture, import and view the open patient's scans, and send them to PACS"),
        )
        self.orphans_action = self._action(
            self.tr("Images waiting for a &patient"),
            "",
            self.show_orphans,
            self.tr("Images that arrived without a patient the app could match"),
        )
        self.dicom_settings_action = self._action(
            self.tr("&DICOM and PACS"),
            "",
            self.show_dicom_settings,
            self.tr("Where scanners reach this app, and the PACS it sends studies to"),
        )
        self.review_action = self._action(
            self.tr("Scan &reports waiting"),
            "",
            self.show_review_queue,
            self.tr("Trainees' reports waiting for your review, and reports returned to you"),
        )
        self.logbook_action = self._action(
            self.tr("Ultrasound &logbook"),
            "",
            self.show_logbook,
            self.tr("A trainee's verified scans by region and supervision, for accreditation"),
        )
        self.settings_action = self._action(
            self.tr("&Waiting-time targets"),
            "",
            self.show_settings,
            self.tr("The service's waiting-time targets, with their sources"),
        )
        self.sync_action = self._action(
            self.tr("S&ync"),
            "",
            self.show_sync,
            self.tr("How this device stands with the server, and conflicts to choose"),
        )
        self.save_action = self._action(
            self.tr("&Save form"), "Ctrl+S", self.save_form, self.tr("Save the open form")
        )
        self.lock_action = self._action(
            self.tr("&Lock"), "Ctrl+L", self.lock, self.tr("Lock the screen, keeping your work")
        )
        self.switch_action = self._action(
            self.tr("S&witch user"),
            "Ctrl+Shift+S",
            self.switch_user,
            self.tr("Save drafts and let someone else sign in"),
        )
        self.quit_action = self._action(
            self.tr("&Quit"), QKeySequence.StandardKey.Quit, self.close, self.tr("Close the app")
        )
        menu_bar = self.menuBar()
        patient_menu = menu_bar.addMenu(self.tr("&Patient"))
        for action in (
            self.find_action,
            self.worklist_action,
            self.register_action,
            self.referral_action,
            self.assessment_action,
            self.red_flags_action,
            self.questionnaire_action,
            self.imaging_action,
        ):
            patient_menu.addAction(action)
        patient_menu.addSeparator()
        patient_menu.addAction(self.save_action)
        service_menu = menu_bar.addMenu(self.tr("Ser&vice"))
        service_menu.addAction(self.orphans_action)
        service_menu.addAction(self.review_action)
        service_menu.addAction(self.logbook_action)
        service_menu.addSeparator()
        service_menu.addAction(self.settings_action)
        service_menu.addAction(self.dicom_settings_action)
        service_menu.addAction(self.sync_action)
        session_menu = menu_bar.addMenu(self.tr("&Session"))
        session_menu.addAction(self.lock_action)
        session_menu.addAction(self.switch_action)
        session_menu.addSeparator()
        session_menu.addAction(self.quit_action)

    def _shortcut_list(self) -> list[tuple[str, str]]:
        native = QKeySequence.SequenceFormat.NativeText
        return [
            (action.shortcut().toString(native), action.statusTip())
            for action in (
                self.find_action,
                self.worklist_action,
                self.settings_action,
                self.sync_action,
                self.register_action,
                self.referral_action,
                self.questionnaire_action,
                self.imaging_action,
                self.save_action,
                self.lock_action,
                self.switch_action,
            )
        ]

    def _update_actions(self) -> None:
        if not self._workspace_built:
            for action in (
                self.find_action,
                self.worklist_action,
                self.register_action,
                self.referral_action,
                self.assessment_action,
                self.red_flags_action,
                self.questionnaire_action,
                self.imaging_action,
                self.orphans_action,
                self.dicom_settings_action,
                self.review_action,
                self.logbook_action,
            ):
                action.setEnabled(False)
            for action in (self.save_action, self.lock_action, self.switch_action):
                action.setEnabled(False)
            return
        if self._patient_mode:
            for action in self.actions():
                action.setEnabled(False)
            return
        working = self.state is WindowState.WORKING
        page = self.pages.currentWidget()
        for action in (
            self.find_action,
            self.worklist_action,
            self.settings_action,
            self.sync_action,
            self.register_action,
            self.lock_action,
            self.dicom_settings_action,
        ):
            action.setEnabled(working)
        self.review_action.setEnabled(working and user_can(self.session.user, Action.REPORT_WRITE))
        user = self.session.user
        clinical = working and user is not None and allows(user.role, Action.IMAGE_CAPTURE)
        self.orphans_action.setEnabled(clinical)
        self.imaging_action.setEnabled(clinical and self.patient_vm.record is not None)
        self.switch_action.setEnabled(self.state is not WindowState.SIGNED_OUT)
        self.referral_action.setEnabled(working and self.patient_vm.record is not None)
        self.assessment_action.setEnabled(working and self.patient_vm.record is not None)
        self.red_flags_action.setEnabled(working and self.patient_vm.record is not None)
        self.questionnaire_action.setEnabled(working and self.patient_vm.record is not None)
        self.save_action.setEnabled(working and page in (self.register_view, self.referral_view))
