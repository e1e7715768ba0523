"""A record type made of four files, to prove what adding one takes (see checks.py).

Its files are the ones docs/adding-a-record-type.md lists for a record whose form is only
its sections: ``rules.py``, ``model.py``, ``record.py`` in the core and ``screens.py`` in the
UI. Nothing here is imported by the test run itself; ``checks.py`` runs in its own process so
that its table never joins the real schema.
"""
