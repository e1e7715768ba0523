"""The server authorises a pushed injection by its lifecycle and its PGD, as the device does.

A tampered device could push an injection signed by someone the PGD does not name, an edit
to one already signed, or a PGD it widened itself: the server refuses each.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from clinic_app import schema  # noqa: F401 - every table registered
from clinic_app.domains.injections.content import injection_content
from clinic_app.domains.red_flags.content import red_flag_screen
from clinic_app.domains.red_flags.rules import HardStop, evaluate
from clinic_app.kernel.outbox import wire_value
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.demographics import age_on
from clinic_app.people.text import search_key
from clinic_app.server import scope, users
from clinic_app.server.apply import apply_push
from clinic_app.server.authorise import Acting, refusal
from clinic_app.server.database import open_server_store
from clinic_app.sync.protocol import Change, PushRequest, Status
from tests.core.injections.pack_numbers import example_gtin, with_wrong_check_digit
from tests.support.server_push import sealed

TABLE = "injection_record"
DEVICE = uuid.UUID("01900000-0000-7000-8000-00000000d017")
TODAY = date.today()
NOW = datetime.now(UTC).replace(microsecond=0)


def _change(kind: str = "insert", table: str = TABLE) -> Change:
    return Change(uuid.uuid4(), table, uuid.uuid4(), kind, 0, {})


# ---------------------------------------------------------------- the rules, as data


def test_those_who_inject_push_their_own_draft_and_nobody_else() -> None:
    author = uuid.uuid4()
    draft = {"status": "draft", "created_by": author}

    for role in (Role.CLINICIAN, Role.SONOGRAPHER, Role.SUPERVISOR):
        assert refusal(Acting(author, role), _change(), None, draft) is None, role
    for role in (Role.TRAINEE, Role.ADMIN):
        assert refusal(Acting(author, role), _change(), None, draft) == "sync.not_allowed"


def test_only_the_author_signs_and_a_signed_record_goes_back_to_nothing() -> None:
    author, colleague = uuid.uuid4(), uuid.uuid4()
    stored = {"status": "draft", "created_by": author}
    signing = {"status": "signed", "signed_by": colleague}

    assert refusal(Acting(colleague, Role.CLINICIAN), _change("update"), stored, signing) == (
        "sync.not_author"
    )
    assert (
        refusal(
            Acting(colleague, Role.CLINICIAN),
            _change("update"),
            stored,
            {"status": "signed", "signed_by": author},
        )
        == "sync.not_yours"
    )
    signed = {"status": "signed", "created_by": author}
    assert (
        refusal(Acting(author, Role.CLINICIAN), _change("update"), signed, {"status": "draft"})
        == "sync.step_refused"
    )


def test_only_the_service_lead_writes_the_pgd_register() -> None:
    pgd = {"name": "Joint injections"}
    lead, clinician = Acting(uuid.uuid4(), Role.ADMIN), Acting(uuid.uuid4(), Role.CLINICIAN)

    assert refusal(lead, _change(table="injection_pgd"), None, pgd) is None
    assert refusal(lead, _change("update", "injection_pgd"), pgd, pgd) is None
    for role in (Role.CLINICIAN, Role.SUPERVISOR, Role.SONOGRAPHER, Role.TRAINEE):
        acting = Acting(clinician.user_id, role)
        assert refusal(acting, _change(table="injection_pgd"), None, pgd) == "sync.not_allowed"
        assert refusal(acting, _change("update", "injection_pgd"), pgd, pgd) == "sync.not_allowed"


def test_only_the_service_lead_writes_the_pack_codes() -> None:
    code = {"gtin": example_gtin(1), "product_id": "methylprednisolone_acetate_40"}
    lead = Acting(uuid.uuid4(), Role.ADMIN)
    table = "injection_pack_code"

    assert refusal(lead, _change(table=table), None, code) is None
    assert refusal(lead, _change("update", table), code, code) is None
    for role in (Role.CLINICIAN, Role.SUPERVISOR, Role.SONOGRAPHER, Role.TRAINEE):
        acting = Acting(uuid.uuid4(), role)
        assert refusal(acting, _change(table=table), None, code) == "sync.not_allowed"
        assert refusal(acting, _change("update", table), code, code) == "sync.not_allowed"


# ---------------------------------------------------------------- a hostile push, end to end


@dataclass(frozen=True)
class Server:
    engine: Engine
    clinician: Acting
    colleague: Acting
    lead: Acting

    def push(
        self, acting: Acting, *changes: Change, device: uuid.UUID = DEVICE
    ) -> list[tuple[Status, str | None]]:
        with self.engine.begin() as conn:
            response = apply_push(
                conn, device, PushRequest(uuid.uuid4(), tuple(changes)), None, acting=acting
            )
        return [(result.status, result.reason) for result in response.results]

    def held_on(self, device: uuid.UUID, patient: uuid.UUID) -> None:
        """The laptop ``device`` took the patient in (as when it opens their record)."""
        with self.engine.begin() as conn:
            scope.confirm(conn, device, add=[patient], reason="opened")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    store = open_server_store(f"sqlite:///{tmp_path / 'server.db'}")
    with store.engine.begin() as conn:
        made = {
            name: users.add_user(
                conn,
                username=name,
                display_name=f"{name.title()} Example",
                role=role,
                password="correct horse battery 1",
                professional_body=None if role is Role.ADMIN else "HCPC",
            )
            for name, role in (
                ("clinician", Role.CLINICIAN),
                ("colleague", Role.CLINICIAN),
                ("lead", Role.ADMIN),
            )
        }
    yield Server(
        store.engine,
        Acting(made["clinician"], Role.CLINICIAN),
        Acting(made["colleague"], Role.CLINICIAN),
        Acting(made["lead"], Role.ADMIN),
    )
    store.engine.dispose()


def _wire(by: Acting, **values: Any) -> dict[str, Any]:
    stamped = {
        "created_at": NOW,
        "updated_at": NOW,
        "created_by": by.user_id,
        "updated_by": by.user_id,
        "device_id": DEVICE,
        "deleted": False,
        **values,
    }
    return {name: wire_value(value) for name, value in stamped.items()}


def _insert(table: str, row_id: uuid.UUID, by: Acting, **values: Any) -> Change:
    return Change(uuid.uuid4(), table, row_id, "insert", 0, _wire(by, **values), by.user_id)


def _patient(by: Acting) -> tuple[uuid.UUID, Change]:
    patient = uuid.uuid4()
    return patient, _insert(
        "patient",
        patient,
        by,
        nhs_number="9990000018",
        given_name="Ada",
        family_name="Example",
        given_key=search_key("Ada"),
        family_key=search_key("Example"),
        date_of_birth=date(1960, 1, 1),
        sex="2",
        ethnicity="Z",
        postcode="LS1 4AP",
    )


def _pgd(server: Server) -> uuid.UUID:
    pgd = uuid.uuid4()
    change = _insert(
        "injection_pgd",
        pgd,
        server.lead,
        name="Joint injections by physiotherapists",
        version="1",
        valid_from=TODAY - timedelta(days=10),
        valid_to=TODAY + timedelta(days=300),
        drugs=["methylprednisolone_acetate_40"],
        targets=["knee_joint"],
        practitioners=[str(server.clinician.user_id)],
    )
    assert server.push(server.lead, change) == [(Status.APPLIED, None)]
    return pgd


def _signed_injection(patient: uuid.UUID, pgd: uuid.UUID, signer: Acting, **changes: Any) -> Change:
    values: dict[str, Any] = {
        "patient_id": patient,
        "status": "signed",
        "performed_on": TODAY,
        "target": "knee_joint",
        "side": "left",
        "approach": "",
        "guidance": "landmark",
        "authority_kind": "pgd",
        "pgd_id": pgd,
        "pgd_version": "1",
        "consent_risks": ["infection"],
        # Every safety check answered, as the device asks before signing.
        "checklist": dict.fromkeys(injection_content().checklist.ids, "no"),
        "drugs": [
            {
                "product_id": "methylprednisolone_acetate_40",
                "mg": 40,
                "ml": 1,
                "batch": "B1",
                "expiry": (TODAY + timedelta(days=100)).isoformat(),
                "same_syringe": False,
            }
        ],
        "immediate_reaction": "",
        "aftercare_given": True,
        "steroid_card_considered": True,
        "acknowledgements": [],
        "signed_at": NOW,
        "signed_by": signer.user_id,
        "sdm_missing_reason": "Decided before aids were used.",
        **changes,
    }
    return _insert(TABLE, uuid.uuid4(), signer, **sealed(TABLE, values))


def _push_signing(server: Server, **changes: Any) -> list[tuple[Status, str | None]]:
    """Register a patient and push the clinician's signed knee injection, changed so."""
    pgd = _pgd(server)
    patient, registered = _patient(server.clinician)
    return server.push(
        server.clinician, registered, _signed_injection(patient, pgd, server.clinician, **changes)
    )


