"""Builds the app's and the server's packages: a frozen one-folder bundle, then a .deb."""
