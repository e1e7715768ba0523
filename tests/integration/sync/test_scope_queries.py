"""Lists of ids in the server's scope queries: one array parameter on PostgreSQL, IN elsewhere."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import Column, Engine, MetaData, String, Table, Uuid, create_engine, insert, select

from clinic_app.sync.ownership import among

_META = MetaData()
_ROWS = Table("among_probe", _META, Column("id", Uuid, primary_key=True), Column("name", String))


def _check(engine: Engine, one_parameter: bool) -> None:
    _META.create_all(engine)
    ids = [uuid.uuid4() for _ in range(1200)]
    with engine.begin() as conn:
        conn.execute(insert(_ROWS), [{"id": i, "name": f"n{n}"} for n, i in enumerate(ids)])
    wanted = ids[100:800] + [uuid.uuid4() for _ in range(3)]
    with engine.connect() as conn:
        query = select(_ROWS.c.id).where(among(conn, _ROWS.c.id, wanted))
        assert set(conn.execute(query).scalars()) == set(ids[100:800])
        assert ("= ANY" in str(query.compile(conn))) is one_parameter
        # Not ids: the same answer, whatever the kind of value.
        names = [f"n{n}" for n in (0, 5, 1199)] + ["nobody"]
        found = conn.execute(select(_ROWS.c.id).where(among(conn, _ROWS.c.name, names)))
        assert set(found.scalars()) == {ids[0], ids[5], ids[1199]}
        assert conn.execute(query.where(among(conn, _ROWS.c.id, []))).first() is None
        # The same query again and again (the driver prepares it after a few runs).
        for start in range(0, 1200, 100):
            part = ids[start : start + 100]
            found = conn.execute(select(_ROWS.c.id).where(among(conn, _ROWS.c.id, part)))
            assert set(found.scalars()) == set(part)


def test_ids_go_as_one_array_parameter_on_postgresql(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    try:
        _check(engine, one_parameter=True)
    finally:
        engine.dispose()


def test_ids_go_as_in_on_sqlite(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'probe.db'}")
    try:
        _check(engine, one_parameter=False)
    finally:
        engine.dispose()
