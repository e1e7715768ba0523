"""Red-flag screening: which screens to offer, recording answers, and the action each needs."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping

from sqlalchemy import select

from clinic_app.domains.red_flags.content import red_flag_screen, screens_for
from clinic_app.domains.red_flags.model import RedFlagResolution, RedFlagScreening
from clinic_app.domains.red_flags.rules import (
    Answer,
    RecordedAction,
    RedFlagScreen,
    ScreenResult,
    check_resolution,
    evaluate,
)
from clinic_app.domains.red_flags.views import ResolutionView, ScreeningView
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import Conflict, NotFound, ValidationError
from clinic_app.kernel.security.permissions import Action, require
from clinic_app.kernel.session import ClinicSession
from clinic_app.kernel.uow import Context, Mode, UnitOfWork, recorded_by
from clinic_app.people.demographics import age_on
from clinic_app.people.episodes import episode_for
from clinic_app.people.model import Patient

REASON_MAX = 4000


def _resolution_view(row: RedFlagResolution) -> ResolutionView:
    return ResolutionView(
        id=row.id,
        action=RecordedAction(row.action),
        reason=row.reason,
        recorded_at=row.recorded_at or row.created_at,
        recorded_by=row.recorded_by,
    )


def screening_view(
    row: RedFlagScreening, resolution: RedFlagResolution | None = None
) -> ScreeningView:
    """The read model of a stored screening (and its resolution, if one is recorded)."""
    try:
        title = red_flag_screen(row.screen_id).title
    except NotFound:
        title = row.screen_id
    return ScreeningView(
        id=row.id,
        patient_id=row.patient_id,
        screen_id=row.screen_id,
        screen_title=title,
        screen_version=row.screen_version,
        answers=dict(row.answers),
        level=row.level,
        fired_rules=tuple(row.fired_rules),
        needs_action=row.needs_action,
        accepted_actions=frozenset(RecordedAction(a) for a in row.accepted_actions),
        recorded_at=row.recorded_at or row.created_at,
        recorded_by=row.recorded_by,
        resolution=_resolution_view(resolution) if resolution is not None else None,
    )


def _patient(session: ClinicSession, patient_id: uuid.UUID) -> Patient:
    patient = session.get(Patient, patient_id)
    if patient is None or patient.deleted:
        raise NotFound("patient.not_found")
    return patient


class RedFlagService:
    """Red-flag screens as answered, kept until every positive one has a recorded action."""

    def __init__(self, context: Context) -> None:
        self._context = context
        self._uow = UnitOfWork(context)

    def _age(self, patient: Patient) -> int | None:
        today = self._context.today()
        return age_on(patient.date_of_birth, today) if patient.date_of_birth <= today else None

    def screens_for(
        self, actor: CurrentUser, patient_id: uuid.UUID, regions: Iterable[str]
    ) -> tuple[RedFlagScreen, ...]:
        """The screens to offer this patient for a complaint in these body regions.

        Raises:
            ValidationError: ``red_flags.unknown_region`` (field ``regions``).
            NotFound: ``patient.not_found``.
        """
        with self._uow(actor, Action.RED_FLAG_SCREEN, mode=Mode.READ) as session:
            age = self._age(_patient(session, patient_id))
        return screens_for(regions, age)

    def record(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        screen_id: str,
        answers: Mapping[str, str],
        *,
        episode_id: uuid.UUID | None = None,
        assessment_id: uuid.UUID | None = None,
    ) -> ScreeningView:
        """Evaluate a screen's answers and store them with the result.

        A question left out is recorded as not asked, which never reads as no.

        Raises:
            NotFound: ``patient.not_found`` or ``content.unknown_screen``.
            ValidationError: ``red_flags.unknown_question`` or ``red_flags.bad_answer``.
        """
        screen = red_flag_screen(screen_id)
        with self._uow(actor, Action.RED_FLAG_SCREEN) as session:
            patient = _patient(session, patient_id)
            age = self._age(patient)
            result = evaluate(screen, answers, age=age)  # type: ignore[arg-type]
            recorded = {
                code: Answer(answers.get(code, Answer.NOT_ASKED)).value
                for code in screen.question_codes
            }
            row = RedFlagScreening(
                patient_id=patient.id,
                episode_id=episode_for(session, patient.id, episode_id),
                assessment_id=assessment_id,
                screen_id=screen.screen_id,
                screen_version=screen.version,
                answers=recorded,
                patient_age=age,
                level=result.level,
                fired_rules=list(result.fired),
                needs_action=result.needs_resolution,
                accepted_actions=sorted(a.value for a in result.accepted_actions),
                recorded_at=utcnow(),
                recorded_by=recorded_by(actor),
            )
            session.add(row)
            session.flush()
            self._uow.audit(
                session,
                actor,
                "red_flag.record",
                patient_id=patient.id,
                entity="red_flag_screening",
                entity_id=row.id,
            )
            return screening_view(row)

    def resolve(
        self,
        actor: CurrentUser,
        screening_id: uuid.UUID,
        action: RecordedAction | str,
        reason: str | None = None,
    ) -> ScreeningView:
        """Record the action taken for a positive screen, or a clinician's reasoned override.

        Raises:
            PermissionDenied: an override by a role without ``red_flag.override``.
            NotFound: ``red_flag.screening_not_found``.
            Conflict: ``red_flag.already_resolved``.
            ValidationError: as ``clinical.red_flags.check_resolution`` (unknown action,
                action not accepted, nothing to resolve, override reason missing or short).
        """
        if str(action) == RecordedAction.CLINICIAN_OVERRIDE.value:
            require(actor.role, Action.RED_FLAG_OVERRIDE)
        text = " ".join((reason or "").split()) or None
        if text is not None and len(text) > REASON_MAX:
            raise ValidationError("text.too_long", field="reason", max_length=REASON_MAX)
        with self._uow(actor, Action.RED_FLAG_SCREEN) as session:
            row = session.get(RedFlagScreening, screening_id)
            if row is None or row.deleted:
                raise NotFound("red_flag.screening_not_found")
            if self._resolution(session, row.id) is not None:
                raise Conflict("red_flag.already_resolved")
            check_resolution(_stored_result(row), action, text)
            resolution = RedFlagResolution(
                screening_id=row.id,
                action=RecordedAction(action).value,
                reason=text,
                recorded_at=utcnow(),
                recorded_by=recorded_by(actor),
            )
            session.add(resolution)
            session.flush()
            self._uow.audit(
                session,
                actor,
                "red_flag.resolve",
                patient_id=row.patient_id,
                entity="red_flag_resolution",
                entity_id=resolution.id,
            )
            return screening_view(row, resolution)

    def unresolved(self, actor: CurrentUser, patient_id: uuid.UUID) -> list[ScreeningView]:
        """Positive screens of a patient with no recorded action yet, oldest first.

        While this list is not empty the record's banner stays up.
        """
        with self._uow(actor, Action.RED_FLAG_SCREEN) as session:
            resolved = select(RedFlagResolution.screening_id).where(
                RedFlagResolution.deleted.is_(False)
            )
            rows = session.scalars(
                select(RedFlagScreening)
                .where(
                    RedFlagScreening.patient_id == patient_id,
                    RedFlagScreening.needs_action.is_(True),
                    RedFlagScreening.deleted.is_(False),
                    RedFlagScreening.id.not_in(resolved),
                )
                .order_by(RedFlagScreening.recorded_at, RedFlagScreening.id)
            ).all()
            self._uow.audit(
                session, actor, "red_flag.unresolved", patient_id=patient_id, entity="patient"
            )
            return [screening_view(row) for row in rows]

    def safety_net_card(
        self, actor: CurrentUser, patient_id: uuid.UUID, screen_id: str = "cauda_equina"
    ) -> bytes:
        """The screen's safety-net card for this patient, as a PDF to print or hand over.

        Raises:
            NotFound: ``red_flags.no_card`` when the screen has no card, or the patient is
                unknown.
        """
        screen = red_flag_screen(screen_id)
        if screen.safety_net_card is None:
            raise NotFound("red_flags.no_card", screen=screen_id)
        with self._uow(actor, Action.RED_FLAG_SCREEN) as session:
            patient = session.get(Patient, patient_id)
            if patient is None or patient.deleted:
                raise NotFound("patient.not_found")
            name = " ".join(part for part in (patient.given_name, patient.family_name) if part)
            self._uow.audit(
                session,
                actor,
                "document.safety_net_card",
                patient_id=patient_id,
                entity="patient",
                entity_id=patient_id,
            )
        # reportlab loads when a card is first printed, not with the app.
        from clinic_app.domains.red_flags.pdf import CardDetails, safety_net_card_pdf  # noqa: PLC0415

        details = CardDetails(
            patient_name=name, given_on=self._context.today(), clinic_name=actor.site_name
        )
        return safety_net_card_pdf(screen.safety_net_card, details)

    @staticmethod
    def _resolution(session: ClinicSession, screening_id: uuid.UUID) -> RedFlagResolution | None:
        return session.scalars(
            select(RedFlagResolution)
            .where(
                RedFlagResolution.screening_id == screening_id,
                RedFlagResolution.deleted.is_(False),
            )
            .limit(1)
        ).first()


def _stored_result(row: RedFlagScreening) -> ScreenResult:
    """The result as it was shown when recorded, enough to check a resolution against."""
    return ScreenResult(
        screen_id=row.screen_id,
        level=row.level,
        rules=(),
        actions=(),
        unanswered=(),
        hard_stops=frozenset(),
        needs_resolution=row.needs_action,
        accepted_actions=frozenset(RecordedAction(a) for a in row.accepted_actions),
    )
