"""The PySide6 desktop application; it reaches the core only through its services."""
