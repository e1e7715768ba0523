"""The Windows installer's command line, used by build.ps1 on a Windows runner and by tests.

python -m installers.windows wxs BUNDLE --out FILE [--icon ICO]
python -m installers.windows msi BUNDLE --out-dir DIR [--icon ICO]      (wixl, on Linux)
python -m installers.windows version
python -m installers.windows check-release-certificate
python -m installers.windows sign FILE --pfx PFX [--release] [--timestamp-url URL]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from installers.windows import msi, signing


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m installers.windows")
    commands = parser.add_subparsers(dest="command", required=True)
    source = commands.add_parser("wxs", help="write the WiX source for a one-folder bundle")
    source.add_argument("bundle", type=Path)
    source.add_argument("--out", type=Path, required=True)
    source.add_argument("--icon", type=Path)
    source.add_argument(
        "--program", default="onestop.exe", help="what the Start-menu shortcut opens"
    )
    build = commands.add_parser("msi", help="build the MSI with msitools' wixl")
    build.add_argument("bundle", type=Path)
    build.add_argument("--out-dir", type=Path, required=True)
    build.add_argument("--icon", type=Path)
    commands.add_parser("version", help="print the installer's version (from pyproject.toml)")
    commands.add_parser(
        "check-release-certificate",
        help=f"refuse unless {signing.PFX_VARIABLE} holds a certificate fit for a release",
    )
    sign = commands.add_parser("sign", help="sign an .exe or .msi with osslsigncode")
    sign.add_argument("target", type=Path)
    sign.add_argument("--pfx", type=Path, required=True)
    sign.add_argument("--release", action="store_true")
    sign.add_argument("--timestamp-url")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Runs one command; returns the exit status (1 with the reason on stderr on refusal)."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "wxs":
            product = msi.app_product(icon=args.icon, program=args.program)
            args.out.write_text(msi.wxs(args.bundle, product), encoding="utf-8")
        elif args.command == "msi":
            product = msi.app_product(icon=args.icon)
            sys.stdout.write(f"{msi.build_msi(args.bundle, product, args.out_dir)}\n")
        elif args.command == "version":
            sys.stdout.write(f"{msi.app_product().version}\n")
        elif args.command == "check-release-certificate":
            signing.release_certificate_from_environment(dict(os.environ))
            sys.stdout.write("the release certificate may sign\n")
        else:
            signing.sign_with_osslsigncode(
                args.target,
                pfx=args.pfx,
                password=os.environ.get(signing.PASSWORD_VARIABLE, ""),
                release=args.release,
                timestamp_url=args.timestamp_url,
            )
    except (msi.InstallerError, signing.SigningError) as error:
        sys.stderr.write(f"{error}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
