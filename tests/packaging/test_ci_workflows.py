"""The CI workflows: they parse, run scripts that exist, and sign only on tags with secrets.

GitHub runs them, not this machine; what is checked here is what would otherwise fail only
there: a renamed script, a command the script does not have, a secret name the script does not
read, or a signing step that could run on a pull request.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from installers.windows import __main__ as windows_cli
from installers.windows import signing

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
TAG = "refs/tags/v"
_SCRIPT = re.compile(r"(?:\./)?(installers/[\w./-]+\.(?:sh|ps1|spec|py))")
_MODULE = re.compile(r"-m (installers(?:\.\w+)+)")


def _workflow(name: str) -> dict[str, Any]:
    loaded: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    # YAML 1.1 reads the key "on" as True.
    loaded["on"] = loaded.pop(True, loaded.get("on"))
    return loaded


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def _module_exists(module: str) -> bool:
    path = ROOT.joinpath(*module.split("."))
    return (path / "__main__.py").is_file() or path.with_suffix(".py").is_file()


@pytest.mark.parametrize("name", ["windows.yml", "macos.yml", "linux.yml"])
def test_each_workflow_builds_on_push_and_tags_and_uploads_what_it_built(name: str) -> None:
    workflow = _workflow(name)
    assert workflow["on"]["push"]["tags"] == ["v*"]
    assert "pull_request" in workflow["on"]
    assert workflow["permissions"] == {"contents": "read"}
    uploads = [
        step
        for step in _steps(workflow)
        if step.get("uses", "").startswith("actions/upload-artifact@")
    ]
    assert len(uploads) == 1
    assert uploads[0]["with"]["if-no-files-found"] == "error"


@pytest.mark.parametrize("name", ["windows.yml", "macos.yml", "linux.yml"])
def test_every_script_and_module_a_workflow_runs_exists(name: str) -> None:
    runs = " ".join(step.get("run", "") for step in _steps(_workflow(name)))
    scripts = _SCRIPT.findall(runs)
    assert scripts or _MODULE.findall(runs), "the workflow runs nothing of the project's"
    for script in scripts:
        assert (ROOT / script).is_file(), script
    for module in _MODULE.findall(runs):
        assert _module_exists(module), module


def _scripts_run_by(script: Path) -> tuple[list[str], list[str]]:
    text = script.read_text(encoding="utf-8")
    return _SCRIPT.findall(text), re.findall(r'"-m", "(installers(?:\.\w+)+)"', text) + (
        _MODULE.findall(text)
    )


@pytest.mark.parametrize("script", ["installers/windows/build.ps1", "installers/macos/build.sh"])
def test_the_build_scripts_use_files_and_commands_that_exist(script: str) -> None:
    paths, modules = _scripts_run_by(ROOT / script)
    text = (ROOT / script).read_text(encoding="utf-8")
    assert (
        "installers/debian/onestop-msk.svg" in text or r"installers\debian\onestop-msk.svg" in text
    )
    assert (ROOT / "installers" / "debian" / "onestop-msk.svg").is_file()
    assert modules
    for module in modules:
        assert _module_exists(module), module
    for path in paths:
        assert (ROOT / path).is_file(), path
    spec = (
        "installers\\onestop.spec"
        if script.endswith(".ps1")
        else "installers/macos/onestop-macos.spec"
    )
    assert spec in text


def test_build_ps1_calls_only_commands_the_windows_tool_has(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = (ROOT / "installers" / "windows" / "build.ps1").read_text(encoding="utf-8")
    called = set(re.findall(r'"installers\.windows", "([\w-]+)"', text))
    called |= set(re.findall(r"-m installers\.windows ([\w-]+)", text))
    assert called == {"wxs", "version", "check-release-certificate"}
    for command in called:
        with pytest.raises(SystemExit) as asked:
            windows_cli.main([command, "--help"])
        assert asked.value.code == 0, command
    with pytest.raises(SystemExit) as asked:
        windows_cli.main(["no-such-command", "--help"])
    assert asked.value.code == 2


def _release_steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for step in _steps(workflow) if "secrets." in yaml.safe_dump(step)]


def test_windows_signs_only_on_tags_with_the_certificate_the_script_reads() -> None:
    workflow = _workflow("windows.yml")
    for step in _release_steps(workflow):
        assert step["if"].startswith(f"startsWith(github.ref, '{TAG}')"), step["name"]
    (release,) = [step for step in _steps(workflow) if "-Release" in step.get("run", "")]
    assert release["if"] == f"startsWith(github.ref, '{TAG}')"
    assert set(release["env"]) == {signing.PFX_VARIABLE, signing.PASSWORD_VARIABLE}
    assert "-TimestampUrl" in release["run"]
    (test_build,) = [
        step
        for step in _steps(workflow)
        if step.get("run", "").strip() == "./installers/windows/build.ps1"
    ]
    assert test_build["if"] == f"${{{{ !startsWith(github.ref, '{TAG}') }}}}"
    assert "env" not in test_build


def test_macos_signs_and_notarises_only_on_tags_with_what_build_sh_requires() -> None:
    workflow = _workflow("macos.yml")
    for step in _release_steps(workflow):
        assert f"startsWith(github.ref, '{TAG}')" in step["if"], step["name"]
    (release,) = [step for step in _steps(workflow) if "--release" in step.get("run", "")]
    build_sh = (ROOT / "installers" / "macos" / "build.sh").read_text(encoding="utf-8")
    required = re.search(r"for variable in ([A-Z_ ]+); do", build_sh)
    assert required is not None
    assert set(required.group(1).split()) == set(release["env"])
    keychain = next(step for step in _steps(workflow) if "create-keychain" in step.get("run", ""))
    assert "notary-key.p8" in keychain["run"]
    assert release["env"]["APPLE_NOTARY_KEY_FILE"].endswith("/notary-key.p8")
    cleanup = next(step for step in _steps(workflow) if "delete-keychain" in step.get("run", ""))
    assert cleanup["if"].startswith("always()")


def test_the_linux_workflow_builds_the_release_deb_after_every_check() -> None:
    (job,) = _workflow("linux.yml")["jobs"].values()
    assert job["container"]["image"] == "debian:bookworm"
    runs = [step.get("run", "") for step in job["steps"]]
    checks = runs.index("bash installers/test.sh")
    package = next(
        i for i, run in enumerate(runs) if "-m installers.packaging app --release" in run
    )
    assert checks < package
