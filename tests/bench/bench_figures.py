"""The service's figures over a whole integrated care system's years, on PostgreSQL.

A private PostgreSQL server is migrated with the app's migrations and filled by COPY
(``figures_seed``: 1,000,000 referrals, 3,000,000 care contacts and 2,000,000 questionnaire
responses at scale 1, with what they join to). Then, for every measure of
resources/measures and each of its breakdowns (and ``all``), for one month:

- the engine's statement (``clinic_app.figures.engine.figures_statement``), run once to warm
  the cache and then three times, median;
- the bare aggregate: a hand-written COUNT / AVG / median GROUP BY over the same tables,
  rows and month (no engine), timed the same way;
- their ratio, and whether both give the same figures.

The target is at most 2 seconds a statement. A measure whose inputs the app does not record
yet has no statement and is listed as such.

Run: ``python -m tests.bench.bench_figures [--scale 0.01] [--month 2026-03]``;
``--without-figures-indexes`` drops the figures' indexes after seeding (to see their worth),
``--explain`` prints each statement's plan (EXPLAIN ANALYZE, BUFFERS) to stderr.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from clinic_app.domains.triage.working_days import is_working_day
from clinic_app.figures.definitions import measure_file
from clinic_app.figures.engine import Request, figures_statement, next_month
from clinic_app.kernel.store import open_url_store
from tests.bench import figures_seed
from tests.bench.common import private_home
from tests.support.postgres import PostgresServer

#: The indexes migration 0030 adds for the figures (dropped by ``--without-figures-indexes``).
_MSK_HQ_MEASURES = ("msk_hq_paired_rate", "msk_hq_mean_change", "msk_hq_improved")
FIGURES_INDEXES: dict[str, tuple[str, ...]] = {
    "ix_questionnaire_response_episode_questionnaire": (
        "msk_hq_baseline_rate",
        *_MSK_HQ_MEASURES,
    ),
    "ix_referral_received_on": ("triage_within_3_working_days", "onward_referral_rate"),
    "ix_episode_of_care_started_on": ("msk_hq_baseline_rate",),
    "ix_episode_of_care_ended_on": ("discharge_letters_in_time", *_MSK_HQ_MEASURES),
    # These three serve a statement taking the month as a range of the timestamp itself.
    "ix_care_contact_starts_at": ("did_not_attend_rate", "wait_to_first_contact"),
    "ix_questionnaire_response_recorded_at": ("start_back_risk_mix",),
    "ix_triage_decision_decided_at": ("onward_notices_in_time",),
}
TARGET_S = 2.0
RUNS = 3
#: A statement slower than this on its warm run is not run again (its warm time is given).
SLOW_S = 20.0
STATEMENT_TIMEOUT_MS = 120_000

# ---------------------------------------------------------------- the bare statements

_CONDITION = """LEFT JOIN LATERAL (
    SELECT a.content ->> 'diagnosis_code' AS code FROM assessment a
    WHERE a.episode_id = {episode} AND a.status = 'signed' AND NOT a.deleted
      AND coalesce(a.content ->> 'diagnosis_code', '') <> ''
    ORDER BY a.signed_at DESC, a.id DESC LIMIT 1) cond ON true"""
_AGE = "date_part('year', age({day}, p.date_of_birth))::int"


def _utc_day(column: str) -> str:
    return f"(timezone('UTC', {column}))::date"


def _in_month_ts(column: str) -> str:
    return f"{column} >= %(first_ts)s AND {column} < %(end_ts)s"


def _in_month_day(column: str) -> str:
    return f"{column} >= %(first)s AND {column} < %(end)s"


@dataclass(frozen=True)
class Bare:
    """A measure written by hand: its rows, month, breakdown columns and aggregate.

    ``rows`` is FROM ... WHERE (month included, with %(first)s / %(end)s or the timestamps);
    ``day`` is the fact's UTC day; ``numerator`` a condition (a share), ``value`` a number
    (a mean, or the days of a median).
    """

    kind: str
    rows: str
    day: str
    patient: str
    site: str = "NULL::uuid"
    clinician: str = "NULL::uuid"
    episode: str | None = None
    numerator: str = "true"
    value: str = "NULL::float"
    own: dict[str, str] = field(default_factory=dict)

    def key(self, breakdown: str) -> tuple[str, list[str]]:
        """The breakdown's expression and the joins it needs."""
        if breakdown == "condition" and self.episode is not None:
            return "cond.code", [_CONDITION.format(episode=self.episode)]
        age = _AGE.format(day=self.day)
        of_patient = {
            "age_band": f"CASE WHEN {age} >= 90 THEN 90 ELSE ({age} / 5) * 5 END",
            "sex": "p.sex",
            "ethnicity": "p.ethnicity",
            "deprivation": "NULL::int",
        }
        if breakdown in of_patient:
            return of_patient[breakdown], [f"JOIN patient p ON p.id = {self.patient}"]
        standard = {
            "month": f"to_char({self.day}, 'YYYY-MM')",
            "site": self.site,
            "clinician": self.clinician,
        }
        return standard.get(breakdown) or self.own[breakdown], []

    def sql(self, breakdown: str) -> str:
        """The whole statement for a breakdown (``all``: one row)."""
        if self.kind == "median":
            value = f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {self.value})"
        else:
            value = f"avg({self.value})"
        aggregates = (
            f"sum(CASE WHEN {self.numerator} THEN 1 ELSE 0 END) AS numerator, "
            f"count(*) AS denominator, {value} AS value"
        )
        if breakdown == "all":
            return f"SELECT NULL AS key, {aggregates} {self.rows}"
        key, joins = self.key(breakdown)
        rows = self.rows
        if joins:
            cut = _outer_where(rows)
            rows = f"{rows[:cut]} {' '.join(joins)} {rows[cut:]}"
        return f"SELECT {key} AS key, {aggregates} {rows} GROUP BY 1"


