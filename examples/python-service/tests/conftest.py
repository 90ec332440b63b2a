"""Shared fixtures. The database fixture needs a real PostgreSQL: it fails,
never skips, when the server is not reachable."""

from __future__ import annotations

import io
import json
import os
import subprocess
import uuid

import pytest

from app.api.app import create_app
from app.database.repository import MemoryUsers


@pytest.fixture
def users():
    return MemoryUsers()


@pytest.fixture
def call():
    """Call the WSGI app: call(method, path, body) -> (status code, json)."""
    app = create_app()

    def request(method: str, path: str, body: dict | None = None):
        payload = json.dumps(body).encode() if body is not None else b""
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "CONTENT_LENGTH": str(len(payload)),
            "wsgi.input": io.BytesIO(payload),
        }
        captured = {}

        def start_response(status, headers):
            captured["status"] = int(status.split()[0])

        body_bytes = b"".join(app(environ, start_response))
        return captured["status"], json.loads(body_bytes)

    return request


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
