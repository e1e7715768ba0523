"""Red-flag screening: the screens offered, the answers recorded, and actions still owed."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from clinic_app.domains.red_flags.rules import BODY_REGIONS, RecordedAction, RedFlagScreen
from clinic_app.domains.red_flags.views import ScreeningView
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import ClinicError
from ui.common import errors
from ui.common.body_chart import red_flag_regions
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner

#: The actions that resolve a positive screen, in the order the banner offers them.
ACTION_ORDER: tuple[RecordedAction, ...] = (
    RecordedAction.SAME_DAY_EMERGENCY_DEPARTMENT,
    RecordedAction.EMERGENCY_REFERRAL,
    RecordedAction.TWO_WEEK_WAIT_REFERRAL,
)


class RedFlagScreening(Protocol):
    """The part of the red-flag service this screen uses."""

    def screens_for(
        self, actor: CurrentUser, patient_id: uuid.UUID, regions: Iterable[str]
    ) -> tuple[RedFlagScreen, ...]: ...

    def record(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        screen_id: str,
        answers: Mapping[str, str],
    ) -> ScreeningView: ...

    def resolve(
        self,
        actor: CurrentUser,
        screening_id: uuid.UUID,
        action: RecordedAction | str,
        reason: str | None = None,
    ) -> ScreeningView: ...

    def unresolved(self, actor: CurrentUser, patient_id: uuid.UUID) -> list[ScreeningView]: ...


@dataclass(frozen=True)
class OwedAction:
    """A positive screen still waiting for a recorded action, as the banner shows it."""

    screening: ScreeningView
    title: str
    required: tuple[str, ...]
    accepted: tuple[RecordedAction, ...]


class RedFlagsViewModel(QObject):
    """Offers screens for the chosen regions; keeps the owed actions until each is recorded."""

    screens_changed = Signal(object)
    recorded = Signal(object)
    owed_changed = Signal(object)
    resolved = Signal(object)
    resolve_failed = Signal(str, str)
    problem = Signal(str)
    busy_changed = Signal(bool)

    def __init__(
        self,
        red_flags: RedFlagScreening,
        *,
        runner: TaskRunner,
        session: UserSession,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = red_flags
        self._runner = runner
        self._session = session
        self._patient_id: uuid.UUID | None = None
        self._catalogue: dict[str, RedFlagScreen] = {}
        self._offered: tuple[RedFlagScreen, ...] = ()
        self._owed: list[OwedAction] = []
        self._busy = False

    @property
    def offered(self) -> tuple[RedFlagScreen, ...]:
        return self._offered

    @property
    def owed(self) -> list[OwedAction]:
        return list(self._owed)

    @property
    def patient_id(self) -> uuid.UUID | None:
        return self._patient_id

    # ------------------------------------------------------------------ commands

    def start(self, patient_id: uuid.UUID, chart_regions: Iterable[str] = ()) -> None:
        """Open the screening of a patient: actions still owed first, then the screens offered.

        ``chart_regions`` are the body chart's region codes (e.g. ``left_knee``).
        """
        actor = self._session.require_user()
        self._patient_id = patient_id
        self._offered = ()
        self._owed = []
        self.screens_changed.emit(self._offered)
        self.owed_changed.emit(self.owed)
        regions = sorted(red_flag_regions(chart_regions))
        if not self._catalogue:
            # Every screen's definition, so an owed action can be described after a restart.
            self._runner.run_store(
                lambda: self._service.screens_for(actor, patient_id, sorted(BODY_REGIONS)),
                on_done=self._on_catalogue_loaded,
                on_failed=self._on_failed,
            )
        self.refresh_owed()
        if regions:
            self._runner.run_store(
                lambda: self._service.screens_for(actor, patient_id, regions),
                on_done=self._on_screens_loaded,
                on_failed=self._on_failed,
                supersede="red_flags.offered",
            )

    def refresh_owed(self) -> None:
        """Ask the store which positive screens of this patient still wait for an action."""
        patient_id = self._patient_id
        if patient_id is None:
            return
        actor = self._session.require_user()
        self._runner.run_store(
            lambda: self._service.unresolved(actor, patient_id),
            on_done=self._on_unresolved_loaded,
            on_failed=self._on_failed,
            supersede="red_flags.unresolved",
        )

    def record(self, screen_id: str, answers: Mapping[str, str]) -> None:
        """Record one screen's answers (a question left out is recorded as not asked)."""
        patient_id = self._patient_id
        if patient_id is None or self._busy:
            return
        actor = self._session.require_user()
        chosen = dict(answers)
        self._set_busy(True)
        self._runner.run_store(
            lambda: self._service.record(actor, patient_id, screen_id, chosen),
            on_done=self._on_recorded,
            on_failed=self._on_record_failed,
        )

    def resolve(
        self, screening_id: uuid.UUID, action: RecordedAction, reason: str | None = None
    ) -> None:
        """Record what was done for a positive screen, or a reasoned clinician override."""
        if self._busy:
            return
        actor = self._session.require_user()
        self._set_busy(True)
        self._runner.run_store(
            lambda: self._service.resolve(actor, screening_id, action, reason),
            on_done=self._on_resolved,
            on_failed=lambda error: self._on_resolve_failed(screening_id, error),
        )

    # ------------------------------------------------------------------ results

    def _owed_action(self, screening: ScreeningView) -> OwedAction:
        screen = self._catalogue.get(screening.screen_id)
        required: list[str] = []
        if screen is not None:
            fired = set(screening.fired_rules)
            required = [
                action.text
                for rule in screen.rules
                if rule.rule_id in fired
                for action in rule.actions
            ]
        accepted = tuple(a for a in ACTION_ORDER if a in screening.accepted_actions)
        return OwedAction(screening, screening.screen_title, tuple(required), accepted)

    def _on_catalogue_loaded(self, screens: tuple[RedFlagScreen, ...]) -> None:
        self._catalogue.update({screen.screen_id: screen for screen in screens})
        if self._owed:
            self._owed = [self._owed_action(item.screening) for item in self._owed]
            self.owed_changed.emit(self.owed)

    def _on_screens_loaded(self, screens: tuple[RedFlagScreen, ...]) -> None:
        self._catalogue.update({screen.screen_id: screen for screen in screens})
        self._offered = tuple(screens)
        self.screens_changed.emit(self._offered)

    def _on_unresolved_loaded(self, screenings: list[ScreeningView]) -> None:
        self._owed = [self._owed_action(screening) for screening in screenings]
        self.owed_changed.emit(self.owed)

    def _on_recorded(self, screening: ScreeningView) -> None:
        self._set_busy(False)
        self.recorded.emit(screening)
        if screening.unresolved:
            self.refresh_owed()

    def _on_record_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.problem.emit(errors.explain(error))

    def _on_resolved(self, screening: ScreeningView) -> None:
        self._set_busy(False)
        self.resolved.emit(screening)
        self.refresh_owed()

    def _on_resolve_failed(self, screening_id: uuid.UUID, error: BaseException) -> None:
        self._set_busy(False)
        self.resolve_failed.emit(str(screening_id), self._resolve_words(error))
        if isinstance(error, ClinicError) and error.code == "red_flag.already_resolved":
            self.refresh_owed()

    def _resolve_words(self, error: BaseException) -> str:
        code = error.code if isinstance(error, ClinicError) else ""
        if code == "red_flags.override_reason_required":
            return self.tr("Give the reason for overriding this red flag.")
        if code == "red_flags.override_reason_too_short":
            minimum = error.params.get("min_length") if isinstance(error, ClinicError) else None
            return self.tr(
                "Give a fuller reason: at least {count} characters, saying why the action "
                "is not needed."
            ).format(count=minimum)
        if code == "red_flags.action_not_accepted":
            return self.tr("That action does not resolve this red flag. Choose another.")
        return errors.explain(error)

    def _on_failed(self, error: BaseException) -> None:
        self.problem.emit(errors.explain(error))

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)