def test_an_injection_signed_by_someone_the_pgd_does_not_name_is_refused(server: Server) -> None:
    pgd = _pgd(server)
    patient, registered = _patient(server.colleague)

    results = server.push(
        server.colleague, registered, _signed_injection(patient, pgd, server.colleague)
    )

    assert results == [(Status.APPLIED, None), (Status.REJECTED, "sync.not_allowed")]


@pytest.mark.parametrize(
    "changes",
    [
        {"target": "hip_joint"},
        {"performed_on": TODAY + timedelta(days=400)},
        {
            "drugs": [
                {
                    "product_id": "methylprednisolone_acetate_40",
                    "mg": 40,
                    "ml": 1,
                    "same_syringe": True,
                },
                {
                    "product_id": "methylprednisolone_acetate_40",
                    "mg": 40,
                    "ml": 1,
                    "same_syringe": True,
                },
            ]
        },
        {"pgd_id": uuid.uuid4()},
        {"drugs": "forty milligrams"},
        {"drugs": [{"product_id": "methylprednisolone_acetate_40", "mg": "lots"}]},
    ],
)
def test_a_signing_outside_the_pgd_is_refused_even_for_someone_it_names(
    server: Server, changes: dict[str, Any]
) -> None:
    results = _push_signing(server, **changes)

    assert results[1] == (Status.REJECTED, "sync.not_allowed")


