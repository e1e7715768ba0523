"""The kernel under every domain: store, sessions, outbox, migrations, base model, security."""
