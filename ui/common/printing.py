"""Saving and printing a patient's PDF: named for the patient, saved where the user chooses."""

from __future__ import annotations

import os
import re
import unicodedata
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QRectF,
    QSettings,
    QStandardPaths,
    Qt,
    QTimer,
    QUrl,
    SignalInstance,
)
from PySide6.QtGui import QDesktopServices, QPagedPaintDevice, QPainter
from PySide6.QtWidgets import QFileDialog, QWidget

#: The setting that names a folder for saved documents, instead of the user's Documents.
FOLDER_SETTING = "documents/folder"
_UNSAFE = re.compile(r"[^A-Za-z0-9]+")
_PART_LENGTH = 40


def _tr(text: str) -> str:
    return QCoreApplication.translate("printing", text)


def _safe(part: str) -> str:
    """Letters and digits only (accents dropped), runs of anything else one hyphen."""
    plain = unicodedata.normalize("NFKD", part).encode("ascii", "ignore").decode("ascii")
    return _UNSAFE.sub("-", plain).strip("-")[:_PART_LENGTH].strip("-")


def family_name(patient_name: str) -> str:
    """The family name from "FAMILY, Given" (as documents show it), or the family name itself.

    A name with no comma is a family name as the record holds it, whole: "van der Berg" is
    never filed as "Berg".
    """
    name = patient_name.strip()
    if "," in name:
        return name.split(",", 1)[0]
    return name


def document_file_name(
    patient_name: str, nhs_number: str | None, kind: str, on: date, suffix: str = ".pdf"
) -> str:
    """A file name that says whose document it is and what, safe on every file system.

    ``ASHWORTH_9990000018_safety-net-card_2026-12-04.pdf``: family name, NHS number (digits
    only), the kind of document and the date; nothing a file system could refuse or read
    as a path (no slashes, colons, dots or spaces in the parts).
    """
    parts = [
        _safe(family_name(patient_name)).upper(),
        "".join(ch for ch in nhs_number or "" if ch.isdigit()),
        _safe(kind).lower(),
        on.isoformat(),
    ]
    return "_".join(part for part in parts if part) + suffix


def documents_folder(settings: QSettings | None = None) -> Path:
    """Where saved documents go by default: the configured folder, else the user's Documents."""
    configured = (settings or QSettings()).value(FOLDER_SETTING, "")
    if isinstance(configured, str) and configured and Path(configured).is_dir():
        return Path(configured)
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents else Path.home()


def not_printed_words(what: str, name: str) -> str:
    """Said when a print asked for was not made because the page moved on first.

    ``what`` names the document ("The letter"); ``name`` is its patient's, as in the banner.
    The page moved on to another patient, or to another record of the same one: it is never
    printed for a patient or record no longer on show, whose paper could reach the wrong
    person.
    """
    return _tr(
        "{what} for {name} was not printed: the page moved on before it was ready. Open it "
        "again from their record to print it."
    ).format(what=what, name=name)


class LeftBehind:
    """A screen's word for a print or a sign of a patient left behind: names whom it was for.

    The names are those of the patients the screen opened in this sign-in (emptied when
    someone signs in), so a print asked for by the user before says nothing to the next.
    """

    def __init__(
        self,
        signed_in: SignalInstance,
        say: Callable[[str, str], None],
        what: Callable[[], str],
    ) -> None:
        self._names: dict[uuid.UUID, str] = {}
        self._say = say
        self._what = what
        signed_in.connect(lambda _user: self._names.clear())

    def opened(self, patient_id: uuid.UUID, name: str) -> None:
        """The screen shows ``patient_id`` (named ``name``, as in the banner)."""
        self._names[patient_id] = name

    def not_printed(self, patient_id: uuid.UUID) -> None:
        """The print asked for ``patient_id`` was not made: said, if this sign-in opened them.

        Said once the event loop turns: a print dropped as the patient changes would otherwise
        be hidden at once with the notices of the patient left.
        """
        self.tell(patient_id, lambda name: not_printed_words(self._what(), name))

    def sign_finished(self, patient_id: uuid.UUID, signed: bool, why: str) -> None:
        """A sign asked for just before the page moved on has finished: say how, and whose."""
        if signed:
            self.tell(
                patient_id,
                lambda name: _tr("{what} for {name} was signed.").format(
                    what=self._what(), name=name
                ),
                "info",
            )
            return
        self.tell(
            patient_id,
            lambda name: _tr(
                "{what} for {name} was not signed: {why} It is kept as a draft: open it from "
                "their record to sign it."
            ).format(what=self._what(), name=name, why=why),
        )

    def tell(
        self, patient_id: uuid.UUID, words: Callable[[str], str], kind: str = "problem"
    ) -> None:
        """Say ``words`` (given the patient's name) of a patient this sign-in opened here."""
        name = self._names.get(patient_id)
        if name is not None:
            said = words(name)
            QTimer.singleShot(0, lambda: self._say(said, kind))


