"""The connect page's own checks: a wrong address is said beside it, and nothing is made."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.ui.first_run.wizard_driver import click, fill_connect, first_run, wait_page
from ui.domains.first_run.wizard.pages import ConnectPage
from ui.domains.first_run.wizard.view import FirstRunWindow
from ui.domains.first_run.wizard.view_model import Page


@pytest.mark.parametrize(
    ("address", "words"),
    [
        ("http://onestop.example.nhs.uk", "unencrypted"),
        ("onestop dot nhs", "not a server address"),
        ("ftp://onestop.example.nhs.uk", "not a server address"),
    ],
)
def test_a_wrong_address_is_said_beside_it_and_nothing_is_made(
    qtbot: QtBot, tmp_path: Path, address: str, words: str
) -> None:
    store = tmp_path / "data" / "clinic.db"
    with first_run(qtbot, store) as run:
        wizard = run.wizard
        assert isinstance(wizard, FirstRunWindow)
        wait_page(qtbot, wizard, Page.WELCOME)
        wizard.vm.choose(Page.CONNECT)
        page = wizard.pages[Page.CONNECT]
        assert isinstance(page, ConnectPage)
        assert page.name_edit.text() == wizard.vm.computer_name != ""
        fill_connect(qtbot, page, address)
        click(qtbot, page.connect_button)
        field = page.fields["server_url"]
        qtbot.waitUntil(lambda: bool(field.error()), timeout=10_000)
        assert words in (field.error() or "")
        assert wizard.vm.page is Page.CONNECT
    assert not store.parent.exists()


def test_a_file_that_is_not_a_certificate_authority_is_said_beside_it(
    qtbot: QtBot, tmp_path: Path
) -> None:
    not_a_ca = tmp_path / "notes.txt"
    not_a_ca.write_text("not a certificate", encoding="utf-8")
    store = tmp_path / "data" / "clinic.db"
    with first_run(qtbot, store) as run:
        wizard = run.wizard
        assert isinstance(wizard, FirstRunWindow)
        wait_page(qtbot, wizard, Page.WELCOME)
        wizard.vm.choose(Page.CONNECT)
        page = wizard.pages[Page.CONNECT]
        assert isinstance(page, ConnectPage)
        fill_connect(qtbot, page, "https://onestop.example.nhs.uk", ca=str(not_a_ca))
        click(qtbot, page.connect_button)
        field = page.fields["ca_file"]
        qtbot.waitUntil(lambda: bool(field.error()), timeout=10_000)
        assert "certificate authority" in (field.error() or "")
    assert not store.parent.exists()
