"""Scan reports: a trainee's route through review, signing alone, addenda, the rules, logbooks."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import uuid
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from pydicom import dcmread

from clinic_app.container import Services
from clinic_app.domains.imaging.dicom.measure import Annotation
from clinic_app.domains.imaging.views import InstanceView
from clinic_app.domains.reports.model import ScanReport
from clinic_app.domains.reports.views import PRELIMINARY_WORDS
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import AuthenticationFailed, Conflict, FormErrors, PermissionDenied
from clinic_app.kernel.session import Actor
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.views import PatientInput
from tests.support.printed import pages_missing
from tests.support.us_image import ScanSubject, us_image

PASSWORD = "correct horse battery"


def _user(services: Services, name: str, role: Role, supervisor: str | None = None) -> CurrentUser:
    services.users.add(
        SYSTEM,
        username=name,
        display_name=name.title(),
        role=role,
        password=PASSWORD,
        supervisor=supervisor,
    )
    return services.auth.login(name, PASSWORD)


@pytest.fixture
def people(services: Services) -> dict[str, CurrentUser]:
    supervisor = _user(services, "sam", Role.SUPERVISOR)
    return {
        "supervisor": supervisor,
        "other_supervisor": _user(services, "olu", Role.SUPERVISOR),
        "trainee": _user(services, "tia", Role.TRAINEE, supervisor="sam"),
        "clinician": _user(services, "cal", Role.CLINICIAN),
    }


def _study(services: Services, actor: CurrentUser, nhs: str = "9990000018", region: str = "KNEE"):  # type: ignore[no-untyped-def]
    patient = services.patients.register(
        actor,
        PatientInput(
            given_name="Ada",
            family_name="Lovelace" + "abcdefghij"[int(nhs[-2])],
            date_of_birth="1960-03-14",
            sex="2",
            nhs_number=nhs,
        ),
    )
    frame = np.random.default_rng(1).integers(0, 90, (48, 64, 3), dtype=np.uint8)
    image = services.imaging.capture_still(
        actor, patient.id, frame, body_part=region, laterality="R"
    )
    assert image.study_id is not None
    return image


def _measured(
    services: Services, actor: CurrentUser, image: InstanceView, patient_id: uuid.UUID
) -> dict[str, object]:
    """A 10 mm distance drawn on a calibrated scanner image added to ``image``'s study."""
    (study,) = (s for s in services.imaging.studies(actor, patient_id) if s.id == image.study_id)
    scanned = us_image(study_uid=study.study_uid, body_part="KNEE", laterality="R")
    buffer = io.BytesIO()
    scanned.save_as(buffer, enforce_file_format=True)
    kept = services.imaging.import_dicom(actor, buffer.getvalue(), patient_id=patient_id)
    # 100 rows at 0.01 cm per pixel, inside the scanner's one view.
    mark = Annotation("distance", 0, ((150.0, 60.0), (150.0, 160.0)), "Meniscal extrusion")
    services.imaging.save_marks(actor, kept.id, [mark])
    return {"label": "Meniscal extrusion", "mm": 10.0, "instance_id": str(kept.id), "frame": 0}


def _content(
    image_id: object, region: str = "Knee", measured: dict[str, object] | None = None
) -> dict[str, object]:
    return {
        "history": "Medial knee pain for 4 months.",
        "findings": "Small suprapatellar effusion. Medial meniscus extrusion 3 mm.",
        "impression": "Findings in keeping with medial compartment degeneration.",
        "recommendations": "Continue physiotherapy.",
        "body_region": region,
        "key_images": [str(image_id)],
        "measurements": [measured] if measured else [],
    }