def ask_where_to_save(parent: QWidget | None, title: str, suggested: str) -> str:
    """The save dialog, opened on the suggested path; "" when cancelled."""
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, _tr("PDF documents (*.pdf)"))
    return path


def printers_available() -> bool:
    """Whether this computer has a printer to print to."""
    from PySide6.QtPrintSupport import QPrinterInfo  # noqa: PLC0415 - loaded when printing

    return bool(QPrinterInfo.availablePrinters())


def print_pdf_file(parent: QWidget | None, path: Path) -> bool:
    """Ask which printer (the OS print dialog) and print every page of the PDF at ``path``.

    Returns whether it was sent to a printer (False when the dialog was cancelled).
    """
    # Qt's print module loads only when someone prints.
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter  # noqa: PLC0415

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(path.stem)
    dialog = QPrintDialog(printer, parent)
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return False
    return print_pages(printer, path) > 0


def preview_and_print(parent: QWidget | None, path: Path, title: str) -> bool:
    """The PDF at ``path`` in a print preview titled ``title``; Print opens the OS dialog.

    Returns whether it was printed (False when the preview was closed).
    """
    # Qt's print module loads only when someone prints.
    from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog  # noqa: PLC0415

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(path.stem)
    preview = QPrintPreviewDialog(printer, parent)
    preview.setWindowTitle(title)
    preview.paintRequested.connect(lambda device: print_pages(device, path))
    return preview.exec() == QPrintPreviewDialog.DialogCode.Accepted


def print_pages(printer: QPagedPaintDevice, path: Path) -> int:
    """Draw every page of the PDF at ``path`` on ``printer``; returns the pages printed."""
    from PySide6.QtPdf import QPdfDocument  # noqa: PLC0415 - loaded when printing

    document = QPdfDocument()
    document.load(str(path))
    painter = QPainter(printer)
    count = int(document.pageCount())
    try:
        for page in range(count):
            if page:
                printer.newPage()
            area = QRectF(printer.pageLayout().paintRectPixels(printer.logicalDpiX()))
            size = document.pagePointSize(page).scaled(
                area.size(), Qt.AspectRatioMode.KeepAspectRatio
            )
            image = document.render(page, size.toSize())
            painter.drawImage(QRectF(area.topLeft(), size), image)
    finally:
        painter.end()
        document.close()
    return count


class PdfDelivery:
    """Save a patient's PDF where the user chooses, then print it or open it to print.

    The save dialog opens in the user's Documents folder (or the configured folder) with a
    file name that names the patient. Where a printer is available the OS print dialog
    follows; otherwise the saved file opens in the system's PDF viewer. Every step can be
    replaced, so tests run headless.
    """

    def __init__(
        self,
        parent: QWidget | None,
        *,
        choose_path: Callable[[str, str], str] | None = None,
        folder: Callable[[], Path] = documents_folder,
        has_printer: Callable[[], bool] = printers_available,
        print_file: Callable[[Path], object] | None = None,
        open_file: Callable[[Path], object] | None = None,
    ) -> None:
        self._parent = parent
        self.choose_path = choose_path or (
            lambda title, suggested: ask_where_to_save(parent, title, suggested)
        )
        self.folder = folder
        self.has_printer = has_printer
        self.print_file = print_file or (lambda path: print_pdf_file(parent, path))
        self.open_file = open_file or (
            lambda path: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        )

    def deliver(self, pdf: bytes, file_name: str, title: str) -> Path | None:
        """Ask where to save ``pdf`` (suggesting ``file_name``), save it, then print or open.

        Returns the saved path, or None when the user cancelled, or when no document may be
        offered now (locked, signed out, switching user, or the patient holding the device): a
        PDF made just then is never offered, with the patient's name in its file name, to
        whoever is at the laptop. The window says so once the user can see it again.
        """
        if not self._may_offer():
            return None
        chosen = self.choose_path(title, str(self.folder() / file_name))
        if not chosen:
            return None
        path = Path(chosen)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(pdf)
        os.replace(partial, path)
        if self.has_printer():
            self.print_file(path)
        else:
            self.open_file(path)
        return path

    def _may_offer(self) -> bool:
        """What the main window says (``may_offer_documents``); True outside one (tests).

        When it may not, it is told (``withheld_document``), to say so when it can.
        """
        window = self._parent.window() if self._parent is not None else None
        may = getattr(window, "may_offer_documents", None)
        if not callable(may) or may():
            return True
        withheld = getattr(window, "withheld_document", None)
        if callable(withheld):
            withheld()
        return False