def _outer_where(rows: str) -> int:
    """Where the statement's own WHERE starts (not one inside brackets)."""
    depth = 0
    for place, char in enumerate(rows):
        depth += (char == "(") - (char == ")")
        if depth == 0 and rows.startswith(" WHERE ", place):
            return place
    raise ValueError("no WHERE")


_FIRST_TRIAGE = """LEFT JOIN LATERAL (
    SELECT t.decided_at, t.decided_by FROM triage_decision t
    WHERE t.referral_id = r.id AND NOT t.deleted AND t.decided_at IS NOT NULL
    ORDER BY t.decided_at, t.id LIMIT 1) d ON true"""
_ONWARD = """EXISTS (SELECT 1 FROM triage_decision o WHERE o.referral_id = r.id
    AND NOT o.deleted AND o.outcome IN ('onward_referral', 'emergency_onward_referral'))"""
_MSK_HQ = """LEFT JOIN LATERAL (
    SELECT q.total FROM questionnaire_response q
    WHERE q.episode_id = e.id AND NOT q.deleted AND q.complete
      AND q.questionnaire_id = 'msk_hq' AND q.timepoint = '{timepoint}'
    ORDER BY q.recorded_at {order}, q.id LIMIT 1) {alias} ON true"""
_EPISODE_ENDED = (
    "FROM episode_of_care e "
    + _MSK_HQ.format(timepoint="baseline", order="", alias="b")
    + " "
    + _MSK_HQ.format(timepoint="follow_up", order="DESC", alias="f")
    + " WHERE NOT e.deleted AND e.status = 'closed' AND e.ended_on IS NOT NULL AND "
    + _in_month_day("e.ended_on")
)
_EPISODE_COLUMNS = {
    "patient": "e.patient_id",
    "site": "e.site_id",
    "clinician": "e.lead_clinician_id",
}
_INJECTIONS = (
    "FROM injection_record i WHERE i.status = 'signed' AND NOT i.deleted "
    "AND i.signed_at IS NOT NULL AND " + _in_month_ts("i.signed_at")
)
_INJECTION_COLUMNS = {
    "day": _utc_day("i.signed_at"),
    "patient": "i.patient_id",
    "clinician": "i.signed_by",
    "episode": "i.episode_id",
    "own": {"target": "i.target"},
}
_WORKING_DAYS = (
    "(SELECT c2.n FROM bench_calendar c2 WHERE c2.day = {to}) - "
    "(SELECT c1.n FROM bench_calendar c1 WHERE c1.day = {from_})"
)

