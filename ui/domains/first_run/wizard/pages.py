"""The first-run window's pages, each a card of its own, declared in ``PAGES``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.common.widgets import FormField, card, label, set_role
from ui.domains.first_run.wizard.view_model import FirstRunViewModel, Page

_CARD_WIDTH = 620


class WizardPage(QWidget):
    """A centred card: a heading, what the page is for, its fields, a message, its buttons."""

    def __init__(self, view_model: FirstRunViewModel, heading: str, explanation: str) -> None:
        super().__init__()
        self.vm = view_model
        self.heading = label(heading, "heading", wrap=True)
        self.explanation = label(explanation, "hint", wrap=True)
        self.message = label("", "fieldError", wrap=True)
        self.message.setVisible(False)
        self.fields: dict[str, FormField] = {}
        self.panel = card()
        self.panel.setFixedWidth(_CARD_WIDTH)
        self.body = QVBoxLayout(self.panel)
        self.body.setContentsMargins(32, 24, 32, 24)
        self.body.setSpacing(10)
        self.body.addWidget(label(self.tr("OneStop MSK"), "title"))
        self.body.addWidget(self.heading)
        self.body.addWidget(self.explanation)
        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(10)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.panel)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

    def finish_layout(self) -> None:
        """Put the message and the buttons at the bottom, once the fields are in."""
        self.body.addWidget(self.message)
        self.body.addSpacing(4)
        self.body.addLayout(self.buttons)

    def add_field(self, name: str, text: str, editor: QWidget, **options: object) -> FormField:
        field = FormField(text, editor, **options)  # type: ignore[arg-type]
        self.fields[name] = field
        self.body.addWidget(field)
        return field

    def button(self, text: str, variant: str = "") -> QPushButton:
        pressed = QPushButton(text)
        if variant:
            set_role(pressed, "", variant=variant)
        self.buttons.addWidget(pressed)
        return pressed

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def show_field_errors(self, by_field: dict[str, str]) -> None:
        for name, field in self.fields.items():
            field.set_error(by_field.get(name))

    def entered(self) -> None:
        """The page is shown: focus its first field."""
        for field in self.fields.values():
            field.editor.setFocus(Qt.FocusReason.OtherFocusReason)
            return

    def set_busy(self, busy: bool) -> None:
        for field in self.fields.values():
            field.editor.setEnabled(not busy)


class WelcomePage(WizardPage):
    """The first choice: join the service's server, or a clinic on this computer alone."""

    def __init__(self, view_model: FirstRunViewModel) -> None:
        super().__init__(
            view_model,
            self.tr("Set up this computer"),
            self.tr(
                "This computer holds no clinic data yet. Choose how it will be used; IT "
                "support can tell you which."
            ),
        )
        self.connect_button = self.choice(
            self.tr("Connect to my service"),
            self.tr(
                "Your service runs a OneStop server. This laptop joins it once your "
                "administrator approves it, and your colleagues' accounts arrive from it."
            ),
            Page.CONNECT,
        )
        self.standalone_button = self.choice(
            self.tr("A standalone clinic"),
            self.tr(
                "This computer keeps the clinic's data on its own, with no server. You "
                "create the clinic and its first administrator now."
            ),
            Page.STANDALONE,
        )
        self.checking = label(self.tr("Checking this computer's keychain…"), "hint")
        self.body.addWidget(self.checking)
        self.finish_layout()
        self.buttons.addStretch(1)

    def choice(self, title: str, words: str, page: Page) -> QPushButton:
        pressed = QPushButton(title)
        set_role(pressed, "", variant="primary")
        pressed.setEnabled(False)
        pressed.clicked.connect(lambda: self.vm.choose(page))
        self.body.addSpacing(6)
        self.body.addWidget(pressed, 0, Qt.AlignmentFlag.AlignLeft)
        self.body.addWidget(label(words, "hint", wrap=True))
        return pressed

    def set_busy(self, busy: bool) -> None:
        ready = not busy and bool(self.vm.keychain_safe)
        self.connect_button.setEnabled(ready)
        self.standalone_button.setEnabled(ready)
        self.checking.setVisible(self.vm.keychain_safe is None)

    def entered(self) -> None:
        self.set_busy(self.vm.busy)
        self.connect_button.setFocus(Qt.FocusReason.OtherFocusReason)


class KeychainPage(WizardPage):
    """The keychain cannot keep the store's key safe: the set-up stops here."""

    def __init__(self, view_model: FirstRunViewModel) -> None:
        super().__init__(
            view_model,
            self.tr("This computer cannot keep the clinic's data safe yet"),
            self.tr(
                "The key that locks the clinic's data is kept in the computer's keychain, "
                "and this computer has no safe keychain working. Nothing was set up. Ask IT "
                "support to set up the system keychain (on Linux, GNOME Keyring or KWallet, "
                "unlocked when you sign in to the computer), then open OneStop MSK again."
            ),
        )
        self.finish_layout()
        self.close_button = self.button(self.tr("Close"), "primary")
        self.buttons.addStretch(1)

    def entered(self) -> None:
        self.close_button.setFocus(Qt.FocusReason.OtherFocusReason)


