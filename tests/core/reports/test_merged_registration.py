"""A final scan report under a registration since merged into the record is the patient's."""

from __future__ import annotations

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.kernel.uow import SYSTEM
from clinic_app.people.views import PatientInput
from tests.support.merges import merged_by_sync
from tests.ui.records import second_registration, submitted_by_trainee


def test_a_report_verified_under_a_merged_registration_is_final_in_the_surviving_records_letter(
    demo: Services,
) -> None:
    supervisor = demo.auth.login("supervisor", demo_password("supervisor"))
    clinician = demo.auth.login("clinician", demo_password("clinician"))
    (patient,) = [p for p in demo.patients.search(supervisor, "999", limit=60) if p.nhs_number][:1]
    report = submitted_by_trainee(demo, patient)
    demo.reports.verify(
        supervisor,
        report.id,
        demo_password("supervisor"),
        supervision_mode="retrospective",
        agreement="agree",
    )
    survivor = second_registration(demo, patient)
    assert demo.reports.final_reports(supervisor, survivor) == []
    merged_by_sync(demo, survivor=survivor, merged=patient.id)

    assert [r.id for r in demo.reports.final_reports(supervisor, survivor)] == [report.id]
    facts = demo.letters.gather(clinician, survivor, "gp_clinic")
    quoted = [r for r in facts.reports if r.id == report.id]
    assert quoted, facts.reports
    assert all(r.final for r in quoted), facts.reports
    # Another patient's final report is never theirs.
    other = demo.patients.register(
        SYSTEM,
        PatientInput(given_name="Iris", family_name="Lund", date_of_birth="1950-01-02", sex="2"),
    )
    assert demo.reports.final_reports(supervisor, other.id) == []