BARE: dict[str, Bare] = {
    "triage_within_3_working_days": Bare(
        "share",
        f"FROM referral r {_FIRST_TRIAGE} WHERE NOT r.deleted AND "
        + _in_month_day("r.received_on")
        + " AND r.priority IN ('urgent', 'priority')",
        day="r.received_on",
        patient="r.patient_id",
        clinician="d.decided_by",
        numerator=_WORKING_DAYS.format(to=_utc_day("d.decided_at"), from_="r.received_on")
        + " <= 3",
        own={"priority": "r.priority"},
    ),
    "wait_to_first_contact": Bare(
        "median",
        "FROM care_contact c JOIN episode_of_care e ON e.id = c.episode_id "
        "JOIN referral r ON r.id = e.referral_id "
        "WHERE NOT c.deleted AND NOT e.deleted AND NOT r.deleted AND c.outcome = 'attended' "
        "AND " + _in_month_ts("c.starts_at") + " AND c.starts_at <= ("
        "SELECT min(c2.starts_at) FROM care_contact c2 "
        "JOIN episode_of_care e2 ON e2.id = c2.episode_id WHERE e2.referral_id = r.id "
        "AND NOT e2.deleted AND NOT c2.deleted AND c2.outcome = 'attended')",
        day=_utc_day("c.starts_at"),
        patient="c.patient_id",
        site="c.site_id",
        clinician="c.clinician_id",
        episode="c.episode_id",
        value=f"{_utc_day('c.starts_at')} - r.received_on",
        own={"priority": "r.priority"},
    ),
    "did_not_attend_rate": Bare(
        "share",
        "FROM care_contact c WHERE NOT c.deleted AND " + _in_month_ts("c.starts_at"),
        day=_utc_day("c.starts_at"),
        patient="c.patient_id",
        site="c.site_id",
        clinician="c.clinician_id",
        episode="c.episode_id",
        numerator="c.outcome = 'did_not_attend'",
    ),
    "msk_hq_baseline_rate": Bare(
        "share",
        "FROM episode_of_care e WHERE NOT e.deleted AND " + _in_month_day("e.started_on"),
        day="e.started_on",
        **_EPISODE_COLUMNS,
        numerator="EXISTS (SELECT 1 FROM questionnaire_response q WHERE q.episode_id = e.id "
        "AND NOT q.deleted AND q.complete AND q.questionnaire_id = 'msk_hq' "
        "AND q.timepoint = 'baseline' AND q.total IS NOT NULL)",
    ),
    "msk_hq_paired_rate": Bare(
        "share",
        _EPISODE_ENDED + " AND b.total IS NOT NULL",
        day="e.ended_on",
        **_EPISODE_COLUMNS,
        numerator="f.total IS NOT NULL",
    ),
    "msk_hq_mean_change": Bare(
        "mean",
        _EPISODE_ENDED + " AND b.total IS NOT NULL AND f.total IS NOT NULL",
        day="e.ended_on",
        **_EPISODE_COLUMNS,
        value="(f.total - b.total)::float",
    ),
    "msk_hq_improved": Bare(
        "share",
        _EPISODE_ENDED + " AND b.total IS NOT NULL AND f.total IS NOT NULL",
        day="e.ended_on",
        **_EPISODE_COLUMNS,
        numerator="f.total - b.total >= 5.5",
    ),
    "start_back_risk_mix": Bare(
        "count",
        "FROM questionnaire_response q WHERE NOT q.deleted AND q.complete "
        "AND q.recorded_at IS NOT NULL AND q.questionnaire_id = 'start_back' "
        "AND q.timepoint = 'baseline' AND " + _in_month_ts("q.recorded_at"),
        day=_utc_day("q.recorded_at"),
        patient="q.patient_id",
        clinician="q.recorded_by",
        own={"score_group": "q.score_group"},
    ),
    "decision_aid_use": Bare(
        "share",
        "FROM (SELECT i.patient_id, i.signed_at, i.signed_by, i.sdm_record_id "
        + _INJECTIONS
        + " UNION ALL SELECT s.patient_id, s.signed_at, s.signed_by, s.sdm_record_id "
        "FROM eswt_course s WHERE s.status = 'signed' AND NOT s.deleted "
        "AND s.signed_at IS NOT NULL AND " + _in_month_ts("s.signed_at") + ") u WHERE true",
        day=_utc_day("u.signed_at"),
        patient="u.patient_id",
        clinician="u.signed_by",
        numerator="u.sdm_record_id IS NOT NULL",
    ),
    "collaborate_top_box": Bare(
        "share",
        "FROM sdm_records s WHERE s.status = 'signed' AND NOT s.deleted "
        "AND s.signed_at IS NOT NULL AND "
        + _in_month_ts("s.signed_at")
        + " AND (s.collaborate ->> 0) IS NOT NULL AND (s.collaborate ->> 1) IS NOT NULL "
        "AND (s.collaborate ->> 2) IS NOT NULL",
        day=_utc_day("s.signed_at"),
        patient="s.patient_id",
        clinician="s.signed_by",
        episode="s.episode_id",
        numerator="(s.collaborate ->> 0)::int = 9 AND (s.collaborate ->> 1)::int = 9 "
        "AND (s.collaborate ->> 2)::int = 9",
    ),
    "discharge_letters_in_time": Bare(
        "share",
        "FROM episode_of_care e LEFT JOIN LATERAL (SELECT min(l.signed_at) AS signed_at "
        "FROM letter_record l WHERE l.episode_id = e.id AND l.kind = 'gp_discharge' "
        "AND l.status = 'signed' AND NOT l.deleted) l ON true "
        "WHERE NOT e.deleted AND e.status = 'closed' AND e.ended_on IS NOT NULL AND "
        + _in_month_day("e.ended_on"),
        day="e.ended_on",
        **_EPISODE_COLUMNS,
        episode="e.id",
        numerator=_WORKING_DAYS.format(to=_utc_day("l.signed_at"), from_="e.ended_on") + " <= 5",
    ),
    "onward_notices_in_time": Bare(
        "share",
        "FROM triage_decision t LEFT JOIN LATERAL (SELECT min(l.signed_at) AS signed_at "
        "FROM letter_record l WHERE l.onward_decision_id = t.id "
        "AND l.kind = 'gp_referral_notice' AND l.status = 'signed' AND NOT l.deleted) l "
        "ON true WHERE NOT t.deleted AND t.decided_at IS NOT NULL "
        "AND t.outcome = 'onward_referral' AND " + _in_month_ts("t.decided_at"),
        day=_utc_day("t.decided_at"),
        patient="t.patient_id",
        clinician="t.decided_by",
        numerator=f"{_utc_day('l.signed_at')} - {_utc_day('t.decided_at')} <= 7",
    ),
    "injections_given": Bare("count", _INJECTIONS, **_INJECTION_COLUMNS),  # type: ignore[arg-type]
    "injection_complication_rate": Bare(
        "share",
        _INJECTIONS,
        numerator="i.immediate_reaction <> ''",
        **_INJECTION_COLUMNS,  # type: ignore[arg-type]
    ),
    "injection_repeat_rate": Bare(
        "share",
        _INJECTIONS,
        numerator="(i.acknowledgements::text LIKE '%%\"repeat_too_soon\"%%' "
        "OR i.acknowledgements::text LIKE '%%\"too_many_at_site\"%%')",
        **_INJECTION_COLUMNS,  # type: ignore[arg-type]
    ),
    "eswt_pain_change": Bare(
        "mean",
        "FROM eswt_course s WHERE s.status = 'signed' AND NOT s.deleted "
        "AND s.signed_at IS NOT NULL AND "
        + _in_month_ts("s.signed_at")
        + " AND (s.outcome_after ->> 'pain_nrs') IS NOT NULL "
        "AND (s.outcome_before ->> 'pain_nrs') IS NOT NULL",
        day=_utc_day("s.signed_at"),
        patient="s.patient_id",
        clinician="s.signed_by",
        value="((s.outcome_after ->> 'pain_nrs')::int - (s.outcome_before ->> 'pain_nrs')::int)"
        "::float",
        own={"indication": "s.indication", "condition": "s.indication"},
    ),
    "onward_referral_rate": Bare(
        "share",
        f"FROM referral r {_FIRST_TRIAGE} WHERE NOT r.deleted AND "
        + _in_month_day("r.received_on")
        + " AND d.decided_at IS NOT NULL",
        day="r.received_on",
        patient="r.patient_id",
        clinician="d.decided_by",
        numerator=_ONWARD,
        own={"priority": "r.priority"},
    ),
}

