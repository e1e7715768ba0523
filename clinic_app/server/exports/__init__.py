"""National and research data sets: monthly record-level extracts read on the server.

They sit on the server, reading the service's tables directly: an extract is of the whole
service (every clinician's records meet only there), and the server is the one layer the
import contracts let read every domain's tables. Each data set's tables and fields are data
in ``resources/datasets``, with their sources.
"""