def test_a_signed_injection_is_never_edited_and_a_clinician_never_widens_the_pgd(
    server: Server,
) -> None:
    pgd = _pgd(server)
    patient, registered = _patient(server.clinician)
    signed = _signed_injection(patient, pgd, server.clinician)
    assert server.push(server.clinician, registered, signed) == [(Status.APPLIED, None)] * 2

    edit = Change(
        uuid.uuid4(), TABLE, signed.row_id, "update", 1, _wire(server.clinician, side="right")
    )
    assert server.push(server.clinician, edit) == [(Status.REJECTED, "sync.signed")]
    widen = Change(
        uuid.uuid4(),
        "injection_pgd",
        pgd,
        "update",
        1,
        _wire(server.clinician, targets=["knee_joint", "hip_joint"]),
    )
    assert server.push(server.clinician, widen) == [(Status.REJECTED, "sync.not_allowed")]


def _pack_code(by: Acting, gtin: str, product: str = "methylprednisolone_acetate_40") -> Change:
    # Test numbers from GS1's example range (tests.core.injections.pack_numbers).
    return _insert("injection_pack_code", uuid.uuid4(), by, gtin=gtin, product_id=product)


def test_a_clinician_cannot_link_a_pack_code_and_the_service_lead_can(server: Server) -> None:
    forbidden = _pack_code(server.clinician, example_gtin(2))
    assert server.push(server.clinician, forbidden) == [(Status.REJECTED, "sync.not_allowed")]

    kept = _pack_code(server.lead, example_gtin(3))
    assert server.push(server.lead, kept) == [(Status.APPLIED, None)]
    # Nor may a clinician point the lead's code at another product, or remove it.
    repoint = Change(
        uuid.uuid4(),
        "injection_pack_code",
        kept.row_id,
        "update",
        1,
        _wire(server.clinician, product_id="triamcinolone_acetonide_40"),
        server.clinician.user_id,
    )
    assert server.push(server.clinician, repoint) == [(Status.REJECTED, "sync.not_allowed")]
    removal = Change(
        uuid.uuid4(),
        "injection_pack_code",
        kept.row_id,
        "update",
        1,
        _wire(server.clinician, deleted=True, deleted_at=NOW),
        server.clinician.user_id,
    )
    assert server.push(server.clinician, removal) == [(Status.REJECTED, "sync.not_allowed")]


