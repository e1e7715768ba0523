#!/usr/bin/env bash
# Installs what the app needs on this machine and opens the demo clinic.
#
#   bash installers/demo.sh [options for `onestop demo`]
#
# Debian packages come through apt-get (as root, or with sudo); the app goes into .venv in the
# repository root. Running it again skips whatever is already in place.

set -euo pipefail

# shellcheck source=installers/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

install_debian_packages "${QT_WINDOW_PACKAGES[@]}" "${QT_MEDIA_PRINT_PACKAGES[@]}"
install_app ""

cd "$ONESTOP_ROOT"
log "starting the demo: onestop demo $*"
exec "$ONESTOP_VENV/bin/onestop" demo "$@"
