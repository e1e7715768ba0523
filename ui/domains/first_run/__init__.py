"""Setting up this computer the first time the app opens: no store yet, no terminal."""
