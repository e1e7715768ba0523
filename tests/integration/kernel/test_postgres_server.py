"""The throwaway PostgreSQL server answers through SQLAlchemy and psycopg."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.support.postgres import PostgresServer


def test_server_runs_sql_and_keeps_what_it_is_given(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    try:
        with engine.begin() as connection:
            version = connection.execute(sa.text("select version()")).scalar_one()
            connection.execute(
                sa.text("create table clinic (id integer primary key, name text not null)")
            )
            connection.execute(
                sa.text("insert into clinic (id, name) values (:id, :name)"),
                [{"id": 1, "name": "Riverside MSK"}, {"id": 2, "name": "Hillview Physio"}],
            )
        with engine.connect() as connection:
            rows = connection.execute(sa.text("select id, name from clinic order by id")).all()
    finally:
        engine.dispose()

    assert version.startswith("PostgreSQL ")
    assert [tuple(row) for row in rows] == [(1, "Riverside MSK"), (2, "Hillview Physio")]


def test_each_test_gets_its_own_empty_database(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    url = make_url(postgres_url)
    assert url.drivername == "postgresql+psycopg"
    assert url.host == "127.0.0.1"
    assert url.port == postgres_server.port
    assert url.database not in {None, "postgres", "template0", "template1"}

    engine = sa.create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            tables = sa.inspect(connection).get_table_names()
    finally:
        engine.dispose()
    assert tables == []