@pytest.mark.parametrize(
    ("gtin", "product"),
    [
        (with_wrong_check_digit(example_gtin(4)), "methylprednisolone_acetate_40"),
        (example_gtin(4)[1:], "methylprednisolone_acetate_40"),
        (example_gtin(4), "not_in_the_formulary"),
    ],
)
def test_a_pack_code_that_is_no_gtin_or_names_no_product_is_refused(
    server: Server, gtin: str, product: str
) -> None:
    pushed = _pack_code(server.lead, gtin, product)
    assert server.push(server.lead, pushed) == [(Status.REJECTED, "sync.bad_value")]


def test_a_pack_code_already_listed_is_refused_so_a_scan_names_one_product(
    server: Server,
) -> None:
    gtin = example_gtin(5)
    first = _pack_code(server.lead, gtin)
    assert server.push(server.lead, first) == [(Status.APPLIED, None)]

    # Another laptop added the same code offline, for another product or the same one.
    for product in ("triamcinolone_acetonide_40", "methylprednisolone_acetate_40"):
        again = _pack_code(server.lead, gtin, product)
        assert server.push(server.lead, again) == [(Status.REJECTED, "sync.pack_code_listed")]
    # The listed row itself may still be moved to another product, and the code listed anew
    # once removed.
    repoint = Change(
        uuid.uuid4(),
        "injection_pack_code",
        first.row_id,
        "update",
        1,
        _wire(server.lead, product_id="triamcinolone_acetonide_40"),
        server.lead.user_id,
    )
    assert server.push(server.lead, repoint) == [(Status.APPLIED, None)]
    removal = Change(
        uuid.uuid4(),
        "injection_pack_code",
        first.row_id,
        "update",
        2,
        _wire(server.lead, deleted=True, deleted_at=NOW),
        server.lead.user_id,
    )
    assert server.push(server.lead, removal) == [(Status.APPLIED, None)]
    assert server.push(server.lead, _pack_code(server.lead, gtin)) == [(Status.APPLIED, None)]


# ---------------------------------------------------------------- the safety checks at signing

OTHER_DEVICE = uuid.UUID("01900000-0000-7000-8000-00000000d018")


def _acknowledged(by: Acting, *codes: str) -> list[dict[str, str]]:
    """Acknowledgements as the device keeps them: the code, who and when."""
    return [{"code": code, "by": str(by.user_id), "at": NOW.isoformat()} for code in codes]


def _checklist(**answers: str) -> dict[str, str]:
    return {**dict.fromkeys(injection_content().checklist.ids, "no"), **answers}


def _drug(**changes: Any) -> list[dict[str, Any]]:
    drug = {
        "product_id": "methylprednisolone_acetate_40",
        "mg": 40,
        "ml": 1,
        "batch": "B1",
        "expiry": (TODAY + timedelta(days=100)).isoformat(),
        "same_syringe": False,
    }
    return [{**drug, **changes}]


@pytest.mark.parametrize(
    "changes",
    [
        {"checklist": _checklist(infection_local="yes")},
        {"checklist": _checklist(infection_systemic="yes")},
        {"checklist": _checklist(allergy="yes")},
        # Expired 60 days before the injection.
        {"drugs": _drug(expiry=(TODAY - timedelta(days=60)).isoformat())},
        # A dose outside the formulary's cited range, not acknowledged.
        {"drugs": _drug(mg=400, ml=10)},
        {"checklist": _checklist(diabetes="yes")},
        # On warfarin with no INR recorded: warns whatever INR settings the service chose.
        {"checklist": _checklist(anticoagulated="yes"), "anticoagulant": "warfarin"},
        # An acknowledgement of another warning does not cover this one.
        {
            "checklist": _checklist(pregnancy="yes"),
            "acknowledgements": _acknowledged(Acting(uuid.uuid4(), Role.CLINICIAN), "diabetes"),
        },
        {"acknowledgements": "diabetes"},
    ],
)
def test_a_signing_the_device_would_have_stopped_is_refused(
    server: Server, changes: dict[str, Any]
) -> None:
    results = _push_signing(server, **changes)

    assert results == [(Status.APPLIED, None), (Status.REJECTED, "sync.not_allowed")]


