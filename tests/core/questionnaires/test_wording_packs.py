"""Licensed questionnaire wording: imported by an admin, shown in place of our domain names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clinic_app import cli
from clinic_app.container import Services
from clinic_app.kernel.errors import PermissionDenied, ValidationError
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role

PACK = Path(__file__).parent / "wording_packs" / "msk_hq_synthetic.json"


def test_without_a_pack_licensed_items_fall_back_to_domain_names(services: Services) -> None:
    items = services.questionnaires.display_items("msk_hq")
    assert items
    assert {str(item.wording) for item in items} == {"domain-fallback"}
    assert not any("test pack" in item.text for item in items)


def test_an_imported_pack_is_shown(services: Services) -> None:
    name = services.questionnaires.import_wording_pack(SYSTEM, PACK)
    assert name == "msk_hq"
    items = services.questionnaires.display_items("msk_hq")
    assert items[0].text == "Item 1 text (test pack)"
    assert {str(item.wording) for item in items if item.scored} == {"licensed-pack"}


def test_a_pack_for_another_version_is_refused_and_nothing_is_kept(
    services: Services, tmp_path: Path
) -> None:
    pack = json.loads(PACK.read_text(encoding="utf-8"))
    pack["version"] = "99"
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps(pack), encoding="utf-8")
    with pytest.raises(ValidationError) as refused:
        services.questionnaires.import_wording_pack(SYSTEM, wrong)
    assert refused.value.code == "wording_pack.wrong_version"
    folder = services.context.wording_packs
    assert folder is not None
    assert not (folder / "msk_hq.json").exists()


def test_only_an_admin_imports_packs(services: Services) -> None:
    services.users.add(
        SYSTEM,
        username="physio",
        display_name="Physio",
        role=Role.CLINICIAN,
        password="correct horse battery",
    )
    physio = services.auth.login("physio", "correct horse battery")
    with pytest.raises(PermissionDenied):
        services.questionnaires.import_wording_pack(physio, PACK)


def test_the_command_imports_a_pack(
    services: Services, store_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    services.close()
    code = cli.main(["--store", str(store_path), "wording-pack", "import", str(PACK)])
    assert code == 0
    assert "msk_hq" in capsys.readouterr().out
    assert (store_path.parent / "wording-packs" / "msk_hq.json").is_file()
