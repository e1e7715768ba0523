"""Opening the injection screen from a patient's record and filling it as a clinician would."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.decisions.views import DecisionInput
from clinic_app.domains.injections.views import PgdInput, PgdView
from clinic_app.kernel.current_user import CurrentUser
from tests.ui.conftest import CLINICIAN, sign_in, type_into, wait_idle
from ui.app import MainWindow
from ui.common.theme import apply_theme
from ui.domains.injections.injection.screens import InjectionScreen
from ui.domains.injections.injection.view import InjectionForm

PASSWORD = demo_password(CLINICIAN)
#: The smallest screen the app is used on: every page fits it.
SMALL_LAPTOP = (1366, 768)
REASON = "Agreed with the patient at the last visit; no decision aid was used then."


def user_of(window: MainWindow) -> CurrentUser:
    user = window.session.user
    assert user is not None
    return user


def patients(clinic: Services, window: MainWindow, count: int = 2) -> list[uuid.UUID]:
    """Demo patients (with the 999 test numbers), in the order the search gives them."""
    found = clinic.patients.search(user_of(window), "999", limit=count)
    return [patient.id for patient in found]


def add_pgd(clinic: Services, window: MainWindow) -> PgdView:
    """The service lead adds a knee and shoulder steroid PGD naming the signed-in clinician."""
    lead = clinic.auth.login("admin", demo_password("admin"))
    return clinic.pgds.add(
        lead,
        PgdInput(
            name="Corticosteroid joint injection by physiotherapists",
            version="2.1",
            valid_from=date.today() - timedelta(days=30),
            valid_to=date.today() + timedelta(days=300),
            drugs=("methylprednisolone_acetate_40", "lidocaine_1"),
            targets=("knee_joint", "glenohumeral_joint"),
            practitioners=(user_of(window).id,),
        ),
    )


def sign_decision(clinic: Services, window: MainWindow, patient: uuid.UUID) -> uuid.UUID:
    """A shared decision signed with the shipped injection aid, the patient choosing it."""
    user = user_of(window)
    decisions = clinic.decisions
    started = decisions.start(user, patient, "steroid_injection")
    decisions.save(
        user,
        started.id,
        patient,
        DecisionInput(
            options_discussed=("self_management", "injection", "not_now"),
            leaning="injection",
            choice="injection",
            choice_words="I would like to try the injection.",
            teach_back=True,
            decision_maker="patient",
        ),
    )
    return decisions.sign(user, started.id, patient, PASSWORD).id


def open_injection(window: MainWindow, clinic: Services, patient: uuid.UUID) -> InjectionScreen:
    """The patient's record first, then Injection from the patient menu."""
    window.open_screen("patient", clinic.patients.open(user_of(window), patient))
    wait_idle(window)
    action = window.action("injection")
    assert action.isEnabled()
    action.trigger()
    wait_idle(window)
    screen = window.screen_by_id("injection")
    assert isinstance(screen, InjectionScreen)
    assert window.showing(screen)
    return screen


def open_as_service_lead(qtbot: QtBot, window: MainWindow, screen_id: str) -> object:
    """The service lead signed in at 1366x768, the screen open from the Service menu."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app)
    window.resize(*SMALL_LAPTOP)
    sign_in(qtbot, window, "admin")
    action = window.action(screen_id)
    assert action.isEnabled()
    action.trigger()
    wait_idle(window)
    screen = window.screen_by_id(screen_id)
    assert window.showing(screen)
    return screen


def pick(box: QComboBox, value: object) -> None:
    index = box.findData(value)
    assert index >= 0, value
    box.setCurrentIndex(index)


def fill_knee_injection(qtbot: QtBot, form: InjectionForm, pgd: PgdView) -> None:
    """A left knee, by landmarks, under ``pgd``: 40 mg methylprednisolone, every check no."""
    pick(form.target, "knee_joint")
    pick(form.side, "left")
    type_into(qtbot, form.approach, "superolateral")
    pick(form.guidance, "landmark")
    pick(form.authority, "pgd")
    pick(form.pgd, str(pgd.id))
    for box in form.risks.values():
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    for asked in form.checks_asked.values():
        asked.no.setChecked(True)
    row = form.drug_rows[0]
    pick(row.product, "methylprednisolone_acetate_40")
    type_into(qtbot, row.mg, "40")
    type_into(qtbot, row.ml, "1")
    type_into(qtbot, row.batch, "MP1234")
    type_into(qtbot, row.expiry, (date.today() + timedelta(days=200)).strftime("%d/%m/%Y"))
    type_into(qtbot, form.observed, "20")
    form.aftercare.setChecked(True)
    form.card_considered.setChecked(True)
    type_into(qtbot, form.review, (date.today() + timedelta(weeks=6)).strftime("%d/%m/%Y"))