# ---------------------------------------------------------------- timing


def _timed(run: Callable[[], list[Any]]) -> tuple[float | None, list[Any], str]:
    """Warm once, then the median of ``RUNS`` (a slow or timed-out statement once only)."""
    try:
        started = time.perf_counter()
        found = run()
        warm = time.perf_counter() - started
    except OperationalError:
        return None, [], "timed out"
    if warm > SLOW_S:
        return warm, found, "run once (slow)"
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        found = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), found, "ok"


def _by_key(rows: list[Any], kind: str) -> dict[str | None, tuple[Any, ...]]:
    found: dict[str | None, tuple[Any, ...]] = {}
    for row in rows:
        key = None if row.key is None else str(row.key)
        value = None if row.value is None else round(float(row.value), 6)
        if kind == "median":
            found[key] = (value,)
        elif kind == "mean":
            found[key] = (int(row.denominator), value)
        else:
            found[key] = (int(row.numerator or 0), int(row.denominator))
    return found


def _explain(conn: Connection, statement: Any, params: dict[str, Any] | None) -> str:
    if params is None:
        compiled = statement.compile(conn, compile_kwargs={"render_postcompile": True})
        rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + str(compiled), compiled.params)
    else:
        rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
    return "\n".join(row[0] for row in rows)