def test_the_audit_finding_all_at_once_is_refused(server: Server) -> None:
    results = _push_signing(
        server,
        checklist=_checklist(infection_local="yes", allergy="yes"),
        drugs=_drug(mg=400, ml=10, expiry=(TODAY - timedelta(days=60)).isoformat()),
    )

    assert results[1] == (Status.REJECTED, "sync.not_allowed")


@pytest.mark.parametrize(
    "changes",
    [
        {
            "checklist": _checklist(diabetes="yes", prosthetic_joint="yes"),
            "acknowledgements": ["diabetes", "prosthetic_joint"],
        },
        {
            "checklist": _checklist(anticoagulated="yes"),
            "anticoagulant": "warfarin",
            "inr_value": 2.4,
            "inr_measured_at": NOW - timedelta(hours=20),
        },
        # A drug that expired after the injection's day was good on that day: judged at the
        # record's own date, not the server's.
        {
            "performed_on": TODAY - timedelta(days=5),
            "drugs": _drug(expiry=(TODAY - timedelta(days=2)).isoformat()),
        },
        # Usable to the end of its expiry day.
        {"drugs": _drug(expiry=TODAY.isoformat())},
    ],
)
def test_a_signing_the_device_allows_is_applied(server: Server, changes: dict[str, Any]) -> None:
    if isinstance(changes.get("acknowledgements"), list):
        changes = {
            **changes,
            "acknowledgements": _acknowledged(server.clinician, *changes["acknowledgements"]),
        }

    results = _push_signing(server, **changes)

    assert results == [(Status.APPLIED, None)] * 2


def test_a_draft_moved_to_signed_is_checked_and_a_draft_is_not(server: Server) -> None:
    pgd = _pgd(server)
    patient, registered = _patient(server.clinician)
    by = server.clinician
    # A draft may say the knee looks infected: it is the signing that the answer stops.
    draft_values: dict[str, Any] = {
        "patient_id": patient,
        "status": "draft",
        "performed_on": TODAY,
        "target": "knee_joint",
        "side": "left",
        "authority_kind": "pgd",
        "pgd_id": pgd,
        "pgd_version": "1",
        "guidance": "landmark",
        "consent_risks": ["infection"],
        "checklist": _checklist(infection_local="yes"),
        "drugs": _drug(),
        "aftercare_given": True,
        "steroid_card_considered": True,
        "sdm_missing_reason": "Decided before aids were used.",
    }
    row_id = uuid.uuid4()
    draft = Change(uuid.uuid4(), TABLE, row_id, "insert", 0, _wire(by, **draft_values), by.user_id)
    assert server.push(by, registered, draft) == [(Status.APPLIED, None)] * 2

    signing = {"status": "signed", "signed_at": NOW, "signed_by": by.user_id}
    stored = {"approach": "", "immediate_reaction": "", "acknowledgements": []}
    whole = sealed(TABLE, {**stored, **draft_values, **signing})
    signed = Change(
        uuid.uuid4(),
        TABLE,
        row_id,
        "update",
        1,
        _wire(by, **signing, content_sha256=whole["content_sha256"]),
        by.user_id,
    )
    assert server.push(by, signed) == [(Status.REJECTED, "sync.not_allowed")]

    # The clinician answers again once the knee is seen to be well, and signs.
    answered = {**draft_values, "checklist": _checklist()}
    whole = sealed(TABLE, {**stored, **answered, **signing})
    signed = Change(
        uuid.uuid4(),
        TABLE,
        row_id,
        "update",
        1,
        _wire(by, checklist=_checklist(), **signing, content_sha256=whole["content_sha256"]),
        by.user_id,
    )
    assert server.push(by, signed) == [(Status.APPLIED, None)]