class ConnectPage(WizardPage):
    """The server's address, its certificate authority if the trust has its own, the name."""

    def __init__(self, view_model: FirstRunViewModel) -> None:
        super().__init__(
            view_model,
            self.tr("Connect to my service"),
            self.tr(
                "Type the address of your service's OneStop server, as IT support gave it "
                "to you. Nothing is kept on this computer until the server answers."
            ),
        )
        self.address_edit = QLineEdit()
        self.address_edit.setPlaceholderText("https://onestop.example.nhs.uk")
        self.add_field("server_url", self.tr("Server address"), self.address_edit)
        self.ca_edit = QLineEdit()
        self.ca_button = QPushButton(self.tr("Choose…"))
        self.ca_button.clicked.connect(self._on_ca_button_clicked)
        chooser = QWidget()
        row = QHBoxLayout(chooser)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.ca_edit, 1)
        row.addWidget(self.ca_button)
        self.add_field(
            "ca_file",
            self.tr("Certificate authority file"),
            chooser,
            hint=self.tr("Only if your trust uses its own certificate authority."),
            optional=True,
        )
        self.fields["ca_file"].editor = self.ca_edit
        self.name_edit = QLineEdit()
        self.add_field(
            "device_name",
            self.tr("Name of this laptop"),
            self.name_edit,
            hint=self.tr("Your administrator sees this name when approving the laptop."),
        )
        self.finish_layout()
        self.back_button = self.button(self.tr("Back"))
        self.buttons.addStretch(1)
        self.connect_button = self.button(self.tr("Connect"), "primary")
        self.connect_button.setDefault(True)
        self.back_button.clicked.connect(lambda: self.vm.choose(Page.WELCOME))
        self.connect_button.clicked.connect(self._on_connect_clicked)
        for edit in (self.address_edit, self.ca_edit, self.name_edit):
            edit.returnPressed.connect(self._on_connect_clicked)

    def entered(self) -> None:
        if not self.name_edit.text():
            self.name_edit.setText(self.vm.computer_name)
        super().entered()

    def set_busy(self, busy: bool) -> None:
        super().set_busy(busy)
        self.ca_button.setEnabled(not busy)
        self.back_button.setEnabled(not busy)
        self.connect_button.setEnabled(not busy)
        self.connect_button.setText(self.tr("Checking the server…") if busy else self.tr("Connect"))

    def _on_ca_button_clicked(self) -> None:
        chosen, _kind = QFileDialog.getOpenFileName(
            self,
            self.tr("Certificate authority file"),
            "",
            self.tr("Certificates (*.pem *.crt *.cer);;All files (*)"),
        )
        if chosen:
            self.ca_edit.setText(chosen)

    def _on_connect_clicked(self) -> None:
        self.vm.enrol(
            server_url=self.address_edit.text(),
            device_name=self.name_edit.text(),
            ca_file=self.ca_edit.text(),
        )


class WaitingPage(WizardPage):
    """The laptop waits for the administrator's approval, showing what they will see."""

    def __init__(self, view_model: FirstRunViewModel) -> None:
        super().__init__(view_model, "", "")
        self.name_line = label("", "subheading", wrap=True)
        self.code = QLineEdit()
        self.code.setReadOnly(True)
        self.code.setObjectName("deviceId")
        self.add_field("device_id", self.tr("Laptop ID"), self.code)
        self.body.insertWidget(self.body.indexOf(self.fields["device_id"]), self.name_line)
        self.status = label("", "hint", wrap=True)
        self.body.addWidget(self.status)
        self.finish_layout()
        self.cancel_button = self.button(self.tr("Cancel"))
        self.start_again_button = self.button(self.tr("Start again"), "primary")
        self.start_again_button.setVisible(False)
        self.buttons.addStretch(1)
        self.cancel_button.clicked.connect(lambda: self.vm.give_up(to=Page.CONNECT))
        self.start_again_button.clicked.connect(lambda: self.vm.give_up(to=Page.WELCOME))
        self.vm.status_changed.connect(self._on_vm_status_changed)
        self.vm.refused.connect(self._on_vm_refused)

    def entered(self) -> None:
        self.name_line.setText(self.tr("Laptop name: {name}").format(name=self.vm.device_name))
        self.code.setText(self.vm.device_id)
        self.status.setText(self.tr("Asking the server every few seconds…"))
        self.start_again_button.setVisible(False)
        self.cancel_button.setVisible(True)
        self.heading.setText(self.tr("Waiting for your administrator to approve this laptop"))
        self.explanation.setText(
            self.tr(
                "Tell your administrator this laptop's name and ID. They see it in the list "
                "of devices waiting on the server (onestop-server device list) and approve "
                "it there. This page goes on by itself once they have."
            )
        )
        self.status.setVisible(True)
        self.cancel_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_busy(self, busy: bool) -> None:
        self.cancel_button.setEnabled(not busy)
        self.start_again_button.setEnabled(not busy)

    def _on_vm_status_changed(self, text: str) -> None:
        self.status.setText(text or self.tr("Asking the server every few seconds…"))

    def _on_vm_refused(self) -> None:
        self.heading.setText(self.tr("Your administrator refused this laptop"))
        self.status.setVisible(False)
        self.explanation.setText(
            self.tr(
                "The server will not let this laptop in, so nothing was fetched from it. Ask "
                "your administrator why. Start again to remove what was set up here and "
                "enrol the laptop afresh."
            )
        )
        self.cancel_button.setVisible(False)
        self.start_again_button.setVisible(True)
        self.start_again_button.setFocus(Qt.FocusReason.OtherFocusReason)


