"""A red-flag action is on the patient's timeline: outstanding until done, and only theirs."""

from __future__ import annotations

from clinic_app.domains.red_flags.views import ActionKind
from tests.core.red_flags.test_actions import Clinic, _emergency, _handover, clinic  # noqa: F401


def test_an_action_shows_outstanding_then_done_on_its_patient_s_timeline_only(
    clinic: Clinic,  # noqa: F811 - the fixture
) -> None:
    services, user = clinic.services, clinic.clinician
    screening_id = _emergency(clinic, clinic.ada)
    action = services.red_flags.record_action(
        user, clinic.ada, screening_id, ActionKind.ED_HANDOVER, _handover()
    )

    (entry,) = services.timeline.for_patient(user, clinic.ada).of_kind("red_flag_action")
    assert entry.record_id == action.id
    assert entry.description == "Red-flag action: " + action.spec.title
    assert entry.detail.endswith("Outstanding: not yet done")
    assert (entry.screen_id, entry.item_id) == ("red_flag_actions", screening_id)
    assert services.timeline.for_patient(user, clinic.bea).of_kind("red_flag_action") == ()

    services.red_flags.mark_action_done(user, clinic.ada, action.id, "ED confirmed arrival")
    (entry,) = services.timeline.for_patient(user, clinic.ada).of_kind("red_flag_action")
    assert entry.detail.endswith("Done")
