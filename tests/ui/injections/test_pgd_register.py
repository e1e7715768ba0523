"""The service lead's register of patient group directions, kept on screen."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.injections.views import PgdInput
from clinic_app.kernel.current_user import CurrentUser
from tests.support import pictures
from tests.ui.conftest import CLINICIAN, sign_in, type_into, wait_idle
from tests.ui.injections.helpers import SMALL_LAPTOP, open_as_service_lead
from ui.app import MainWindow
from ui.domains.injections.pgds.screens import PgdRegisterScreen
from ui.domains.injections.pgds.view import PgdRegisterView, tick, ticked
from ui.domains.injections.pgds.view_model import PgdRegister, UserList

SCREEN_SIZE = SMALL_LAPTOP
NAME = "Corticosteroid joint injection by physiotherapists"
KNEE = "knee_joint"
STEROID = "methylprednisolone_acetate_40"


def day(offset: int) -> date:
    return date.today() + timedelta(days=offset)


def typed(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def open_register(qtbot: QtBot, window: MainWindow) -> PgdRegisterView:
    """The service lead signed in, the register open from the Service menu."""
    screen = open_as_service_lead(qtbot, window, "pgd_register")
    assert isinstance(screen, PgdRegisterScreen)
    return screen.view


def rows(view: PgdRegisterView) -> list[list[str]]:
    return [
        [view.table.item(row, column).text() for column in range(view.COLUMNS)]
        for row in range(view.table.rowCount())
    ]


def fill(
    qtbot: QtBot, view: PgdRegisterView, clinician: CurrentUser, start: date, end: date
) -> None:
    type_into(qtbot, view.name, NAME)
    type_into(qtbot, view.version, "1.0")
    type_into(qtbot, view.valid_from, typed(start))
    type_into(qtbot, view.valid_to, typed(end))
    tick(view.drugs, STEROID)
    tick(view.drugs, "lidocaine_1")
    tick(view.sites, KNEE)
    tick(view.practitioners, clinician.id)


def retype(qtbot: QtBot, box: QLineEdit, text: str) -> None:
    box.clear()
    type_into(qtbot, box, text)


def save(qtbot: QtBot, window: MainWindow, view: PgdRegisterView) -> None:
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    wait_idle(window)


def test_the_service_lead_adds_a_pgd_naming_the_clinician_then_changes_its_version(
    qtbot: QtBot, window: MainWindow, clinic: Services, clinician: CurrentUser
) -> None:
    lead = clinic.auth.login("admin", demo_password("admin"))
    before = len(clinic.pgds.list(lead))
    view = open_register(qtbot, window)
    assert not view.editor.isVisible()
    assert not view.edit_button.isEnabled()

    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    assert view.editor.isVisible()
    # Only those who may give injections are offered: never the service lead.
    offered = [view.practitioners.item(r).text() for r in range(view.practitioners.count())]
    assert clinician.display_name in offered
    assert lead.display_name not in offered
    fill(qtbot, view, clinician, day(-30), day(300))
    save(qtbot, window, view)

    assert not view.editor.isVisible()
    assert "Saved" in view.notice.text()
    stored = [p for p in clinic.pgds.list(lead) if p.name == NAME]
    assert len(stored) == 1
    assert len(clinic.pgds.list(lead)) == before + 1
    assert stored[0].practitioners == (clinician.id,)
    shown = next(row for row in rows(view) if row[0] == NAME)
    assert shown[1:5] == [
        "1.0",
        day(-30).strftime("%d-%b-%Y"),
        day(300).strftime("%d-%b-%Y"),
        "Yes",
    ]
    assert "Depo-Medrone" in shown[5]
    assert "Lidocaine hydrochloride 1%" in shown[5]
    assert STEROID not in shown[5]
    assert shown[6] == "Knee joint"
    assert shown[7] == clinician.display_name
    # The PGD just saved is the one chosen: edited straight away.
    assert view.chosen() == stored[0].id
    assert view.edit_button.isEnabled()

    qtbot.mouseClick(view.edit_button, Qt.MouseButton.LeftButton)
    assert view.editing == stored[0].id
    assert view.name.text() == NAME
    assert view.valid_from.text() == typed(day(-30))
    assert set(ticked(view.drugs)) == {STEROID, "lidocaine_1"}
    assert ticked(view.practitioners) == [clinician.id]
    retype(qtbot, view.version, "2.0")
    retype(qtbot, view.valid_from, typed(day(-400)))
    retype(qtbot, view.valid_to, typed(day(-1)))
    save(qtbot, window, view)

    changed = clinic.pgds.list(lead)
    assert len(changed) == before + 1
    pgd = next(p for p in changed if p.id == stored[0].id)
    assert (pgd.version, pgd.valid_from, pgd.valid_to) == ("2.0", day(-400), day(-1))
    assert pgd.practitioners == (clinician.id,)
    assert set(pgd.drugs) == {STEROID, "lidocaine_1"}
    shown = next(row for row in rows(view) if row[0] == NAME)
    # Expired: marked as such, in words.
    assert shown[1] == "2.0"
    assert shown[4] == "No: expired"


def test_dates_the_wrong_way_round_are_refused_beside_the_field_and_nothing_is_lost(
    qtbot: QtBot, window: MainWindow, clinic: Services, clinician: CurrentUser
) -> None:
    lead = clinic.auth.login("admin", demo_password("admin"))
    before = clinic.pgds.list(lead)
    view = open_register(qtbot, window)
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    fill(qtbot, view, clinician, day(10), day(-10))
    save(qtbot, window, view)

    assert clinic.pgds.list(lead) == before
    assert view.editor.isVisible()
    assert view.fields["valid_to"].error() == "The end date must be on or after the start."
    assert view.fields["valid_from"].error() is None
    assert "Valid to: The end date must be on or after the start." in view.error_summary.text()
    assert "pgd." not in view.error_summary.text()  # no code is ever shown
    # What was typed and ticked is all still there.
    assert view.name.text() == NAME
    assert view.valid_from.text() == typed(day(10))
    assert set(ticked(view.drugs)) == {STEROID, "lidocaine_1"}
    assert ticked(view.sites) == [KNEE]
    assert ticked(view.practitioners) == [clinician.id]
    pictures.keep(window, "pgd_register_refused.png")

    # Not a date at all: said beside the field, and the store is not asked.
    view.valid_to.clear()
    type_into(qtbot, view.valid_to, "31/02/2027")
    save(qtbot, window, view)
    assert view.fields["valid_to"].error() == (
        "Enter a date as day/month/year, for example 05/03/2026."
    )

    view.valid_to.clear()
    type_into(qtbot, view.valid_to, typed(day(100)))
    save(qtbot, window, view)
    assert view.fields["valid_to"].error() is None
    assert not view.editor.isVisible()
    assert len(clinic.pgds.list(lead)) == len(before) + 1


def test_a_pgd_with_no_drug_or_site_is_refused_with_both_named(
    qtbot: QtBot, window: MainWindow, clinic: Services, clinician: CurrentUser
) -> None:
    view = open_register(qtbot, window)
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    fill(qtbot, view, clinician, day(0), day(30))
    tick(view.drugs, STEROID, on=False)
    tick(view.drugs, "lidocaine_1", on=False)
    tick(view.sites, KNEE, on=False)
    view.name.clear()
    save(qtbot, window, view)
    assert view.fields["drugs"].error() == "A PGD covers at least one drug."
    assert view.fields["targets"].error() == "A PGD covers at least one site."
    assert view.fields["name"].error() == "Enter the PGD's name."
    assert "3 answers" in view.error_summary.text()


def test_a_pgd_not_yet_started_is_marked_and_names_its_practitioners(
    qtbot: QtBot, window: MainWindow, clinic: Services, clinician: CurrentUser
) -> None:
    lead = clinic.auth.login("admin", demo_password("admin"))
    clinic.pgds.add(
        lead,
        PgdInput(
            name="Shoulder injection (next year)",
            version="1",
            valid_from=day(30),
            valid_to=day(400),
            drugs=("triamcinolone_acetonide_40",),
            targets=("subacromial_space", "glenohumeral_joint"),
            practitioners=(clinician.id,),
        ),
    )
    view = open_register(qtbot, window)
    shown = next(row for row in rows(view) if row[0] == "Shoulder injection (next year)")
    assert shown[4] == "No: not started yet"
    assert shown[6] == "Subacromial space; Glenohumeral joint"
    assert shown[7] == clinician.display_name


def test_the_screen_asks_of_the_services_only_what_they_have(clinic: Services) -> None:
    register: PgdRegister = clinic.pgds  # the Protocols are the services' shape
    users: UserList = clinic.users
    assert register is clinic.pgds
    assert users is clinic.users


def test_clinicians_do_not_get_the_register(window: MainWindow, qtbot: QtBot) -> None:
    sign_in(qtbot, window, CLINICIAN)
    assert not window.action("pgd_register").isEnabled()


def test_the_page_fits_a_small_laptop_screen(
    qtbot: QtBot, window: MainWindow, clinic: Services, clinician: CurrentUser
) -> None:
    lead = clinic.auth.login("admin", demo_password("admin"))
    clinic.pgds.add(
        lead,
        PgdInput(
            name=NAME,
            version="3.2",
            valid_from=day(-200),
            valid_to=day(165),
            drugs=(STEROID, "lidocaine_1", "triamcinolone_acetonide_40"),
            targets=(KNEE, "glenohumeral_joint", "subacromial_space"),
            practitioners=(clinician.id,),
        ),
    )
    clinic.pgds.add(
        lead,
        PgdInput(
            name="Hand and wrist injection",
            version="1.4",
            valid_from=day(-800),
            valid_to=day(-35),
            drugs=("triamcinolone_acetonide_40",),
            targets=("carpal_tunnel", "thumb_cmc_joint"),
            practitioners=(clinician.id,),
        ),
    )
    view = open_register(qtbot, window)
    view.choose(clinic.pgds.list(lead)[0].id)
    qtbot.mouseClick(view.edit_button, Qt.MouseButton.LeftButton)
    qtbot.wait(100)
    QApplication.processEvents()
    hint = window.minimumSizeHint()
    assert hint.width() <= SCREEN_SIZE[0]
    assert hint.height() <= SCREEN_SIZE[1] - 68
    assert window.size().toTuple() == SCREEN_SIZE
    pictures.keep(window, "pgd_register.png")
    # The chosen PGD's row stays in sight above the form.
    assert view.table.viewport().height() >= view.table.rowHeight(0)
    assert view.save_button.isVisible()
    assert view.save_button.mapTo(window, view.save_button.rect().bottomLeft()).y() < (
        window.height()
    )
    pictures.keep(window, "pgd_register.png")


def test_someone_named_who_may_not_inject_stays_ticked_when_the_pgd_is_changed(
    qtbot: QtBot, window: MainWindow, clinic: Services, clinician: CurrentUser
) -> None:
    lead = clinic.auth.login("admin", demo_password("admin"))
    trainee = clinic.auth.login("trainee", demo_password("trainee"))
    added = clinic.pgds.add(
        lead,
        PgdInput(
            name="Knee injection",
            version="1",
            valid_from=day(-10),
            valid_to=day(100),
            drugs=(STEROID,),
            targets=(KNEE,),
            practitioners=(clinician.id, trainee.id),
        ),
    )
    view = open_register(qtbot, window)
    view.choose(added.id)
    qtbot.mouseClick(view.edit_button, Qt.MouseButton.LeftButton)
    # A trainee is not offered for a new PGD, but is never dropped unseen from this one.
    assert set(ticked(view.practitioners)) == {clinician.id, trainee.id}
    retype(qtbot, view.version, "2")
    save(qtbot, window, view)
    changed = next(p for p in clinic.pgds.list(lead) if p.id == added.id)
    assert changed.version == "2"
    assert set(changed.practitioners) == {clinician.id, trainee.id}
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    offered = [view.practitioners.item(r).text() for r in range(view.practitioners.count())]
    assert trainee.display_name not in offered
