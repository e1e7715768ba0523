"""Red-flag screening: which screens to offer, recording answers, and the action each needs."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from sqlalchemy import select

from clinic_app.domains.red_flags.content import ALL_SCREENS, red_flag_screen, screens_for
from clinic_app.domains.red_flags.model import RedFlagAction, RedFlagResolution, RedFlagScreening
from clinic_app.domains.red_flags.rules import (
    Answer,
    Level,
    RecordedAction,
    RedFlagScreen,
    RuleAction,
    RuleStatus,
    ScreenResult,
    check_resolution,
    compose_screening,
    evaluate,
    evaluate_screening,
    recorded_result,
    stored_answers,
    stored_outcome,
)
from clinic_app.domains.red_flags.views import (
    ACTION_SPECS,
    RESOLVES_AS,
    ActionDetail,
    ActionKind,
    ActionStatus,
    AwaitingAction,
    DetailKind,
    EarlierAnswer,
    RecordedScreening,
    RedFlagActionView,
    ResolutionView,
    ScreeningView,
    ScreeningVisit,
    action_kinds_for,
)
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import Conflict, NotFound, ValidationError
from clinic_app.kernel.security.permissions import Action, require
from clinic_app.kernel.session import ClinicSession
from clinic_app.kernel.uow import Context, Mode, UnitOfWork, recorded_by
from clinic_app.kernel.validation import Collector
from clinic_app.kernel.vocabulary import AlertKind
from clinic_app.people.demographics import age_on
from clinic_app.people.duplicates import identities_of, same_patient
from clinic_app.people.episodes import episode_for
from clinic_app.people.model import Patient, PatientAlert
from clinic_app.people.nhs_number import format_nhs_number

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
        episode_id=row.episode_id,
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
            recorded = stored_answers(screen, answers)
            row = RedFlagScreening(
                patient_id=patient.id,
                episode_id=episode_for(session, patient.id, episode_id),
                assessment_id=assessment_id,
                screen_id=screen.screen_id,
                screen_version=screen.version,
                answers=recorded,
                patient_age=age,
                **stored_outcome(result),
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

    def open_screening(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        regions: Iterable[str],
        *,
        episode_id: uuid.UUID | None = None,
    ) -> ScreeningVisit:
        """What one screening of this patient starts from: screens, and answers already given.

        Answers recorded earlier in the same visit (this patient, the clinic's today, the
        same episode) are returned so a shared question is offered, not asked again.

        Raises:
            ValidationError: ``red_flags.unknown_region`` (field ``regions``).
            NotFound: ``patient.not_found``; ``episode.not_found`` for another patient's
                episode.
        """
        wanted = tuple(regions)
        with self._uow(actor, Action.RED_FLAG_SCREEN, mode=Mode.AUDITED_READ) as session:
            patient = _patient(session, patient_id)
            age = self._age(patient)
            episode = episode_for(session, patient.id, episode_id)
            rows = self._visit_rows(session, patient.id, episode)
            earlier = {row.screen_id: row for row in rows}  # oldest first: the latest wins
            views = tuple(
                screening_view(row, self._resolution(session, row.id)) for row in earlier.values()
            )
            self._uow.audit(
                session, actor, "red_flag.open_screening", patient_id=patient.id, entity="patient"
            )
        answers: dict[str, EarlierAnswer] = {}
        for row in rows:
            for code, value in row.answers.items():
                if value in (Answer.YES.value, Answer.NO.value):
                    answers[code] = EarlierAnswer(
                        value, row.recorded_at or row.created_at, row.screen_id
                    )
        return ScreeningVisit(
            patient_id=patient_id,
            age=age,
            episode_id=episode,
            screens=tuple(red_flag_screen(screen_id) for screen_id in ALL_SCREENS),
            suggested=tuple(screen.screen_id for screen in screens_for(wanted, age)),
            earlier_answers=answers,
            earlier=views,
        )

    def record_screening(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        screen_ids: Iterable[str],
        answers: Mapping[str, str],
        *,
        episode_id: uuid.UUID | None = None,
    ) -> RecordedScreening:
        """Record one screening: one set of answers, evaluated for every screen, all at once.

        Each shared question is answered once and reaches every screen that asks it. The
        outcome of each screen is worked out here from the answers, never taken from the
        caller; a row per screen is stored (as :meth:`record` stores one) in one unit of
        work, so either every screen is recorded or none is. A question left out is
        recorded as not asked.

        Raises:
            NotFound: ``patient.not_found``, ``content.unknown_screen``, or
                ``episode.not_found`` for an episode that is not this patient's.
            ValidationError: ``red_flags.no_screens``; ``red_flags.unknown_question`` (for
                any key that is not a question of these screens); ``red_flags.bad_answer``.
        """
        composed = compose_screening(red_flag_screen(screen_id) for screen_id in screen_ids)
        unknown = sorted(set(answers) - set(composed.asked_by))
        if unknown:
            raise ValidationError("red_flags.unknown_question", field=unknown[0], screen="")
        given: dict[str, Answer] = {}
        for code, value in answers.items():
            try:
                given[code] = Answer(value)
            except ValueError as error:
                raise ValidationError("red_flags.bad_answer", field=code) from error
        with self._uow(actor, Action.RED_FLAG_SCREEN) as session:
            patient = _patient(session, patient_id)
            age = self._age(patient)
            results = evaluate_screening(composed, given, age=age)
            episode = episode_for(session, patient.id, episode_id)
            now = utcnow()
            rows: list[RedFlagScreening] = []
            missing: dict[str, tuple[str, ...]] = {}
            for screen, result in zip(composed.screens, results, strict=True):
                rows.append(
                    RedFlagScreening(
                        patient_id=patient.id,
                        episode_id=episode,
                        screen_id=screen.screen_id,
                        screen_version=screen.version,
                        answers=stored_answers(screen, given),
                        patient_age=age,
                        **stored_outcome(result),
                        recorded_at=now,
                        recorded_by=recorded_by(actor),
                    )
                )
                if result.level is Level.INCOMPLETE:
                    missing[screen.screen_id] = tuple(
                        dict.fromkeys(
                            code
                            for rule in result.rules
                            if rule.status is RuleStatus.OPEN
                            for code in rule.waiting_on
                        )
                    )
            session.add_all(rows)
            session.flush()
            for row in rows:
                self._uow.audit(
                    session,
                    actor,
                    "red_flag.record",
                    patient_id=patient.id,
                    entity="red_flag_screening",
                    entity_id=row.id,
                )
            return RecordedScreening(
                patient_id=patient.id,
                screenings=tuple(screening_view(row) for row in rows),
                missing=missing,
            )

    def _visit_rows(
        self, session: ClinicSession, patient_id: uuid.UUID, episode_id: uuid.UUID | None
    ) -> list[RedFlagScreening]:
        """This visit's screenings of a patient, oldest first: today, in this episode."""
        today = self._context.today()
        since = utcnow() - timedelta(days=2)
        rows = session.scalars(
            select(RedFlagScreening)
            .where(
                RedFlagScreening.patient_id == patient_id,
                RedFlagScreening.deleted.is_(False),
                RedFlagScreening.recorded_at >= since,
            )
            .order_by(RedFlagScreening.recorded_at, RedFlagScreening.id)
        ).all()
        return [
            row
            for row in rows
            if row.episode_id == episode_id
            and row.recorded_at is not None
            and row.recorded_at.astimezone().date() == today
        ]

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

        While this list is not empty the record's banner stays up. A registration since merged
        into the patient's record counts as theirs: its screens are listed too.
        """
        with self._uow(actor, Action.RED_FLAG_SCREEN) as session:
            resolved = select(RedFlagResolution.screening_id).where(
                RedFlagResolution.deleted.is_(False)
            )
            rows = session.scalars(
                select(RedFlagScreening)
                .where(
                    RedFlagScreening.patient_id.in_(identities_of(session, patient_id)),
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
            number = format_nhs_number(patient.nhs_number) if patient.nhs_number else None
            born = patient.date_of_birth
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
            patient_name=name,
            given_on=self._context.today(),
            clinic_name=actor.site_name,
            nhs_number=number,
            date_of_birth=born,
        )
        return safety_net_card_pdf(screen.safety_net_card, details)

    # ------------------------------------------------------------------ actions

    def awaiting_action(self, actor: CurrentUser, patient_id: uuid.UUID) -> list[AwaitingAction]:
        """Non-clear screenings of this patient with no action recorded yet, oldest first.

        Those of a registration since merged into the patient's record are the patient's
        too. A screening already answered by a clinician's override is not waiting. Each comes
        with the actions its fired rules ask for (from the screen's content) and the kinds of
        action that answer it.

        Raises:
            NotFound: ``patient.not_found``.
        """
        with self._uow(actor, Action.RED_FLAG_SCREEN, mode=Mode.AUDITED_READ) as session:
            _patient(session, patient_id)
            acted = select(RedFlagAction.screening_id).where(RedFlagAction.deleted.is_(False))
            overridden = select(RedFlagResolution.screening_id).where(
                RedFlagResolution.deleted.is_(False),
                RedFlagResolution.action == RecordedAction.CLINICIAN_OVERRIDE.value,
            )
            rows = session.scalars(
                select(RedFlagScreening)
                .where(
                    RedFlagScreening.patient_id.in_(identities_of(session, patient_id)),
                    RedFlagScreening.deleted.is_(False),
                    RedFlagScreening.id.not_in(acted),
                    RedFlagScreening.id.not_in(overridden),
                )
                .order_by(RedFlagScreening.recorded_at, RedFlagScreening.id)
            ).all()
            self._uow.audit(
                session, actor, "red_flag.awaiting_action", patient_id=patient_id, entity="patient"
            )
            waiting = [_awaiting(row) for row in rows]
        return [item for item in waiting if item.kinds]

    def record_action(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        screening_id: uuid.UUID,
        kind: ActionKind | str,
        details: Mapping[str, str],
    ) -> RedFlagActionView:
        """Record the action taken for a non-clear screening, with the details its kind needs.

        The action names ``patient_id``, and the screening must be that patient's: an action
        typed while one patient was open can never land on another. Unless its kind is done
        when recorded (a safety net given), it stays outstanding, with an active clinical
        alert on the patient's banner, until :meth:`mark_action_done`. Where the screen's
        rules ask for a resolution, the action records it too.

        Raises:
            NotFound: ``patient.not_found`` or ``red_flag.screening_not_found``.
            Conflict: ``red_flags.action_wrong_patient`` when the screening is another
                patient's.
            ValidationError: ``red_flags.unknown_action_kind`` or
                ``red_flags.action_kind_not_offered`` (field ``kind``).
            FormErrors: one error per bad detail (``red_flags.action_detail_required``,
                ``red_flags.action_bad_choice``, ``red_flags.action_bad_date``,
                ``red_flags.action_date_past``, ``red_flags.action_unknown_detail``,
                ``text.too_long``; field: the detail's key).
        """
        try:
            action_kind = ActionKind(kind)
        except ValueError as error:
            raise ValidationError("red_flags.unknown_action_kind", field="kind") from error
        spec = ACTION_SPECS[action_kind]
        with self._uow(actor, Action.RED_FLAG_SCREEN) as session:
            patient = _patient(session, patient_id)
            screening = self._patients_screening(session, patient.id, screening_id)
            if action_kind not in _kinds(screening):
                raise ValidationError(
                    "red_flags.action_kind_not_offered", field="kind", kind=action_kind.value
                )
            clean = check_details(action_kind, details, today=self._context.today())
            now = utcnow()
            row = RedFlagAction(
                patient_id=patient.id,
                screening_id=screening.id,
                kind=action_kind.value,
                details=clean,
                status=(
                    ActionStatus.DONE if spec.done_when_recorded else ActionStatus.OUTSTANDING
                ).value,
                recorded_at=now,
                recorded_by=recorded_by(actor),
                done_at=now if spec.done_when_recorded else None,
                done_by=recorded_by(actor) if spec.done_when_recorded else None,
            )
            if not spec.done_when_recorded:
                alert = PatientAlert(
                    patient_id=patient.id,
                    kind=AlertKind.CLINICAL,
                    text=_alert_text(screening, action_kind, clean),
                )
                session.add(alert)
                session.flush()
                row.alert_id = alert.id
            session.add(row)
            self._resolve_by_action(session, actor, screening, action_kind)
            session.flush()
            self._uow.audit(
                session,
                actor,
                "red_flag.action_record",
                patient_id=patient.id,
                entity="red_flag_action",
                entity_id=row.id,
            )
            return _action_view(row, screening)

    def mark_action_done(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        action_id: uuid.UUID,
        note: str | None = None,
    ) -> RedFlagActionView:
        """Record that an outstanding action is done; its alert leaves the banner.

        Raises:
            NotFound: ``red_flags.action_not_found``.
            Conflict: ``red_flags.action_wrong_patient``; ``red_flags.action_already_done``.
            ValidationError: ``text.too_long`` (field ``note``).
        """
        text = " ".join((note or "").split()) or None
        if text is not None and len(text) > REASON_MAX:
            raise ValidationError("text.too_long", field="note", max_length=REASON_MAX)
        with self._uow(actor, Action.RED_FLAG_SCREEN) as session:
            row = session.get(RedFlagAction, action_id)
            if row is None or row.deleted:
                raise NotFound("red_flags.action_not_found")
            if not same_patient(session, row.patient_id, patient_id):
                raise Conflict("red_flags.action_wrong_patient")
            if row.status == ActionStatus.DONE.value:
                raise Conflict("red_flags.action_already_done")
            row.status = ActionStatus.DONE.value
            row.done_at = utcnow()
            row.done_by = recorded_by(actor)
            row.done_note = text
            # The action's change is queued before its alert's: the server takes an alert
            # off the banner only once the action tying it is done.
            session.flush()
            if row.alert_id is not None:
                alert = session.get(PatientAlert, row.alert_id)
                if alert is not None and alert.active:
                    alert.active = False
            session.flush()
            self._uow.audit(
                session,
                actor,
                "red_flag.action_done",
                patient_id=row.patient_id,
                entity="red_flag_action",
                entity_id=row.id,
            )
            screening = session.get(RedFlagScreening, row.screening_id)
            return _action_view(row, screening)

    def actions(
        self, actor: CurrentUser, patient_id: uuid.UUID, *, outstanding_only: bool = False
    ) -> list[RedFlagActionView]:
        """The red-flag actions recorded for a patient, oldest first.

        Raises:
            NotFound: ``patient.not_found``.
        """
        with self._uow(actor, Action.RED_FLAG_SCREEN, mode=Mode.AUDITED_READ) as session:
            _patient(session, patient_id)
            query = (
                select(RedFlagAction, RedFlagScreening)
                .join(RedFlagScreening, RedFlagScreening.id == RedFlagAction.screening_id)
                .where(
                    RedFlagAction.patient_id.in_(identities_of(session, patient_id)),
                    RedFlagAction.deleted.is_(False),
                )
                .order_by(RedFlagAction.recorded_at, RedFlagAction.id)
            )
            if outstanding_only:
                query = query.where(RedFlagAction.status == ActionStatus.OUTSTANDING.value)
            rows = session.execute(query).all()
            self._uow.audit(
                session, actor, "red_flag.actions", patient_id=patient_id, entity="patient"
            )
            return [_action_view(action, screening) for action, screening in rows]

    def screenings(self, actor: CurrentUser, patient_id: uuid.UUID) -> list[ScreeningView]:
        """Every red-flag screening of a patient, oldest first, each with its resolution.

        Raises:
            NotFound: ``patient.not_found``.
        """
        with self._uow(actor, Action.RED_FLAG_SCREEN, mode=Mode.AUDITED_READ) as session:
            _patient(session, patient_id)
            rows = session.scalars(
                select(RedFlagScreening)
                .where(
                    RedFlagScreening.patient_id.in_(identities_of(session, patient_id)),
                    RedFlagScreening.deleted.is_(False),
                )
                .order_by(RedFlagScreening.recorded_at, RedFlagScreening.id)
            ).all()
            views = [screening_view(row, self._resolution(session, row.id)) for row in rows]
            self._uow.audit(
                session, actor, "red_flag.screenings", patient_id=patient_id, entity="patient"
            )
            return views

    def summary_pdf(
        self, actor: CurrentUser, patient_id: uuid.UUID, screening_id: uuid.UUID
    ) -> bytes:
        """The printed summary of one screening: its answers, outcome and the actions taken.

        Raises:
            NotFound: ``patient.not_found`` or ``red_flag.screening_not_found``.
            Conflict: ``red_flags.action_wrong_patient``.
        """
        with self._uow(actor, Action.RED_FLAG_SCREEN, mode=Mode.AUDITED_READ) as session:
            patient = _patient(session, patient_id)
            row = self._patients_screening(session, patient.id, screening_id)
            screening = screening_view(row, self._resolution(session, row.id))
            actions = [
                _action_view(action, row)
                for action in session.scalars(
                    select(RedFlagAction)
                    .where(RedFlagAction.screening_id == row.id, RedFlagAction.deleted.is_(False))
                    .order_by(RedFlagAction.recorded_at, RedFlagAction.id)
                )
            ]
            name = " ".join(part for part in (patient.given_name, patient.family_name) if part)
            nhs_number = patient.nhs_number
            born = patient.date_of_birth
            self._uow.audit(
                session,
                actor,
                "document.red_flag_summary",
                patient_id=patient.id,
                entity="red_flag_screening",
                entity_id=row.id,
            )
        try:
            screen = red_flag_screen(screening.screen_id)
        except NotFound:
            screen = None
        # reportlab loads when a summary is first printed, not with the app.
        from clinic_app.domains.red_flags.pdf import SummaryDetails, summary_pdf  # noqa: PLC0415

        return summary_pdf(
            screen,
            screening,
            actions,
            SummaryDetails(
                patient_name=name,
                nhs_number=nhs_number,
                date_of_birth=born,
                printed_on=self._context.today(),
                clinic_name=actor.site_name,
            ),
        )

    @staticmethod
    def _patients_screening(
        session: ClinicSession, patient_id: uuid.UUID, screening_id: uuid.UUID
    ) -> RedFlagScreening:
        row = session.get(RedFlagScreening, screening_id)
        if row is None or row.deleted:
            raise NotFound("red_flag.screening_not_found")
        # A screening of a registration since merged into the patient's record is theirs too.
        if not same_patient(session, row.patient_id, patient_id):
            raise Conflict("red_flags.action_wrong_patient")
        return row

    def _resolve_by_action(
        self,
        session: ClinicSession,
        actor: CurrentUser,
        screening: RedFlagScreening,
        kind: ActionKind,
    ) -> None:
        """Where the screen's rules ask for a resolution, the action is it."""
        if not screening.needs_action or self._resolution(session, screening.id) is not None:
            return
        accepted = set(screening.accepted_actions)
        stands_for = next((a for a in RESOLVES_AS[kind] if a.value in accepted), None)
        if stands_for is None:
            return
        session.add(
            RedFlagResolution(
                screening_id=screening.id,
                action=stands_for.value,
                reason=None,
                recorded_at=utcnow(),
                recorded_by=recorded_by(actor),
            )
        )

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
    return recorded_result(row.screen_id, row.level, row.needs_action, row.accepted_actions)


def offered_kinds(
    screen_id: str, level: Level, fired_rules: Iterable[str], accepted_actions: Iterable[str]
) -> tuple[ActionKind, ...]:
    """The kinds of action that answer a stored screening, from the columns it keeps.

    A routine-watch outcome asks for an action only when one of its fired rules' actions
    prints the safety-net card; a note for later visits needs none.

    Raises:
        ValueError: for an accepted action that is not a :class:`RecordedAction`.
    """
    accepted = frozenset(RecordedAction(a) for a in accepted_actions)
    kinds = action_kinds_for(level, accepted)
    if level is Level.ROUTINE_WATCH and not any(
        action.prints_safety_net_card for action in _fired_actions(screen_id, fired_rules)
    ):
        return ()
    return kinds


def _kinds(row: RedFlagScreening) -> tuple[ActionKind, ...]:
    """The kinds of action that answer a stored screening."""
    return offered_kinds(row.screen_id, row.level, row.fired_rules, row.accepted_actions)


def _fired_actions(screen_id: str, fired_rules: Iterable[str]) -> tuple[RuleAction, ...]:
    try:
        screen = red_flag_screen(screen_id)
    except NotFound:
        return ()
    fired = set(fired_rules)
    return tuple(
        action for rule in screen.rules if rule.rule_id in fired for action in rule.actions
    )


def _awaiting(row: RedFlagScreening) -> AwaitingAction:
    return AwaitingAction(
        screening=screening_view(row),
        required=tuple(action.text for action in _fired_actions(row.screen_id, row.fired_rules)),
        kinds=_kinds(row),
    )


def _action_view(row: RedFlagAction, screening: RedFlagScreening | None) -> RedFlagActionView:
    title = row.kind
    level = Level.INCOMPLETE
    episode_id = None
    if screening is not None:
        level = screening.level
        episode_id = screening.episode_id
        try:
            title = red_flag_screen(screening.screen_id).title
        except NotFound:
            title = screening.screen_id
    return RedFlagActionView(
        id=row.id,
        patient_id=row.patient_id,
        screening_id=row.screening_id,
        screen_title=title,
        level=level,
        kind=ActionKind(row.kind),
        details=dict(row.details),
        status=ActionStatus(row.status),
        recorded_at=row.recorded_at or row.created_at,
        recorded_by=row.recorded_by,
        done_at=row.done_at,
        done_by=row.done_by,
        done_note=row.done_note,
        episode_id=episode_id,
    )


def _alert_text(screening: RedFlagScreening, kind: ActionKind, details: Mapping[str, str]) -> str:
    try:
        title = red_flag_screen(screening.screen_id).title
    except NotFound:
        title = screening.screen_id
    spec = ACTION_SPECS[kind]
    by = f" (by {details['by_date']})" if details.get("by_date") else ""
    text = f"Red flag ({title}): {spec.title.lower()} not yet confirmed done{by}"
    return text[:500]


def _check_detail(detail: ActionDetail, value: str, today: date) -> str | None:
    """One detail, trimmed and checked; None when left empty."""
    text = value.strip() if detail.kind is DetailKind.LONG_TEXT else " ".join(value.split())
    if not text:
        if detail.required:
            raise ValidationError("red_flags.action_detail_required", field=detail.key)
        return None
    if len(text) > detail.max_length:
        raise ValidationError("text.too_long", field=detail.key, max_length=detail.max_length)
    if detail.kind is DetailKind.CHOICE and text not in dict(detail.choices):
        raise ValidationError("red_flags.action_bad_choice", field=detail.key)
    if detail.kind is DetailKind.DATE:
        try:
            when = date.fromisoformat(text)
        except ValueError as error:
            raise ValidationError("red_flags.action_bad_date", field=detail.key) from error
        if when < today:
            raise ValidationError("red_flags.action_date_past", field=detail.key)
        return when.isoformat()
    if detail.kind is DetailKind.DATE_TIME:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError as error:
            raise ValidationError("red_flags.action_bad_date", field=detail.key) from error
        return moment.replace(second=0, microsecond=0, tzinfo=None).isoformat(timespec="minutes")
    return text


def check_details(kind: ActionKind, details: Mapping[str, str], *, today: date) -> dict[str, str]:
    """The details of an action of ``kind``, trimmed and checked against what it needs.

    Dates are ``YYYY-MM-DD`` and not before ``today``; times are ``YYYY-MM-DDTHH:MM`` as read
    on the clinic's clock.

    Raises:
        FormErrors: every problem found, one ValidationError per detail.
    """
    spec = ACTION_SPECS[kind]
    errors = Collector()
    known = {detail.key for detail in spec.details}
    for key in sorted(set(details) - known):
        errors.add("red_flags.action_unknown_detail", key)
    clean: dict[str, str] = {}
    for detail in spec.details:
        try:
            value = _check_detail(detail, str(details.get(detail.key) or ""), today)
        except ValidationError as error:
            errors.errors.append(error)
            continue
        if value is not None:
            clean[detail.key] = value
    errors.raise_if_any()
    return clean
