"""The letter screens' test helpers: a discharged episode, the screens opened as a user would."""

from __future__ import annotations

import subprocess
import uuid
from datetime import date
from pathlib import Path

from sqlalchemy import select

from clinic_app.container import Services
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.session import Actor
from clinic_app.kernel.vocabulary import EpisodeStatus
from clinic_app.people.care import EpisodeOfCare
from tests.ui.conftest import wait_idle
from ui.app import MainWindow
from ui.domains.letters.letter.screens import LetterScreen

SMALL_LAPTOP = (1366, 768)


def pdf_text(path: Path | bytes) -> str:
    """The words of a PDF as pdftotext reads them, on one line."""
    source, given = ("-", path) if isinstance(path, bytes) else (str(path), None)
    out = subprocess.run(
        ["pdftotext", "-layout", source, "-"], input=given, capture_output=True, check=True
    )
    return " ".join(out.stdout.decode().split())


def set_row(services: Services, model: type, row_id: uuid.UUID, **values: object) -> None:
    """Change a stored row directly (test set-up only)."""
    with services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=services.context.device_id)
        row = session.get(model, row_id)
        for name, value in values.items():
            setattr(row, name, value)


def patients_with_episodes(services: Services, count: int = 2) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(patient, episode) of the first patients with an episode of care."""
    with services.context.store.sessions() as session:
        rows = session.execute(
            select(EpisodeOfCare.patient_id, EpisodeOfCare.id)
            .where(EpisodeOfCare.deleted.is_(False))
            .order_by(EpisodeOfCare.patient_id)
        ).all()
    seen: dict[uuid.UUID, uuid.UUID] = {}
    for patient, episode in rows:
        seen.setdefault(patient, episode)
    return list(seen.items())[:count]


def discharge(
    services: Services, episode: uuid.UUID, on: date, lead: CurrentUser | None = None
) -> None:
    """Close the episode on ``on`` (the discharge), led by ``lead``."""
    values: dict[str, object] = {"status": EpisodeStatus.CLOSED, "ended_on": on}
    if lead is not None:
        values["lead_clinician_id"] = lead.id
    set_row(services, EpisodeOfCare, episode, **values)


def open_letter(window: MainWindow, clinic: Services, patient: uuid.UUID) -> LetterScreen:
    """The patient's record first, then Letter from the patient menu."""
    user = window.session.user
    assert user is not None
    window.open_screen("patient", clinic.patients.open(user, patient))
    wait_idle(window)
    action = window.action("letter")
    assert action.isEnabled()
    action.trigger()
    wait_idle(window)
    screen = window.screen_by_id("letter")
    assert isinstance(screen, LetterScreen)
    assert window.showing(screen)
    return screen


def printing_to(screen: LetterScreen, folder: Path) -> list[Path]:
    """Save the letter's PDF into ``folder`` and 'print' it; returns what was printed."""
    printed: list[Path] = []
    delivery = screen.pdf_delivery
    delivery.choose_path = lambda _title, suggested: str(folder / Path(suggested).name)
    delivery.has_printer = lambda: True
    delivery.print_file = printed.append
    return printed
