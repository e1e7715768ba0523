"""The demo clinic opens on a clinician's day: sessions, today's list, what has happened by now."""

from __future__ import annotations

from pathlib import Path

from clinic_app.bootstrap import create_clinic
from clinic_app.demo import demo_password, seed_demo
from clinic_app.domains.appointments.rules import clinic_day


def test_the_demo_clinician_has_sessions_and_a_day_of_appointments(tmp_path: Path) -> None:
    services = create_clinic(tmp_path / "demo.db")
    try:
        seed_demo(services, patients=120, imaging=False)
        clinician = services.auth.login("clinician", demo_password("clinician"))
        lead = services.auth.login("admin", demo_password("admin"))
        day = services.appointments.day(clinician)
        assert len(day.entries) == 10
        starts = [entry.appointment.starts_at for entry in day.entries]
        assert starts == sorted(starts)
        assert {clinic_day(at) for at in starts} == {services.context.today()}
        kinds = {entry.appointment.appointment_type for entry in day.entries}
        assert {"new", "follow_up"} <= kinds
        # Follow-ups are of patients in an episode; each new patient is someone else.
        assert all(
            entry.appointment.episode_id is not None
            for entry in day.entries
            if entry.appointment.appointment_type == "follow_up"
        )
        assert len({entry.appointment.patient_id for entry in day.entries}) == 10
        # Whatever has happened by now left its care contact; the rest is still booked.
        for entry in day.entries:
            if entry.appointment.status == "booked":
                assert entry.appointment.care_contact_id is None
            else:
                assert entry.appointment.care_contact_id is not None
        sessions = services.appointments.sessions(lead)
        assert {s.clinician_name.split(" (")[0] for s in sessions} == {"Priya Shah", "Tom Okafor"}
        assert len(services.appointments.sessions(lead, clinician_id=clinician.id)) == 10
    finally:
        services.close()
