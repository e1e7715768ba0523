"""The open patient's appointments: book, rebook, cancel."""
