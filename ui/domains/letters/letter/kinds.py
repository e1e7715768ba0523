"""The kinds of letter, as the chooser names them."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def tr(text: str) -> str:
    """``text`` in the user's language."""
    return QCoreApplication.translate("Letters", text)


def kind_label(kind: str) -> str:
    """The kind of a letter as the chooser and the letters-due list name it."""
    labels = {
        "gp_clinic": tr("Clinic letter to the GP"),
        "gp_discharge": tr("Discharge letter to the GP"),
        "patient": tr("Letter to the patient"),
        "onward_referral": tr("Onward referral letter"),
        "gp_referral_notice": tr("GP notice of onward referral"),
    }
    return labels.get(kind, kind.replace("_", " "))


#: The kinds, in the order the chooser offers them.
KINDS = ("gp_clinic", "gp_discharge", "patient", "onward_referral", "gp_referral_notice")