def test_a_trainee_report_is_returned_resubmitted_and_verified_by_the_named_supervisor(
    services: Services, people: dict[str, CurrentUser]
) -> None:
    trainee, supervisor = people["trainee"], people["supervisor"]
    image = _study(services, trainee)
    reports = services.reports
    draft = reports.start(trainee, image.study_id)  # type: ignore[arg-type]
    assert (draft.status, draft.marking) == ("draft", PRELIMINARY_WORDS)
    measured = _measured(services, trainee, image, draft.patient_id)
    draft = reports.save(trainee, draft.id, _content(image.id, measured=measured))
    assert draft.content["measurements"][0]["mm"] == 10.0

    submitted = reports.submit(trainee, draft.id)
    assert (submitted.status, submitted.supervisor_name) == ("submitted", "Sam")
    (pending,) = reports.pending_reviews(supervisor)
    assert pending.report.id == draft.id
    assert 0 <= pending.waiting_hours < 1
    assert reports.pending_reviews(people["other_supervisor"]) == []
    with pytest.raises(Conflict):
        reports.save(trainee, draft.id, _content(image.id))  # it waits for the supervisor

    reports.return_to_trainee(supervisor, draft.id, "Measure extrusion from the tibial margin.")
    (returned,) = reports.returned(trainee)
    assert returned.feedback == ("Measure extrusion from the tibial margin.",)
    changed = dict(_content(image.id))
    changed["findings"] = "Small suprapatellar effusion. Meniscal extrusion 4 mm from the tibia."
    reports.save(trainee, draft.id, changed)
    reports.submit(trainee, draft.id)

    with pytest.raises(FormErrors) as unchosen:
        reports.verify(supervisor, draft.id, PASSWORD, supervision_mode="", agreement="")
    assert {e.code for e in unchosen.value.errors} == {
        "report.choose_mode",
        "report.choose_agreement",
    }
    with pytest.raises(AuthenticationFailed):
        reports.verify(supervisor, draft.id, "wrong", supervision_mode="present", agreement="agree")
    assert reports.get(supervisor, draft.id).status == "submitted"

    verified = reports.verify(
        supervisor,
        draft.id,
        PASSWORD,
        supervision_mode="retrospective",
        agreement="minor",
        supervisor_words="Agree; extrusion is borderline.",
    )
    assert (verified.status, verified.verified, verified.final) == ("signed", True, True)
    assert verified.marking == ""
    assert verified.content_sha256 is not None
    assert verified.supervisor_words == "Agree; extrusion is borderline."
    assert [r.id for r in reports.final_reports(supervisor, verified.patient_id)] == [draft.id]
    # Sealed: neither the service nor a direct write changes it.
    with pytest.raises(Conflict):
        reports.save(trainee, draft.id, _content(image.id))
    with services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=services.context.device_id)
        row = session.get(ScanReport, draft.id)
        assert row is not None
        row.supervisor_words = "changed later"
        with pytest.raises(Conflict):
            session.flush()
        session.rollback()


def test_a_distance_in_mm_must_be_one_measured_on_a_calibrated_image_of_the_study(
    services: Services, people: dict[str, CurrentUser]
) -> None:
    clinician = people["clinician"]
    image = _study(services, clinician)
    draft = services.reports.start(clinician, image.study_id)  # type: ignore[arg-type]
    # Claimed on the grabbed video frame, which has no scale: refused, nothing saved.
    guessed = {"label": "Extrusion", "mm": 3.04, "instance_id": str(image.id), "frame": 0}
    with pytest.raises(FormErrors) as refused:
        services.reports.save(clinician, draft.id, _content(image.id, measured=guessed))
    assert [e.code for e in refused.value.errors] == ["report.measurement_not_measured"]
    measured = _measured(services, clinician, image, draft.patient_id)
    # The calibrated image, but not the distance drawn on it (typed over), nor another frame.
    for changed in ({"mm": 12.0}, {"frame": 1}):
        with pytest.raises(FormErrors):
            services.reports.save(
                clinician, draft.id, _content(image.id, measured={**measured, **changed})
            )
    assert services.reports.get(clinician, draft.id).content.get("measurements") in (None, [])
    saved = services.reports.save(clinician, draft.id, _content(image.id, measured=measured))
    assert saved.content["measurements"] == [measured]


