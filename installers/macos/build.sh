#!/usr/bin/env bash
# Builds OneStop MSK.app and its .dmg on a Mac (a CI runner or a build Mac), from a clean clone:
#
#   bash installers/macos/build.sh [--release]
#
# 1. a fresh venv in build/macos/venv with the app and PyInstaller;
# 2. the app frozen with the shared spec, wrapped in OneStop MSK.app (onestop-macos.spec);
# 3. a smoke run of the frozen program (its self-check: modules load, the macOS keychain);
# 4. with --release: codesign with the Developer ID Application identity in the runner's
#    keychain, hardened runtime, entitlements, secure timestamp; verified;
# 5. a compressed disk image (UDZO) holding the app and a link to /Applications;
# 6. with --release: the .dmg signed, notarised by Apple (notarytool, waits for the verdict),
#    the ticket stapled, and Gatekeeper asked whether it would open it.
#
# A release is never unsigned, ad hoc signed or signed with anything but a Developer ID
# Application identity: without the identity or the notary credentials, --release stops before
# building. The workflow (.github/workflows/macos.yml) imports the identity from CI secrets into
# a temporary keychain and sets:
#   MACOS_SIGNING_IDENTITY    "Developer ID Application: <organisation> (<team id>)"
#   APPLE_NOTARY_KEY_FILE     an App Store Connect API key (.p8) on disk
#   APPLE_NOTARY_KEY_ID       its key id
#   APPLE_NOTARY_ISSUER       its issuer id
# Test builds (no --release) carry PyInstaller's ad hoc signature only and say "unsigned" in
# the disk image's name: Gatekeeper will not open them on another Mac.

set -euo pipefail

release=0
case "${1:-}" in
    --release) release=1 ;;
    "") ;;
    *) echo "usage: $0 [--release]" >&2; exit 2 ;;
esac

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="$ROOT/build/macos"
VENV="$BUILD/venv"
DIST="$BUILD/dist"
APP="$DIST/OneStop MSK.app"
ENTITLEMENTS="$ROOT/installers/macos/entitlements.plist"
PYTHON="${PYTHON:-python3.11}"

fail() { echo "error: $*" >&2; exit 1; }
step() { echo "==> $*" >&2; }

if [[ $release -eq 1 ]]; then
    for variable in MACOS_SIGNING_IDENTITY APPLE_NOTARY_KEY_FILE APPLE_NOTARY_KEY_ID APPLE_NOTARY_ISSUER; do
        [[ -n ${!variable:-} ]] || fail "$variable is not set: a release must be signed and notarised"
    done
    [[ $MACOS_SIGNING_IDENTITY == "Developer ID Application: "* ]] \
        || fail "MACOS_SIGNING_IDENTITY must be a Developer ID Application identity, not '$MACOS_SIGNING_IDENTITY'"
    security find-identity -v -p codesigning | grep -F "\"$MACOS_SIGNING_IDENTITY\"" >/dev/null \
        || fail "the keychain holds no valid identity '$MACOS_SIGNING_IDENTITY'"
    [[ -s $APPLE_NOTARY_KEY_FILE ]] || fail "the notary key file is missing or empty"
fi

cd "$ROOT"
mkdir -p "$BUILD"
step "a fresh venv in $VENV"
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --upgrade pip
"$VENV/bin/python" -m pip install "$ROOT" "pyinstaller>=6.22,<7"

step "the icon"
"$VENV/bin/python" -m installers.icons installers/debian/onestop-msk.svg --icns "$BUILD/onestop.icns"

step "freezing"
rm -rf "$DIST"
ONESTOP_ICNS="$BUILD/onestop.icns" "$VENV/bin/python" -m PyInstaller --noconfirm \
    --distpath "$DIST" --workpath "$BUILD/work" installers/macos/onestop-macos.spec
[[ -x "$APP/Contents/MacOS/onestop" ]] || fail "PyInstaller made no $APP"

step "self-check of the frozen app"
check="$(QT_QPA_PLATFORM=offscreen "$APP/Contents/MacOS/onestop" self-check)"
echo "$check"
grep -q "keyring.backends.macOS" <<<"$check" || fail "the frozen app did not find the macOS keychain"

version="$("$VENV/bin/python" -c 'from installers.packaging.app import app_version; print(app_version())')"

if [[ $release -eq 1 ]]; then
    step "codesign (Developer ID, hardened runtime, secure timestamp)"
    codesign --force --deep --options runtime --timestamp \
        --entitlements "$ENTITLEMENTS" --sign "$MACOS_SIGNING_IDENTITY" "$APP"
    codesign --verify --deep --strict --verbose=2 "$APP"
    dmg="$BUILD/OneStop-MSK-$version.dmg"
else
    dmg="$BUILD/OneStop-MSK-$version-unsigned.dmg"
fi

step "disk image"
staging="$BUILD/dmg"
rm -rf "$staging" "$dmg"
mkdir -p "$staging"
cp -R "$APP" "$staging/"
ln -s /Applications "$staging/Applications"
hdiutil create -volname "OneStop MSK" -srcfolder "$staging" -ov -format UDZO "$dmg"

if [[ $release -eq 1 ]]; then
    step "signing, notarising and stapling the disk image"
    codesign --force --timestamp --sign "$MACOS_SIGNING_IDENTITY" "$dmg"
    result="$BUILD/notary-result.json"
    xcrun notarytool submit "$dmg" --key "$APPLE_NOTARY_KEY_FILE" \
        --key-id "$APPLE_NOTARY_KEY_ID" --issuer "$APPLE_NOTARY_ISSUER" \
        --wait --output-format json | tee "$result"
    status="$("$VENV/bin/python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["status"])' "$result")"
    if [[ $status != "Accepted" ]]; then
        submission="$("$VENV/bin/python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["id"])' "$result")"
        xcrun notarytool log "$submission" --key "$APPLE_NOTARY_KEY_FILE" \
            --key-id "$APPLE_NOTARY_KEY_ID" --issuer "$APPLE_NOTARY_ISSUER" || true
        fail "Apple did not accept the app for notarisation (status: $status)"
    fi
    xcrun stapler staple "$dmg"
    xcrun stapler validate "$dmg"
    spctl --assess --type open --context context:primary-signature --verbose=2 "$dmg"
fi

shasum -a 256 "$dmg" | sed "s|  .*/|  |" >"$dmg.sha256"
step "built $dmg"
