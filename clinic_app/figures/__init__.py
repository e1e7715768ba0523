"""The service's figures: measures defined as data, computed from what record types offer.

The public face:

- ``definitions``: the measures of resources/measures/ (``measure_file``).
- ``engine``: ``Request`` and ``compute`` (one SQL statement per request, on SQLite or
  PostgreSQL), ``figures_statement`` to see the statement.
- ``results``: ``Figures`` and ``FigureRow``, with their JSON, and the statuses.
- ``rows``: how a statement's answer becomes rows (months filled in, words, statuses).
- ``suppression``: ``suppress`` for figures leaving the service.
- ``service``: ``FiguresService`` (``services.figures``) and the measures' ``catalogue``.
- ``compose``: the older per-record-type measures (``Measure``), kept as they are.
"""