def _calendar(conn: Connection, first: date, end: date) -> None:
    """The hand-written queries' working-day calendar (as the engine's VALUES list)."""
    conn.exec_driver_sql("CREATE TEMP TABLE bench_calendar (day date PRIMARY KEY, n int)")
    before, day = 0, first - timedelta(days=7)
    rows = []
    while day <= end + timedelta(days=92):
        rows.append({"day": day, "n": before})
        before += is_working_day(day)
        day += timedelta(days=1)
    conn.execute(text("INSERT INTO bench_calendar VALUES (:day, :n)"), rows)


def _names(listed: str | None) -> frozenset[str] | None:
    return None if listed is None else frozenset(listed.split(","))


def measure_all(
    db_url: str,
    month: date,
    *,
    explain: bool,
    measures: frozenset[str] | None = None,
    breakdowns: frozenset[str] | None = None,
) -> list[dict[str, Any]]:
    """Each measure with each breakdown: engine and bare times, their ratio, agreement."""
    from datetime import UTC, datetime

    end = next_month(month)
    params = {
        "first": month,
        "end": end,
        "first_ts": datetime(month.year, month.month, 1, tzinfo=UTC),
        "end_ts": datetime(end.year, end.month, 1, tzinfo=UTC),
    }
    results: list[dict[str, Any]] = []
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
            _calendar(conn, month, end)
            for measure in measure_file().measures:
                if measures is not None and measure.id not in measures:
                    continue
                for breakdown in ("all", *measure.breakdowns):
                    if breakdowns is not None and breakdown not in breakdowns:
                        continue
                    results.append(
                        _one(conn, measure.id, breakdown, month, params, explain=explain)
                    )
                    print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    finally:
        engine.dispose()
    return results


