"""Passwords, roles and permissions, the OS keychain and the audit chain."""
