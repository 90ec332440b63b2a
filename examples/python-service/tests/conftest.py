"""Shared fixtures. The database fixture needs a real PostgreSQL: it fails,
never skips, when the server is not reachable.

The HTTP client fixture lives in `tests/wsgi_client.py`, loaded by the
conftest.py of the folders that call the API: a conftest.py is loaded for every
test below it, so what it imports is a dependency of all of them (tiergate's
import graph counts it so), and the unit tests do not need the whole app."""

from __future__ import annotations

import os
import subprocess
import uuid

import pytest

from app.database.repository import MemoryUsers


@pytest.fixture
def users():
    return MemoryUsers()


def _test_cluster_dsn() -> str | None:
    """The DSN of the cluster scripts/postgres.sh started, if it did."""
    try:
        path = subprocess.run(
            ["git", "rev-parse", "--git-path", "tiergate/postgres.dsn"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    except (OSError, subprocess.CalledProcessError):
        return None


@pytest.fixture
def pg():
    from app.database.connection import connect

    # TIERGATE_EXAMPLE_DSN wins; else the tests' own cluster. Never a server
    # that merely happens to listen on the default port.
    if "TIERGATE_EXAMPLE_DSN" not in os.environ:
        dsn = _test_cluster_dsn()
        if dsn is None:
            pytest.fail(
                "no test database: run the tests through tiergate (its "
                "[services.postgres] starts one), or `sh scripts/postgres.sh "
                "start`, or set TIERGATE_EXAMPLE_DSN"
            )
        os.environ["TIERGATE_EXAMPLE_DSN"] = dsn
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
