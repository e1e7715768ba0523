"""The Windows installer: an MSI made from the frozen one-folder app, and its signature."""
