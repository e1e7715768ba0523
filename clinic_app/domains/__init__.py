"""Clinical domains: one package each, with the same layers inside (see docs/architecture.md)."""