def _earlier_knee(patient: uuid.UUID, pgd: uuid.UUID, by: Acting) -> Change:
    """A left knee injection signed four days ago."""
    return _signed_injection(
        patient,
        pgd,
        by,
        performed_on=TODAY - timedelta(days=4),
        signed_at=NOW - timedelta(days=4),
    )


def test_a_repeat_the_laptop_signed_itself_must_be_acknowledged(server: Server) -> None:
    pgd = _pgd(server)
    patient, registered = _patient(server.clinician)
    earlier = _earlier_knee(patient, pgd, server.clinician)
    assert server.push(server.clinician, registered, earlier) == [(Status.APPLIED, None)] * 2

    again = _signed_injection(patient, pgd, server.clinician)
    assert server.push(server.clinician, again) == [(Status.REJECTED, "sync.not_allowed")]
    acknowledged = _signed_injection(
        patient,
        pgd,
        server.clinician,
        acknowledgements=_acknowledged(server.clinician, "repeat_too_soon"),
    )
    assert server.push(server.clinician, acknowledged) == [(Status.APPLIED, None)]


def test_an_injection_signed_without_what_another_laptop_held_is_never_refused(
    server: Server,
) -> None:
    # Another laptop gave the same knee an injection four days ago; this one had not pulled
    # it when the clinician signed, so it raised no repeat warning to acknowledge.
    pgd = _pgd(server)
    patient, registered = _patient(server.clinician)
    elsewhere = _earlier_knee(patient, pgd, server.clinician)
    assert (
        server.push(server.clinician, registered, elsewhere, device=OTHER_DEVICE)
        == [(Status.APPLIED, None)] * 2
    )

    server.held_on(DEVICE, patient)
    here = _signed_injection(patient, pgd, server.clinician)
    assert server.push(server.clinician, here) == [(Status.APPLIED, None)]


def _septic_screening(patient: uuid.UUID, by: Acting) -> Change:
    """A septic-arthritis screening with a hot swollen joint, as the device records it."""
    screen = red_flag_screen("septic_arthritis")
    answers = {code: "no" for code in screen.question_codes} | {"hot_swollen_joint": "yes"}
    recorded = NOW - timedelta(hours=1)
    # The patient's age that day, as the device records it (their birth date is 1960-01-01).
    age = age_on(date(1960, 1, 1), recorded.date())
    result = evaluate(screen, answers, age=age)  # type: ignore[arg-type]
    assert HardStop.STEROID_INJECTION in result.hard_stops
    return _insert(
        "red_flag_screening",
        uuid.uuid4(),
        by,
        patient_id=patient,
        screen_id=screen.screen_id,
        screen_version=screen.version,
        answers=answers,
        level=result.level,
        fired_rules=list(result.fired),
        needs_action=result.needs_resolution,
        accepted_actions=sorted(a.value for a in result.accepted_actions),
        patient_age=age,
        recorded_at=recorded,
        recorded_by=by.user_id,
        created_at=recorded,
    )


def test_an_open_septic_flag_the_laptop_recorded_stops_the_signing(server: Server) -> None:
    pgd = _pgd(server)
    patient, registered = _patient(server.clinician)
    screening = _septic_screening(patient, server.clinician)
    assert server.push(server.clinician, registered, screening) == [(Status.APPLIED, None)] * 2

    signed = _signed_injection(patient, pgd, server.clinician)
    assert server.push(server.clinician, signed) == [(Status.REJECTED, "sync.not_allowed")]


def test_a_septic_flag_recorded_on_another_laptop_does_not_refuse_an_honest_signing(
    server: Server,
) -> None:
    pgd = _pgd(server)
    patient, registered = _patient(server.clinician)
    screening = _septic_screening(patient, server.clinician)
    assert (
        server.push(server.clinician, registered, screening, device=OTHER_DEVICE)
        == [(Status.APPLIED, None)] * 2
    )

    server.held_on(DEVICE, patient)
    signed = _signed_injection(patient, pgd, server.clinician)
    assert server.push(server.clinician, signed) == [(Status.APPLIED, None)]
