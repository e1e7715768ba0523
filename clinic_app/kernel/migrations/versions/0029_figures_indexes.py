"""figures: indexes the service's figures read a month and an episode's questionnaires by

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-05 18:40:00.000000
"""

from __future__ import annotations

from alembic import op


revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

#: (table, index, columns): each index's name as the models declare it.
INDEXES = (
    (
        "questionnaire_response",
        "ix_questionnaire_response_episode_questionnaire",
        ["episode_id", "questionnaire_id", "timepoint"],
    ),
    ("referral", "ix_referral_received_on", ["received_on"]),
    ("episode_of_care", "ix_episode_of_care_started_on", ["started_on"]),
    ("episode_of_care", "ix_episode_of_care_ended_on", ["ended_on"]),
    # A month of care contacts, questionnaire responses and onward referrals, read by the
    # timestamp itself (a statement taking the month as a range of that column).
    ("care_contact", "ix_care_contact_starts_at", ["starts_at"]),
    ("questionnaire_response", "ix_questionnaire_response_recorded_at", ["recorded_at"]),
    ("triage_decision", "ix_triage_decision_decided_at", ["decided_at"]),
)


def upgrade() -> None:
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    for table, name, _columns in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