def test_who_may_do_what(services: Services, people: dict[str, CurrentUser]) -> None:
    trainee, supervisor = people["trainee"], people["supervisor"]
    image = _study(services, trainee)
    report = services.reports.start(trainee, image.study_id)  # type: ignore[arg-type]
    services.reports.save(trainee, report.id, _content(image.id))
    with pytest.raises(PermissionDenied):
        services.reports.sign(trainee, report.id, PASSWORD)  # trainees never report alone
    with pytest.raises(PermissionDenied):
        services.reports.save(supervisor, report.id, _content(image.id))  # not the author
    services.reports.submit(trainee, report.id)
    for outsider in (people["other_supervisor"], people["clinician"]):
        with pytest.raises(PermissionDenied):
            services.reports.verify(
                outsider, report.id, PASSWORD, supervision_mode="present", agreement="agree"
            )
        with pytest.raises(PermissionDenied):
            services.reports.return_to_trainee(outsider, report.id, "No.")
    assert services.reports.get(supervisor, report.id).status == "submitted"

    # A supervisor's own report cannot be verified by themselves, even if named.
    own = services.reports.start(supervisor, image.study_id)  # type: ignore[arg-type]
    services.reports.save(supervisor, own.id, _content(image.id))
    with services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=services.context.device_id)
        row = session.get(ScanReport, own.id)
        assert row is not None
        row.status, row.supervisor_id = "submitted", supervisor.id
    with pytest.raises(PermissionDenied) as refused:
        services.reports.verify(
            supervisor, own.id, PASSWORD, supervision_mode="present", agreement="agree"
        )
    assert refused.value.code == "report.own_report"

    # A trainee with no named supervisor cannot submit.
    orphan = _user(services, "ned", Role.TRAINEE)
    mine = services.reports.start(orphan, image.study_id)  # type: ignore[arg-type]
    services.reports.save(orphan, mine.id, _content(image.id))
    with pytest.raises(Conflict) as nobody:
        services.reports.submit(orphan, mine.id)
    assert nobody.value.code == "report.no_supervisor"


def test_signing_alone_needs_findings_and_impression_and_addenda_chain(
    services: Services, people: dict[str, CurrentUser]
) -> None:
    clinician = people["clinician"]
    image = _study(services, clinician)
    reports = services.reports
    report = reports.start(clinician, image.study_id)  # type: ignore[arg-type]
    with pytest.raises(FormErrors) as empty:
        reports.sign(clinician, report.id, PASSWORD)
    assert {e.field for e in empty.value.errors} == {"findings", "impression"}
    reports.save(clinician, report.id, _content(image.id))
    first = reports.sign(clinician, report.id, PASSWORD)
    assert (first.final, first.verified, first.version) == (True, False, 1)

    second = reports.addendum(clinician, first.id, "Review of the cine: no Baker's cyst.")
    assert (second.version, second.predecessor_id, second.status) == (2, first.id, "draft")
    assert second.content["addendum"] == "Review of the cine: no Baker's cyst."
    with pytest.raises(Conflict) as twice:
        reports.addendum(clinician, first.id, "Another")
    assert twice.value.code == "report.already_amended"
    second = reports.sign(clinician, second.id, PASSWORD)
    assert second.content_sha256 != first.content_sha256
    third = reports.addendum(clinician, second.id, "Telephoned the patient with the result.")
    assert third.predecessor_id == second.id
    # The first version is unchanged by what came after.
    assert reports.get(clinician, first.id).content_sha256 == first.content_sha256
    assert [r.version for r in reports.for_study(clinician, image.study_id)] == [1, 2, 3]  # type: ignore[arg-type]


