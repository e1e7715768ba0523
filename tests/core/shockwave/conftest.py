"""The demo clinic with a clinician who gives shockwave therapy, and a serviced radial device."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.shockwave.content import SETTING
from clinic_app.domains.shockwave.views import (
    CourseInput,
    CourseView,
    DeviceInput,
    DeviceView,
    Outcome,
    SessionInput,
)
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.session import Actor
from clinic_app.kernel.settings import ServiceSetting, setting_id
from clinic_app.people.care import EpisodeOfCare

ALL_NO = {
    "infection": "no",
    "pregnancy": "no",
    "tumour_in_field": "no",
    "nerve_or_lung_in_focus": "no",
    "coagulopathy": "no",
    "growth_plate": "no",
    "implants": "no",
    "recent_steroid_injection": "no",
}
TICKED = {"nice_information_given": True, "audit_entered": True}


def heel_course(device: DeviceView, **changes: object) -> CourseInput:
    """A left plantar fasciitis course of 3 sessions, governance ticked, nothing contraindicated."""
    fields = CourseInput(
        indication="plantar_fasciitis",
        side="left",
        planned_sessions=3,
        eswt_device_id=device.id,
        governance=dict(TICKED),
        contraindications=dict(ALL_NO),
        outcome_before=Outcome(pain_nrs=7),
        sdm_missing_reason="Decided with the patient at the last visit, before aids were used.",
    )
    return replace(fields, **changes)  # type: ignore[arg-type]


def radial_session(**changes: object) -> SessionInput:
    """A radial session within every typical range, dated today."""
    fields = SessionInput(
        performed_on=date.today(),
        applicator="15 mm standard",
        pressure_bar=2.5,
        frequency_hz=10,
        pulses=2000,
        target="Medial calcaneal tubercle, plantar fascia origin",
        ultrasound_guided=False,
        local_anaesthetic=False,
        pain_during=5,
        side_effects=("redness",),
    )
    return replace(fields, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Clinic:
    """The demo clinic: a clinician, a colleague, the service lead and two patients."""

    services: Services
    clinician: CurrentUser
    colleague: CurrentUser
    lead: CurrentUser
    patient: uuid.UUID
    episode: uuid.UUID
    other: uuid.UUID

    def device(self, **changes: object) -> DeviceView:
        """A radial device serviced a month ago."""
        values: dict[str, object] = {
            "make": "Example Medical",
            "model": "Radial 2",
            "serial": f"RS-{uuid.uuid4().hex[:8]}",
            "kind": "radial",
            "last_service_on": date.today() - timedelta(days=30),
        }
        values.update(changes)
        return self.services.eswt_devices.add(self.lead, DeviceInput(**values))  # type: ignore[arg-type]

    def course(self, device: DeviceView | None = None, **changes: object) -> CourseView:
        """The clinician's heel course for the patient, saved."""
        device = device or self.device()
        started = self.services.shockwave.start_course(self.clinician, self.patient, self.episode)
        return self.services.shockwave.save_course(
            self.clinician, started.id, heel_course(device, **changes)
        )

    def session(self, course: CourseView, **changes: object) -> uuid.UUID:
        """The next session of ``course``, saved (not signed); its id."""
        view = self.services.shockwave.add_session(self.clinician, course.id)
        draft = next(s for s in view.sessions if not s.is_signed)
        self.services.shockwave.save_session(self.clinician, draft.id, radial_session(**changes))
        return draft.id

    def sign(self, session_id: uuid.UUID) -> CourseView:
        return self.services.shockwave.sign_session(
            self.clinician, session_id, demo_password("clinician")
        )

    def set_rules(self, **values: object) -> None:
        """The service's ESWT settings, as the server's row reaches the laptop by sync."""
        store = self.services.context.store
        session = store.sessions()
        try:
            session.actor = Actor(device_id=self.services.context.device_id)
            row = session.get(ServiceSetting, setting_id(SETTING))
            if row is None:
                session.add(ServiceSetting(id=setting_id(SETTING), key=SETTING, value=values))
            else:
                row.value = {**row.value, **values}
            session.commit()
        finally:
            session.close()


@pytest.fixture
def clinic(demo: Services) -> Clinic:
    login = lambda name: demo.auth.login(name, demo_password(name))  # noqa: E731
    with demo.context.store.sessions() as session:
        rows = session.execute(
            select(EpisodeOfCare.patient_id, EpisodeOfCare.id)
            .where(EpisodeOfCare.deleted.is_(False))
            .order_by(EpisodeOfCare.patient_id, EpisodeOfCare.id)
        ).all()
    patients: dict[uuid.UUID, uuid.UUID] = {}
    for patient_id, episode_id in rows:
        patients.setdefault(patient_id, episode_id)
    (patient, episode), (other, _episode) = list(patients.items())[:2]
    return Clinic(
        demo, login("clinician"), login("supervisor"), login("admin"), patient, episode, other
    )
