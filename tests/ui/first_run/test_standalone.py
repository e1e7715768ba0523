"""A standalone clinic set up in the app: the encrypted store, its first admin, who signs in."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from clinic_app import bootstrap
from clinic_app.first_run import FIRST_RUN
from clinic_app.kernel.audit_entry import AuditEntry
from clinic_app.kernel.staff import Site, User
from tests.ui.first_run.wizard_driver import (
    PASSWORD,
    click,
    fill_standalone,
    first_run,
    sign_in_after,
    wait_page,
)
from ui.domains.first_run.wizard.pages import KeychainPage, StandalonePage, WelcomePage
from ui.domains.first_run.wizard.view import FirstRunWindow
from ui.domains.first_run.wizard.view_model import Page


def _wizard(run: object) -> FirstRunWindow:
    wizard = run.wizard  # type: ignore[attr-defined]
    assert isinstance(wizard, FirstRunWindow)
    return wizard


def test_the_admin_made_in_the_wizard_signs_in_and_the_store_is_encrypted(
    qtbot: QtBot, tmp_path: Path
) -> None:
    store = tmp_path / "data" / "clinic.db"
    with first_run(qtbot, store) as run:
        wizard = _wizard(run)
        wait_page(qtbot, wizard, Page.WELCOME)
        welcome = wizard.pages[Page.WELCOME]
        assert isinstance(welcome, WelcomePage)
        click(qtbot, welcome.standalone_button)
        wait_page(qtbot, wizard, Page.STANDALONE)
        page = wizard.pages[Page.STANDALONE]
        assert isinstance(page, StandalonePage)
        fill_standalone(qtbot, page)
        with qtbot.waitSignal(wizard.vm.finished, timeout=20_000):
            click(qtbot, page.create_button)
        sign_in_after(qtbot, run, "amina", PASSWORD)
        assert not wizard.isVisible()

    assert store.read_bytes()[:16] != b"SQLite format 3\x00"
    services = bootstrap.open_clinic(store)
    try:
        with services.context.store.sessions() as session:
            admin = session.scalars(select(User)).one()
            assert (admin.username, admin.role.value) == ("amina", "admin")
            site = session.get(Site, admin.site_id)
            assert site is not None
            assert site.name == "Riverside MSK"
            added = session.scalars(
                select(AuditEntry).where(AuditEntry.action.in_(("user.add", "site.add")))
            ).all()
            assert sorted(entry.action for entry in added) == ["site.add", "user.add"]
            assert {entry.operator for entry in added} == {"first-run set-up"}
        assert services.audit.verify(FIRST_RUN).intact
    finally:
        services.close()


def test_the_password_rules_of_user_add_are_said_beside_their_fields_and_nothing_is_made(
    qtbot: QtBot, tmp_path: Path
) -> None:
    store = tmp_path / "data" / "clinic.db"
    with first_run(qtbot, store) as run:
        wizard = _wizard(run)
        wait_page(qtbot, wizard, Page.WELCOME)
        wizard.vm.choose(Page.STANDALONE)
        page = wizard.pages[Page.STANDALONE]
        assert isinstance(page, StandalonePage)
        fill_standalone(qtbot, page, clinic="", password="short", again="shorter")
        click(qtbot, page.create_button)
        qtbot.waitUntil(lambda: bool(page.fields["password"].error()), timeout=10_000)
        assert "10 characters" in (page.fields["password"].error() or "")
        assert "not the same" in (page.fields["password_again"].error() or "")
        assert page.fields["clinic_name"].error()
        assert not store.parent.exists()

        click(qtbot, page.back_button)
        wait_page(qtbot, wizard, Page.WELCOME)
    assert not store.parent.exists()


def test_an_unsafe_keychain_stops_the_set_up_with_plain_words(qtbot: QtBot, tmp_path: Path) -> None:
    keyring.set_keyring(fail.Keyring())
    store = tmp_path / "data" / "clinic.db"
    with first_run(qtbot, store) as run:
        wizard = _wizard(run)
        wait_page(qtbot, wizard, Page.KEYCHAIN)
        page = wizard.pages[Page.KEYCHAIN]
        assert isinstance(page, KeychainPage)
        assert "keychain" in page.explanation.text()
        assert "Nothing was set up" in page.explanation.text()
        welcome = wizard.pages[Page.WELCOME]
        assert isinstance(welcome, WelcomePage)
        assert not welcome.standalone_button.isEnabled()
        wizard.vm.choose(Page.STANDALONE)
        assert wizard.vm.page is Page.KEYCHAIN
    assert not store.parent.exists()


def test_the_insecure_flag_given_on_the_command_line_still_lets_a_developer_through(
    qtbot: QtBot, tmp_path: Path
) -> None:
    keyring.set_keyring(fail.Keyring())
    store = tmp_path / "data" / "clinic.db"
    with first_run(qtbot, store, insecure=True) as run:
        wizard = _wizard(run)
        wait_page(qtbot, wizard, Page.WELCOME)


@pytest.mark.parametrize("page", list(Page))
def test_every_page_fits_a_1366_by_768_laptop_screen(
    qtbot: QtBot, tmp_path: Path, page: Page
) -> None:
    with first_run(qtbot, tmp_path / "clinic.db") as run:
        wizard = _wizard(run)
        wait_page(qtbot, wizard, Page.WELCOME)
        wizard.resize(1366, 768 - 70)
        wizard.vm._show(page)
        shown = wizard.pages[page]
        qtbot.waitExposed(wizard)
        panel = shown.panel
        hint = panel.sizeHint()
        assert hint.height() <= 768 - 70, f"{page}: {hint.height()} px high"
        assert hint.width() <= 1366
        wizard.vm._show(Page.WELCOME)