def test_the_logbook_counts_verified_scans_by_region_and_supervision_with_concordance(
    services: Services, people: dict[str, CurrentUser]
) -> None:
    trainee, supervisor = people["trainee"], people["supervisor"]
    history = [
        ("9990000018", "Knee", "present", "agree", False),
        ("9990000026", "Knee", "present", "agree", True),  # returned once first
        ("9990000034", "Shoulder", "retrospective", "minor", False),
        ("9990000042", "Shoulder", "remote_live", "major", False),
        ("9990000050", "Knee", "retrospective", "agree", False),
    ]
    for nhs, region, mode, agreement, returned_first in history:
        image = _study(services, trainee, nhs, region.upper())
        report = services.reports.start(trainee, image.study_id)  # type: ignore[arg-type]
        services.reports.save(trainee, report.id, _content(image.id, region))
        services.reports.submit(trainee, report.id)
        if returned_first:
            services.reports.return_to_trainee(supervisor, report.id, "Add the history.")
            services.reports.submit(trainee, report.id)
        services.reports.verify(
            supervisor, report.id, PASSWORD, supervision_mode=mode, agreement=agreement
        )
    now = utcnow()
    book = services.reports.logbook(trainee, trainee.id, now - timedelta(days=1), now)
    assert {(r.body_region, r.supervision_mode): r.scans for r in book.rows} == {
        ("Knee", "present"): 2,
        ("Knee", "retrospective"): 1,
        ("Shoulder", "remote_live"): 1,
        ("Shoulder", "retrospective"): 1,
    }
    assert (book.verified, book.agree, book.minor, book.major, book.returned) == (5, 3, 1, 1, 1)
    assert book.concordance == pytest.approx(0.6)
    # The supervisor sees it too; another supervisor does not; an earlier period is empty.
    assert services.reports.logbook(supervisor, trainee.id, now - timedelta(days=1), now) == book
    with pytest.raises(PermissionDenied):
        services.reports.logbook(people["other_supervisor"], trainee.id, now, now)
    earlier = services.reports.logbook(
        trainee, trainee.id, now - timedelta(days=30), now - timedelta(days=2)
    )
    assert (earlier.verified, earlier.concordance) == (0, None)


def test_a_verified_report_becomes_sr_and_kos_in_the_study_and_goes_to_the_pacs_queue(
    services: Services, people: dict[str, CurrentUser], tmp_path: Path
) -> None:
    trainee, supervisor = people["trainee"], people["supervisor"]
    image = _study(services, trainee)
    services.dicom_settings.change(SYSTEM, pacs_ae_title="PACS", pacs_host="127.0.0.1")
    report = services.reports.start(trainee, image.study_id)  # type: ignore[arg-type]
    services.reports.save(trainee, report.id, _content(image.id))
    services.reports.submit(trainee, report.id)
    (study,) = services.imaging.studies(trainee, report.patient_id)
    assert [i.source for i in study.instances] == ["grabbed"]  # nothing leaves unverified
    services.reports.verify(
        supervisor, report.id, PASSWORD, supervision_mode="present", agreement="agree"
    )

    (study,) = services.imaging.studies(trainee, report.patient_id)
    assert [i.source for i in study.instances] == ["grabbed", "report", "report"]
    assert study.pacs_state == "waiting"
    sr_view = next(i for i in study.instances if i.sop_class_uid.endswith(".88.33"))
    data = services.imaging.image_file(trainee, sr_view.id)
    sr = dcmread(io.BytesIO(data))
    assert (sr.CompletionFlag, sr.VerificationFlag, sr.PreliminaryFlag) == (
        "COMPLETE",
        "VERIFIED",
        "FINAL",
    )
    assert str(sr.AuthorObserverSequence[0].PersonName) == "TIA"
    assert str(sr.VerifyingObserverSequence[0].VerifyingObserverName) == "SAM"
    assert sr.PatientID == "9990000018"
    if shutil.which("dciodvfy"):
        path = tmp_path / "sr.dcm"
        path.write_bytes(data)
        checked = subprocess.run(
            ["dciodvfy", str(path)], capture_output=True, text=True, check=False
        )
        assert "Error" not in checked.stdout + checked.stderr


