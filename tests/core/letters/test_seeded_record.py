"""A letter assembled from a seeded record: the verified report in it, the trainee's not."""

from __future__ import annotations

import subprocess

from clinic_app.container import Services
from clinic_app.kernel.vocabulary import Role
from tests.core.reports.test_reports import PASSWORD, _content, _study, _user


def _text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def test_a_preliminary_trainee_report_is_never_in_a_letter_as_final(services: Services) -> None:
    _user(services, "sam", Role.SUPERVISOR)
    clinician = _user(services, "cal", Role.CLINICIAN)
    trainee = _user(services, "tia", Role.TRAINEE, supervisor="sam")
    image = _study(services, clinician)

    # The trainee's report waits for the supervisor; the clinician reports the same study alone.
    waiting = services.reports.start(trainee, image.study_id)  # type: ignore[arg-type]
    patient = waiting.patient_id
    trainee_words = dict(_content(image.id))
    trainee_words["findings"] = "Unverified trainee words about an effusion."
    services.reports.save(trainee, waiting.id, trainee_words)
    services.reports.submit(trainee, waiting.id)
    signed = services.reports.start(clinician, image.study_id)  # type: ignore[arg-type]
    assert signed.id != waiting.id
    services.reports.save(clinician, signed.id, _content(image.id))
    services.reports.sign(clinician, signed.id, PASSWORD)

    draft = services.letters.draft(clinician, patient, "gp_clinic")
    results = next(s for s in draft.sections if s.key == "investigation_results")
    assert "Small suprapatellar effusion" in results.text
    assert "Unverified trainee words" not in results.text
    assert draft.cited_reports == (signed.id,)

    # Editing the letter's words changes the letter only, never the report it quotes.
    services.letters.edit(clinician, draft.id, patient, {"investigation_results": "Edited."})
    assert (
        services.reports.get(clinician, signed.id).content["findings"]
        == (_content(image.id)["findings"])
    )

    done = services.letters.sign(clinician, draft.id, patient, PASSWORD)
    assert done.signed
    words = _text(services.letters.printable(clinician, draft.id, patient))
    assert "Unverified trainee words" not in words
    assert "Edited." in words
    # The patient letter quotes the verified report only, too.
    to_patient = services.letters.draft(clinician, patient, "patient")
    every_word = " ".join(s.text for s in to_patient.sections)
    assert "Small suprapatellar effusion" in every_word
    assert "Unverified trainee words" not in every_word
    # The report's clinical words read above the target grade: the clinician is told where.
    assert "scans" in {warning.section for warning in to_patient.reading}
    assert all(warning.grade > warning.target == 7 for warning in to_patient.reading)