def _one(
    conn: Connection,
    measure: str,
    breakdown: str,
    month: date,
    params: dict[str, Any],
    *,
    explain: bool,
) -> dict[str, Any]:
    statement = figures_statement(Request(measure, month, month, breakdown), "postgresql")
    if statement is None:
        return {"measure": measure, "breakdown": breakdown, "status": "not recorded yet"}
    bare = BARE.get(measure)
    if bare is None:
        # A measure the seed writes no facts for (the Friends and Family Test answers, the
        # medicines review kept in an assessment's content): timed, but there is nothing to
        # hold it against.
        engine_s, engine_rows, engine_note = _timed(lambda: list(conn.execute(statement)))
        return {
            "measure": measure,
            "breakdown": breakdown,
            "rows": len(engine_rows),
            "engine_s": None if engine_s is None else round(engine_s, 3),
            "within_target": engine_s is not None and engine_s <= TARGET_S,
            "note": "not seeded: no bare query",
        }
    bare_sql = bare.sql(breakdown)
    engine_s, engine_rows, engine_note = _timed(lambda: list(conn.execute(statement)))
    bare_s, bare_rows, bare_note = _timed(lambda: list(conn.exec_driver_sql(bare_sql, params)))
    if explain:
        for name, plan in (
            ("engine", _explain(conn, statement, None)),
            ("bare", _explain(conn, bare_sql, params)),
        ):
            print(f"--- {measure} by {breakdown}: {name}\n{plan}", file=sys.stderr)
    kind = "count" if bare.kind == "count" else bare.kind
    agrees = None
    if engine_note != "timed out" and bare_note != "timed out":
        engine_found = _by_key(engine_rows, kind)
        bare_found = _by_key(bare_rows, kind)
        if kind == "count":  # a count's figure is its rows, kept as the denominator here
            engine_found = {k: (v[0],) for k, v in engine_found.items()}
            bare_found = {k: (v[1],) for k, v in bare_found.items()}
        agrees = engine_found == bare_found
    return {
        "measure": measure,
        "breakdown": breakdown,
        "rows": len(engine_rows),
        "engine_s": None if engine_s is None else round(engine_s, 3),
        "bare_s": None if bare_s is None else round(bare_s, 3),
        "ratio": round(engine_s / bare_s, 1) if engine_s and bare_s else None,
        "within_target": engine_s is not None and engine_s <= TARGET_S,
        "same_figures": agrees,
        "note": engine_note if engine_note != "ok" else bare_note,
    }