def test_the_sr_names_the_authors_profession_not_only_their_role(
    services: Services, people: dict[str, CurrentUser]
) -> None:
    services.users.add(
        SYSTEM,
        username="pat",
        display_name="Pat Quinn",
        role=Role.TRAINEE,
        password=PASSWORD,
        supervisor="sam",
        profession="physiotherapist",
    )
    with pytest.raises(FormErrors):
        services.users.add(
            SYSTEM,
            username="x1",
            display_name="X",
            role=Role.CLINICIAN,
            password=PASSWORD,
            profession="astronaut",
        )
    roles = {}
    for author in (services.auth.login("pat", PASSWORD), people["trainee"]):
        image = _study(
            services, author, nhs="9990000034" if author.username == "pat" else "9990000042"
        )
        report = services.reports.start(author, image.study_id)  # type: ignore[arg-type]
        services.reports.save(author, report.id, _content(image.id))
        services.reports.submit(author, report.id)
        services.reports.verify(
            people["supervisor"], report.id, PASSWORD, supervision_mode="present", agreement="agree"
        )
        (study,) = services.imaging.studies(author, report.patient_id)
        (sr_view,) = (i for i in study.instances if i.sop_class_uid.endswith(".88.33"))
        sr = dcmread(io.BytesIO(services.imaging.image_file(author, sr_view.id)))
        roles[author.username] = {
            item.ConceptCodeSequence[0].CodeValue
            for item in sr.ContentSequence
            if item.ConceptNameCodeSequence[0].CodeValue == "121010"  # role in organisation
        }
    # A trainee in scanning who is a physiotherapist is coded as one; a trainee with no
    # profession recorded is named by the role's usual profession, as before.
    assert roles == {"pat": {"36682004"}, "tia": {"C1954848"}}


def test_a_report_for_a_patient_without_an_nhs_number_is_still_kept_as_dicom(
    services: Services, people: dict[str, CurrentUser], tmp_path: Path
) -> None:
    clinician = people["clinician"]
    patient = services.patients.register(
        clinician,
        PatientInput(given_name="Nell", family_name="Gwyn", date_of_birth="1950-02-02", sex="2"),
    )
    # The scanner's image of her, labelled for no one known here, assigned by a person.
    buffer = io.BytesIO()
    us_image(subject=ScanSubject("SCAN-0042", "GWYN", "Nell", date(1950, 2, 2), "F")).save_as(
        buffer, enforce_file_format=True
    )
    orphan = services.imaging.receive(buffer.getvalue())
    image = services.imaging.assign(clinician, orphan.id, patient.id)
    report = services.reports.start(clinician, image.study_id)  # type: ignore[arg-type]
    services.reports.save(clinician, report.id, _content(image.id))
    services.reports.sign(clinician, report.id, PASSWORD)
    # On paper she is named with her date of birth on every page, and no blank stands in
    # for the number she does not have.
    pdf = services.reports.report_pdf(clinician, report.id)
    assert pages_missing(pdf, "Born 2 February 1950", "NHS number not recorded") == []
    (study,) = services.imaging.studies(clinician, patient.id)
    (sr_view,) = (i for i in study.instances if i.sop_class_uid.endswith(".88.33"))
    data = services.imaging.image_file(clinician, sr_view.id)
    sr = dcmread(io.BytesIO(data))
    # Kept under the record's own identifier and the app's local issuer, never as NHS.
    assert (sr.PatientID, sr.IssuerOfPatientID) == (str(patient.id), "OneStop MSK")
    assert (sr.CompletionFlag, sr.VerificationFlag) == ("COMPLETE", "VERIFIED")
    if shutil.which("dciodvfy"):
        path = tmp_path / "sr.dcm"
        path.write_bytes(data)
        checked = subprocess.run(
            ["dciodvfy", str(path)], capture_output=True, text=True, check=False
        )
        assert "Error" not in checked.stdout + checked.stderr


