"""The frozen server's entry point: ``onestop-server`` exactly as the installed command runs it."""

from __future__ import annotations

import sys

from clinic_app.server.cli import main

if __name__ == "__main__":
    sys.exit(main())