class SyncingPage(WizardPage):
    """The first sync: the service's users and settings arrive; then the sign-in window."""

    def __init__(self, view_model: FirstRunViewModel) -> None:
        super().__init__(
            view_model,
            self.tr("Approved: fetching your service's accounts and settings"),
            self.tr(
                "This laptop is getting what it needs from the server: your colleagues' "
                "accounts, the service's settings and the records it holds for this clinic. "
                "The sign-in window opens when it is done."
            ),
        )
        self.bar = QProgressBar()
        self.bar.setRange(0, 100)
        self.body.addWidget(self.bar)
        self.finish_layout()
        self.cancel_button = self.button(self.tr("Cancel"))
        self.retry_button = self.button(self.tr("Try again"), "primary")
        self.retry_button.setVisible(False)
        self.buttons.addStretch(1)
        self.cancel_button.clicked.connect(lambda: self.vm.give_up(to=Page.CONNECT))
        self.retry_button.clicked.connect(self.vm.retry_sync)
        self.vm.progress_changed.connect(self._on_vm_progress_changed)

    def _on_vm_progress_changed(self, fraction: float) -> None:
        self.bar.setValue(round(fraction * 100))

    def show_message(self, text: str) -> None:
        super().show_message(text)
        self.retry_button.setVisible(bool(text))

    def set_busy(self, busy: bool) -> None:
        self.retry_button.setEnabled(not busy)


class StandalonePage(WizardPage):
    """A clinic on this computer alone: its name and its first administrator."""

    def __init__(self, view_model: FirstRunViewModel) -> None:
        super().__init__(
            view_model,
            self.tr("A standalone clinic"),
            self.tr(
                "Name the clinic and create its first administrator, who signs in next and "
                "adds everyone else. The clinic's data is encrypted on this computer."
            ),
        )
        self.clinic_edit = QLineEdit()
        self.add_field("clinic_name", self.tr("Clinic name"), self.clinic_edit)
        self.username_edit = QLineEdit()
        self.add_field("username", self.tr("Administrator's user name"), self.username_edit)
        self.display_edit = QLineEdit()
        self.add_field("display_name", self.tr("Administrator's full name"), self.display_edit)
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.add_field(
            "password",
            self.tr("Password"),
            self.password_edit,
            hint=self.tr("At least 10 characters, not the user name. A few words work well."),
        )
        self.again_edit = QLineEdit()
        self.again_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.add_field("password_again", self.tr("Password again"), self.again_edit)
        self.finish_layout()
        self.back_button = self.button(self.tr("Back"))
        self.buttons.addStretch(1)
        self.create_button = self.button(self.tr("Create the clinic"), "primary")
        self.create_button.setDefault(True)
        self.back_button.clicked.connect(lambda: self.vm.choose(Page.WELCOME))
        self.create_button.clicked.connect(self._on_create_clicked)
        self.again_edit.returnPressed.connect(self._on_create_clicked)

    def set_busy(self, busy: bool) -> None:
        super().set_busy(busy)
        self.back_button.setEnabled(not busy)
        self.create_button.setEnabled(not busy)
        self.create_button.setText(
            self.tr("Creating the clinic…") if busy else self.tr("Create the clinic")
        )

    def show_field_errors(self, by_field: dict[str, str]) -> None:
        super().show_field_errors(by_field)
        if by_field:
            self.password_edit.clear()
            self.again_edit.clear()

    def _on_create_clicked(self) -> None:
        self.vm.create_standalone(
            clinic_name=self.clinic_edit.text(),
            username=self.username_edit.text(),
            display_name=self.display_edit.text(),
            password=self.password_edit.text(),
            password_again=self.again_edit.text(),
        )


@dataclass(frozen=True)
class PageSpec:
    """One page of the first-run window, declared: which it is and how it is built."""

    page: Page
    title: str
    build: Callable[[FirstRunViewModel], WizardPage]


PAGES = (
    PageSpec(Page.WELCOME, "Set up this computer", WelcomePage),
    PageSpec(Page.KEYCHAIN, "No safe keychain", KeychainPage),
    PageSpec(Page.CONNECT, "Connect to my service", ConnectPage),
    PageSpec(Page.WAITING, "Waiting for approval", WaitingPage),
    PageSpec(Page.SYNCING, "First sync", SyncingPage),
    PageSpec(Page.STANDALONE, "A standalone clinic", StandalonePage),
)
