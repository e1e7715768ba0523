# Shared set-up steps for installers/demo.sh and installers/test.sh.
#
# Source this file from bash; it does nothing on its own. Every function is safe to run again:
# Debian packages already present are skipped, and the virtualenv is reused; the app is only
# reinstalled when pyproject.toml changes or extras it lacks are asked for.

set -euo pipefail

ONESTOP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ONESTOP_VENV="$ONESTOP_ROOT/.venv"

# Libraries Qt needs to open a real window through xcb (also under Xvfb), and fonts to draw it.
QT_WINDOW_PACKAGES=(
    xvfb xauth libegl1 libgl1 libfontconfig1 libfreetype6 libglib2.0-0 libdbus-1-3
    libx11-xcb1 libxkbcommon0 libxkbcommon-x11-0 libxcb1 libxcb-cursor0 libxcb-icccm4
    libxcb-keysyms1 libxcb-image0 libxcb-randr0 libxcb-render0 libxcb-render-util0
    libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-util1 libxcb-xfixes0 libxcb-xkb1 libxcb-glx0
    fonts-dejavu-core fonts-noto-core
)
# QtMultimedia will not import without PulseAudio's client library, and its FFmpeg plugin
# (video capture from a frame grabber) links the X, DRM and Kerberos libraries below;
# printing uses CUPS.
QT_MEDIA_PRINT_PACKAGES=(
    libpulse0 libcups2 libxrandr2 libxext6 libxrender1 libdrm2 libgssapi-krb5-2 libbrotli1
    libbz2-1.0
)

_apt_updated=0

log() {
    printf '==> %s\n' "$*" >&2
}

die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# Seconds since the epoch with millisecond precision, for step timings.
now() {
    date +%s.%3N
}

# Prints the seconds elapsed since a time taken with `now`, e.g. "12.3s".
elapsed_since() {
    awk -v start="$1" -v end="$(now)" 'BEGIN { printf "%.1fs", end - start }'
}

# Runs a command as root: directly when we are root, otherwise through sudo.
as_root() {
    if [[ ${EUID:-$(id -u)} -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "installing system packages needs root: run this as root or install sudo"
    fi
}

is_debian_like() {
    command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1
}

# Prints the packages from the arguments that are not installed yet, one per line.
missing_debian_packages() {
    local package status
    for package in "$@"; do
        status="$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)"
        if [[ $status != "install ok installed" ]]; then
            printf '%s\n' "$package"
        fi
    done
}

# Installs the Debian packages given as arguments that are missing. Runs `apt-get update` at
# most once per run, and not at all when everything is already installed.
install_debian_packages() {
    if ! is_debian_like; then
        log "not a Debian-based system: install these packages yourself if they are missing: $*"
        return 0
    fi
    local missing
    mapfile -t missing < <(missing_debian_packages "$@")
    if [[ ${#missing[@]} -eq 0 ]]; then
        log "Debian packages: all ${#} already installed"
        return 0
    fi
    # A fresh cloud machine may still be running its own first apt job: wait for its lock.
    local apt_options=(-o DPkg::Lock::Timeout=600)
    local started
    started="$(now)"
    if [[ $_apt_updated -eq 0 ]]; then
        log "apt-get update"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq "${apt_options[@]}"
        _apt_updated=1
    fi
    log "installing ${#missing[@]} Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${apt_options[@]}" -o Dpkg::Use-Pty=0 -o Dpkg::Options::=--force-confdef \
        -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null
    log "Debian packages installed in $(elapsed_since "$started")"
}

# True when the given interpreter is Python 3.11 or newer.
_python_is_recent() {
    [[ $("$1" -c 'import sys; print(sys.version_info >= (3, 11))' 2>/dev/null) == True ]]
}

# Prints the path of a Python 3.11+ interpreter: $PYTHON if set, otherwise python3, otherwise
# the newest python3.N on PATH.
find_python() {
    local candidate
    if [[ -n ${PYTHON:-} ]]; then
        _python_is_recent "$PYTHON" || die "PYTHON=$PYTHON is not Python 3.11 or newer"
        command -v "$PYTHON"
        return 0
    fi
    for candidate in python3 python3.14 python3.13 python3.12 python3.11; do
        if command -v "$candidate" >/dev/null 2>&1 && _python_is_recent "$candidate"; then
            command -v "$candidate"
            return 0
        fi
    done
    local found="none"
    if command -v python3 >/dev/null 2>&1; then
        found="$(python3 -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
    fi
    die "OneStop MSK needs Python 3.11 or newer (python3 on PATH: $found). Install it, or" \
        "point PYTHON at one, e.g. PYTHON=/usr/bin/python3.11 $0"
}

# Makes sure `python -m venv` can build a virtualenv with pip in it; Debian ships that part of
# the standard library separately, in python3-venv.
_ensure_venv_module() {
    local python="$1"
    if "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
        return 0
    fi
    if is_debian_like; then
        local minor
        minor="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
        log "python -m venv is unavailable: installing python3-venv"
        install_debian_packages python3-venv
        if ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
            install_debian_packages "python${minor}-venv"
        fi
    fi
    "$python" -c 'import ensurepip, venv' >/dev/null 2>&1 \
        || die "$python cannot create virtualenvs (the venv/ensurepip modules are missing)"
}

# True when .venv exists, runs, is recent enough and has pip.
_venv_is_usable() {
    [[ -x $ONESTOP_VENV/bin/python ]] \
        && _python_is_recent "$ONESTOP_VENV/bin/python" \
        && "$ONESTOP_VENV/bin/python" -m pip --version >/dev/null 2>&1
}

# Creates .venv in the repository root (reusing a working one) and installs the app into it in
# editable mode. The argument names the extras, e.g. "dev", or is empty for the app alone.
install_app() {
    local extras="${1:-}"
    local target="."
    [[ -n $extras ]] && target=".[$extras]"

    if ! _venv_is_usable; then
        local python
        python="$(find_python)"
        _ensure_venv_module "$python"
        log "creating .venv with $("$python" --version 2>&1)"
        rm -rf "$ONESTOP_VENV"
        "$python" -m venv "$ONESTOP_VENV"
    fi

    # Reinstalling is skipped while pyproject.toml is unchanged: the install is editable, so
    # changes to the code itself need no reinstall. An install with extras also serves a plain
    # one. ONESTOP_REINSTALL=1 forces a reinstall.
    local stamp="$ONESTOP_VENV/.onestop-installed-${extras:-base}"
    local wanted
    wanted="$(
        {
            "$ONESTOP_VENV/bin/python" --version 2>&1
            cat "$ONESTOP_ROOT/pyproject.toml"
        } | sha256sum | cut -d' ' -f1
    )"
    if [[ ${ONESTOP_REINSTALL:-0} != 1 ]]; then
        local existing
        for existing in "$stamp" "$ONESTOP_VENV"/.onestop-installed-*; do
            if [[ -f $existing && $(cat "$existing") == "$wanted" ]] \
                && [[ $existing == "$stamp" || -z $extras ]]; then
                log "app already installed in .venv (${existing##*-}); ONESTOP_REINSTALL=1 reinstalls"
                return 0
            fi
        done
    fi

    local started
    started="$(now)"
    log "installing the app into .venv: pip install -e \"$target\""
    rm -f "$ONESTOP_VENV"/.onestop-installed-*
    (
        cd "$ONESTOP_ROOT"
        "$ONESTOP_VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
            -e "$target"
    )
    printf '%s\n' "$wanted" >"$stamp"
    log "app installed in $(elapsed_since "$started")"
}