def test_an_addendum_sr_points_at_its_predecessor(
    services: Services, people: dict[str, CurrentUser]
) -> None:
    clinician = people["clinician"]
    image = _study(services, clinician)
    first = services.reports.start(clinician, image.study_id)  # type: ignore[arg-type]
    services.reports.save(clinician, first.id, _content(image.id))
    services.reports.sign(clinician, first.id, PASSWORD)
    second = services.reports.addendum(clinician, first.id, "No Baker's cyst on review.")
    services.reports.sign(clinician, second.id, PASSWORD)
    (study,) = services.imaging.studies(clinician, first.patient_id)
    srs = [i for i in study.instances if i.sop_class_uid.endswith(".88.33")]
    assert len(srs) == 2
    older, newer = (dcmread(io.BytesIO(services.imaging.image_file(clinician, i.id))) for i in srs)
    predecessor = newer.PredecessorDocumentsSequence[0].ReferencedSeriesSequence[0]
    assert predecessor.ReferencedSOPSequence[0].ReferencedSOPInstanceUID == older.SOPInstanceUID
    assert older.VerifyingObserverSequence[0].VerifyingObserverName == "CAL"
    # One report series in the PACS, its versions numbered in it: not a new series 900 each.
    assert newer.SeriesInstanceUID == older.SeriesInstanceUID
    assert (older.SeriesNumber, newer.SeriesNumber) == (900, 900)
    assert (older.InstanceNumber, newer.InstanceNumber) == (1, 2)
    # The report's study date, time and ID are its images' (local time, with the offset).
    (picture,) = (i for i in study.instances if i.source == "grabbed")
    grabbed = dcmread(io.BytesIO(services.imaging.image_file(clinician, picture.id)))
    for field in ("StudyDate", "StudyTime", "StudyID", "StudyInstanceUID"):
        assert newer.get(field) == grabbed.get(field), field
    assert newer.TimezoneOffsetFromUTC == grabbed.TimezoneOffsetFromUTC


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        if os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}:
            pytest.fail("pdftotext is not installed (installers/test.sh installs it)")
        pytest.skip("pdftotext not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        [tool, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return done.stdout


def test_an_earlier_version_printed_says_a_later_one_adds_to_it(
    services: Services, people: dict[str, CurrentUser], tmp_path: Path
) -> None:
    clinician = people["clinician"]
    reports = services.reports
    image = _study(services, clinician)
    first = reports.start(clinician, image.study_id)  # type: ignore[arg-type]
    reports.save(clinician, first.id, _content(image.id))
    reports.sign(clinician, first.id, PASSWORD)

    def printed(report_id: object) -> str:
        words = _pdf_text(reports.render_pdf(reports.printable(clinician, report_id)), tmp_path)
        return " ".join(words.split())

    assert "adds to this report" not in printed(first.id)
    second = reports.addendum(clinician, first.id, "Medial meniscal tear seen on review.")
    assert "Version 2 (not yet final) adds to this report: read it with this one" in (
        printed(first.id)
    )
    reports.sign(clinician, second.id, PASSWORD)
    third = reports.addendum(clinician, second.id, "Telephoned the patient.")
    reports.sign(clinician, third.id, PASSWORD)
    # The first version names the newest; the newest names none.
    assert "Version 3 (final) adds to this report: read it with this one" in printed(first.id)
    assert "adds to this report" not in printed(third.id)


def test_the_printed_report_says_preliminary_until_it_is_verified(
    services: Services, people: dict[str, CurrentUser], tmp_path: Path
) -> None:
    trainee, supervisor = people["trainee"], people["supervisor"]
    image = _study(services, trainee)
    report = services.reports.start(trainee, image.study_id)  # type: ignore[arg-type]
    measured = _measured(services, trainee, image, report.patient_id)
    services.reports.save(trainee, report.id, _content(image.id, measured=measured))
    services.reports.submit(trainee, report.id)
    draft = _pdf_text(services.reports.report_pdf(trainee, report.id), tmp_path)
    assert "PRELIMINARY" in draft
    assert "999 000 0018" in draft
    services.reports.verify(
        supervisor, report.id, PASSWORD, supervision_mode="present", agreement="agree"
    )
    final = _pdf_text(services.reports.report_pdf(trainee, report.id), tmp_path)
    assert "PRELIMINARY" not in final
    assert "Verified by Sam" in final
    assert "Meniscal extrusion" in final


def test_the_service_sets_its_own_attestation_and_it_is_kept_with_the_signature(
    services: Services, people: dict[str, CurrentUser]
) -> None:
    clinician = people["clinician"]
    with pytest.raises(PermissionDenied):
        services.reports.set_attestation(clinician, sign="Anything")
    words = "I scanned this patient and I am accredited to report MSK ultrasound alone."
    services.reports.set_attestation(SYSTEM, sign=words)
    assert services.reports.attestation_for(clinician, "sign") == words
    image = _study(services, clinician)
    report = services.reports.start(clinician, image.study_id)  # type: ignore[arg-type]
    services.reports.save(clinician, report.id, _content(image.id))
    services.reports.sign(clinician, report.id, PASSWORD)
    with services.context.store.sessions.begin() as session:
        row = session.get(ScanReport, report.id)
        assert row is not None
        assert row.attestation == words
    services.reports.set_attestation(SYSTEM, sign="")
    assert services.reports.attestation_for(clinician, "sign").startswith("I performed this scan")


def test_reporting_a_study_with_a_verified_report_opens_that_report_not_a_new_draft(
    services: Services, people: dict[str, CurrentUser]
) -> None:
    """Once verified, "Report this study" gives everyone the final report to read and print."""
    trainee, supervisor = people["trainee"], people["supervisor"]
    image = _study(services, trainee)
    study_id = image.study_id
    assert study_id is not None
    reports = services.reports
    draft = reports.start(trainee, study_id)
    reports.save(trainee, draft.id, _content(image.id))
    reports.submit(trainee, draft.id)
    reports.verify(supervisor, draft.id, PASSWORD, supervision_mode="present", agreement="agree")
    for who in (trainee, supervisor, people["clinician"]):
        opened = reports.start(who, study_id)
        assert (opened.id, opened.final, opened.verified) == (draft.id, True, True)
        assert opened.marking != PRELIMINARY_WORDS
    assert [r.id for r in reports.for_study(supervisor, study_id)] == [draft.id]

    # An addendum is the new version; while its author writes it, they are given it.
    clinician = people["clinician"]
    second = reports.addendum(clinician, draft.id, "Cine reviewed: no Baker's cyst.")
    assert reports.start(clinician, study_id).id == second.id
    assert reports.start(trainee, study_id).id == draft.id


def test_a_draft_says_whom_it_waits_for_a_supervisor_only_for_a_trainee(
    services: Services, people: dict[str, CurrentUser]
) -> None:
    from clinic_app.domains.reports.views import PRELIMINARY_WORDS, UNSIGNED_WORDS

    trainee, clinician = people["trainee"], people["clinician"]
    of_trainee = services.reports.start(trainee, _study(services, trainee).study_id)  # type: ignore[arg-type]
    assert of_trainee.marking == PRELIMINARY_WORDS == "PRELIMINARY — awaiting supervisor"
    image = _study(services, clinician, nhs="9990000026")
    own = services.reports.start(clinician, image.study_id)  # type: ignore[arg-type]
    assert own.marking == UNSIGNED_WORDS == "PRELIMINARY — not yet signed"
    services.reports.save(clinician, own.id, _content(image.id))
    signed = services.reports.sign(clinician, own.id, PASSWORD)
    assert signed.marking == ""
    # An addendum the same author writes is theirs to sign too.
    addendum = services.reports.addendum(clinician, own.id, "Cine reviewed.")
    assert addendum.marking == UNSIGNED_WORDS
