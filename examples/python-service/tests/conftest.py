"""Shared fixtures. The database fixture needs a real PostgreSQL: it fails,
never skips, when the server is not reachable.

The HTTP client fixture lives in `tests/wsgi_client.py`, loaded by the
conftest.py of the folders that call the API: a conftest.py is loaded for every
test below it, so what it imports is a dependency of all of them (tiergate's
import graph counts it so), and the unit tests do not need the whole app."""

from __future__ import annotations

import uuid

import pytest

from app.database.repository import MemoryUsers


@pytest.fixture
def users():
    return MemoryUsers()


@pytest.fixture
def pg():
    from app.database.connection import connect

    connection = connect()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cur:
        cur.execute(f"CREATE SCHEMA {schema}")
        cur.execute(f"SET search_path TO {schema}")
    connection.commit()
    yield connection
    connection.rollback()
    with connection.cursor() as cur:
        cur.execute(f"DROP SCHEMA {schema} CASCADE")
    connection.commit()
    connection.close()
