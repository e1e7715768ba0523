"""Sync with the central server: the wire form of rows, the protocol, and the client engine."""
