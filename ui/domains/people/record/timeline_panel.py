"""The record's timeline: everything clinical about the patient, by episode, newest first."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clinic_app.kernel.vocabulary import EpisodeStatus
from clinic_app.people.views import EpisodeSummary
from clinic_app.records.timeline import EpisodeTimeline, PatientTimeline, TimelineEntry
from ui.common import formatting
from ui.common.widgets import card, label, set_role

_ENTRY = Qt.ItemDataRole.UserRole
_EPISODE = Qt.ItemDataRole.UserRole + 1
_COLUMNS = 4
#: The widest the when, record and status columns grow, in average characters.
_WIDEST_CHARS = (20, 44, 20)
#: Rows shown before the list scrolls within the page (the page scrolls too).
_VISIBLE_ROWS = (4, 14)


class TimelinePanel(QWidget):
    """A card listing the timeline; opening an entry asks for its screen.

    Signals:
        open_requested(TimelineEntry): open the entry where it is read, continued or added to.
        close_requested(uuid.UUID, str): close (discharge) the episode, with the reason.
        reopen_requested(uuid.UUID, str): reopen the episode, with the reason.
    """

    open_requested = Signal(object)
    close_requested = Signal(object, str)
    reopen_requested = Signal(object, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tree = self._timeline_tree()
        self.empty = label(self.tr("Nothing clinical recorded yet."), "hint")
        self.tree.itemActivated.connect(self._on_item_activated)
        self.tree.currentItemChanged.connect(lambda *_: self._refresh_buttons())
        self.open_button = QPushButton(self.tr("Open"))
        set_role(self.open_button, "", variant="primary")
        self.open_button.clicked.connect(self._on_open_clicked)
        #: The patient and their episodes' states the reason being typed is about.
        self._episodes_shown: tuple[object, ...] | None = None
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("Reason for closing or reopening the episode"))
        self.reason.setAccessibleName(self.tr("Reason for closing or reopening the episode"))
        self.reason.setMaxLength(2000)
        self.reason.textChanged.connect(lambda _text: self._refresh_buttons())
        self.close_button = QPushButton(self.tr("Discharge (close episode)"))
        self.close_button.clicked.connect(lambda: self._on_episode_clicked(close=True))
        self.reopen_button = QPushButton(self.tr("Reopen episode"))
        self.reopen_button.clicked.connect(lambda: self._on_episode_clicked(close=False))
        self.episode_error = label("", "fieldError", wrap=True)
        self.episode_error.setVisible(False)

        panel = card()
        inner = QVBoxLayout(panel)
        inner.setContentsMargins(18, 12, 18, 16)
        inner.setSpacing(10)
        heading = QHBoxLayout()
        heading.addWidget(label(self.tr("Timeline"), "subheading"))
        heading.addWidget(label(self.tr("by episode, newest first"), "hint"))
        heading.addStretch(1)
        heading.addWidget(self.open_button)
        inner.addLayout(heading)
        inner.addWidget(self.empty)
        inner.addWidget(self.tree)
        episode_row = QHBoxLayout()
        episode_row.addWidget(self.reason, 1)
        episode_row.addWidget(self.close_button)
        episode_row.addWidget(self.reopen_button)
        inner.addLayout(episode_row)
        inner.addWidget(self.episode_error)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(panel)
        self.show_timeline(None)

    def _timeline_tree(self) -> QTreeWidget:
        tree = QTreeWidget()
        tree.setObjectName("timeline")
        tree.setAccessibleName(self.tr("Timeline"))
        tree.setColumnCount(_COLUMNS)
        tree.setHeaderLabels(
            [self.tr("When"), self.tr("Record"), self.tr("Status"), self.tr("Details")]
        )
        tree.setRootIsDecorated(False)
        tree.setUniformRowHeights(True)
        tree.setAlternatingRowColors(True)
        tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = tree.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        return tree

    # ------------------------------------------------------------------ showing

    def show_timeline(self, timeline: PatientTimeline | None) -> None:
        """Show ``timeline`` (None: nothing, while loading or with no patient).

        A reason being typed stays while the record is read again (a scan or a sync arriving)
        and its episodes stand as they were; it goes with another patient, or once an episode
        was closed or reopened.
        """
        episodes = _episode_states(timeline)
        if episodes != self._episodes_shown:
            self.reason.clear()
            self.episode_error.setVisible(False)
        self._episodes_shown = episodes
        self.tree.clear()
        groups = timeline.episodes if timeline is not None else ()
        first_entry: QTreeWidgetItem | None = None
        for group in groups:
            top = self._group_item(group)
            self.tree.addTopLevelItem(top)
            top.setFirstColumnSpanned(True)
            top.setExpanded(True)
            if first_entry is None and top.childCount():
                first_entry = top.child(0)
        self.empty.setVisible(timeline is not None and not groups)
        self._fit_columns()
        self._fit_height()
        if first_entry is not None:
            self.tree.setCurrentItem(first_entry)
        self._refresh_buttons()

    def show_episode_problem(self, message: str) -> None:
        self.episode_error.setText(message)
        self.episode_error.setVisible(True)

    def _headings(self) -> list[QTreeWidgetItem]:
        found = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [item for item in found if item is not None]

    @staticmethod
    def _children(top: QTreeWidgetItem) -> list[QTreeWidgetItem]:
        found = (top.child(i) for i in range(top.childCount()))
        return [item for item in found if item is not None]

    def rows(self) -> list[list[str]]:
        """The timeline as a person reads it: episode headings and their entries, in order."""
        shown: list[list[str]] = []
        for top in self._headings():
            shown.append([top.text(0)])
            shown += [
                [item.text(column) for column in range(_COLUMNS)] for item in self._children(top)
            ]
        return shown

    def entries(self) -> list[TimelineEntry]:
        """The entries shown, in order."""
        found = (item.data(0, _ENTRY) for top in self._headings() for item in self._children(top))
        return [entry for entry in found if isinstance(entry, TimelineEntry)]

    def select_entry(self, record_id: uuid.UUID) -> bool:
        """Make the entry of ``record_id`` the current one; False when it is not shown."""
        for top in self._headings():
            for item in self._children(top):
                entry = item.data(0, _ENTRY)
                if isinstance(entry, TimelineEntry) and entry.record_id == record_id:
                    self.tree.setCurrentItem(item)
                    return True
        return False

    def select_episode(self, episode_id: uuid.UUID | None) -> bool:
        """Make the heading of an episode the current row; False when it is not shown."""
        for top in self._headings():
            episode = top.data(0, _EPISODE)
            if isinstance(episode, EpisodeSummary) and episode.id == episode_id:
                self.tree.setCurrentItem(top)
                return True
        return False

    def _group_item(self, group: EpisodeTimeline) -> QTreeWidgetItem:
        top = QTreeWidgetItem([self._episode_words(group.episode)])
        top.setData(0, _EPISODE, group.episode)
        font = top.font(0)
        font.setBold(True)
        top.setFont(0, font)
        top.setFlags(top.flags() & ~Qt.ItemFlag.ItemIsEditable)
        for entry in group.entries:
            detail = self._detail_words(entry)
            item = QTreeWidgetItem(
                [_when_words(entry.when), entry.description, self._status_words(entry), detail]
            )
            item.setData(0, _ENTRY, entry)
            item.setToolTip(1, entry.description)
            item.setToolTip(3, detail)
            top.addChild(item)
        return top

    def _fit_height(self) -> None:
        """Tall enough for its rows, within limits: a short timeline leaves no empty box."""
        rows = self.tree.topLevelItemCount() + sum(
            item.childCount()
            for index in range(self.tree.topLevelItemCount())
            if (item := self.tree.topLevelItem(index)) is not None
        )
        low, high = _VISIBLE_ROWS
        shown = max(low, min(rows, high))
        hinted = self.tree.sizeHintForRow(0)
        row_height = hinted if hinted > 0 else self.tree.fontMetrics().height() + 6
        header = self.tree.header().sizeHint().height()
        self.tree.setFixedHeight(header + row_height * shown + self.tree.frameWidth() * 2 + 4)

    def _fit_columns(self) -> None:
        # The record's name gets the most room; the details take what is left.
        char = self.tree.fontMetrics().averageCharWidth()
        for column, widest in enumerate(_WIDEST_CHARS):
            self.tree.resizeColumnToContents(column)
            self.tree.setColumnWidth(column, min(self.tree.columnWidth(column), widest * char))

    # ------------------------------------------------------------------ words

    def _episode_words(self, episode: EpisodeSummary | None) -> str:
        if episode is None:
            return self.tr("Outside any episode of care")
        pathway = episode.pathway_label or self.tr("Episode")
        started = formatting.clinical_date(episode.started_on)
        if episode.status is EpisodeStatus.OPEN:
            return self.tr("{pathway}: open since {started}").format(
                pathway=pathway, started=started
            )
        ended = formatting.clinical_date(episode.ended_on) if episode.ended_on else ""
        words = self.tr("{pathway}: {started} to {ended}, closed").format(
            pathway=pathway, started=started, ended=ended
        )
        if episode.end_reason:
            words += f" ({episode.end_reason})"
        return words

    def _detail_words(self, entry: TimelineEntry) -> str:
        """A referral's details lead with the priority in force (triage's, once triaged)."""
        if entry.priority and entry.kind == "referral":
            return self.tr("{priority}. {detail}").format(
                priority=self._priority_words(entry.priority).capitalize(), detail=entry.detail
            )
        return entry.detail

    def _priority_words(self, priority: str) -> str:
        words = {
            "routine": self.tr("routine"),
            "priority": self.tr("priority"),
            "urgent": self.tr("urgent"),
        }
        return words.get(priority, priority)

    def _status_words(self, entry: TimelineEntry) -> str:
        words = {
            "draft": self.tr("Draft"),
            "submitted": self.tr("Waiting for review"),
            "returned": self.tr("Returned to its author"),
            "signed": self.tr("Signed"),
            "verified": self.tr("Verified"),
            "recorded": self.tr("Recorded"),
            "received": self.tr("Waiting for triage"),
            "triaged": self.tr("Triaged"),
            "accepted": self.tr("Accepted"),
            "discharged": self.tr("Discharged"),
            "cancelled": self.tr("Cancelled"),
            "open": self.tr("Open"),
            "closed": self.tr("Closed"),
        }
        return words.get(entry.status, entry.status.capitalize())

    def _open_words(self, entry: TimelineEntry | None) -> str:
        if entry is not None and entry.can_continue:
            return self.tr("Continue draft")
        if entry is not None and entry.can_add_to:
            return self.tr("Read or add addendum")
        return self.tr("Open")

    # ------------------------------------------------------------------ input

    def current_entry(self) -> TimelineEntry | None:
        item = self.tree.currentItem()
        entry = item.data(0, _ENTRY) if item is not None else None
        return entry if isinstance(entry, TimelineEntry) else None

    def current_episode(self) -> EpisodeSummary | None:
        """The episode of the current row (its heading or one of its entries)."""
        item = self.tree.currentItem()
        if item is None:
            return None
        top = item.parent() or item
        episode = top.data(0, _EPISODE)
        return episode if isinstance(episode, EpisodeSummary) else None

    def _refresh_buttons(self) -> None:
        entry = self.current_entry()
        self.open_button.setText(self._open_words(entry))
        self.open_button.setEnabled(entry is not None and entry.screen_id is not None)
        episode = self.current_episode()
        reason = bool(self.reason.text().strip())
        self.close_button.setEnabled(
            episode is not None and episode.status is EpisodeStatus.OPEN and reason
        )
        self.reopen_button.setEnabled(
            episode is not None and episode.status is EpisodeStatus.CLOSED and reason
        )

    def _on_item_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        entry = item.data(0, _ENTRY)
        if isinstance(entry, TimelineEntry) and entry.screen_id is not None:
            self.open_requested.emit(entry)

    def _on_open_clicked(self) -> None:
        entry = self.current_entry()
        if entry is not None and entry.screen_id is not None:
            self.open_requested.emit(entry)

    def _on_episode_clicked(self, *, close: bool) -> None:
        episode = self.current_episode()
        reason = self.reason.text().strip()
        if episode is None or not reason:
            return
        self.episode_error.setVisible(False)
        if close:
            self.close_requested.emit(episode.id, reason)
        else:
            self.reopen_requested.emit(episode.id, reason)


def _when_words(moment: datetime) -> str:
    """The date, and the time of day for records made at a moment (not just on a date)."""
    if moment.tzinfo is not None and moment.astimezone(UTC).time() == time.min:
        return formatting.clinical_date(moment.date())
    local = moment.astimezone()
    return f"{formatting.clinical_date(local.date())} {local:%H:%M}"


def _episode_states(timeline: PatientTimeline | None) -> tuple[object, ...] | None:
    """Whose timeline it is and each episode's state (None: no timeline)."""
    if timeline is None:
        return None
    return (
        timeline.patient_id,
        *(
            (group.episode.id, group.episode.status)
            for group in timeline.episodes
            if group.episode is not None
        ),
    )
