#!/usr/bin/env bash
# Installs everything the checks need, then runs them all: formatting, lint, types, import
# contracts and the test suite.
#
#   bash installers/test.sh [pytest arguments]
#
# Stops at the first failing step and says which one it was. Debian packages come through
# apt-get (as root, or with sudo); the app and its dev tools go into .venv in the repository
# root. Running it again skips whatever is already in place.

set -euo pipefail

# shellcheck source=installers/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

TEST_PACKAGES=(
    "${QT_WINDOW_PACKAGES[@]}"
    "${QT_MEDIA_PRINT_PACKAGES[@]}"
    # a throwaway database server per test session
    postgresql
    # reading back the PDFs we write
    poppler-utils qpdf
    # independent DICOM validators and a real PACS
    dcmtk dicom3tools orthanc orthanc-dicomweb
    # `ip` brings up loopback inside a private network namespace
    iproute2
    # a real Secret Service for the keyring tests; dbus-x11 provides the session bus here,
    # without it apt picks dbus-user-session, which drags in systemd
    gnome-keyring dbus dbus-x11
    # the packages: a clean Debian root to install them in, the packaging tools, screenshots
    # of the installed app; systemd-analyze checks the server's unit
    debootstrap fakeroot patchelf binutils x11-apps x11-utils systemd
    # the Windows installer built and read back, signed with a throwaway certificate; the
    # macOS build script checked
    wixl msitools osslsigncode shellcheck
)

current_step=""
step_started=""
run_started="$(now)"
timings=()

step_begin() {
    current_step="$1"
    step_started="$(now)"
    printf '\n==> step: %s\n' "$current_step" >&2
}

step_end() {
    local took
    took="$(elapsed_since "$step_started")"
    timings+=("$(printf '%-28s %s' "$current_step" "$took")")
    printf '==> step ok: %s (%s)\n' "$current_step" "$took" >&2
    current_step=""
}

report_on_exit() {
    local status=$?
    if [[ $status -ne 0 && -n $current_step ]]; then
        printf '\n==> FAILED at step: %s (exit status %d, after %s)\n' \
            "$current_step" "$status" "$(elapsed_since "$step_started")" >&2
    fi
    if [[ ${#timings[@]} -gt 0 ]]; then
        printf '\n==> steps that passed:\n' >&2
        printf '    %s\n' "${timings[@]}" >&2
    fi
    if [[ $status -eq 0 ]]; then
        printf '==> all checks passed in %s\n' "$(elapsed_since "$run_started")" >&2
    fi
}
trap report_on_exit EXIT

step_begin "Debian packages"
install_debian_packages "${TEST_PACKAGES[@]}"
step_end

step_begin "app and dev tools in .venv"
install_app dev
step_end

cd "$ONESTOP_ROOT"
export VIRTUAL_ENV="$ONESTOP_VENV"
export PATH="$ONESTOP_VENV/bin:$PATH"
# This command installs every service the tests use, so none of them may be skipped as missing.
export CI="${CI:-1}"

# The package tests install into a clean Debian root made here, before pytest: building it
# needs the network, which the tests do not have. It is cached, and remade when its list changes.
step_begin "clean Debian root for the package tests"
bash installers/debian_root.sh
step_end

step_begin "ruff format --check"
ruff format --check .
step_end

step_begin "ruff check"
ruff check .
step_end

step_begin "mypy"
mypy
step_end

step_begin "lint-imports"
lint-imports
step_end

step_begin "pytest"
pytest_status=0
# Two worker processes, a test file each at a time: each has its own PostgreSQL, homes and
# ports, so files never share state. ONESTOP_TEST_WORKERS=0 runs everything in one process.
workers="${ONESTOP_TEST_WORKERS:-2}"
# A fault that breaks every test after it (a full disk, a test process left in a bad state)
# stops the run after 30 failures and errors with each one's reason printed, rather than
# running on to the time limit with none printed.
set -- -n "$workers" --dist loadfile --maxfail=30 "$@"
log "free space for the tests' files: $(df -Ph "${TMPDIR:-/tmp}" | awk 'NR == 2 {print $4}')"
# The tests run in a private network namespace with nothing but loopback: servers the tests
# start (Orthanc binds every interface it can see) are then reachable from nowhere else, and
# their ports never clash with the machine's. Everything the tests talk to is on loopback.
if [[ $EUID -eq 0 ]] && command -v unshare >/dev/null && command -v ip >/dev/null \
    && unshare --net true 2>/dev/null; then
    log "pytest runs in a private network namespace (loopback only)"
    unshare --net -- bash -c 'ip link set lo up && exec "$@"' _ pytest "$@" || pytest_status=$?
else
    if [[ ${CI:-} == "true" || ${CI:-} == "1" ]]; then
        printf '\n==> CI needs a private network namespace for the tests (root, unshare, ip)\n' >&2
        exit 1
    fi
    log "no private network namespace here: pytest runs on the machine's network"
    pytest "$@" || pytest_status=$?
fi
if [[ $pytest_status -eq 5 ]]; then
    printf '\n==> pytest collected no tests: that counts as a failure (check the paths and -k/-m)\n' >&2
    exit 1
fi
if [[ $pytest_status -ne 0 ]]; then
    exit "$pytest_status"
fi
step_end
