"""Finding, opening and registering patients."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from clinic_app.kernel import validation as check
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.dates import parse_date
from clinic_app.kernel.errors import Conflict, NotFound, ValidationError
from clinic_app.kernel.reference import code_list
from clinic_app.kernel.security.permissions import Action, require
from clinic_app.kernel.uow import Context, Mode, UnitOfWork
from clinic_app.kernel.vocabulary import EpisodeStatus
from clinic_app.people import nhs_number
from clinic_app.people.care import Referral
from clinic_app.people.demographics import (
    age_on,
    normalise_name,
    validate_date_of_birth,
    validate_postcode,
)
from clinic_app.people.duplicates import identities_among, identities_of
from clinic_app.people.episodes import episode_summaries
from clinic_app.people.model import GpPractice, Patient, PatientAlert
from clinic_app.people.referrals import referral_summary
from clinic_app.people.search import search_plan
from clinic_app.people.sync_service import SyncService, row_sync_state
from clinic_app.people.views import (
    AlertView,
    Choice,
    EpisodeSummary,
    PatientInput,
    PatientRecord,
    PatientSummary,
    PracticeSummary,
)


def _standing_rows(
    session: Session, rows: Sequence[Row[Any]], registrations: Mapping[uuid.UUID, list[uuid.UUID]]
) -> dict[uuid.UUID, tuple[Any, ...]]:
    """Each found patient's survivor → its row as search gives rows.

    A survivor's alerts are counted over every registration merged into it, and a survivor
    not found itself (found by a merged registration's name or number) is read here.
    """
    found: dict[uuid.UUID, tuple[Any, ...]] = {row[0]: tuple(row) for row in rows}
    merged = {regs[0]: regs for regs in registrations.values() if len(regs) > 1}
    if not merged:
        return found
    missing = [survivor for survivor in merged if survivor not in found]
    for patient in session.scalars(
        select(Patient).where(Patient.id.in_(missing), Patient.deleted.is_(False))
    ):
        found[patient.id] = (
            patient.id,
            patient.nhs_number,
            patient.family_name,
            patient.given_name,
            patient.date_of_birth,
            patient.sex,
            patient.postcode,
            0,
        )
    for survivor, regs in merged.items():
        if survivor not in found:
            continue
        alerts = session.scalar(
            select(func.count(PatientAlert.id)).where(
                PatientAlert.patient_id.in_(regs),
                PatientAlert.active.is_(True),
                PatientAlert.deleted.is_(False),
            )
        )
        found[survivor] = (*found[survivor][:7], int(alerts or 0))
    return found


class PatientService:
    """Patients' demographics: search as you type, open a record, register."""

    def __init__(self, context: Context, sync: SyncService | None = None) -> None:
        self._context = context
        self._uow = UnitOfWork(context)
        self._sync = sync

    def search(self, actor: CurrentUser, query: str, limit: int = 50) -> list[PatientSummary]:
        """Patients matching a name, an NHS number (prefix, spaces allowed) or a date of birth.

        Searches are not audited (no record is opened); opening a result is.
        """
        require(actor.role, Action.PATIENT_SEARCH)
        plan = search_plan(query, limit)
        if plan is None:
            return []
        statement, params = plan
        today = self._context.today()
        sexes = code_list("person_stated_gender")
        with self._uow(actor, Action.PATIENT_SEARCH, mode=Mode.READ) as session:
            rows = session.execute(statement, params).all()
            # A record merged into another is found as its survivor (by the name or number
            # it was registered under too), whose alerts count every registration's.
            registrations = identities_among(session, [row[0] for row in rows])
            stands_for = _standing_rows(session, rows, registrations)
        seen: set[uuid.UUID] = set()
        found: list[PatientSummary] = []
        for found_row in rows:
            row = stands_for.get(registrations[found_row[0]][0])
            if row is None or row[0] in seen:
                continue
            seen.add(row[0])
            found.append(
                PatientSummary(
                    id=row[0],
                    nhs_number=row[1],
                    family_name=row[2],
                    given_name=row[3],
                    date_of_birth=row[4],
                    age=age_on(row[4], today) if row[4] <= today else 0,
                    sex_label=sexes.label_for(row[5]) or row[5],
                    postcode=row[6],
                    alert_count=row[7],
                )
            )
        return found[:limit]

    def open(self, actor: CurrentUser, patient_id: uuid.UUID) -> PatientRecord:
        """Load a patient's record for display; the opening is written to the audit trail.

        A record merged into another opens as the survivor, with the referrals, episodes and
        alerts of every record merged into it.

        Raises:
            NotFound: ``patient.not_found``.
        """
        syncing = self._sync is not None and self._sync.configured()
        with self._uow(actor, Action.PATIENT_OPEN) as session:
            identities = identities_of(session, patient_id)
            patient_id = identities[0]
            patient = session.scalars(
                select(Patient)
                .where(Patient.id == patient_id, Patient.deleted.is_(False))
                .options(joinedload(Patient.gp_practice), selectinload(Patient.alerts))
            ).one_or_none()
            if patient is None:
                raise NotFound("patient.not_found")
            referrals = session.scalars(
                select(Referral)
                .where(Referral.patient_id.in_(identities), Referral.deleted.is_(False))
                .order_by(Referral.received_on.desc(), Referral.id.desc())
            ).all()
            episodes = sorted(
                (e for one in identities for e in episode_summaries(session, one)),
                key=lambda e: (e.status is not EpisodeStatus.OPEN, -e.started_on.toordinal()),
            )
            merged_alerts = session.scalars(
                select(PatientAlert).where(PatientAlert.patient_id.in_(identities[1:]))
            ).all()
            sync_state = row_sync_state(session, "patient", patient.id) if syncing else "standalone"
            self._uow.audit(
                session,
                actor,
                "patient.open",
                patient_id=patient.id,
                entity="patient",
                entity_id=patient.id,
            )
            record = self._record(patient, list(referrals), episodes)
            extra = tuple(
                AlertView(alert.id, alert.kind, alert.text)
                for alert in merged_alerts
                if alert.active and not alert.deleted
            )
            return replace(
                record,
                sync_state=sync_state,
                alerts=record.alerts + extra,
                merged_ids=tuple(identities[1:]),
            )

    def practices(self, actor: CurrentUser) -> list[PracticeSummary]:
        """GP practices known to this store, by name."""
        with self._uow(actor, Action.PATIENT_SEARCH, mode=Mode.READ) as session:
            rows = session.scalars(
                select(GpPractice).where(GpPractice.deleted.is_(False)).order_by(GpPractice.name)
            ).all()
        return [PracticeSummary(p.id, p.ods_code, p.name, p.postcode) for p in rows]

    def register(self, actor: CurrentUser, data: PatientInput) -> PatientRecord:
        """Register a new patient after checking every field.

        Raises:
            FormErrors: one ValidationError per bad field.
            Conflict: ``patient.duplicate_nhs_number`` when the NHS number is already used.
        """
        errors = check.Collector()
        today = self._context.today()
        number = None
        if data.nhs_number.strip():
            number = errors.check(lambda: nhs_number.normalise(data.nhs_number))
        given = errors.check(lambda: normalise_name(data.given_name, "given_name"))
        family = errors.check(lambda: normalise_name(data.family_name, "family_name"))
        born = errors.check(lambda: parse_date(data.date_of_birth, "date_of_birth"))
        if born is not None:
            errors.check(lambda: validate_date_of_birth(born, today))
        sex = errors.check(
            lambda: check.code_in("person_stated_gender", data.sex, "sex", required=True)
        )
        ethnicity = errors.check(
            lambda: check.code_in(
                "ethnic_category", data.ethnicity or "99", "ethnicity", required=True
            )
        )
        title = errors.check(lambda: check.optional_text(data.title, "title", 20))
        address = errors.check(lambda: check.optional_text(data.address, "address", 500))
        postcode = None
        if data.postcode.strip():
            postcode = errors.check(lambda: validate_postcode(data.postcode))
        phone = errors.check(lambda: check.phone(data.phone))
        email = errors.check(lambda: check.email(data.email))
        contact = errors.check(
            lambda: check.code_in(
                "preferred_contact_method",
                data.preferred_contact_method,
                "preferred_contact_method",
                required=False,
            )
        )
        language = None
        if data.interpreter_needed:
            language = errors.check(
                lambda: check.code_in(
                    "interpreter_language",
                    data.interpreter_language,
                    "interpreter_language",
                    required=True,
                )
            )
        needs_list = code_list("accessible_information_need").codes_set()
        needs = [code for code in data.accessible_information_needs if code]
        if any(code not in needs_list for code in needs):
            errors.add("code.unknown", "accessible_information_needs")
        if contact == "email" and email is None:
            errors.add("email.required_for_contact", "email")
        alerts = [(kind, text.strip()) for kind, text in data.alerts if text.strip()]
        if any(len(text) > 500 for _, text in alerts):
            errors.add("text.too_long", "alerts", max_length=500)
        practice_id = self._practice_id(data.gp_practice_id, errors)
        errors.raise_if_any()

        with self._uow(actor, Action.PATIENT_REGISTER) as session:
            if practice_id is not None and session.get(GpPractice, practice_id) is None:
                raise ValidationError("gp_practice.unknown", field="gp_practice_id")
            if number is not None and session.scalar(
                select(Patient.id).where(Patient.nhs_number == number)
            ):
                raise Conflict("patient.duplicate_nhs_number", field="nhs_number")
            patient = Patient(
                nhs_number=number,
                title=title,
                given_name=given or "",
                family_name=family or "",
                date_of_birth=born or date.min,
                sex=sex or "",
                ethnicity=ethnicity or "99",
                address=address,
                postcode=postcode,
                phone=phone,
                email=email,
                gp_practice_id=practice_id,
                preferred_contact_method=contact,
                interpreter_needed=data.interpreter_needed,
                interpreter_language=language,
                accessible_information_needs=sorted(set(needs)),
            )
            session.add(patient)
            session.flush()
            for kind, text in alerts:
                session.add(PatientAlert(patient_id=patient.id, kind=kind, text=text))
            self._uow.audit(
                session,
                actor,
                "patient.register",
                patient_id=patient.id,
                entity="patient",
                entity_id=patient.id,
            )
            session.flush()
            loaded = session.scalars(
                select(Patient)
                .where(Patient.id == patient.id)
                .options(joinedload(Patient.gp_practice), selectinload(Patient.alerts))
                .execution_options(populate_existing=True)
            ).one()
            return self._record(loaded, [])

    @staticmethod
    def _practice_id(value: str, errors: check.Collector) -> uuid.UUID | None:
        if not value.strip():
            return None
        try:
            return uuid.UUID(value.strip())
        except ValueError:
            errors.add("gp_practice.unknown", "gp_practice_id")
            return None

    def _record(
        self,
        patient: Patient,
        referrals: list[Referral],
        episodes: list[EpisodeSummary] | None = None,
    ) -> PatientRecord:
        sexes = code_list("person_stated_gender")
        ethnicities = code_list("ethnic_category")
        contacts = code_list("preferred_contact_method")
        languages = code_list("interpreter_language")
        needs = code_list("accessible_information_need")
        practice = patient.gp_practice
        return PatientRecord(
            id=patient.id,
            nhs_number=patient.nhs_number,
            title=patient.title,
            given_name=patient.given_name,
            family_name=patient.family_name,
            date_of_birth=patient.date_of_birth,
            age=age_on(patient.date_of_birth, self._context.today()),
            sex=patient.sex,
            sex_label=sexes.label_for(patient.sex) or patient.sex,
            ethnicity=patient.ethnicity,
            ethnicity_label=ethnicities.label_for(patient.ethnicity) or patient.ethnicity,
            address=patient.address,
            postcode=patient.postcode,
            phone=patient.phone,
            email=patient.email,
            gp_practice=(
                PracticeSummary(practice.id, practice.ods_code, practice.name, practice.postcode)
                if practice
                else None
            ),
            preferred_contact_method=patient.preferred_contact_method,
            preferred_contact_label=(
                contacts.label_for(patient.preferred_contact_method)
                if patient.preferred_contact_method
                else None
            ),
            interpreter_needed=patient.interpreter_needed,
            interpreter_language=patient.interpreter_language,
            interpreter_language_label=(
                languages.label_for(patient.interpreter_language)
                if patient.interpreter_language
                else None
            ),
            accessible_information_needs=tuple(
                Choice(code, needs.label_for(code) or code)
                for code in patient.accessible_information_needs
            ),
            alerts=tuple(
                AlertView(alert.id, alert.kind, alert.text)
                for alert in patient.alerts
                if alert.active and not alert.deleted
            ),
            referrals=tuple(referral_summary(r) for r in referrals),
            row_version=patient.row_version,
            updated_at=patient.updated_at,
            episodes=tuple(episodes or ()),
        )