def index_worth(db_url: str, month: date, names: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Each figures index dropped in turn: the measures it serves, timed without it (for the
    whole service: the index chooses the rows, whatever the breakdown)."""
    engine = create_engine(db_url)
    worth: dict[str, list[dict[str, Any]]] = {}
    try:
        for name, served in FIGURES_INDEXES.items():
            if name not in names and "all" not in names:
                continue
            with engine.connect() as conn:
                definition = conn.exec_driver_sql(
                    "SELECT indexdef FROM pg_indexes WHERE indexname = %(name)s", {"name": name}
                ).scalar_one()
                conn.exec_driver_sql(f"DROP INDEX {name}")
                conn.commit()
            try:
                worth[name] = measure_all(
                    db_url,
                    month,
                    explain=False,
                    measures=frozenset(served),
                    breakdowns=frozenset({"all"}),
                )
            finally:
                with engine.begin() as conn:
                    conn.exec_driver_sql(definition)
    finally:
        engine.dispose()
    return worth


def _worth_summary(
    results: list[dict[str, Any]], worth: dict[str, list[dict[str, Any]]]
) -> dict[str, list[str]]:
    with_all = {(r["measure"], r["breakdown"]): r.get("engine_s") for r in results}
    return {
        name: [
            f"{r['measure']} by {r['breakdown']}: {r.get('engine_s')} s without, "
            f"{with_all.get((r['measure'], r['breakdown']))} s with"
            + (f" ({r['note']})" if r.get("note") not in (None, "ok") else "")
            for r in rows
        ]
        for name, rows in worth.items()
    }


def _summary(results: list[dict[str, Any]]) -> dict[str, Any]:
    timed = [r for r in results if r.get("engine_s") is not None]
    slowest = sorted(timed, key=lambda r: r["engine_s"], reverse=True)[:5]
    return {
        "statements": len(timed),
        "not_recorded_yet": sorted({r["measure"] for r in results if "engine_s" not in r}),
        "within_target": sum(r["within_target"] for r in timed),
        "over_target": [
            f"{r['measure']} by {r['breakdown']}" for r in timed if not r["within_target"]
        ],
        "timed_out": [
            f"{r['measure']} by {r['breakdown']}" for r in results if r.get("note") == "timed out"
        ],
        "figures_differ": [
            f"{r['measure']} by {r['breakdown']}" for r in timed if r.get("same_figures") is False
        ],
        "slowest": [f"{r['measure']} by {r['breakdown']}: {r['engine_s']} s" for r in slowest],
        "median_engine_s": round(statistics.median(r["engine_s"] for r in timed), 3)
        if timed
        else None,
        "median_ratio": round(statistics.median(r["ratio"] for r in timed if r.get("ratio")), 1)
        if timed
        else None,
    }


def _load() -> list[float]:
    with open("/proc/loadavg", encoding="ascii") as loadavg:
        return [float(part) for part in loadavg.read().split()[:3]]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Seed the service, time every measure by every breakdown; returns the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--month", default="2026-03", help="YYYY-MM")
    parser.add_argument("--measures", default=None, help="only these (comma-separated)")
    parser.add_argument("--breakdowns", default=None, help="only these (comma-separated)")
    parser.add_argument("--without-figures-indexes", action="store_true")
    parser.add_argument(
        "--index-worth",
        action="append",
        default=[],
        help="then drop this figures index ('all': each in turn) and time the measures it "
        "serves again",
    )
    parser.add_argument(
        "--drop-index", action="append", default=[], help="drop this index after seeding"
    )
    parser.add_argument(
        "--create-index",
        action="append",
        default=[],
        help="add an index after seeding, e.g. 'care_contact (starts_at)' (to try one)",
    )
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args(argv)
    year, number = (int(part) for part in args.month.split("-"))
    month = date(year, number, 1)
    private_home()
    with PostgresServer() as pg:
        db_url = pg.create_database()
        open_url_store(db_url).close()  # the app's migrations
        started = time.perf_counter()
        counts = figures_seed.seed(db_url.replace("+psycopg", ""), args.scale)
        seeded = time.perf_counter() - started
        dropped = [*args.drop_index, *(FIGURES_INDEXES if args.without_figures_indexes else ())]
        engine = create_engine(db_url)
        with engine.begin() as conn:
            for name in dropped:
                conn.exec_driver_sql(f"DROP INDEX {name}")
            for index in args.create_index:
                conn.exec_driver_sql(f"CREATE INDEX ON {index}")
            conn.exec_driver_sql("ANALYZE")
        engine.dispose()
        load_before = _load()
        results = measure_all(
            db_url,
            month,
            explain=args.explain,
            measures=_names(args.measures),
            breakdowns=_names(args.breakdowns),
        )
        worth = index_worth(db_url, month, args.index_worth)
        load_after = _load()
    figures = {
        "scale": args.scale,
        "month": args.month,
        "rows_seeded": counts,
        "seeding_s": round(seeded, 1),
        "indexes_dropped": dropped,
        "indexes_added": args.create_index,
        "load_average_before": load_before,
        "load_average_after": load_after,
        "target_s": TARGET_S,
        "summary": _summary(results),
        "without_each_index": _worth_summary(results, worth),
        "measures": results,
    }
    print(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
